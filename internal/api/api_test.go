package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/testkit"
)

const api = "/openvidu/api"

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, b)
	}
	return m
}

// keysInOrder lists the top-level keys of a JSON object in document order.
func keysInOrder(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// fixture prepares sessions in known states for the status tables.
type fixture struct {
	srv        *testkit.Server
	pendingSID string // session with one pending connection
	pendingCID string
	activeSID  string // session with an active publisher and a pending connection
	activeCID  string
	streamID   string
	activePend string
}

// join makes a pending connection active through the same service the
// signaling layer uses.
func join(t *testing.T, srv *testkit.Server, token string) core.JoinResult {
	t.Helper()
	res, err := srv.Service().Join(core.JoinRequest{Token: token, ClientData: `{"nick":"t"}`, Platform: "Go test", IP: "127.0.0.1"})
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	return res
}

func newFixture(t *testing.T) *fixture {
	srv := testkit.StartServer(t, testkit.Options{})
	f := &fixture{srv: srv}
	svc := srv.Service()
	mk := func(id string) {
		if r := srv.Do(t, "POST", api+"/sessions", `{"customSessionId":"`+id+`"}`); r.Status != 200 {
			t.Fatalf("create session %s: %d %s", id, r.Status, r.Body)
		}
	}
	mk("pending")
	mk("active")
	f.pendingSID, f.activeSID = "pending", "active"
	c, err := svc.CreateConnection("pending", core.DefaultConnectionProperties())
	if err != nil {
		t.Fatal(err)
	}
	f.pendingCID = c.ID
	pub, err := svc.CreateConnection("active", core.DefaultConnectionProperties())
	if err != nil {
		t.Fatal(err)
	}
	f.activeCID = join(t, srv, pub.Token).Connection.ID
	st, err := svc.BeginPublish("active", f.activeCID, core.MediaOptions{HasAudio: true, HasVideo: true, AudioActive: true, VideoActive: true, TypeOfVideo: core.VideoCamera, FrameRate: 30, VideoDimensions: `{"width":640,"height":480}`})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CompletePublish("active", f.activeCID, st.ID); err != nil {
		t.Fatal(err)
	}
	f.streamID = st.ID
	pend, err := svc.CreateConnection("active", core.DefaultConnectionProperties())
	if err != nil {
		t.Fatal(err)
	}
	f.activePend = pend.ID
	return f
}

type statusCase struct {
	name   string
	method string
	path   string
	body   any
	want   int
}

func runStatusTable(t *testing.T, f *fixture, cases []statusCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := f.srv.Do(t, tc.method, tc.path, tc.body)
			if r.Status != tc.want {
				t.Fatalf("%s %s: status %d, want %d; body %s", tc.method, tc.path, r.Status, tc.want, r.Body)
			}
			if tc.want >= 400 {
				e := decodeJSON(t, r.Body)
				if msg, _ := e["message"].(string); msg == "" || int(e["status"].(float64)) != tc.want {
					t.Fatalf("error body lacks message/status: %s", r.Body)
				}
			}
		})
	}
}

