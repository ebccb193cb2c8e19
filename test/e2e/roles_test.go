package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestRolesAndRejections, on each SDK: what an app sees when a token is
// wrong or used twice, when a SUBSCRIBER tries to publish or moderate, when
// a MODERATOR evicts someone from the browser, and when the session is
// closed over REST.
func TestRolesAndRejections(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher per row: light enough to run beside another such test
	for _, sdk := range bothSDKs {
		t.Run(string(sdk), func(t *testing.T) {
			t.Parallel()
			testRolesAndRejections(t, env, sdk)
		})
	}
}

func testRolesAndRejections(t *testing.T, env *e2eEnv, sdk sdkKind) {
	b := sharedBrowser(t, env) // the default fake camera will do
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := createSession(t, srv, "e2eRoles")
	mod := b.newPage(t, "moderator", app, sdk)
	sub := b.newPage(t, "subscriber", app, sdk)
	stranger := b.newPage(t, "stranger", app, sdk)
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
			t.Fatalf("[%s] connect() with %s succeeded (connection %s), want rejection", p.label(), what, st.ConnectionID)
		}
		if code, _ := st.ConnectError.Code.(float64); code != wantCode {
			t.Errorf("[%s] connect() with %s rejected with code %v (%q), want %v", p.label(), what, st.ConnectError.Code, st.ConnectError.Message, wantCode)
		}
		if st.Reconnecting > 0 || st.SessionDisconnected != nil {
			t.Errorf("[%s] after a refused joinRoom: reconnecting %d, sessionDisconnected %+v; the server must keep the socket open", p.label(), st.Reconnecting, st.SessionDisconnected)
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
					t.Errorf("[%s] publish refused with %v, want OPENVIDU_PERMISSION_DENIED", sub.label(), e["error"])
				}
			}
		}
		// It still receives the moderator's media.
		if r := checkMedia(pg, map[string]fakeColor{modCid: {}}, 25*time.Second); r.err != "" {
			t.Errorf("[%s] media: %s\n  stats: %s\n  recent log:\n%s", sub.label(), r.err, r.last, sub.logTail(25))
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
			t.Errorf("[%s] forceUnpublish of the moderator's stream: %+v (error %+v), want OPENVIDU_PERMISSION_DENIED", sub.label(), m, m.Error)
		}
	})

	t.Run("moderator_evicts", func(t *testing.T) {
		pg := mod.in(t)
		eval[bool](pg, fmt.Sprintf(`app.forceDisconnect(%s)`, js(subCid)))
		pg.waitFor(10*time.Second, "forceDisconnect to settle", `app.state.moderation.length > 0`)
		if m := pg.state().Moderation[0]; !m.OK {
			t.Errorf("[%s] forceDisconnect failed: %+v", mod.label(), m.Error)
		}
		sub.in(t).waitFor(10*time.Second, "sessionDisconnected", `app.state.sessionDisconnected`)
		if r := sub.in(t).state().SessionDisconnected.Reason; r != "forceDisconnectByUser" {
			t.Errorf("[%s] sessionDisconnected reason %q, want forceDisconnectByUser", sub.label(), r)
		}
		pg.waitFor(10*time.Second, "connectionDestroyed for the subscriber",
			fmt.Sprintf(`app.state.connectionDestroyed.some(e => e.connectionId === %s)`, js(subCid)))
		for _, e := range pg.state().ConnectionDestroyed {
			if e.ConnectionID == subCid && e.Reason != "forceDisconnectByUser" {
				t.Errorf("[%s] connectionDestroyed reason %q, want forceDisconnectByUser", mod.label(), e.Reason)
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
			t.Errorf("[%s] sessionDisconnected reason %q, want sessionClosedByServer", mod.label(), r)
		}
		found := false
		for _, e := range st.StreamDestroyed {
			if e.StreamID == modStream && e.Local {
				found = true
				if e.Reason != "sessionClosedByServer" {
					t.Errorf("[%s] publisher streamDestroyed reason %q, want sessionClosedByServer", mod.label(), e.Reason)
				}
			}
		}
		if !found {
			t.Errorf("[%s] no streamDestroyed on the Publisher", mod.label())
		}
		if resp := srv.Do(t, http.MethodGet, "/openvidu/api/sessions/"+sid, nil); resp.Status != http.StatusNotFound {
			t.Errorf("GET closed session: %d, want 404", resp.Status)
		}
	})
}
