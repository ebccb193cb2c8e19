package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

type uiConnection struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// uiTokens creates, as an application server would over REST, the camera
// and screen connections of one participant.
func uiTokens(t *testing.T, srv *testkit.Server, session string) (webcam, screen uiConnection) {
	t.Helper()
	for _, c := range []*uiConnection{&webcam, &screen} {
		r := srv.Do(t, "POST", "/openvidu/api/sessions/"+session+"/connection", `{"role":"PUBLISHER"}`)
		if r.Status != 200 {
			t.Fatalf("POST connection: %d %s", r.Status, r.Body)
		}
		if err := json.Unmarshal(r.Body, c); err != nil {
			t.Fatal(err)
		}
	}
	return webcam, screen
}

func tokensJSON(webcam, screen uiConnection) string {
	b, _ := json.Marshal(map[string]string{"webcam": webcam.Token, "screen": screen.Token})
	return string(b)
}

// A plain page of some web site: govidu's script tag and the element,
// configured by attributes.
const plainPage = `<!doctype html><html><head><meta charset="utf-8"><title>%s</title>
<style>html,body{margin:0;height:100%%;background:#111}</style>
<script src="{{govidu}}/openvidu-webcomponent.js"></script></head>
<body><openvidu-webcomponent participant-name="%s" %s></openvidu-webcomponent></body></html>`

// A page that behaves like a framework: it creates the element and sets its
// properties before the script that defines it has loaded (the element is
// then upgraded), and gives the tokens as an object property.
const frameworkPage = `<!doctype html><html><head><meta charset="utf-8"><title>%s</title>
<style>html,body{margin:0;height:100%%;background:#111}</style></head><body>
<script>const el = document.createElement('openvidu-webcomponent'); el.prejoin = false; el.participantName = %q; el.toolbarFullscreenButton = 'false'; document.body.appendChild(el);</script>
<script src="{{govidu}}/openvidu-webcomponent.js"></script></body></html>`

// uiSite serves test pages from another origin than govidu's, as a real site
// embedding the component would: path → page.
func uiSite(t *testing.T, govidu string, pages map[string]string) string {
	mux := http.NewServeMux()
	for path, html := range pages {
		body := strings.ReplaceAll(html, "{{govidu}}", govidu)
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(w, body)
		})
	}
	site := httptest.NewServer(mux)
	t.Cleanup(site.Close)
	return site.URL
}

