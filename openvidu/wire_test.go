package openvidu_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/govidu/govidu/openvidu"
)

// The live server cannot produce active connections without a browser, so
// these tests feed the SDK the JSON of spec §3 (written for this test, in
// upstream's key order) from a fake server, and record what the SDK sends.

const activeSessionJSON = `{"id":"ses_Kq3mZ81aPd","object":"session","sessionId":"ses_Kq3mZ81aPd","createdAt":1717171717000,
 "recording":true,"broadcasting":false,"mediaMode":"ROUTED","recordingMode":"MANUAL",
 "defaultRecordingProperties":{"name":"","hasAudio":true,"hasVideo":true,"outputMode":"COMPOSED",
   "recordingLayout":"BEST_FIT","resolution":"1280x720","frameRate":25,"shmSize":536870912,"mediaNode":"media_1"},
 "customSessionId":"","mediaNode":{"id":"media_1"},"forcedVideoCodec":"MEDIA_SERVER_PREFERRED","allowTranscoding":false,
 "connections":{"numberOfElements":2,"content":[
  {"id":"con_Tb0c7Lx2Wm","object":"connection","status":"active","connectionId":"con_Tb0c7Lx2Wm",
   "sessionId":"ses_Kq3mZ81aPd","createdAt":1717171718000,"activeAt":1717171721000,
   "location":"unknown","ip":"203.0.113.7","platform":"Firefox 126.0 on Linux 64-bit",
   "token":"wss://media.example.org?sessionId=ses_Kq3mZ81aPd&token=tok_Vx5h0Qm2Lr8Ab3Zk",
   "type":"WEBRTC","record":true,"role":"PUBLISHER","kurentoOptions":null,"customIceServers":[],
   "rtspUri":null,"adaptativeBitrate":null,"onlyPlayWithSubscribers":null,"networkCache":null,
   "serverData":"alice","clientData":"{\"nick\":\"Alice\"}",
   "publishers":[{"createdAt":1717171722000,"streamId":"str_CAM_Pq1z_con_Tb0c7Lx2Wm",
     "mediaOptions":{"hasAudio":true,"audioActive":false,"hasVideo":true,"videoActive":true,
       "typeOfVideo":"CAMERA","frameRate":30,"videoDimensions":"{\"width\":640,\"height\":480}",
       "filter":{}},
     "webrtcEndpointName":"str_CAM_Pq1z_con_Tb0c7Lx2Wm","localSdp":"v=0 local","remoteSdp":"v=0 remote",
     "clientIceCandidates":[{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host"}],
     "serverIceCandidates":[],"localCandidate":null,
     "remoteCandidate":"candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host","events":[]}],
   "subscribers":[{"createdAt":1717171723000,"streamId":"ipc_IPCAM_rtsp_AB12_cam_example_org_554_live"}]},
  {"id":"ipc_IPCAM_rtsp_AB12_cam_example_org_554_live","object":"connection","status":"active",
   "connectionId":"ipc_IPCAM_rtsp_AB12_cam_example_org_554_live","sessionId":"ses_Kq3mZ81aPd",
   "createdAt":1717171719000,"activeAt":1717171719000,"location":"unknown","ip":"198.51.100.4","platform":"IPCAM",
   "token":null,"type":"IPCAM","record":false,"role":null,"kurentoOptions":null,"customIceServers":[],
   "rtspUri":"rtsp://cam.example.org:554/live","adaptativeBitrate":true,"onlyPlayWithSubscribers":false,"networkCache":1000,
   "serverData":"door","clientData":null,
   "publishers":[{"createdAt":1717171719000,"streamId":"ipc_IPCAM_rtsp_AB12_cam_example_org_554_live","rtspUri":"rtsp://cam.example.org:554/live",
     "mediaOptions":{"hasAudio":false,"hasVideo":true,"videoActive":true,"typeOfVideo":"IPCAM","frameRate":null,
       "videoDimensions":null,"filter":{},"adaptativeBitrate":true,"onlyPlayWithSubscribers":false,"networkCache":1000}}],
   "subscribers":[]}]}}`

const recordingJSON = `{"id":"ses_Kq3mZ81aPd~1","object":"recording","name":"meeting","outputMode":"COMPOSED",
 "resolution":"1920x1080","frameRate":30,"recordingLayout":"CUSTOM","customLayout":"grid/index.html",
 "sessionId":"ses_Kq3mZ81aPd","createdAt":1717171800000,"size":123456,"duration":12.345,
 "url":"https://media.example.org/openvidu/recordings/ses_Kq3mZ81aPd~1/meeting.mp4","hasAudio":true,"hasVideo":true,"status":"ready"}`

