package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apipkg "github.com/govidu/govidu/internal/api"
	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/recording"
	"github.com/govidu/govidu/internal/testkit"
)

// recordingServer runs govidu with recording on, and sessions in every
// state the status precedence of POST /recordings/start depends on.
func recordingServer(t *testing.T, env map[string]string) (*testkit.Server, string) {
	t.Helper()
	dir := t.TempDir()
	e := map[string]string{"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": dir}
	for k, v := range env {
		e[k] = v
	}
	srv := testkit.StartServer(t, testkit.Options{Env: e})
	mk := func(body string) {
		if r := srv.Do(t, "POST", api+"/sessions", body); r.Status != 200 {
			t.Fatalf("create session %s: %d %s", body, r.Status, r.Body)
		}
	}
	mk(`{"customSessionId":"idle"}`)
	mk(`{"customSessionId":"relayedidle","mediaMode":"RELAYED"}`)
	mk(`{"customSessionId":"relayed","mediaMode":"RELAYED"}`)
	mk(`{"customSessionId":"live"}`)
	mk(`{"customSessionId":"busy"}`)
	mk(`{"customSessionId":"other","defaultRecordingProperties":{"outputMode":"INDIVIDUAL","name":"dflt"}}`)
	mk(`{"customSessionId":"quick","defaultRecordingProperties":{"outputMode":"COMPOSED_QUICK_START","hasVideo":false}}`)
	for _, sid := range []string{"relayed", "live", "busy", "other", "quick"} {
		c, err := srv.Service().CreateConnection(sid, core.DefaultConnectionProperties())
		if err != nil {
			t.Fatal(err)
		}
		join(t, srv, c.Token) // a participant who does not publish: recordings start at once
	}
	if r := srv.Do(t, "POST", api+"/recordings/start", `{"session":"busy","outputMode":"INDIVIDUAL"}`); r.Status != 200 {
		t.Fatalf("start busy: %d %s", r.Status, r.Body)
	}
	return srv, dir
}

