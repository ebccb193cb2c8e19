package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestUpstreamRolesAndRejections: what an app sees when a token is wrong or
// used twice, when a SUBSCRIBER tries to publish or moderate, when a
// MODERATOR evicts someone from the browser, and when the session is closed
// over REST.
func TestUpstreamRolesAndRejections(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher: light enough to run beside another such test
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env)
	sid := createSession(t, srv, "e2eRoles")
	b := newBrowser(t, env, "browser") // one publisher only: the default fake camera will do
	mod := b.newPage(t, "moderator", app.URL)
	sub := b.newPage(t, "subscriber", app.URL)
	stranger := b.newPage(t, "stranger", app.URL)
	modToken, modCid := createConnectionRole(t, srv, sid, "MODERATOR", "mod")
	subToken, subCid := createConnectionRole(t, srv, sid, "SUBSCRIBER", "sub")
	for _, p := range []*page{mod, sub, stranger} {
		p.waitLibrary()
	}
	tokenBase := strings.TrimSuffix(strings.SplitN(modToken, "?", 2)[0], "/")

	rejected := func(t *testing.T, p *page, token string, wantCode float64, what string) {
		t.Helper()
		st := p.in(t).tryJoin(token, "stranger", false)
		if st.ConnectError == nil {
			t.Fatalf("[%s] connect() with %s succeeded (connection %s), want rejection", p.name, what, st.ConnectionID)
		}
		if code, _ := st.ConnectError.Code.(float64); code != wantCode {
			t.Errorf("[%s] connect() with %s rejected with code %v (%q), want %v", p.name, what, st.ConnectError.Code, st.ConnectError.Message, wantCode)
		}
		if st.Reconnecting > 0 || st.SessionDisconnected != nil {
			t.Errorf("[%s] after a refused joinRoom: reconnecting %d, sessionDisconnected %+v; the server must keep the socket open", p.name, st.Reconnecting, st.SessionDisconnected)
		}
	}

	t.Run("invalid_token", func(t *testing.T) {
		rejected(t, stranger, tokenBase+"?sessionId="+sid+"&token=tok_NotARealToken1", 401, "an unknown token")
	})
	t.Run("unknown_session", func(t *testing.T) {
		rejected(t, stranger, tokenBase+"?sessionId=noSuchSession&token=tok_NotARealToken2", 202, "a token of an unknown session")
	})

	var modStream string
	t.Run("moderator_publishes", func(t *testing.T) {
		mod.in(t).join(modToken, "mod", true)
		modStream = mod.in(t).waitPublished()
	})

	t.Run("subscriber_cannot_publish", func(t *testing.T) {
		pg := sub.in(t)
		pg.join(subToken, "sub", true)
		pg.waitFor(15*time.Second, "session.publish() to be refused",
			`app.state.errors.some(e => e.where === 'publish')`)
		for _, e := range pg.state().Errors {
			if e["where"] == "publish" {
				if name := fmt.Sprint(e["error"].(map[string]any)["name"]); name != "OPENVIDU_PERMISSION_DENIED" {
					t.Errorf("[subscriber] publish refused with %v, want OPENVIDU_PERMISSION_DENIED", e["error"])
				}
			}
		}
		// It still receives the moderator's media.
		if r := checkMedia(pg, map[string]fakeColor{modCid: {}}, 25*time.Second); r.err != "" {
			t.Errorf("[subscriber] media: %s\n  stats: %s\n  recent log:\n%s", r.err, r.last, sub.logTail(25))
		}
		sub.in(t).screenshot("subscriber")
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			c := s.connection(subCid)
			if c == nil {
				return "no subscriber connection"
			}
			if len(c.Publishers) != 0 || len(c.Subscribers) != 1 || c.Subscribers[0].StreamID != modStream {
				return fmt.Sprintf("subscriber publishers %+v subscribers %+v, want none and [%s]", c.Publishers, c.Subscribers, modStream)
			}
			return ""
		})
	})

	t.Run("token_single_use", func(t *testing.T) {
		rejected(t, stranger, subToken, 401, "a token already used")
	})

	t.Run("subscriber_cannot_moderate", func(t *testing.T) {
		pg := sub.in(t)
		eval[bool](pg, fmt.Sprintf(`app.forceUnpublish(%s)`, js(modStream)))
		pg.waitFor(10*time.Second, "forceUnpublish to settle", `app.state.moderation.length > 0`)
		m := pg.state().Moderation[0]
		if m.OK || m.Error == nil || m.Error.Name != "OPENVIDU_PERMISSION_DENIED" {
			t.Errorf("[subscriber] forceUnpublish of the moderator's stream: %+v (error %+v), want OPENVIDU_PERMISSION_DENIED", m, m.Error)
		}
	})

	t.Run("moderator_evicts", func(t *testing.T) {
		pg := mod.in(t)
		eval[bool](pg, fmt.Sprintf(`app.forceDisconnect(%s)`, js(subCid)))
		pg.waitFor(10*time.Second, "forceDisconnect to settle", `app.state.moderation.length > 0`)
		if m := pg.state().Moderation[0]; !m.OK {
			t.Errorf("[moderator] forceDisconnect failed: %+v", m.Error)
		}
		sub.in(t).waitFor(10*time.Second, "sessionDisconnected", `app.state.sessionDisconnected`)
		if r := sub.in(t).state().SessionDisconnected.Reason; r != "forceDisconnectByUser" {
			t.Errorf("[subscriber] sessionDisconnected reason %q, want forceDisconnectByUser", r)
		}
		pg.waitFor(10*time.Second, "connectionDestroyed for the subscriber",
			fmt.Sprintf(`app.state.connectionDestroyed.some(e => e.connectionId === %s)`, js(subCid)))
		for _, e := range pg.state().ConnectionDestroyed {
			if e.ConnectionID == subCid && e.Reason != "forceDisconnectByUser" {
				t.Errorf("[moderator] connectionDestroyed reason %q, want forceDisconnectByUser", e.Reason)
			}
		}
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if s.connection(subCid) != nil {
				return "the evicted connection is still listed"
			}
			return ""
		})
	})

	t.Run("session_closed_by_server", func(t *testing.T) {
		restCall(t, srv, http.MethodDelete, "/openvidu/api/sessions/"+sid, nil, http.StatusNoContent)
		pg := mod.in(t)
		pg.waitFor(10*time.Second, "sessionDisconnected", `app.state.sessionDisconnected`)
		st := pg.state()
		if r := st.SessionDisconnected.Reason; r != "sessionClosedByServer" {
			t.Errorf("[moderator] sessionDisconnected reason %q, want sessionClosedByServer", r)
		}
		found := false
		for _, e := range st.StreamDestroyed {
			if e.StreamID == modStream && e.Local {
				found = true
				if e.Reason != "sessionClosedByServer" {
					t.Errorf("[moderator] publisher streamDestroyed reason %q, want sessionClosedByServer", e.Reason)
				}
			}
		}
		if !found {
			t.Errorf("[moderator] no streamDestroyed on the Publisher")
		}
		if resp := srv.Do(t, http.MethodGet, "/openvidu/api/sessions/"+sid, nil); resp.Status != http.StatusNotFound {
			t.Errorf("GET closed session: %d, want 404", resp.Status)
		}
	})
}