func TestStatusCodes(t *testing.T) {
	f := newFixture(t)
	big := `{"customSessionId":"` + strings.Repeat("a", 1<<20) + `"}`
	runStatusTable(t, f, []statusCase{
		// POST /sessions
		{"create/no body", "POST", api + "/sessions", nil, 200},
		{"create/null body", "POST", api + "/sessions", "null", 200},
		{"create/empty object", "POST", api + "/sessions", "{}", 200},
		{"create/all properties", "POST", api + "/sessions", `{"mediaMode":"ROUTED","recordingMode":"ALWAYS","customSessionId":"full_1-A","forcedVideoCodec":"VP8","allowTranscoding":true,"defaultRecordingProperties":{"name":"n","outputMode":"INDIVIDUAL"},"mediaNode":{"id":"mn"}}`, 200},
		{"create/explicit nulls", "POST", api + "/sessions", `{"mediaMode":null,"customSessionId":null,"defaultRecordingProperties":null}`, 200},
		{"create/duplicate custom id", "POST", api + "/sessions", `{"customSessionId":"pending"}`, 409},
		{"create/invalid custom id", "POST", api + "/sessions", `{"customSessionId":"bad id!"}`, 400},
		{"create/wrong type", "POST", api + "/sessions", `{"mediaMode":5}`, 400},
		{"create/bad enum", "POST", api + "/sessions", `{"recordingMode":"SOMETIMES"}`, 400},
		{"create/bad codec", "POST", api + "/sessions", `{"forcedVideoCodec":"AV1"}`, 400},
		{"create/malformed", "POST", api + "/sessions", `{"mediaMode":`, 400},
		{"create/not an object", "POST", api + "/sessions", `[1,2]`, 400},
		{"create/recording props range is 400 not 422", "POST", api + "/sessions", `{"defaultRecordingProperties":{"resolution":"99x100"}}`, 400},
		{"create/recording props bad name", "POST", api + "/sessions", `{"defaultRecordingProperties":{"name":"a b"}}`, 400},
		{"create/too large", "POST", api + "/sessions", big, 413},
		// GET/DELETE sessions
		{"get/ok", "GET", api + "/sessions/pending", nil, 200},
		{"get/with pending", "GET", api + "/sessions/active?pendingConnections=true&webRtcStats=true", nil, 200},
		{"get/unknown", "GET", api + "/sessions/nope", nil, 404},
		{"get/bad query", "GET", api + "/sessions/pending?pendingConnections=maybe", nil, 400},
		{"list/ok", "GET", api + "/sessions", nil, 200},
		{"list/bad query", "GET", api + "/sessions?webRtcStats=x", nil, 400},
		{"delete/unknown", "DELETE", api + "/sessions/nope", nil, 404},
		// connections
		{"conn/create ok", "POST", api + "/sessions/pending/connection", `{"role":"MODERATOR","data":"d","record":false}`, 200},
		{"conn/create node nulls", "POST", api + "/sessions/pending/connection", `{"type":null,"data":null,"record":null,"role":null,"kurentoOptions":null,"rtspUri":null,"networkCache":null}`, 200},
		{"conn/create no body", "POST", api + "/sessions/pending/connection", nil, 200},
		{"conn/create unknown session", "POST", api + "/sessions/nope/connection", `{"role":"bogus"}`, 404},
		{"conn/create bad role", "POST", api + "/sessions/pending/connection", `{"role":"ADMIN"}`, 400},
		{"conn/create bad type", "POST", api + "/sessions/pending/connection", `{"type":"SIP"}`, 400},
		{"conn/create data not string", "POST", api + "/sessions/pending/connection", `{"data":{"a":1}}`, 400},
		{"conn/create record not bool", "POST", api + "/sessions/pending/connection", `{"record":"yes"}`, 400},
		{"conn/create kurentoOptions wrong type", "POST", api + "/sessions/pending/connection", `{"kurentoOptions":"x"}`, 400},
		{"conn/create kurentoOptions negative", "POST", api + "/sessions/pending/connection", `{"kurentoOptions":{"videoMaxRecvBandwidth":-1}}`, 400},
		{"conn/create allowedFilters bad", "POST", api + "/sessions/pending/connection", `{"kurentoOptions":{"allowedFilters":[1]}}`, 400},
		{"conn/create ice stun with creds", "POST", api + "/sessions/pending/connection", `{"customIceServers":[{"url":"stun:h:3478","username":"u","credential":"c"}]}`, 400},
		{"conn/create ice turn without creds", "POST", api + "/sessions/pending/connection", `{"customIceServers":[{"url":"turn:h:3478"}]}`, 400},
		{"conn/create ice bad scheme", "POST", api + "/sessions/pending/connection", `{"customIceServers":[{"url":"http://h"}]}`, 400},
		{"conn/create ice bad query", "POST", api + "/sessions/pending/connection", `{"customIceServers":[{"url":"turn:h:3478?transport=sctp","username":"u","credential":"c"}]}`, 400},
		{"conn/create ice bad port", "POST", api + "/sessions/pending/connection", `{"customIceServers":[{"url":"turn:h:99999","username":"u","credential":"c"}]}`, 400},
		{"conn/create ice ok", "POST", api + "/sessions/pending/connection", `{"customIceServers":[{"url":"turn:h:3478?transport=tcp","username":"u","credential":"c"},{"url":"stun:[::1]:3478"}]}`, 200},
		{"conn/create ipcam without uri", "POST", api + "/sessions/pending/connection", `{"type":"IPCAM"}`, 400},
		{"conn/create ipcam bad scheme", "POST", api + "/sessions/pending/connection", `{"type":"IPCAM","rtspUri":"ftp://cam/x"}`, 400},
		{"conn/create ipcam unknown session", "POST", api + "/sessions/nope/connection", `{"type":"IPCAM","rtspUri":"rtsp://cam.local:554/live"}`, 404},
		{"conn/create ipcam networkCache type", "POST", api + "/sessions/pending/connection", `{"type":"IPCAM","rtspUri":"rtsp://cam/x","networkCache":"big"}`, 400},
		{"conn/list ok", "GET", api + "/sessions/pending/connection", nil, 200},
		{"conn/list unknown session", "GET", api + "/sessions/nope/connection", nil, 404},
		{"conn/get ok", "GET", api + "/sessions/pending/connection/" + f.pendingCID, nil, 200},
		{"conn/get unknown session is 400", "GET", api + "/sessions/nope/connection/" + f.pendingCID, nil, 400},
		{"conn/get unknown connection", "GET", api + "/sessions/pending/connection/con_Nope", nil, 404},
		{"conn/patch ok", "PATCH", api + "/sessions/active/connection/" + f.activeCID, `{"role":"MODERATOR","record":false,"data":"ignored"}`, 200},
		{"conn/patch unchanged is 200", "PATCH", api + "/sessions/active/connection/" + f.activeCID, `{}`, 200},
		{"conn/patch bad role", "PATCH", api + "/sessions/active/connection/" + f.activeCID, `{"role":"ROOT"}`, 400},
		{"conn/patch bad record", "PATCH", api + "/sessions/active/connection/" + f.activeCID, `{"record":1}`, 400},
		{"conn/patch malformed", "PATCH", api + "/sessions/active/connection/" + f.activeCID, `{`, 400},
		{"conn/patch unknown connection", "PATCH", api + "/sessions/active/connection/con_Nope", `{}`, 404},
		{"conn/patch unknown session", "PATCH", api + "/sessions/nope/connection/" + f.activeCID, `{}`, 404},
		{"conn/delete unknown session is 400", "DELETE", api + "/sessions/nope/connection/" + f.pendingCID, nil, 400},
		{"conn/delete unknown connection", "DELETE", api + "/sessions/pending/connection/con_Nope", nil, 404},
		// streams
		{"stream/delete unknown session is 400", "DELETE", api + "/sessions/nope/stream/" + f.streamID, nil, 400},
		{"stream/delete unknown stream", "DELETE", api + "/sessions/active/stream/str_CAM_Xxxx_con_Nope", nil, 404},
		{"stream/delete in inactive session", "DELETE", api + "/sessions/pending/stream/" + f.streamID, nil, 404},
		// signal
		{"signal/inactive session", "POST", api + "/signal", `{"session":"pending","type":"t","data":"d"}`, 406},
		{"signal/unknown session", "POST", api + "/signal", `{"session":"nope"}`, 404},
		{"signal/missing session", "POST", api + "/signal", `{"type":"t"}`, 400},
		{"signal/session not string", "POST", api + "/signal", `{"session":1}`, 400},
		{"signal/to not array", "POST", api + "/signal", `{"session":"active","to":"x"}`, 400},
		{"signal/to with number", "POST", api + "/signal", `{"session":"active","to":[1]}`, 400},
		{"signal/to with null", "POST", api + "/signal", `{"session":"active","to":[null]}`, 406},
		{"signal/unknown recipient", "POST", api + "/signal", `{"session":"active","to":["` + f.activeCID + `","con_Nope"]}`, 406},
		{"signal/pending recipient", "POST", api + "/signal", `{"session":"active","to":["` + f.activePend + `"]}`, 406},
		{"signal/type not string", "POST", api + "/signal", `{"session":"active","type":3}`, 400},
		{"signal/no body", "POST", api + "/signal", nil, 400},
		{"signal/broadcast", "POST", api + "/signal", `{"session":"active","type":"my-chat","data":"hello"}`, 200},
		{"signal/targeted", "POST", api + "/signal", `{"session":"active","to":["` + f.activeCID + `"],"data":"x"}`, 200},
		// tokens (legacy)
		{"token/ok", "POST", api + "/tokens", `{"session":"pending","role":"SUBSCRIBER","data":"x","kurentoOptions":{"allowedFilters":["GStreamerFilter"]}}`, 200},
		{"token/node nulls", "POST", api + "/tokens", `{"session":"pending","role":null,"data":null,"kurentoOptions":null}`, 200},
		{"token/missing session", "POST", api + "/tokens", `{"role":"PUBLISHER"}`, 400},
		{"token/unknown session", "POST", api + "/tokens", `{"session":"nope"}`, 404},
		{"token/bad role", "POST", api + "/tokens", `{"session":"pending","role":"X"}`, 400},
		{"token/no body", "POST", api + "/tokens", nil, 400},
		// recordings while the module is disabled
		{"rec/start no body", "POST", api + "/recordings/start", nil, 400},
		{"rec/start disabled", "POST", api + "/recordings/start", `{"session":"active"}`, 501},
		{"rec/stop disabled", "POST", api + "/recordings/stop/active", nil, 501},
		{"rec/get disabled", "GET", api + "/recordings/active", nil, 501},
		{"rec/list disabled", "GET", api + "/recordings", nil, 501},
		{"rec/delete disabled", "DELETE", api + "/recordings/active", nil, 501},
		// misc
		{"config", "GET", api + "/config", nil, 200},
		{"config/version", "GET", api + "/config/openvidu-version", nil, 200},
		{"config/unknown item", "GET", api + "/config/nope", nil, 404},
		{"health", "GET", api + "/health", nil, 200},
		{"broadcast is PRO", "POST", api + "/broadcast/start", `{}`, 404},
		{"unknown path", "GET", api + "/nothing", nil, 404},
		{"no trailing slash match", "GET", api + "/sessions/", nil, 404},
		{"no plural connections", "GET", api + "/sessions/pending/connections", nil, 404},
		{"wrong method", "PUT", api + "/sessions", nil, 405},
		{"wrong method on item", "POST", api + "/sessions/pending", nil, 405},
		{"legacy path", "GET", "/api/sessions", nil, 200},
		{"legacy config", "GET", "/config", nil, 200},
	})
	// Stateful transitions last, after the table used the fixture.
	runStatusTable(t, f, []statusCase{
		{"conn/delete pending", "DELETE", api + "/sessions/pending/connection/" + f.pendingCID, nil, 204},
		{"conn/delete pending again", "DELETE", api + "/sessions/pending/connection/" + f.pendingCID, nil, 404},
		{"stream/delete ok", "DELETE", api + "/sessions/active/stream/" + f.streamID, nil, 204},
		{"stream/delete again", "DELETE", api + "/sessions/active/stream/" + f.streamID, nil, 404},
		{"conn/delete active", "DELETE", api + "/sessions/active/connection/" + f.activeCID, nil, 204},
		{"session closed with its last participant", "GET", api + "/sessions/active", nil, 404},
		{"delete never-active session", "DELETE", api + "/sessions/pending", nil, 204},
		{"delete again", "DELETE", api + "/sessions/pending", nil, 404},
	})
}