// TestRecordingStatusCodes: every status of the five recording endpoints,
// in upstream's precedence (spec §4.7, pitfalls 12 and 14).
func TestRecordingStatusCodes(t *testing.T) {
	srv, _ := recordingServer(t, nil)
	f := &fixture{srv: srv}
	runStatusTable(t, f, []statusCase{
		// start: body, then session, then its state, then the properties
		{"start/no body", "POST", api + "/recordings/start", nil, 400},
		{"start/malformed", "POST", api + "/recordings/start", `{"session":`, 400},
		{"start/array", "POST", api + "/recordings/start", `[]`, 400},
		{"start/no session", "POST", api + "/recordings/start", `{}`, 400},
		{"start/null session", "POST", api + "/recordings/start", `{"session":null}`, 400},
		{"start/session not a string", "POST", api + "/recordings/start", `{"session":5}`, 400},
		{"start/empty session", "POST", api + "/recordings/start", `{"session":""}`, 400},
		{"start/unknown session", "POST", api + "/recordings/start", `{"session":"nope"}`, 404},
		{"start/unknown session, bad properties", "POST", api + "/recordings/start", `{"session":"nope","frameRate":"x"}`, 404},
		{"start/never activated", "POST", api + "/recordings/start", `{"session":"idle"}`, 406},
		{"start/never activated, bad properties", "POST", api + "/recordings/start", `{"session":"idle","outputMode":"BAD","hasAudio":false,"hasVideo":false}`, 406},
		{"start/relayed never activated", "POST", api + "/recordings/start", `{"session":"relayedidle"}`, 409},
		{"start/relayed", "POST", api + "/recordings/start", `{"session":"relayed"}`, 409},
		{"start/already recording", "POST", api + "/recordings/start", `{"session":"busy"}`, 409},
		{"start/already recording, bad properties", "POST", api + "/recordings/start", `{"session":"busy","resolution":"1x1"}`, 409},
		{"start/bad outputMode", "POST", api + "/recordings/start", `{"session":"live","outputMode":"GRID"}`, 400},
		{"start/bad layout", "POST", api + "/recordings/start", `{"session":"live","recordingLayout":"MOSAIC"}`, 400},
		{"start/bad name", "POST", api + "/recordings/start", `{"session":"live","name":"a b"}`, 400},
		{"start/name with a slash", "POST", api + "/recordings/start", `{"session":"live","name":"../x"}`, 400},
		{"start/hasAudio not a boolean", "POST", api + "/recordings/start", `{"session":"live","hasAudio":"yes"}`, 400},
		{"start/frameRate not an integer", "POST", api + "/recordings/start", `{"session":"live","frameRate":2.5}`, 400},
		{"start/shmSize not an integer", "POST", api + "/recordings/start", `{"session":"live","shmSize":"big"}`, 400},
		{"start/resolution not a string", "POST", api + "/recordings/start", `{"session":"live","resolution":720}`, 400},
		{"start/no audio nor video", "POST", api + "/recordings/start", `{"session":"live","hasAudio":false,"hasVideo":false}`, 422},
		{"start/no media, individual", "POST", api + "/recordings/start", `{"session":"live","outputMode":"INDIVIDUAL","hasAudio":false,"hasVideo":false}`, 422},
		{"start/resolution too small", "POST", api + "/recordings/start", `{"session":"live","resolution":"99x100"}`, 422},
		{"start/resolution too big", "POST", api + "/recordings/start", `{"session":"live","resolution":"2000x1000"}`, 422},
		{"start/resolution leading zero", "POST", api + "/recordings/start", `{"session":"live","resolution":"0640x480"}`, 422},
		{"start/resolution syntax", "POST", api + "/recordings/start", `{"session":"live","resolution":"640*480"}`, 422},
		{"start/frameRate 0", "POST", api + "/recordings/start", `{"session":"live","frameRate":0}`, 422},
		{"start/frameRate 121", "POST", api + "/recordings/start", `{"session":"live","frameRate":121}`, 422},
		{"start/shmSize too small", "POST", api + "/recordings/start", `{"session":"live","shmSize":134217727}`, 422},
		{"start/ranges checked for audio-only COMPOSED", "POST", api + "/recordings/start", `{"session":"live","hasVideo":false,"frameRate":0}`, 422},
		// stop
		{"stop/unknown", "POST", api + "/recordings/stop/nope", nil, 404},
		{"stop/session id that is no recording", "POST", api + "/recordings/stop/live", nil, 404},
		// get, delete
		{"get/unknown", "GET", api + "/recordings/nope", nil, 404},
		{"get/path", "GET", api + "/recordings/..%2Fetc", nil, 404},
		{"delete/unknown", "DELETE", api + "/recordings/nope", nil, 404},
		{"delete/started", "DELETE", api + "/recordings/busy", nil, 409},
		{"get/started", "GET", api + "/recordings/busy", nil, 200},
		{"list", "GET", api + "/recordings", nil, 200},
		// The range rules do not apply to INDIVIDUAL (nothing is rendered).
		{"start/individual ignores ranges", "POST", api + "/recordings/start", `{"session":"live","outputMode":"INDIVIDUAL","frameRate":0,"resolution":"1x1","shmSize":1}`, 200},
		{"start/live is now recording", "POST", api + "/recordings/start", `{"session":"live"}`, 409},
		{"stop/started", "POST", api + "/recordings/stop/busy", nil, 200},
		{"stop/already stopped", "POST", api + "/recordings/stop/busy", nil, 404},
		{"delete/stopped", "DELETE", api + "/recordings/busy", nil, 204},
		{"delete/deleted", "DELETE", api + "/recordings/busy", nil, 404},
		{"get/deleted", "GET", api + "/recordings/busy", nil, 404},
		{"start/the deleted id is reused", "POST", api + "/recordings/start", `{"session":"busy","outputMode":"INDIVIDUAL"}`, 200},
		{"wrong method", "PUT", api + "/recordings/busy", nil, 405},
	})
}

