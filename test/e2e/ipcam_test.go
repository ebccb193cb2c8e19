package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/internal/testkit/rtspcam"
)

// TestIPCamera: an app server publishes an IP camera into a session
// (REST, type IPCAM); a browser already in the session sees the camera's
// connection and stream, subscribes as to anyone else, and plays its
// video (red, as the camera films) and audio; a browser joining later
// finds the camera in joinRoom's answer and plays it too. Deleting the
// connection tells both browsers. On both SDKs.
func TestIPCamera(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one camera per row, no publishing browser: light
	file := redCameraClip(t)
	for _, sdk := range bothSDKs {
		t.Run(string(sdk), func(t *testing.T) {
			t.Parallel()
			testIPCamera(t, env, sdk, file, false)
		})
	}
	// adaptativeBitrate=false: the camera's H.264 reaches the browser untouched.
	t.Run("upstream_passthrough", func(t *testing.T) {
		t.Parallel()
		testIPCamera(t, env, sdkUpstream, file, true)
	})
}

func testIPCamera(t *testing.T, env *e2eEnv, sdk sdkKind, file string, passThrough bool) {
	b := sharedBrowser(t, env)
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := createSession(t, srv, "e2eCam")
	viewer, _ := joinedPage(t, b, app, srv, sdk, sid, "SUBSCRIBER", "viewer", false)

	body := fmt.Sprintf(`{"type":"IPCAM","rtspUri":%q,"data":"Lobby camera","adaptativeBitrate":%v}`, "file://"+file, !passThrough)
	raw := restCall(t, srv, http.MethodPost, "/openvidu/api/sessions/"+sid+"/connection", body, http.StatusOK)
	var cam restConnection
	if err := json.Unmarshal(raw, &cam); err != nil || cam.ID == "" {
		t.Fatalf("camera: %v %s", err, raw)
	}
	viewer.waitFor(20*time.Second, "the camera's stream", fmt.Sprintf(`Object.values(app.state.remoteStreams).some(s => s.connectionId === %s && s.subscribed)`, js(cam.ID)))
	r := checkMedia(viewer, map[string]fakeColor{cam.ID: colorRed}, 30*time.Second)
	if r.err != "" {
		t.Fatalf("[%s] camera media: %s\n  stats: %s\n  recent log:\n%s", viewer.label(), r.err, r.last, viewer.logTail(25))
	}
	t.Logf("[%s] camera playing after %v: %s", viewer.label(), r.took.Round(time.Millisecond), r.last.describe())
	want := "video/VP8" // re-encoded for browsers
	if passThrough {
		want = "video/H264" // the camera's own
	}
	if got, _ := r.last.Remotes[cam.ID].PC.Video["codec"].(string); got != want {
		t.Errorf("[%s] the camera's video arrives as %q, want %s", viewer.label(), got, want)
	}
	viewer.screenshot("camera")

	// A participant joining after the camera finds it in joinRoom's answer.
	late, _ := joinedPage(t, b, app, srv, sdk, sid, "SUBSCRIBER", "late", false)
	if r := checkMedia(late, map[string]fakeColor{cam.ID: colorRed}, 30*time.Second); r.err != "" {
		t.Fatalf("[%s] camera media: %s\n  stats: %s\n  recent log:\n%s", late.label(), r.err, r.last, late.logTail(25))
	}
	// onlyPlayWithSubscribers (the default): REST shows the subscriptions
	// that keep the camera playing.
	waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
		for _, c := range s.Connections.Content {
			if c.ID != cam.ID && (len(c.Subscribers) != 1 || c.Subscribers[0].StreamID != cam.Publishers[0].StreamID) {
				return fmt.Sprintf("%s's subscribers %+v", c.ServerData, c.Subscribers)
			}
		}
		return ""
	})

	restCall(t, srv, http.MethodDelete, "/openvidu/api/sessions/"+sid+"/connection/"+cam.ID, nil, http.StatusNoContent)
	for _, p := range []*page{viewer, late} {
		p.waitFor(15*time.Second, "connectionDestroyed of the camera",
			fmt.Sprintf(`app.state.connectionDestroyed.some(e => e.connectionId === %s && e.reason === 'forceDisconnectByServer')`, js(cam.ID)))
	}
}

// redCameraClip is what the "camera" films: red with a small moving
// test pattern, and a tone; 3 s of H.264 + AAC that govidu loops.
func redCameraClip(t *testing.T) string {
	return rtspcam.WriteClip(t, rtspcam.Options{Color: "red", Audio: true})
}