func TestAuthentication(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	cases := []struct {
		name       string
		method     string
		path       string
		user, pass string
		hdr        map[string]string
		want       int
		challenge  bool
	}{
		{"no credentials", "GET", api + "/sessions", "", "", nil, 401, true},
		{"wrong secret", "GET", api + "/sessions", "OPENVIDUAPP", "nope", nil, 401, true},
		{"wrong user", "GET", api + "/sessions", "admin", srv.Secret, nil, 401, true},
		{"xhr gets no challenge", "GET", api + "/sessions", "", "", map[string]string{"X-Requested-With": "XMLHttpRequest"}, 401, false},
		{"bad base64", "GET", api + "/sessions", "", "", map[string]string{"Authorization": "Basic !!!"}, 401, true},
		{"unknown path needs auth first", "GET", api + "/nothing", "", "", nil, 401, true},
		{"right secret", "GET", api + "/sessions", "OPENVIDUAPP", srv.Secret, nil, 200, false},
		{"public url is public", "GET", api + "/config/openvidu-publicurl", "", "", nil, 200, false},
		{"public url HEAD", "HEAD", api + "/config/openvidu-publicurl", "", "", nil, 200, false},
		{"config is not public", "GET", api + "/config", "", "", nil, 401, true},
		{"accept-certificate is public", "GET", "/openvidu/accept-certificate", "", "", nil, 200, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := srv.DoAuth(t, tc.method, tc.path, nil, tc.user, tc.pass, tc.hdr)
			if r.Status != tc.want {
				t.Fatalf("status %d, want %d", r.Status, tc.want)
			}
			got := r.Header.Get("WWW-Authenticate")
			if tc.challenge && got != `Basic realm="Realm"` {
				t.Fatalf("WWW-Authenticate = %q", got)
			}
			if !tc.challenge && got != "" {
				t.Fatalf("unexpected WWW-Authenticate %q", got)
			}
		})
	}
	r := srv.DoAuth(t, "GET", api+"/config/openvidu-publicurl", nil, "", "", nil)
	if string(r.Body) != srv.URL+"/" {
		t.Fatalf("publicurl = %q, want %q", r.Body, srv.URL+"/")
	}
}

