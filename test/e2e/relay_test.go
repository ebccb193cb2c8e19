package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestUpstreamRelayOnly: apps for restrictive networks force TURN with
// OpenVidu's advanced configuration (iceTransportPolicy "relay"). With only
// the TURN servers that joinRoom announces, publishing and subscribing must
// still carry media, through the embedded TURN server.
func TestUpstreamRelayOnly(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher: light enough to run beside another such test
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env)
	sid := createSession(t, srv, "e2eRelay")
	b := newBrowser(t, env, "browser")
	pub := b.newPage(t, "publisher", app.URL)
	sub := b.newPage(t, "subscriber", app.URL)
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
		t.Fatalf("[subscriber] media over TURN: %s\n  stats: %s\n  joinRoom result: %s\n  recent log:\n%s",
			r.err, r.last, joinResult(sub), sub.logTail(25))
	}
	sub.screenshot("subscriber")
	pair := r.last.Remotes[pubCid].PC.Pair
	if typ := pair.Local["candidateType"]; typ != "relay" {
		t.Errorf("[subscriber] selected local candidate %v, want a relay candidate", pair.Local)
	}
	ps := pub.stats().Publisher
	if ps == nil || ps.Pair == nil || ps.Pair.Local["candidateType"] != "relay" {
		t.Errorf("[publisher] selected pair %+v, want a relay candidate", ps)
	}
	t.Logf("media over TURN ok in %v: %s; subscriber pair %v -> %v", r.took.Round(time.Millisecond), r.last.describe(), pair.Local, pair.Remote)
}
