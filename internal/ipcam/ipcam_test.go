package ipcam_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/rtcclient"
	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/internal/testkit/rtspcam"
)

// These tests run the whole path a user of OpenVidu's IP cameras takes:
// the app server creates an IPCAM connection over REST, govidu's ffmpeg
// pulls the camera, and a participant (a Pion peer speaking the
// JSON-RPC protocol) sees the camera join and publish, subscribes, and
// decodes its video.

const api = "/openvidu/api"

// requireFFmpeg skips without ffmpeg, unless CI asks for every test.
func requireFFmpeg(t *testing.T) {
	t.Helper()
	_, err1 := exec.LookPath("ffmpeg")
	_, err2 := exec.LookPath("ffprobe")
	if err1 == nil && err2 == nil {
		return
	}
	if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
		t.Fatal("ffmpeg/ffprobe not found (apt-get install -y ffmpeg)")
	}
	t.Skip("ffmpeg/ffprobe not found")
}

type call struct {
	t   *testing.T
	ctx context.Context
	srv *testkit.Server
	api *rtcclient.API
	hc  *http.Client
}

func newCall(t *testing.T, env map[string]string) *call {
	t.Helper()
	requireFFmpeg(t)
	srv := testkit.StartServer(t, testkit.Options{Env: env})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	a, err := rtcclient.NewAPI(rtcclient.APIOptions{LoopbackOnly: true, H264: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	return &call{t: t, ctx: ctx, srv: srv, api: a, hc: hc}
}

func (c *call) rest(method, path string, body any, want int) map[string]any {
	c.t.Helper()
	if m, ok := body.(map[string]any); ok {
		raw, err := json.Marshal(m)
		if err != nil {
			c.t.Fatal(err)
		}
		body = string(raw)
	}
	r := c.srv.Do(c.t, method, path, body)
	if r.Status != want {
		c.t.Fatalf("%s %s: %d (want %d) %s", method, path, r.Status, want, r.Body)
	}
	var out map[string]any
	if len(r.Body) > 0 {
		if err := json.Unmarshal(r.Body, &out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return out
}

func (c *call) join(session string) *rtcclient.Client {
	c.t.Helper()
	conn := c.rest("POST", api+"/sessions/"+session+"/connection", `{"role":"SUBSCRIBER"}`, 200)
	cl, err := rtcclient.Join(c.ctx, conn["token"].(string), rtcclient.Options{API: c.api, HTTPClient: c.hc})
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(cl.Close)
	return cl
}

// waitEvent reads cl's notifications until method arrives for connection id.
func waitEvent(t *testing.T, cl *rtcclient.Client, method, id string) rtcclient.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev := <-cl.Events():
			if ev.Method == method && ev.ConnectionID == id {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s for %s", method, id)
		}
	}
}

// cameraFile is a recorded camera: 4 s of H.264 + AAC at 320×240.
func cameraFile(t *testing.T) string {
	return rtspcam.WriteClip(t, rtspcam.Options{Audio: true, Duration: 4 * time.Second})
}

var ipcamID = regexp.MustCompile(`^ipc_IPCAM_file_[A-Z0-9]{4}_`)

// TestFileCamera: a camera published for everyone at once
// (onlyPlayWithSubscribers=false), from a file looped like a live feed.
// The participant already in the session sees it join and publish with
// typeOfVideo IPCAM, subscribes, and decodes 320×240 VP8 video and Opus
// audio; REST shows the active camera connection; deleting it ends the
// stream for the participant.
func TestFileCamera(t *testing.T) {
	c := newCall(t, nil)
	file := cameraFile(t)
	c.rest("POST", api+"/sessions", `{"customSessionId":"cams"}`, 200)
	viewer := c.join("cams")

	cam := c.rest("POST", api+"/sessions/cams/connection", map[string]any{
		"type": "IPCAM", "rtspUri": "file://" + file, "data": "Hall camera", "onlyPlayWithSubscribers": false,
	}, 200)
	id, _ := cam["connectionId"].(string)
	if !ipcamID.MatchString(id) || cam["status"] != "active" || cam["platform"] != "IPCAM" || cam["role"] != nil ||
		cam["token"] != nil || cam["serverData"] != "Hall camera" || cam["onlyPlayWithSubscribers"] != false {
		t.Fatalf("camera connection: %v", cam)
	}
	pubs, _ := cam["publishers"].([]any)
	if len(pubs) != 1 {
		t.Fatalf("publishers: %v", cam["publishers"])
	}
	streamID := pubs[0].(map[string]any)["streamId"].(string)

	joined := waitEvent(t, viewer, "participantJoined", id)
	if joined.Participant == nil || joined.Participant.Metadata != "Hall camera" {
		t.Errorf("participantJoined: %+v", joined.Participant)
	}
	published := waitEvent(t, viewer, "participantPublished", id)
	if published.Participant == nil || len(published.Participant.Streams) != 1 {
		t.Fatalf("participantPublished: %+v", published.Participant)
	}
	st := published.Participant.Streams[0]
	st.ConnectionID = id
	if st.ID != streamID || st.TypeOfVideo != "IPCAM" || !st.HasVideo || !st.HasAudio {
		t.Errorf("stream: %+v", st)
	}

	sub, err := viewer.Subscribe(c.ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.WaitKeyframe(c.ctx); err != nil {
		t.Fatalf("no keyframe from the camera: %v", err)
	}
	testkit.Eventually(t, 30*time.Second, "media from the camera", func() bool {
		s := sub.Stats()
		return s.Video != nil && s.Video.Packets > 60 && s.Audio != nil && s.Audio.Packets > 50
	})
	s := sub.Stats()
	if s.Video.Width != 320 || s.Video.Height != 240 || s.Video.DecodeErrors != 0 {
		t.Errorf("decoded video %dx%d, %d decode errors", s.Video.Width, s.Video.Height, s.Video.DecodeErrors)
	}
	t.Logf("camera → viewer: first keyframe after %v; video %d packets, audio %d packets",
		s.Video.FirstKeyframe, s.Video.Packets, s.Audio.Packets)

	// REST: the viewer subscribes to the camera's stream.
	session := c.rest("GET", api+"/sessions/cams", nil, 200)
	if n := session["connections"].(map[string]any)["numberOfElements"].(float64); n != 2 {
		t.Errorf("connections: %v", n)
	}
	// The stream cannot be deleted alone; the connection can.
	c.rest("DELETE", api+"/sessions/cams/stream/"+streamID, nil, 405)
	c.rest("DELETE", api+"/sessions/cams/connection/"+id, nil, 204)
	left := waitEvent(t, viewer, "participantLeft", id)
	if left.Reason != "forceDisconnectByServer" {
		t.Errorf("participantLeft reason %q", left.Reason)
	}
	c.rest("GET", api+"/sessions/cams/connection/"+id, nil, 404)
}

// TestUnreachableCamera: a camera that cannot be reached now is still
// published (it may come online later; govidu keeps retrying), and the
// connection is deleted cleanly. The webhook gets upstream's IPCAM
// events: participantJoined with platform IPCAM, webrtcConnectionCreated
// with the camera's properties, then the ends.
func TestUnreachableCamera(t *testing.T) {
	hooks := make(chan map[string]any, 32)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err == nil {
			select {
			case hooks <- ev:
			default:
			}
		}
	}))
	t.Cleanup(rcv.Close)
	c := newCall(t, map[string]string{"OPENVIDU_WEBHOOK": "true", "OPENVIDU_WEBHOOK_ENDPOINT": rcv.URL})
	c.rest("POST", api+"/sessions", `{"customSessionId":"dark"}`, 200)
	cam := c.rest("POST", api+"/sessions/dark/connection", map[string]any{
		"type": "IPCAM", "rtspUri": "rtsp://127.0.0.1:1/nothing", "onlyPlayWithSubscribers": false, "networkCache": 300,
	}, 200)
	id := cam["connectionId"].(string)
	if cam["ip"] != "127.0.0.1" {
		t.Errorf("ip %v", cam["ip"])
	}
	c.rest("DELETE", api+"/sessions/dark/connection/"+id, nil, 204)
	// The session had only the camera: it is closed with it.
	c.rest("GET", api+"/sessions/dark", nil, 404)

	var got []string
	for len(got) < 5 {
		select {
		case ev := <-hooks:
			name, _ := ev["event"].(string)
			got = append(got, name)
			switch name {
			case "participantJoined":
				if ev["connectionId"] != id || ev["platform"] != "IPCAM" || ev["location"] != "unknown" {
					t.Errorf("participantJoined: %v", ev)
				}
			case "webrtcConnectionCreated":
				if ev["connection"] != "OUTBOUND" || ev["rtspUri"] != "rtsp://127.0.0.1:1/nothing" || ev["videoSource"] != "IPCAM" ||
					ev["networkCache"] != 300.0 || ev["onlyPlayWithSubscribers"] != false || ev["adaptativeBitrate"] != true ||
					ev["videoFramerate"] != nil || ev["audioEnabled"] != true || ev["videoEnabled"] != true {
					t.Errorf("webrtcConnectionCreated: %v", ev)
				}
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("webhook events so far: %v", got)
		}
	}
	want := []string{"sessionCreated", "participantJoined", "webrtcConnectionCreated", "webrtcConnectionDestroyed", "participantLeft"}
	if !slices.Equal(got, want) {
		t.Errorf("webhook events %v, want %v", got, want)
	}
}