func TestCORS(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	pre := srv.DoAuth(t, "OPTIONS", api+"/sessions", nil, "", "", map[string]string{
		"Origin": "http://app.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type",
	})
	if pre.Status != 200 || pre.Header.Get("Access-Control-Allow-Origin") != "*" ||
		pre.Header.Get("Access-Control-Allow-Methods") != "POST" || pre.Header.Get("Access-Control-Allow-Headers") != "authorization,content-type" {
		t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
	}
	denied := srv.DoAuth(t, "GET", api+"/sessions", nil, "", "", map[string]string{"Origin": "http://app.example"})
	if denied.Status != 401 || denied.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("401 without CORS headers: %d %v", denied.Status, denied.Header)
	}
	ok := srv.DoAuth(t, "GET", api+"/sessions", nil, "OPENVIDUAPP", srv.Secret, map[string]string{"Origin": "http://app.example"})
	if ok.Status != 200 || ok.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("200 without CORS headers: %d %v", ok.Status, ok.Header)
	}
}

func TestSessionShape(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	r := srv.Do(t, "POST", api+"/sessions", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	want := []string{"id", "object", "sessionId", "createdAt", "recording", "broadcasting", "mediaMode", "recordingMode", "defaultRecordingProperties", "customSessionId", "forcedVideoCodec", "allowTranscoding", "connections"}
	if got := keysInOrder(t, r.Body); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("session keys\n got %v\nwant %v", got, want)
	}
	m := decodeJSON(t, r.Body)
	id := m["id"].(string)
	if m["sessionId"] != id || m["customSessionId"] != "" || m["object"] != "session" || len(id) != 14 || !strings.HasPrefix(id, "ses_") {
		t.Fatalf("session fields: %s", r.Body)
	}
	drp, _ := json.Marshal(m["defaultRecordingProperties"])
	if string(drp) != `{"frameRate":25,"hasAudio":true,"hasVideo":true,"name":"","outputMode":"COMPOSED","recordingLayout":"BEST_FIT","resolution":"1280x720","shmSize":536870912}` {
		t.Fatalf("defaultRecordingProperties: %s", drp)
	}
	if !bytes.Contains(r.Body, []byte(`"defaultRecordingProperties":{"name":"","hasAudio":true,"hasVideo":true,"outputMode":"COMPOSED","recordingLayout":"BEST_FIT","resolution":"1280x720","frameRate":25,"shmSize":536870912}`)) {
		t.Fatalf("defaultRecordingProperties order: %s", r.Body)
	}
	ind := srv.Do(t, "POST", api+"/sessions", `{"defaultRecordingProperties":{"outputMode":"INDIVIDUAL","name":"x"},"mediaNode":{"id":"node1"}}`)
	if !bytes.Contains(ind.Body, []byte(`"defaultRecordingProperties":{"name":"x","hasAudio":true,"hasVideo":true,"outputMode":"INDIVIDUAL","ignoreFailedStreams":false},"customSessionId":"","mediaNode":{"id":"node1"}`)) {
		t.Fatalf("individual defaults: %s", ind.Body)
	}
	// A second GET is byte-identical: node's change detection compares text.
	a := srv.Do(t, "GET", api+"/sessions/"+id, nil)
	b := srv.Do(t, "GET", api+"/sessions/"+id, nil)
	if !bytes.Equal(a.Body, b.Body) {
		t.Fatalf("unstable JSON:\n%s\n%s", a.Body, b.Body)
	}
}

