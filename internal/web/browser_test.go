package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

// The browser tests load our SDK from a real govidu (/openvidu-browser.js)
// in headless Chromium and make a call with it. They need Debian's chromium
// (apt-get install -y chromium); without it they skip, unless CI or
// GOVIDU_REQUIRE_E2E is set.

type browser struct{ ctx context.Context }

// sdkChromium is the SDK test's Chromium; grant=false leaves out the fake
// permission UI and denies every prompt (a user refusing the camera).
func sdkChromium(logPath string, grant bool) testkit.ChromiumOptions {
	return testkit.ChromiumOptions{Log: logPath, DenyMedia: !grant, Width: 800, Height: 600}
}

// page is one tab (own browser context) on govidu's origin with our SDK and
// the harness (testdata/sdk_e2e.js) loaded.
type page struct {
	t       *testing.T
	name    string
	ctx     context.Context
	console tabConsole
}

func (b *browser) open(t *testing.T, name, origin string) *page {
	t.Helper()
	p := &page{t: t, name: name}
	ctx := openTab(t, b.ctx, name, &p.console)
	p.ctx = ctx
	harness, err := os.ReadFile("testdata/sdk_e2e.js")
	if err != nil {
		t.Fatal(err)
	}
	// A document of govidu's origin (the SDK file itself), emptied, then the
	// SDK loaded with a script tag as an app would.
	nav, cancelNav := context.WithTimeout(ctx, 30*time.Second)
	defer cancelNav()
	if err := chromedp.Do(nav, chromedp.Navigate(origin+"/openvidu-browser.js")); err != nil {
		t.Fatalf("[%s] navigate: %v", name, err)
	}
	p.eval(`(async () => {
		document.documentElement.innerHTML = '<head><title>`+name+`</title></head><body><div id="local"></div><div id="remote"></div></body>';
		await new Promise((resolve, reject) => {
			const s = document.createElement('script');
			s.src = '/openvidu-browser.js';
			s.onload = resolve;
			s.onerror = () => reject(new Error('could not load /openvidu-browser.js'));
			document.head.appendChild(s);
		});
		return true;
	})()`, nil)
	run, cancelRun := context.WithTimeout(ctx, 20*time.Second)
	defer cancelRun()
	if _, err := chromedp.Run(run, chromedp.Evaluate[bool](string(harness)+"\ntrue")); err != nil {
		p.fail("load the harness: %v", err)
	}
	return p
}

// eval runs JavaScript (promises awaited) and decodes its JSON result into out.
func (p *page) eval(expr string, out any) {
	p.t.Helper()
	if err := p.evalErr(expr, out); err != nil {
		p.fail("evaluate %.80q: %v", expr, err)
	}
}

func (p *page) evalErr(expr string, out any) error {
	return evalJSON(p.ctx, expr, out)
}

// waitFor polls a JavaScript condition until it holds.
func (p *page) waitFor(timeout time.Duration, what, cond string) {
	p.t.Helper()
	if err := pollJS(timeout, cond, p.evalErr); err != nil {
		p.fail("waited %v for %s (%s): %v", timeout, what, cond, err)
	}
}

func (p *page) fail(format string, args ...any) {
	p.t.Helper()
	var harness []string
	_ = p.evalErr("T.log.concat(T.errors)", &harness)
	logs := p.console.tail(30)
	p.t.Fatalf("[%s] %s\n  harness log:\n    %s\n  console:\n    %s", p.name, fmt.Sprintf(format, args...),
		strings.Join(harness, "\n    "), strings.Join(logs, "\n    "))
}

func (p *page) screenshot(dir string) {
	if err := saveScreenshot(p.ctx, filepath.Join(dir, p.name+".png")); err != nil {
		p.t.Logf("[%s] screenshot: %v", p.name, err)
	}
}

type mediaStats struct {
	Error         string  `json:"error"`
	ICE           string  `json:"ice"`
	FramesDecoded int     `json:"framesDecoded"`
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	Videos        int     `json:"videos"`
	LitFraction   float64 `json:"litFraction"`
}

