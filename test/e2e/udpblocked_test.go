package e2e

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestUDPBlockedCall: a participant whose network lets no UDP through
// (Chromium in a network namespace with TCP paths only: the app, the
// server's HTTP, ICE-TCP and TURN ports) calls one on an open network, on
// upstream openvidu-browser 2.32.2. Each receives the other's media; the
// blocked one's PeerConnections run over TCP (ICE-TCP or TURN over TCP).
func TestUDPBlockedCall(t *testing.T) {
	env := requireE2E(t)
	ns := testkit.NewNetNS(t)
	t.Parallel()
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0", "GOVIDU_RTC_TCP_PORT": "0"}})
	app := startApp(t, env, srv)
	ns.ForwardServer(t, srv)
	if u, err := url.Parse(app.URL); err == nil {
		p, _ := strconv.Atoi(u.Port())
		ns.ForwardTCP(t, p)
	}
	blockedBrowser, err := startBrowserIn(t, env, "udp-blocked", nil, ns.Name)
	if err != nil {
		t.Fatal(err)
	}
	sid := createSession(t, srv, "e2eNoUDP")
	open, openCid := joinedPage(t, sharedBrowser(t, env), app, srv, sdkUpstream, sid, "PUBLISHER", "open", true)
	blocked, blockedCid := joinedPage(t, blockedBrowser, app, srv, sdkUpstream, sid, "PUBLISHER", "blocked", true)

	for _, c := range []struct {
		p      *page
		remote string
	}{{blocked, openCid}, {open, blockedCid}} {
		r := checkMedia(c.p, map[string]fakeColor{c.remote: {}}, 40*time.Second)
		if r.err != "" {
			t.Fatalf("[%s] media: %s\n  stats: %s\n  recent log:\n%s", c.p.label(), r.err, r.last, c.p.logTail(25))
		}
		t.Logf("[%s] %s", c.p.label(), r.last.describe())
	}
	// Both of the blocked participant's PeerConnections (its publisher and
	// its subscriber) went over TCP.
	st := blocked.stats()
	for what, pc := range map[string]*pcStats{"subscriber": st.Remotes[openCid].PC, "publisher": st.Publisher} {
		if pc == nil || pc.Pair == nil {
			t.Errorf("[blocked] %s: no selected pair", what)
			continue
		}
		local := fmt.Sprint(pc.Pair.Local["candidateType"], "/", pc.Pair.Local["protocol"])
		if pc.Pair.Local["protocol"] != "tcp" && pc.Pair.Local["candidateType"] != "relay" {
			t.Errorf("[blocked] %s: local candidate %s, want TCP or a TURN relay", what, local)
		}
		t.Logf("[blocked] %s over %s → %v:%v", what, local, pc.Pair.Remote["address"], pc.Pair.Remote["port"])
	}
	blocked.screenshot("blocked")
}