func TestConnectionShape(t *testing.T) {
	f := newFixture(t)
	want := "id,object,status,connectionId,sessionId,createdAt,activeAt,location,ip,platform,token,type,record,role,kurentoOptions,customIceServers,rtspUri,adaptativeBitrate,onlyPlayWithSubscribers,networkCache,serverData,clientData,publishers,subscribers"
	pending := f.srv.Do(t, "GET", api+"/sessions/pending/connection/"+f.pendingCID, nil)
	if got := strings.Join(keysInOrder(t, pending.Body), ","); got != want {
		t.Fatalf("pending keys\n got %s\nwant %s", got, want)
	}
	p := decodeJSON(t, pending.Body)
	for _, k := range []string{"activeAt", "location", "ip", "platform", "clientData", "publishers", "subscribers", "kurentoOptions", "rtspUri"} {
		if p[k] != nil {
			t.Errorf("pending %s = %v, want null", k, p[k])
		}
	}
	tok := p["token"].(string)
	if !strings.HasPrefix(tok, "ws://127.0.0.1:") || !strings.Contains(tok, "?sessionId=pending&token=tok_") || p["status"] != "pending" || p["role"] != "PUBLISHER" || p["record"] != true || p["serverData"] != "" {
		t.Fatalf("pending connection: %s", pending.Body)
	}
	active := f.srv.Do(t, "GET", api+"/sessions/active/connection/"+f.activeCID, nil)
	if got := strings.Join(keysInOrder(t, active.Body), ","); got != want {
		t.Fatalf("active keys\n got %s\nwant %s", got, want)
	}
	if !bytes.Contains(active.Body, []byte(`"status":"active"`)) || !bytes.Contains(active.Body, []byte(`"location":"unknown","ip":"127.0.0.1","platform":"Go test"`)) ||
		!bytes.Contains(active.Body, []byte(`"clientData":"{\"nick\":\"t\"}","publishers":[{"createdAt":`)) ||
		!bytes.Contains(active.Body, []byte(`"streamId":"`+f.streamID+`","mediaOptions":{"hasAudio":true,"audioActive":true,"hasVideo":true,"videoActive":true,"typeOfVideo":"CAMERA","frameRate":30,"videoDimensions":"{\"width\":640,\"height\":480}","filter":{}}}],"subscribers":[]`)) {
		t.Fatalf("active connection: %s", active.Body)
	}
	if !strings.HasPrefix(f.streamID, "str_CAM_") || !strings.HasSuffix(f.streamID, "_"+f.activeCID) {
		t.Fatalf("stream id %s", f.streamID)
	}
	// Session GET lists only active connections unless pendingConnections=true.
	s := decodeJSON(t, f.srv.Do(t, "GET", api+"/sessions/active", nil).Body)
	if n := s["connections"].(map[string]any)["numberOfElements"].(float64); n != 1 {
		t.Fatalf("active-only count %v", n)
	}
	s = decodeJSON(t, f.srv.Do(t, "GET", api+"/sessions/active?pendingConnections=true", nil).Body)
	if n := s["connections"].(map[string]any)["numberOfElements"].(float64); n != 2 {
		t.Fatalf("with pending count %v", n)
	}
	// The connection list defaults to including pending ones.
	l := decodeJSON(t, f.srv.Do(t, "GET", api+"/sessions/active/connection", nil).Body)
	if n := l["numberOfElements"].(float64); n != 2 {
		t.Fatalf("connection list count %v", n)
	}
	l = decodeJSON(t, f.srv.Do(t, "GET", api+"/sessions/active/connection?pendingConnections=false", nil).Body)
	if n := l["numberOfElements"].(float64); n != 1 {
		t.Fatalf("connection list active-only count %v", n)
	}
	stats := f.srv.Do(t, "GET", api+"/sessions/active?webRtcStats=true", nil)
	for _, k := range []string{`"webrtcEndpointName":"` + f.streamID + `"`, `"localSdp":`, `"remoteSdp":`, `"clientIceCandidates":[`, `"serverIceCandidates":[`, `"localCandidate":`, `"remoteCandidate":`, `"events":[`} {
		if !bytes.Contains(stats.Body, []byte(k)) {
			t.Fatalf("webRtcStats lacks %s: %s", k, stats.Body)
		}
	}
}