// fakeServer answers each "METHOD path" with a canned status and body and
// records the request bodies.
type fakeServer struct {
	*httptest.Server
	bodies map[string]string
}

func newFakeServer(t *testing.T, answers map[string]func() (int, string)) *fakeServer {
	t.Helper()
	f := &fakeServer{bodies: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "OPENVIDUAPP" || pass != "fake" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		key := r.Method + " " + r.URL.Path
		b, _ := io.ReadAll(r.Body)
		f.bodies[key] = string(b)
		if r.URL.RawQuery != "" {
			f.bodies[key+"?"] = r.URL.RawQuery
		}
		answer, ok := answers[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		status, body := answer()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(f.Close)
	return f
}

func ok(body string) func() (int, string) { return func() (int, string) { return http.StatusOK, body } }

func TestDecodeActiveSession(t *testing.T) {
	f := newFakeServer(t, map[string]func() (int, string){
		"GET /openvidu/api/sessions/ses_Kq3mZ81aPd": ok(activeSessionJSON),
	})
	ov := openvidu.New(f.URL, "fake")
	s, err := ov.Session(testContext(t), "ses_Kq3mZ81aPd", openvidu.WithWebRTCStats())
	if err != nil {
		t.Fatal(err)
	}
	if q := f.bodies["GET /openvidu/api/sessions/ses_Kq3mZ81aPd?"]; q != "pendingConnections=true&webRtcStats=true" {
		t.Errorf("query = %q", q)
	}
	ms := func(v int64) time.Time { return time.UnixMilli(v) }

	if s.ID != "ses_Kq3mZ81aPd" || !s.CreatedAt.Equal(ms(1717171717000)) || !s.Recording || s.Broadcasting {
		t.Errorf("session header = %s %v %v %v", s.ID, s.CreatedAt, s.Recording, s.Broadcasting)
	}
	assertEqual(t, "Properties", s.Properties, openvidu.SessionProperties{
		MediaMode: openvidu.MediaModeRouted, RecordingMode: openvidu.RecordingModeManual,
		ForcedVideoCodec: openvidu.VideoCodecMediaServerPreferred, AllowTranscoding: openvidu.Bool(false),
		MediaNode: "media_1",
		DefaultRecordingProperties: &openvidu.RecordingProperties{
			HasAudio: openvidu.Bool(true), HasVideo: openvidu.Bool(true), OutputMode: openvidu.OutputModeComposed,
			RecordingLayout: openvidu.RecordingLayoutBestFit, Resolution: "1280x720", FrameRate: 25, ShmSize: 536870912,
			MediaNode: "media_1",
		},
	})
	if len(s.Connections) != 2 || len(s.ActiveConnections()) != 2 {
		t.Fatalf("connections = %d", len(s.Connections))
	}

	alice := s.Connections[0]
	assertEqual(t, "alice", alice, &openvidu.Connection{
		ID: "con_Tb0c7Lx2Wm", SessionID: "ses_Kq3mZ81aPd", Status: openvidu.ConnectionActive, Type: openvidu.ConnectionTypeWebRTC,
		Token: "wss://media.example.org?sessionId=ses_Kq3mZ81aPd&token=tok_Vx5h0Qm2Lr8Ab3Zk",
		Role:  openvidu.RolePublisher, Record: true, ServerData: "alice", ClientData: `{"nick":"Alice"}`,
		CustomIceServers: []openvidu.IceServer{},
		CreatedAt:        ms(1717171718000), ActiveAt: ms(1717171721000),
		Location: "unknown", IP: "203.0.113.7", Platform: "Firefox 126.0 on Linux 64-bit",
		Publishers: []openvidu.Publisher{{
			CreatedAt: ms(1717171722000), StreamID: "str_CAM_Pq1z_con_Tb0c7Lx2Wm",
			MediaOptions: openvidu.MediaOptions{
				HasAudio: true, AudioActive: false, HasVideo: true, VideoActive: true,
				TypeOfVideo: openvidu.TypeOfVideoCamera, FrameRate: 30,
				VideoDimensions: openvidu.VideoDimensions{Width: 640, Height: 480},
				Filter:          json.RawMessage(`{}`),
			},
			WebRTC: &openvidu.EndpointStats{
				WebRTCEndpointName: "str_CAM_Pq1z_con_Tb0c7Lx2Wm", LocalSDP: "v=0 local", RemoteSDP: "v=0 remote",
				ClientIceCandidates: []json.RawMessage{json.RawMessage(`{"candidate":"candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host"}`)},
				ServerIceCandidates: []json.RawMessage{},
				RemoteCandidate:     "candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host",
				Events:              []json.RawMessage{},
			},
		}},
		Subscribers: []openvidu.Subscriber{{CreatedAt: ms(1717171723000), StreamID: "ipc_IPCAM_rtsp_AB12_cam_example_org_554_live"}},
	})

	cam := s.Connections[1]
	assertEqual(t, "camera", cam, &openvidu.Connection{
		ID: "ipc_IPCAM_rtsp_AB12_cam_example_org_554_live", SessionID: "ses_Kq3mZ81aPd",
		Status: openvidu.ConnectionActive, Type: openvidu.ConnectionTypeIPCam, ServerData: "door",
		CustomIceServers: []openvidu.IceServer{},
		CreatedAt:        ms(1717171719000), ActiveAt: ms(1717171719000),
		Location: "unknown", IP: "198.51.100.4", Platform: "IPCAM",
		RTSPURI: "rtsp://cam.example.org:554/live", AdaptativeBitrate: true, OnlyPlayWithSubscribers: false, NetworkCache: 1000,
		Publishers: []openvidu.Publisher{{
			CreatedAt: ms(1717171719000), StreamID: "ipc_IPCAM_rtsp_AB12_cam_example_org_554_live",
			RTSPURI: "rtsp://cam.example.org:554/live",
			MediaOptions: openvidu.MediaOptions{
				HasVideo: true, VideoActive: true, TypeOfVideo: openvidu.TypeOfVideoIPCam,
				Filter:            json.RawMessage(`{}`),
				AdaptativeBitrate: true, NetworkCache: 1000,
			},
		}},
		Subscribers: []openvidu.Subscriber{},
	})
}

func TestDecodeRecordings(t *testing.T) {
	f := newFakeServer(t, map[string]func() (int, string){
		"POST /openvidu/api/recordings/start":                 ok(recordingJSON),
		"POST /openvidu/api/recordings/stop/ses_Kq3mZ81aPd~1": ok(recordingJSON),
		"GET /openvidu/api/recordings/ses_Kq3mZ81aPd~1":       ok(recordingJSON),
		"GET /openvidu/api/recordings": ok(`{"count":2,"items":[` + recordingJSON + `,
			{"id":"audio","object":"recording","name":"","outputMode":"INDIVIDUAL","sessionId":"audio","mediaNode":{"id":"m"},
			 "createdAt":1717171900000,"size":0,"duration":0,"url":null,"hasAudio":true,"hasVideo":false,"status":"started"}]}`),
		"DELETE /openvidu/api/recordings/ses_Kq3mZ81aPd~1": func() (int, string) { return http.StatusNoContent, "" },
	})
	ov := openvidu.New(f.URL, "fake")
	ctx := testContext(t)
	want := &openvidu.Recording{
		ID: "ses_Kq3mZ81aPd~1", Name: "meeting", SessionID: "ses_Kq3mZ81aPd", Status: openvidu.RecordingReady,
		OutputMode: openvidu.OutputModeComposed, RecordingLayout: openvidu.RecordingLayoutCustom, CustomLayout: "grid/index.html",
		Resolution: "1920x1080", FrameRate: 30, HasAudio: true, HasVideo: true,
		CreatedAt: time.UnixMilli(1717171800000), Size: 123456, Duration: 12345 * time.Millisecond,
		URL: "https://media.example.org/openvidu/recordings/ses_Kq3mZ81aPd~1/meeting.mp4",
	}

	r, err := ov.StartRecording(ctx, "ses_Kq3mZ81aPd", openvidu.RecordingProperties{
		Name: "meeting", HasAudio: openvidu.Bool(true), RecordingLayout: openvidu.RecordingLayoutCustom,
		CustomLayout: "grid/index.html", Resolution: "1920x1080", FrameRate: 30, MediaNode: "m",
	})
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "StartRecording", r, want)
	assertJSON(t, "start body", f.bodies["POST /openvidu/api/recordings/start"],
		`{"session":"ses_Kq3mZ81aPd","name":"meeting","hasAudio":true,"recordingLayout":"CUSTOM","resolution":"1920x1080","frameRate":30,"customLayout":"grid/index.html","mediaNode":{"id":"m"}}`)

	if r, err = ov.StopRecording(ctx, "ses_Kq3mZ81aPd~1"); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "StopRecording", r, want)
	if r, err = ov.Recording(ctx, "ses_Kq3mZ81aPd~1"); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "Recording", r, want)

	list, err := ov.Recordings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "Recordings", list, []*openvidu.Recording{want, {
		ID: "audio", Name: "audio", SessionID: "audio", Status: openvidu.RecordingStarted, OutputMode: openvidu.OutputModeIndividual,
		HasAudio: true, MediaNode: "m", CreatedAt: time.UnixMilli(1717171900000),
	}})
	if err := ov.DeleteRecording(ctx, "ses_Kq3mZ81aPd~1"); err != nil {
		t.Fatal(err)
	}
}