// TestWebComponentCall: two pages with <openvidu-webcomponent> join one
// session (one through the prejoin, one straight in); each shows both tiles
// with live video; a chat message crosses; leaving removes the tile. Then the
// failure paths: an invalid token, a denied camera, the server going away.
func TestWebComponentCall(t *testing.T) {
	testkit.RequireChromium(t)
	start := time.Now()
	dir := testkit.Artifacts(t, repoRoot)
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"GOVIDU_TURN": "false"}})
	if r := srv.Do(t, "POST", "/openvidu/api/sessions", `{"customSessionId":"componentE2E"}`); r.Status != 200 {
		t.Fatalf("create session: %d %s", r.Status, r.Body)
	}
	aliceCam, aliceScreen := uiTokens(t, srv, "componentE2E")
	bobCam, bobScreen := uiTokens(t, srv, "componentE2E")

	browsers := startChromiums(t,
		uiChromium(filepath.Join(dir, "chromium.log"), true),
		uiChromium(filepath.Join(dir, "chromium-denied.log"), false))
	granted, denied := browsers[0], browsers[1]
	site := uiSite(t, srv.URL, map[string]string{
		"/alice.html": fmt.Sprintf(plainPage, "alice", "Alice", `toolbar-display-logo="true" stream-settings-button="true"`),
		"/bob.html":   fmt.Sprintf(frameworkPage, "bob", "Bob"),
		"/carol.html": fmt.Sprintf(plainPage, "carol", "Carol", ""),
		"/dave.html":  fmt.Sprintf(plainPage, "dave", "Dave", ""),
		// A computer without camera or microphone.
		"/erin.html": strings.Replace(fmt.Sprintf(plainPage, "erin", "Erin", ""), "<script src=",
			"<script>navigator.mediaDevices.enumerateDevices = async () => [];</script><script src=", 1),
	})
	alice := uiOpen(t, granted, "alice", dir)
	bob := uiOpen(t, granted, "bob", dir)
	alice.navigate(site + "/alice.html")
	bob.navigate(site + "/bob.html")
	for _, p := range []*uiTab{alice, bob} {
		p.waitFor(20*time.Second, "the element is defined", "customElements.get('openvidu-webcomponent') && T.listen()")
	}
	t.Logf("pages ready after %v", time.Since(start).Round(time.Millisecond))

	// Alice: tokens as an attribute (JSON), then the prejoin's Join button.
	alice.eval(fmt.Sprintf("T.el().setAttribute('tokens', %q)", tokensJSON(aliceCam, aliceScreen)), nil)
	alice.waitFor(30*time.Second, "the prejoin with a live preview", "T.phase() === 'prejoin' && T.q('.preview-frame video').videoWidth > 0")
	alice.screenshot(dir, "alice-prejoin")
	alice.eval("T.click('#join-button')", nil)
	// Bob: tokens as an object property; prejoin=false joins at once.
	bob.eval(fmt.Sprintf("(T.el().tokens = %s, true)", tokensJSON(bobCam, bobScreen)), nil)

	t.Run("both_tiles_live", func(t *testing.T) {
		alice := alice.in(t)
		bob := bob.in(t)
		// One after the other: both calls progress meanwhile in their browsers.
		for _, p := range []*uiTab{alice, bob} {
			p.waitFor(20*time.Second, "two tiles", "T.tiles().length === 2")
			p.waitVideo(1, 30*time.Second)
		}
		var at, bt []uiTileInfo
		alice.eval("T.tiles()", &at)
		bob.eval("T.tiles()", &bt)
		if !hasTile(at, "Bob", false) || !hasTile(bt, "Alice", false) || !hasTile(at, "Alice (You)", true) {
			t.Fatalf("tiles: alice sees %+v, bob sees %+v", at, bt)
		}
		alice.screenshot(dir, "alice-call")
		bob.screenshot(dir, "bob-call")
	})

	t.Run("events", func(t *testing.T) {
		alice := alice.in(t)
		bob := bob.in(t)
		var ae, be []string
		alice.eval("T.events", &ae)
		bob.eval("T.events", &be)
		for _, want := range []string{"onSessionCreated", "onParticipantCreated", "onJoinButtonClicked", "on-join-button-clicked"} {
			if !contains(ae, want) {
				t.Errorf("alice's events %v lack %s", ae, want)
			}
		}
		if !contains(be, "onSessionCreated") || contains(be, "onJoinButtonClicked") {
			t.Errorf("bob's events (no prejoin): %v", be)
		}
		// Bob's properties, set before the element was defined, took effect.
		var fs bool
		bob.eval("T.q('#fullscreen-btn') === null && T.el().prejoin === false && T.el().participantName === 'Bob'", &fs)
		if !fs {
			t.Error("properties set before the upgrade were lost")
		}
	})

	t.Run("chat", func(t *testing.T) {
		alice := alice.in(t)
		bob := bob.in(t)
		alice.eval("T.click('#chat-panel-btn')", nil)
		alice.waitFor(15*time.Second, "the chat panel", "T.q('#chat-input')")
		alice.eval("T.type('#chat-input', 'hello from alice') && T.click('#send-btn')", nil)
		bob.waitFor(20*time.Second, "an unread message at bob", "T.text('#chat-unread') === '1'")
		bob.screenshot(dir, "bob-unread")
		bob.eval("T.click('#chat-panel-btn')", nil)
		bob.waitFor(15*time.Second, "alice's message in bob's chat", "T.qa('.msg .bubble').some(b => b.textContent === 'hello from alice')")
		alice.waitFor(15*time.Second, "alice's own message", "T.qa('.msg.local .bubble').some(b => b.textContent === 'hello from alice')")
		// A message arriving while bob types keeps his draft.
		bob.eval("T.type('#chat-input', 'half-typed')", nil)
		alice.eval("T.type('#chat-input', 'second') && T.click('#send-btn')", nil)
		bob.waitFor(15*time.Second, "the second message", "T.qa('.msg .bubble').some(b => b.textContent === 'second')")
		var draft string
		bob.eval("T.q('#chat-input').value", &draft)
		if draft != "half-typed" {
			t.Errorf("bob's draft became %q after a new message", draft)
		}
		var ae []string
		alice.eval("T.events", &ae)
		if !contains(ae, "onToolbarChatPanelButtonClicked") {
			t.Errorf("no onToolbarChatPanelButtonClicked at alice: %v", ae)
		}
		bob.screenshot(dir, "bob-chat")
	})

	t.Run("device_unplugged", func(t *testing.T) {
		alice := alice.in(t)
		// What a browser does when the camera is pulled out: the track ends.
		alice.eval("(T.q('.tile[data-tile=local-camera] video').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended')), true)", nil)
		alice.waitFor(20*time.Second, "the camera-lost notice", "T.qa('.toast').some(x => /camera was disconnected/.test(x.textContent)) && T.q('#camera-btn').classList.contains('off')")
		alice.screenshot(dir, "alice-camera-unplugged")
		alice.eval("T.click('#camera-btn')", nil) // back on (here the fake camera still works)
		alice.waitFor(20*time.Second, "the camera back on", "!T.q('#camera-btn').classList.contains('off')")
	})

	t.Run("leave", func(t *testing.T) {
		alice := alice.in(t)
		bob := bob.in(t)
		bob.eval("T.click('#leave-btn')", nil)
		bob.waitFor(20*time.Second, "bob's left notice", "T.phase() === 'ended' && /left the call/.test(T.text('#notice'))")
		alice.waitFor(30*time.Second, "bob's tile removed at alice", "T.tiles().length === 1 && T.tiles()[0].local")
		var be []string
		bob.eval("T.events", &be)
		if !contains(be, "onToolbarLeaveButtonClicked") {
			t.Errorf("no onToolbarLeaveButtonClicked at bob: %v", be)
		}
		alice.screenshot(dir, "alice-after-leave")
		bob.screenshot(dir, "bob-left")
	})

	t.Run("invalid_token", func(t *testing.T) {
		carol := uiOpen(t, granted, "carol", dir)
		carol.navigate(site + "/carol.html")
		carol.waitFor(20*time.Second, "the element", "customElements.get('openvidu-webcomponent') && T.listen()")
		bad := strings.Replace(aliceCam.Token, "token=tok_", "token=tok_X", 1)
		carol.eval(fmt.Sprintf("T.el().setAttribute('tokens', %q)", bad), nil)
		carol.waitFor(30*time.Second, "the prejoin", "T.phase() === 'prejoin'")
		carol.eval("T.click('#join-button')", nil)
		carol.waitFor(30*time.Second, "a token error in the prejoin", "T.phase() === 'prejoin' && /not valid/.test(T.text('#join-error'))")
		carol.screenshot(dir, "carol-invalid-token")
	})

	t.Run("denied_camera", func(t *testing.T) {
		dave := uiOpen(t, denied, "dave", dir)
		dave.navigate(site + "/dave.html")
		dave.waitFor(30*time.Second, "the denied-devices message", "T.phase() === 'prejoin' && /blocked/.test(T.text('#media-error'))")
		dave.screenshot(dir, "dave-denied")
	})

	t.Run("no_devices", func(t *testing.T) {
		erin := uiOpen(t, granted, "erin", dir)
		erin.navigate(site + "/erin.html")
		erin.waitFor(30*time.Second, "the no-devices message", "T.phase() === 'prejoin' && /No camera or microphone/.test(T.text('#media-error')) && !T.q('#join-button').disabled")
		erin.screenshot(dir, "erin-no-devices")
	})

	t.Run("server_stopped", func(t *testing.T) {
		alice := alice.in(t)
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		alice.waitFor(30*time.Second, "alice's notice that the server stopped", "T.phase() === 'ended' && /server was stopped/.test(T.text('#notice')) && T.q('#rejoin-button')")
		alice.screenshot(dir, "alice-server-stopped")
	})
	t.Logf("total %v (screenshots in %s)", time.Since(start).Round(time.Millisecond), dir)
}

// uiTileInfo is what T.tiles() reports of one tile.
type uiTileInfo struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Local   bool   `json:"local"`
	Name    string `json:"name"`
	Playing bool   `json:"playing"`
}

func hasTile(tiles []uiTileInfo, name string, local bool) bool {
	for _, x := range tiles {
		if x.Name == name && x.Local == local {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