// waitMedia polls until the video from remoteCid decodes frames, keeps
// decoding, and shows something that is not black.
func (p *page) waitMedia(remoteCid string, timeout time.Duration) mediaStats {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	first := -1
	var last mediaStats
	for {
		var s mediaStats
		if err := p.evalErr(fmt.Sprintf("T.media(%q)", remoteCid), &s); err == nil {
			last = s
			if s.FramesDecoded > 0 && first < 0 {
				first = s.FramesDecoded
			}
			if first >= 0 && s.FramesDecoded >= first+10 && s.LitFraction > 0.05 {
				return s
			}
		}
		if time.Now().After(deadline) {
			p.fail("no live video from %s within %v: %+v", remoteCid, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func rest(t *testing.T, srv *testkit.Server, path, body string, out any) {
	t.Helper()
	r := srv.Do(t, "POST", path, body)
	if r.Status != 200 {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("POST %s: %v (%s)", path, err, r.Body)
	}
}

// TestSDKBrowserCall: two pages using our /openvidu-browser.js publish and
// subscribe to each other with real media; then the failure paths apps
// must handle: a denied camera, an invalid token, the server going away.
func TestSDKBrowserCall(t *testing.T) {
	testkit.RequireChromium(t)
	start := time.Now()
	dir := testkit.Artifacts(t, repoRoot)
	// No embedded TURN: its fixed port would collide with other packages'
	// servers running at the same time, and loopback needs no relay.
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"GOVIDU_TURN": "false"}})

	var session struct {
		ID string `json:"id"`
	}
	rest(t, srv, "/openvidu/api/sessions", `{"customSessionId":"sdkE2E"}`, &session)
	type conn struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	var alice, bob conn
	rest(t, srv, "/openvidu/api/sessions/"+session.ID+"/connection", `{"role":"PUBLISHER","data":"server-alice"}`, &alice)
	rest(t, srv, "/openvidu/api/sessions/"+session.ID+"/connection", `{"role":"PUBLISHER","data":"server-bob"}`, &bob)

	// Both browsers start at once: that is most of the setup time.
	browsers := startChromiums(t,
		sdkChromium(filepath.Join(dir, "chromium.log"), true),
		sdkChromium(filepath.Join(dir, "chromium-denied.log"), false))
	granted, denied := &browser{browsers[0]}, &browser{browsers[1]}
	pa := granted.open(t, "alice", srv.URL)
	pb := granted.open(t, "bob", srv.URL)
	pc := denied.open(t, "carol", srv.URL)
	t.Logf("browsers and pages ready after %v", time.Since(start).Round(time.Millisecond))

	t.Run("sdk_is_ours", func(t *testing.T) {
		var info struct {
			IsClass  bool   `json:"isClass"`
			OwnNames bool   `json:"ownNames"`
			Version  string `json:"version"`
			ESM      bool   `json:"esm"`
		}
		pa.eval("T.sdkInfo()", &info)
		if !info.IsClass || !info.OwnNames || info.Version != "2.32.2" || !info.ESM {
			t.Fatalf("SDK: %+v (want the global OpenVidu class with OpenViduError/Session attached, version 2.32.2, and the ES module's exports)", info)
		}
	})

	var ja, jb struct {
		ConnectionID string `json:"connectionId"`
		StreamID     string `json:"streamId"`
	}
	pa.eval(fmt.Sprintf("T.join(%q, 'alice')", alice.Token), &ja)
	pb.eval(fmt.Sprintf("T.join(%q, 'bob')", bob.Token), &jb)
	if ja.ConnectionID != alice.ID || jb.ConnectionID != bob.ID || ja.StreamID == "" || jb.StreamID == "" {
		t.Fatalf("joined as %+v and %+v, REST connections %s and %s", ja, jb, alice.ID, bob.ID)
	}

	t.Run("media", func(t *testing.T) {
		var sa, sb mediaStats
		var mwg sync.WaitGroup
		mwg.Add(2)
		go func() { defer mwg.Done(); sa = pa.waitMedia(bob.ID, 30*time.Second) }()
		go func() { defer mwg.Done(); sb = pb.waitMedia(alice.ID, 30*time.Second) }()
		mwg.Wait()
		pa.screenshot(dir)
		pb.screenshot(dir)
		t.Logf("alice sees bob: %+v; bob sees alice: %+v (screenshots in %s)", sa, sb, dir)
		pa.waitFor(5*time.Second, "streamPlaying on alice's subscriber", "T.log.some(l => l.includes('streamPlaying "+jb.StreamID+"'))")
	})

	t.Run("speaking", func(t *testing.T) {
		// Chromium's fake microphone beeps: the WebAudio analyser hears it.
		pa.waitFor(15*time.Second, "publisherStartSpeaking for bob at alice", fmt.Sprintf("T.log.some(l => l.endsWith('speaking %s'))", bob.ID))
	})

	t.Run("signal", func(t *testing.T) {
		pa.eval("T.session.signal({ data: 'hello', type: 'chat' })", nil)
		want := fmt.Sprintf(`T.signals.some(s => s.data === 'hello' && s.from === %q && s.type === 'signal:chat')`, alice.ID)
		pb.waitFor(5*time.Second, "alice's signal at bob", want)
		pa.waitFor(5*time.Second, "alice's broadcast signal back at alice", want)
	})

	t.Run("unpublish_republish", func(t *testing.T) {
		pa.eval("T.session.unpublish(T.pub)", nil)
		pb.waitFor(10*time.Second, "streamDestroyed(unpublish) at bob", fmt.Sprintf("T.log.some(l => l.endsWith('streamDestroyed %s unpublish'))", ja.StreamID))
		var again string
		pa.eval("T.session.publish(T.pub).then(() => T.pub.stream.streamId)", &again)
		if again == "" || again == ja.StreamID {
			t.Fatalf("republished stream id %q (first was %q)", again, ja.StreamID)
		}
		pb.waitFor(10*time.Second, "streamCreated for the new stream at bob", fmt.Sprintf("T.log.some(l => l.endsWith('streamCreated %s'))", again))
		pb.waitMedia(alice.ID, 20*time.Second)
	})

	t.Run("reconnect", func(t *testing.T) {
		// Bob's WebSocket drops (as on a network change): the SDK re-dials,
		// sends connect with its RPC session id and the call goes on.
		pb.eval("(T.session.rpc.lose(), true)", nil)
		pb.waitFor(20*time.Second, "reconnecting then reconnected at bob",
			"T.log.some(l => l.endsWith(' reconnecting')) && T.log.some(l => l.endsWith(' reconnected'))")
		pa.waitMedia(bob.ID, 20*time.Second)
		pb.eval("T.session.signal({ data: 'back', type: 'chat' })", nil)
		pa.waitFor(5*time.Second, "bob's signal after the reconnection", fmt.Sprintf(`T.signals.some(s => s.data === 'back' && s.from === %q)`, bob.ID))
	})

	t.Run("media_reconnect", func(t *testing.T) {
		// Stream.reconnect(): a new PeerConnection and reconnectStream, for
		// a publisher (same stream id, subscribers stay fed) and a subscriber.
		var before, after string
		pa.eval("T.pub.stream.streamId", &before)
		pa.eval("T.pub.stream.reconnect().then(() => T.pub.stream.streamId)", &after)
		if after != before {
			t.Fatalf("publisher stream id changed on reconnect: %q → %q", before, after)
		}
		pb.eval(fmt.Sprintf("T.subs[%q].stream.reconnect().then(() => true)", alice.ID), nil)
		pb.waitMedia(alice.ID, 20*time.Second)
		pa.waitMedia(bob.ID, 20*time.Second)
	})

	t.Run("denied_camera", func(t *testing.T) {
		var r struct {
			OK              bool   `json:"ok"`
			Name            string `json:"name"`
			Message         string `json:"message"`
			IsOpenViduError bool   `json:"isOpenViduError"`
		}
		pc.eval("T.tryInitPublisher()", &r)
		if r.OK || r.Name != "DEVICE_ACCESS_DENIED" || !r.IsOpenViduError {
			t.Fatalf("initPublisher with the camera denied: %+v, want an OpenViduError DEVICE_ACCESS_DENIED", r)
		}
	})

	t.Run("invalid_token", func(t *testing.T) {
		var r struct {
			OK      bool   `json:"ok"`
			Code    *int   `json:"code"`
			Message string `json:"message"`
		}
		bad := strings.Replace(alice.Token, "token=tok_", "token=tok_X", 1)
		pc.eval(fmt.Sprintf("T.tryConnect(%q)", bad), &r)
		if r.OK || r.Code == nil || r.Message == "" {
			t.Fatalf("connect with an invalid token: %+v, want a rejection with code and message", r)
		}
		t.Logf("invalid token: code %d %q", *r.Code, r.Message)
		pc.eval(`T.tryConnect('not a token')`, &r)
		if r.OK || !strings.Contains(r.Message, "Token not valid") {
			t.Fatalf("connect with a malformed token: %+v", r)
		}
	})

	t.Run("server_stopped", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		pa.waitFor(15*time.Second, "sessionDisconnected at alice", "T.disconnected.length > 0")
		pb.waitFor(15*time.Second, "sessionDisconnected at bob", "T.disconnected.length > 0")
		var reasons []string
		pa.eval("T.disconnected", &reasons)
		t.Logf("sessionDisconnected reason: %v", reasons)
	})
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}