// TestRecordingShapesAndMerge: the Recording JSON keys in upstream's order,
// and the merge of start bodies over session defaults.
func TestRecordingShapesAndMerge(t *testing.T) {
	srv, dir := recordingServer(t, nil)
	r := srv.Do(t, "GET", api+"/recordings/busy", nil)
	want := []string{"id", "object", "name", "outputMode", "sessionId", "createdAt", "size", "duration", "url", "hasAudio", "hasVideo", "status"}
	if got := keysInOrder(t, r.Body); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("INDIVIDUAL keys %v", got)
	}
	m := decodeJSON(t, r.Body)
	if m["object"] != "recording" || m["url"] != nil || m["status"] != "started" || m["name"] != "busy" {
		t.Errorf("started recording %s", r.Body)
	}

	// The session default INDIVIDUAL with its name; an empty name is absent.
	r = srv.Do(t, "POST", api+"/recordings/start", `{"session":"other","name":""}`)
	m = decodeJSON(t, r.Body)
	if r.Status != 200 || m["outputMode"] != "INDIVIDUAL" || m["name"] != "dflt" || m["id"] != "other" {
		t.Errorf("defaults: %d %s", r.Status, r.Body)
	}
	// COMPOSED_QUICK_START is sticky: an explicit COMPOSED becomes it.
	// (Audio-only by the session default: no layout keys.)
	if srv.Do(t, "POST", api+"/recordings/stop/other", nil).Status != 200 {
		t.Fatal("stop other")
	}
	r = srv.Do(t, "POST", api+"/recordings/start", `{"session":"quick","outputMode":"COMPOSED","hasVideo":true,"recordingLayout":"CUSTOM","customLayout":"mine/index.html","resolution":"640x480","frameRate":30}`)
	if r.Status == 500 && strings.Contains(string(r.Body), "ffmpeg") {
		t.Skip("ffmpeg is not installed")
	}
	m = decodeJSON(t, r.Body)
	want = []string{"id", "object", "name", "outputMode", "resolution", "frameRate", "recordingLayout", "customLayout", "sessionId", "createdAt", "size", "duration", "url", "hasAudio", "hasVideo", "status"}
	if got := keysInOrder(t, r.Body); r.Status != 200 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("COMPOSED keys %v: %s", got, r.Body)
	}
	if m["outputMode"] != "COMPOSED_QUICK_START" || m["resolution"] != "640x480" || m["frameRate"] != 30.0 || m["customLayout"] != "mine/index.html" {
		t.Errorf("merged: %s", r.Body)
	}
	if _, err := os.Stat(filepath.Join(dir, "quick", ".recording.quick")); err != nil {
		t.Errorf("metadata file: %v", err)
	}
	r = srv.Do(t, "POST", api+"/recordings/stop/quick", nil)
	m = decodeJSON(t, r.Body)
	// Nobody published: an honest failure, not an empty file marked ready.
	if r.Status != 200 || m["status"] != "failed" {
		t.Errorf("stop without media: %d %s", r.Status, r.Body)
	}
	list := decodeJSON(t, srv.Do(t, "GET", api+"/recordings", nil).Body)
	if list["count"].(float64) != 3 || len(list["items"].([]any)) != 3 {
		t.Errorf("list %v", list)
	}
	if got := keysInOrder(t, srv.Do(t, "GET", api+"/recordings", nil).Body); strings.Join(got, ",") != "count,items" {
		t.Errorf("list keys %v", got)
	}
}