// What the SDK sends: only what the application set, so that the server's
// defaults apply; the node client's explicit nulls mean the same.
func TestRequestBodies(t *testing.T) {
	f := newFakeServer(t, map[string]func() (int, string){
		"POST /openvidu/api/sessions":                           ok(`{"id":"s","sessionId":"s","createdAt":1,"customSessionId":"s"}`),
		"POST /openvidu/api/sessions/s/connection":              ok(`{"connectionId":"c","status":"pending"}`),
		"PATCH /openvidu/api/sessions/s/connection/c":           ok(`{"connectionId":"c","status":"pending","role":"MODERATOR"}`),
		"POST /openvidu/api/tokens":                             ok(`{"id":"t","token":"t","connectionId":"c","session":"s"}`),
		"POST /openvidu/api/signal":                             ok(``),
		"DELETE /openvidu/api/sessions/s/stream/str_CAM_Ab12_c": func() (int, string) { return http.StatusNoContent, "" },
	})
	ov := openvidu.New(f.URL, "fake")
	ctx := testContext(t)

	s, err := ov.CreateSession(ctx, openvidu.SessionProperties{})
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "empty session body", f.bodies["POST /openvidu/api/sessions"], `{}`)
	if _, err := ov.CreateSession(ctx, openvidu.SessionProperties{
		CustomSessionID: "s", MediaMode: openvidu.MediaModeRouted, RecordingMode: openvidu.RecordingModeAlways,
		ForcedVideoCodec: openvidu.VideoCodecVP8, AllowTranscoding: openvidu.Bool(false), MediaNode: "n",
		DefaultRecordingProperties: &openvidu.RecordingProperties{OutputMode: openvidu.OutputModeIndividual, IgnoreFailedStreams: true},
	}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "full session body", f.bodies["POST /openvidu/api/sessions"],
		`{"mediaMode":"ROUTED","recordingMode":"ALWAYS","customSessionId":"s","forcedVideoCodec":"VP8","allowTranscoding":false,
		  "defaultRecordingProperties":{"outputMode":"INDIVIDUAL","ignoreFailedStreams":true},"mediaNode":{"id":"n"}}`)

	if _, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "empty connection body", f.bodies["POST /openvidu/api/sessions/s/connection"], `{}`)
	if _, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{
		Type: openvidu.ConnectionTypeIPCam, Data: "d", Record: openvidu.Bool(false), RTSPURI: "rtsp://h/p",
		AdaptativeBitrate: openvidu.Bool(false), OnlyPlayWithSubscribers: openvidu.Bool(true), NetworkCache: openvidu.Int(0),
	}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "ipcam connection body", f.bodies["POST /openvidu/api/sessions/s/connection"],
		`{"type":"IPCAM","data":"d","record":false,"rtspUri":"rtsp://h/p","adaptativeBitrate":false,"onlyPlayWithSubscribers":true,"networkCache":0}`)

	if _, err := ov.UpdateConnection(ctx, "s", "c", openvidu.ConnectionPatch{Role: openvidu.RoleModerator}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "patch body", f.bodies["PATCH /openvidu/api/sessions/s/connection/c"], `{"role":"MODERATOR"}`)

	if _, err := s.GenerateToken(ctx, openvidu.TokenOptions{Data: "x"}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "token body", f.bodies["POST /openvidu/api/tokens"], `{"session":"s","data":"x"}`)

	if err := ov.Signal(ctx, openvidu.SignalOptions{Session: "s", To: []string{"c"}, Type: "signal:chat", Data: "hi"}); err != nil {
		t.Fatal(err)
	}
	assertJSON(t, "signal body", f.bodies["POST /openvidu/api/signal"], `{"session":"s","to":["c"],"type":"signal:chat","data":"hi"}`)

	if err := ov.ForceUnpublish(ctx, "s", "str_CAM_Ab12_c"); err != nil {
		t.Fatal(err)
	}
}

func assertJSON(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: sent %q: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad expectation: %v", what, err)
	}
	assertEqual(t, what, g, w)
}