func TestConnectionPropertiesRoundTrip(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	srv.Do(t, "POST", api+"/sessions", `{"customSessionId":"rt"}`)
	r := srv.Do(t, "POST", api+"/sessions/rt/connection", `{"role":"SUBSCRIBER","data":"srv-data","record":false,"kurentoOptions":{"videoMaxRecvBandwidth":500,"allowedFilters":[]},"customIceServers":[{"url":"turn:turn.example:443?transport=tcp","staticAuthSecret":"s3cr3t"}]}`)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := decodeJSON(t, r.Body)
	if m["role"] != "SUBSCRIBER" || m["serverData"] != "srv-data" || m["record"] != false {
		t.Fatalf("props: %s", r.Body)
	}
	if !bytes.Contains(r.Body, []byte(`"kurentoOptions":{"videoMaxRecvBandwidth":500}`)) {
		t.Fatalf("kurentoOptions must hold only supplied keys: %s", r.Body)
	}
	ice := m["customIceServers"].([]any)[0].(map[string]any)
	if ice["url"] != "turn:turn.example:443?transport=tcp" || ice["staticAuthSecret"] != nil ||
		!strings.Contains(ice["username"].(string), ":") || ice["credential"] == "" {
		t.Fatalf("static auth secret not resolved: %v", ice)
	}
	tok := srv.Do(t, "POST", api+"/tokens", `{"session":"rt","role":"MODERATOR","data":"d"}`)
	want := "id,token,createdAt,connectionId,session,data,role"
	if got := strings.Join(keysInOrder(t, tok.Body), ","); got != want {
		t.Fatalf("token keys %s", got)
	}
	tm := decodeJSON(t, tok.Body)
	if tm["id"] != tm["token"] || tm["role"] != "MODERATOR" || tm["session"] != "rt" {
		t.Fatalf("token: %s", tok.Body)
	}
	// PATCH changes role and record and answers with the full connection.
	cid := m["connectionId"].(string)
	p := srv.Do(t, "PATCH", api+"/sessions/rt/connection/"+cid, `{"role":"PUBLISHER","record":true}`)
	pm := decodeJSON(t, p.Body)
	if p.Status != 200 || pm["role"] != "PUBLISHER" || pm["record"] != true || pm["serverData"] != "srv-data" {
		t.Fatalf("patch: %d %s", p.Status, p.Body)
	}
}