// TestRecordingDownloads: /openvidu/recordings/{id}/{file} needs the
// secret unless OPENVIDU_RECORDING_PUBLIC_ACCESS; hidden files and other
// paths are not served; Range and HEAD work.
func TestRecordingDownloads(t *testing.T) {
	for _, public := range []bool{false, true} {
		env := map[string]string{}
		if public {
			env["OPENVIDU_RECORDING_PUBLIC_ACCESS"] = "true"
		}
		srv, dir := recordingServer(t, env)
		if err := os.WriteFile(filepath.Join(dir, "busy", "busy.zip"), []byte("0123456789"), 0o644); err != nil {
			t.Fatal(err)
		}
		get := func(path string, user string, hdr map[string]string) testkit.Response {
			return srv.DoAuth(t, "GET", path, nil, user, srv.Secret, hdr)
		}
		noAuth := get("/openvidu/recordings/busy/busy.zip", "", nil)
		if public && noAuth.Status != 200 || !public && (noAuth.Status != 401 || noAuth.Header.Get("WWW-Authenticate") == "") {
			t.Errorf("public=%v without credentials: %d", public, noAuth.Status)
		}
		if r := get("/openvidu/recordings/busy/busy.zip", "OPENVIDUAPP", nil); r.Status != 200 || string(r.Body) != "0123456789" || r.Header.Get("Content-Type") != "application/zip" {
			t.Errorf("download: %d %q %v", r.Status, r.Body, r.Header)
		}
		if r := get("/openvidu/recordings/busy/busy.zip", "OPENVIDUAPP", map[string]string{"Range": "bytes=2-4"}); r.Status != 206 || string(r.Body) != "234" {
			t.Errorf("range: %d %q", r.Status, r.Body)
		}
		if r := get("/recordings/busy/busy.zip", "OPENVIDUAPP", nil); r.Status != 200 {
			t.Errorf("legacy path: %d", r.Status)
		}
		head := srv.DoAuth(t, "HEAD", "/openvidu/recordings/busy/busy.zip", nil, "OPENVIDUAPP", srv.Secret, nil)
		if head.Status != 200 || head.Header.Get("Content-Length") != "10" || len(head.Body) != 0 {
			t.Errorf("HEAD: %d %v", head.Status, head.Header)
		}
		for _, p := range []string{"/openvidu/recordings/busy/.recording.busy", "/openvidu/recordings/busy/nope.mp4",
			"/openvidu/recordings/nope/busy.zip", "/openvidu/recordings/busy/..%2F..%2Fetc%2Fpasswd"} {
			if r := get(p, "OPENVIDUAPP", nil); r.Status != 404 {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		if public { // only downloads are public, never the API
			if r := srv.DoAuth(t, "GET", api+"/recordings", nil, "", "", nil); r.Status != 401 {
				t.Errorf("API without credentials: %d", r.Status)
			}
		}
	}
}

// fakeRecordings fails every start and stop, as a broken recorder would.
type fakeRecordings struct{}

func (fakeRecordings) Start(string, core.RecordingProperties) (recording.Recording, error) {
	return recording.Recording{}, core.ErrRecordingStart.Withf("Error starting recording: the disk is full")
}
func (fakeRecordings) Stop(string) (recording.Recording, error) {
	return recording.Recording{}, core.ErrInternal.Withf("the disk is full")
}
func (fakeRecordings) Get(string) (recording.Recording, error) { return recording.Recording{}, nil }
func (fakeRecordings) List() ([]recording.Recording, error)    { return nil, nil }
func (fakeRecordings) Delete(string) error                     { return nil }
func (fakeRecordings) FilePath(string, string) (string, bool)  { return "", false }

// TestRecordingFailures500: start and stop failures are 500 with
// upstream's plain-text message.
func TestRecordingFailures500(t *testing.T) {
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"OPENVIDU_RECORDING": "true"}[k]
		return v, ok
	}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(core.Options{TokenURL: cfg.TokenURL(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer svc.Close(t.Context())
	p := svc.NewSessionProperties()
	p.CustomSessionID = "s"
	if _, err := svc.CreateSession(p); err != nil {
		t.Fatal(err)
	}
	c, _ := svc.CreateConnection("s", core.DefaultConnectionProperties())
	if _, err := svc.Join(core.JoinRequest{Token: c.Token}); err != nil {
		t.Fatal(err)
	}
	h := apipkg.New(svc, apipkg.Options{Config: cfg, Recordings: fakeRecordings{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, tc := range []struct{ path, body, want string }{
		{api + "/recordings/start", `{"session":"s"}`, "Error starting recording: the disk is full"},
		{api + "/recordings/stop/s", "", "Error stopping recording: the disk is full"},
	} {
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
		req.SetBasicAuth("OPENVIDUAPP", cfg.Secret)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusInternalServerError || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") || w.Body.String() != tc.want {
			t.Errorf("%s: %d %s %q", tc.path, w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}
	}
}
