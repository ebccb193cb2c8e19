package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestRelayOnly, on each SDK: apps for restrictive networks force TURN with
// OpenVidu's advanced configuration (iceTransportPolicy "relay"). With only
// the TURN servers that joinRoom announces, publishing and subscribing must
// still carry media, through the embedded TURN server.
func TestRelayOnly(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher per row: light enough to run beside another such test
	for _, sdk := range bothSDKs {
		t.Run(string(sdk), func(t *testing.T) {
			t.Parallel()
			testRelayOnly(t, env, sdk)
		})
	}
}

func testRelayOnly(t *testing.T, env *e2eEnv, sdk sdkKind) {
	b := sharedBrowser(t, env) // the default fake camera will do
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := createSession(t, srv, "e2eRelay")
	pub := b.newPage(t, "publisher", app, sdk)
	sub := b.newPage(t, "subscriber", app, sdk)
	pubToken, pubCid := createConnection(t, srv, sid, "pub")
	subToken, _ := createConnection(t, srv, sid, "sub")
	for _, p := range []*page{pub, sub} {
		p.waitLibrary()
	}

	join := func(p *page, token string, publish bool) {
		t.Helper()
		st := p.tryJoinWith(token, map[string]any{"clientData": p.name, "publish": publish, "relay": true})
		if st.ConnectError != nil {
			p.fail("connect rejected: %+v", st.ConnectError)
		}
	}
	join(pub, pubToken, true)
	pubStream := pub.waitPublished()
	join(sub, subToken, false)
	sub.waitFor(30*time.Second, "a subscription to the publisher's stream",
		fmt.Sprintf(`(app.state.remoteStreams[%s] || {}).subscribed`, js(pubStream)))

	r := checkMedia(sub, map[string]fakeColor{pubCid: {}}, 25*time.Second)
	if r.err != "" {
		t.Fatalf("[%s] media over TURN: %s\n  stats: %s\n  joinRoom result: %s\n  recent log:\n%s", sub.label(), r.err, r.last, joinResult(sub), sub.logTail(25))
	}
	sub.screenshot("subscriber")
	pair := r.last.Remotes[pubCid].PC.Pair
	if typ := pair.Local["candidateType"]; typ != "relay" {
		t.Errorf("[%s] selected local candidate %v, want a relay candidate", sub.label(), pair.Local)
	}
	ps := pub.stats().Publisher
	if ps == nil || ps.Pair == nil || ps.Pair.Local["candidateType"] != "relay" {
		t.Errorf("[%s] selected pair %+v, want a relay candidate", pub.label(), ps)
	}
	t.Logf("media over TURN ok in %v: %s; subscriber pair %v -> %v", r.took.Round(time.Millisecond), r.last.describe(), pair.Local, pair.Remote)
}