func TestConfigEndpoint(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"OPENVIDU_STREAMS_FORCED_VIDEO_CODEC": "H264"}})
	r := srv.Do(t, "GET", api+"/config", nil)
	m := decodeJSON(t, r.Body)
	if m["VERSION"] != "2.32.2" || m["OPENVIDU_PUBLICURL"] != srv.URL || m["OPENVIDU_STREAMS_FORCED_VIDEO_CODEC"] != "H264" || m["OPENVIDU_RECORDING"] != false {
		t.Fatalf("config: %s", r.Body)
	}
	s := decodeJSON(t, srv.Do(t, "POST", api+"/sessions", nil).Body)
	if s["forcedVideoCodec"] != "H264" {
		t.Fatalf("config default codec not applied: %v", s["forcedVideoCodec"])
	}
	for item, want := range map[string]string{"openvidu-version": "2.32.2", "openvidu-recording": "false", "openvidu-cdr": "false"} {
		if got := string(srv.Do(t, "GET", api+"/config/"+item, nil).Body); got != want {
			t.Errorf("%s = %q, want %q", item, got, want)
		}
	}
}

// Nothing is half-created after an error: a rejected body leaves no session
// or connection behind.
func TestNothingHalfCreated(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	for _, body := range []string{`{"customSessionId":"x1","mediaMode":"BAD"}`, `{"customSessionId":"x1","defaultRecordingProperties":{"frameRate":500}}`} {
		if r := srv.Do(t, "POST", api+"/sessions", body); r.Status != 400 {
			t.Fatalf("%s: %d", body, r.Status)
		}
	}
	if r := srv.Do(t, "GET", api+"/sessions/x1", nil); r.Status != 404 {
		t.Fatalf("half-created session: %d", r.Status)
	}
	srv.Do(t, "POST", api+"/sessions", `{"customSessionId":"x2"}`)
	for _, body := range []string{`{"role":"BAD"}`, `{"customIceServers":[{"url":"stun:ok:3478"},{"url":"turn:bad"}]}`, `{"type":"IPCAM","rtspUri":"ftp://cam:554/x"}`} {
		if r := srv.Do(t, "POST", api+"/sessions/x2/connection", body); r.Status < 400 {
			t.Fatalf("%s accepted: %d", body, r.Status)
		}
	}
	l := decodeJSON(t, srv.Do(t, "GET", api+"/sessions/x2/connection", nil).Body)
	if l["numberOfElements"].(float64) != 0 {
		t.Fatalf("half-created connections: %v", l)
	}
}
