package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestSignalingReconnect, on each SDK: the subscriber's signaling goes
// through a proxy that the test cuts. Within the server's grace period the client
// re-dials, sends "connect" and carries on unnoticed by the others; after
// it, the others see it leave (networkDisconnect) and its own reconnection
// is refused, ending its session with networkDisconnect.
func TestSignalingReconnect(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher per row: light enough to run beside another such test
	for _, sdk := range bothSDKs {
		t.Run(string(sdk), func(t *testing.T) {
			t.Parallel()
			testSignalingReconnect(t, env, sdk)
		})
	}
}

func testSignalingReconnect(t *testing.T, env *e2eEnv, sdk sdkKind) {
	b := sharedBrowser(t, env) // the default fake camera will do
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := createSession(t, srv, "e2eReconnect")
	pub := b.newPage(t, "publisher", app, sdk)
	sub := b.newPage(t, "subscriber", app, sdk)
	pubToken, pubCid := createConnection(t, srv, sid, "pub")
	subToken, subCid := createConnection(t, srv, sid, "sub")
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	// The client dials the token's host: point it at the proxy. The token
	// stays the same otherwise (its tok_ value is what identifies it).
	subToken = strings.Replace(subToken, u.Host, proxy.addr(), 1)
	for _, p := range []*page{pub, sub} {
		p.waitLibrary()
	}

	pub.join(pubToken, "pub", true)
	stream := pub.waitPublished()
	if st := sub.tryJoin(subToken, "sub", false); st.ConnectError != nil {
		t.Fatalf("[%s] connect() with the token's host changed to a proxy: %+v. Upstream matches the full token string; the spec (pitfall 38) asks govidu to match on the tok_ value", sub.label(), st.ConnectError)
	}
	sub.waitFor(30*time.Second, "a subscription", fmt.Sprintf(`(app.state.remoteStreams[%s] || {}).subscribed`, js(stream)))
	if r := checkMedia(sub, map[string]fakeColor{pubCid: {}}, 25*time.Second); r.err != "" {
		t.Fatalf("[%s] media before the drop: %s\n  stats: %s", sub.label(), r.err, r.last)
	}

	t.Run("drop_within_grace", func(t *testing.T) {
		proxy.cut()
		sub.in(t).waitFor(20*time.Second, "reconnecting then reconnected",
			`app.state.reconnecting >= 1 && app.state.reconnected >= 1`)
		connectFrames := 0
		for _, f := range sub.wsFrames(">") {
			if strings.Contains(f, `"method":"connect"`) {
				connectFrames++
			}
		}
		if connectFrames == 0 {
			t.Errorf("[%s] reconnected without sending a connect request", sub.label())
		}
		if st := pub.in(t).state(); len(st.ConnectionDestroyed) > 0 {
			t.Errorf("[%s] saw %+v during a drop shorter than the grace period", pub.label(), st.ConnectionDestroyed)
		}
		if r := checkMedia(sub.in(t), map[string]fakeColor{pubCid: {}}, 25*time.Second); r.err != "" {
			t.Errorf("[%s] media after the reconnection: %s", sub.label(), r.err)
		}
		// Signaling works on the new socket both ways.
		eval[bool](pub.in(t), `app.signal('after', 'reconnect')`)
		sub.in(t).waitSignal("signal:after", "reconnect")
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if c := s.connection(subCid); c == nil || len(c.Subscribers) != 1 {
				return fmt.Sprintf("subscriber after reconnection: %+v", c)
			}
			return ""
		})
	})

	t.Run("drop_beyond_grace", func(t *testing.T) {
		proxy.setRefuse(true)
		proxy.cut()
		pub.in(t).waitFor(30*time.Second, "the subscriber to leave with networkDisconnect",
			fmt.Sprintf(`app.state.connectionDestroyed.some(e => e.connectionId === %s)`, js(subCid)))
		for _, e := range pub.in(t).state().ConnectionDestroyed {
			if e.ConnectionID == subCid && e.Reason != "networkDisconnect" {
				t.Errorf("[%s] connectionDestroyed reason %q, want networkDisconnect", pub.label(), e.Reason)
			}
		}
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if s.connection(subCid) != nil {
				return "the lost connection is still listed"
			}
			return ""
		})
		proxy.setRefuse(false)
		sub.in(t).waitFor(20*time.Second, "sessionDisconnected after a refused reconnection", `app.state.sessionDisconnected`)
		if r := sub.in(t).state().SessionDisconnected.Reason; r != "networkDisconnect" {
			t.Errorf("[%s] sessionDisconnected reason %q, want networkDisconnect", sub.label(), r)
		}
	})
}
