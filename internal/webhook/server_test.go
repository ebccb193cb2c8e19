package webhook_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/server"
	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/internal/webhook"
)

func restJSON(t *testing.T, srv *testkit.Server, method, path, body string) map[string]any {
	t.Helper()
	r := srv.Do(t, method, path, body)
	if r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	return decode(t, r.Body)
}

// A whole session driven through the real server (REST for the server
// side, the service for what browsers do over signaling) produces exactly
// upstream's webhook sequence, with the configured headers and a valid
// signature, and the same events in the CDR, served at /openvidu/cdr.
func TestServerWebhookSequenceAndCDR(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("call", func(t *testing.T) {
		rcv := newReceiver(t)
		cdrDir := filepath.Join(t.TempDir(), "cdr")
		srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
			"OPENVIDU_WEBHOOK":              "true",
			"OPENVIDU_WEBHOOK_ENDPOINT":     rcv.URL(),
			"OPENVIDU_WEBHOOK_HEADERS":      `["Authorization: Bearer hook-token","X-Deployment: test"]`,
			"GOVIDU_WEBHOOK_SIGNING_SECRET": "whsec_test",
			"OPENVIDU_CDR":                  "true",
			"OPENVIDU_CDR_PATH":             cdrDir,
		}})
		svc := srv.Service()
		s := restJSON(t, srv, "POST", "/openvidu/api/sessions", `{"customSessionId":"life"}`)
		createdAt := num(t, s, "createdAt")
		unique := "life_" + strconv.FormatInt(createdAt, 10)
		ca := restJSON(t, srv, "POST", "/openvidu/api/sessions/life/connection", `{"data":"server-A","role":"MODERATOR"}`)
		cb := restJSON(t, srv, "POST", "/openvidu/api/sessions/life/connection", `{}`)
		a, b := ca["connectionId"].(string), cb["connectionId"].(string)
		if _, err := svc.Join(core.JoinRequest{Token: ca["token"].(string), ClientData: `{"user":"ana"}`, Platform: "Chrome 131.0 on Linux", IP: "192.0.2.10"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Join(core.JoinRequest{Token: cb["token"].(string), ClientData: "bo", Platform: "Firefox 133.0 on Linux", IP: "192.0.2.11"}); err != nil {
			t.Fatal(err)
		}
		st, err := svc.BeginPublish("life", a, core.MediaOptions{
			HasAudio: true, HasVideo: true, AudioActive: true, VideoActive: true,
			TypeOfVideo: core.VideoCamera, FrameRate: 24, VideoDimensions: `{"width":1280,"height":720}`,
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CompletePublish("life", a, st.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.Subscribe("life", b, st.ID); err != nil {
			t.Fatal(err)
		}
		if r := srv.Do(t, "POST", "/openvidu/api/signal", `{"session":"life","type":"news","data":"hello"}`); r.Status != 200 {
			t.Fatalf("signal: %d", r.Status)
		}
		if err := svc.Signal("life", b, []string{a}, "signal:chat", "hi ana"); err != nil {
			t.Fatal(err)
		}
		if r := srv.Do(t, "DELETE", "/openvidu/api/sessions/life/stream/"+st.ID, nil); r.Status != 204 {
			t.Fatalf("force unpublish: %d", r.Status)
		}
		if err := svc.Leave("life", b, core.ReasonDisconnect); err != nil {
			t.Fatal(err)
		}
		if r := srv.Do(t, "DELETE", "/openvidu/api/sessions/life/connection/"+a, nil); r.Status != 204 {
			t.Fatalf("force disconnect: %d", r.Status)
		}

		type expect struct {
			event  string
			fields map[string]any
		}
		video := map[string]any{"videoSource": "CAMERA", "videoFramerate": json.Number("24"),
			"videoDimensions": `{"width":1280,"height":720}`, "audioEnabled": true, "videoEnabled": true}
		with := func(m map[string]any, extra map[string]any) map[string]any {
			out := map[string]any{}
			for k, v := range m {
				out[k] = v
			}
			for k, v := range extra {
				out[k] = v
			}
			return out
		}
		participantA := map[string]any{"connectionId": a, "participantId": a, "location": "unknown", "ip": "192.0.2.10",
			"platform": "Chrome 131.0 on Linux", "clientData": `{"user":"ana"}`, "serverData": "server-A"}
		participantB := map[string]any{"connectionId": b, "participantId": b, "location": "unknown", "ip": "192.0.2.11",
			"platform": "Firefox 133.0 on Linux", "clientData": "bo", "serverData": ""}
		outbound := with(video, map[string]any{"streamId": st.ID, "connectionId": a, "participantId": a, "connection": "OUTBOUND"})
		inbound := with(video, map[string]any{"streamId": st.ID, "connectionId": b, "participantId": b, "connection": "INBOUND", "receivingFrom": a})
		want := []expect{
			{"sessionCreated", map[string]any{"timestamp": json.Number(strconv.FormatInt(createdAt, 10))}},
			{"participantJoined", participantA},
			{"participantJoined", participantB},
			{"webrtcConnectionCreated", outbound},
			{"webrtcConnectionCreated", inbound},
			{"signalSent", map[string]any{"from": nil, "to": []any{a, b}, "type": "news", "data": "hello"}},
			{"signalSent", map[string]any{"from": b, "to": []any{a}, "type": "chat", "data": "hi ana"}},
			{"webrtcConnectionDestroyed", with(inbound, map[string]any{"reason": "forceUnpublishByServer"})},
			{"webrtcConnectionDestroyed", with(outbound, map[string]any{"reason": "forceUnpublishByServer"})},
			{"participantLeft", with(participantB, map[string]any{"reason": "disconnect"})},
			{"participantLeft", with(participantA, map[string]any{"reason": "forceDisconnectByServer"})},
			{"sessionDestroyed", map[string]any{"reason": "lastParticipantLeft", "startTime": json.Number(strconv.FormatInt(createdAt, 10))}},
		}
		testkit.Eventually(t, 5*time.Second, "every webhook", func() bool { return len(rcv.got()) >= len(want) })
		got := rcv.got()
		if len(got) != len(want) {
			t.Fatalf("%d webhooks: %v", len(got), names(t, got))
		}
		var last int64
		created := map[string]int64{} // start of each thing, by event key
		for i, w := range want {
			body := got[i].body
			m := decode(t, body)
			if m["event"] != w.event {
				t.Fatalf("webhook %d is %v, want %s; all: %v", i, m["event"], w.event, names(t, got))
			}
			k := keys(t, body)
			if !reflect.DeepEqual(k[:3], []string{"sessionId", "uniqueSessionId", "timestamp"}) || k[len(k)-1] != "event" {
				t.Errorf("%s: key order %v", w.event, k)
			}
			if m["sessionId"] != "life" || m["uniqueSessionId"] != unique {
				t.Errorf("%s: session %v %v, want life %s", w.event, m["sessionId"], m["uniqueSessionId"], unique)
			}
			ts := num(t, m, "timestamp")
			if ts < last || ts < createdAt {
				t.Errorf("%s: timestamp %d goes back (previous %d)", w.event, ts, last)
			}
			last = ts
			for key, v := range w.fields {
				if !reflect.DeepEqual(m[key], v) {
					t.Errorf("%s: %s = %#v, want %#v", w.event, key, m[key], v)
				}
			}
			// End events: startTime is the matching start, duration whole seconds.
			id := fmt.Sprint(m["connectionId"], m["connection"])
			switch w.event {
			case "participantJoined", "webrtcConnectionCreated":
				created[id] = ts
			case "participantLeft", "webrtcConnectionDestroyed", "sessionDestroyed":
				start := num(t, m, "startTime")
				if w.event != "sessionDestroyed" && start != created[id] {
					t.Errorf("%s: startTime %d, want %d", w.event, start, created[id])
				}
				if d := num(t, m, "duration"); d != (ts-start)/1000 {
					t.Errorf("%s: duration %d for %d ms", w.event, d, ts-start)
				}
			}
			// Configured headers, content type, and a valid signature.
			h := got[i].header
			if h.Get("Authorization") != "Bearer hook-token" || h.Get("X-Deployment") != "test" || h.Get("Content-Type") != "application/json" {
				t.Errorf("%s: headers %v", w.event, h)
			}
			if err := webhook.Verify("whsec_test", h.Get(webhook.SignatureHeader), body, time.Minute, time.Now()); err != nil {
				t.Errorf("%s: signature: %v", w.event, err)
			}
		}

		// The CDR: listed, downloadable with the REST credentials, the same
		// events line by line as {"<event>": <fields without "event">}.
		r := srv.Do(t, "GET", "/openvidu/cdr", nil)
		var files []string
		if r.Status != 200 || json.Unmarshal(r.Body, &files) != nil || len(files) != 1 || !strings.HasPrefix(files[0], "CDR.") {
			t.Fatalf("GET /openvidu/cdr: %d %s", r.Status, r.Body)
		}
		testkit.Eventually(t, 5*time.Second, "the CDR lines", func() bool {
			r = srv.Do(t, "GET", "/openvidu/cdr/"+files[0], nil)
			return r.Status == 200 && strings.Count(string(r.Body), "\n") >= len(want)
		})
		disk, err := os.ReadFile(filepath.Join(cdrDir, files[0]))
		if err != nil || string(disk) != string(r.Body) {
			t.Fatalf("served CDR differs from the file (%v)", err)
		}
		lines := strings.Split(strings.TrimSuffix(string(r.Body), "\n"), "\n")
		if len(lines) != len(want) {
			t.Fatalf("%d CDR lines, want %d:\n%s", len(lines), len(want), r.Body)
		}
		for i, line := range lines {
			var wrapper map[string]json.RawMessage
			if err := json.Unmarshal([]byte(line), &wrapper); err != nil || len(wrapper) != 1 {
				t.Fatalf("CDR line %d: %s", i, line)
			}
			fields, ok := wrapper[want[i].event]
			if !ok {
				t.Fatalf("CDR line %d is not %s: %s", i, want[i].event, line)
			}
			body := got[i].body
			if wantFields := strings.TrimSuffix(string(body), `,"event":"`+want[i].event+`"}`) + "}"; string(fields) != wantFields {
				t.Errorf("CDR line %d:\n got %s\nwant %s", i, fields, wantFields)
			}
		}

		// Authentication as the REST API: 401 with the Basic challenge
		// (none for XHR), 404 for names the CDR never writes.
		for _, path := range []string{"/openvidu/cdr", "/openvidu/cdr/" + files[0]} {
			r := srv.DoAuth(t, "GET", path, nil, "", "", nil)
			if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Basic realm="Realm"` {
				t.Errorf("%s without credentials: %d %q", path, r.Status, r.Header.Get("WWW-Authenticate"))
			}
			r = srv.DoAuth(t, "GET", path, nil, "OPENVIDUAPP", "wrong", map[string]string{"X-Requested-With": "XMLHttpRequest"})
			if r.Status != 401 || r.Header.Get("WWW-Authenticate") != "" {
				t.Errorf("%s XHR with a wrong secret: %d %q", path, r.Status, r.Header.Get("WWW-Authenticate"))
			}
		}
		// Pre-2.16 path (SUPPORT_DEPRECATED_API).
		if r := srv.Do(t, "GET", "/cdr", nil); r.Status != 200 || !strings.Contains(string(r.Body), files[0]) {
			t.Errorf("GET /cdr: %d %s", r.Status, r.Body)
		}
		for _, name := range []string{"..%2Fsecret.log", "CDR.log", "other.txt"} {
			if r := srv.Do(t, "GET", "/openvidu/cdr/"+name, nil); r.Status != 404 {
				t.Errorf("GET /openvidu/cdr/%s: %d", name, r.Status)
			}
		}
	})
	http.DefaultClient.CloseIdleConnections()
}

// OPENVIDU_WEBHOOK_EVENTS selects what is POSTed; the CDR still logs everything.
func TestServerEventFilter(t *testing.T) {
	rcv := newReceiver(t)
	cdrDir := t.TempDir()
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_WEBHOOK":          "true",
		"OPENVIDU_WEBHOOK_ENDPOINT": rcv.URL(),
		"OPENVIDU_WEBHOOK_EVENTS":   `[participantLeft,sessionDestroyed]`,
		"OPENVIDU_CDR":              "true",
		"OPENVIDU_CDR_PATH":         cdrDir,
	}})
	runCall(t, srv.Service(), "filter")
	testkit.Eventually(t, 5*time.Second, "sessionDestroyed", func() bool {
		got := rcv.got()
		return len(got) > 0 && decode(t, got[len(got)-1].body)["event"] == "sessionDestroyed"
	})
	// One queue keeps the order: once sessionDestroyed is in, nothing sent before it is still on its way.
	if n := names(t, rcv.got()); !reflect.DeepEqual(n, []string{"participantLeft", "participantLeft", "sessionDestroyed"}) {
		t.Fatalf("webhooks %v", n)
	}
	files, _ := webhook.ListCDRFiles(cdrDir)
	testkit.Eventually(t, 5*time.Second, "the CDR", func() bool {
		b, _ := os.ReadFile(filepath.Join(cdrDir, files[0]))
		return strings.Count(string(b), "\n") == len(callEvents)
	})
}

// A webhook endpoint that never answers delays nothing: REST calls return at
// once, the overflow is dropped and shows in /metrics.
func TestServerHangingEndpointDoesNotBlockREST(t *testing.T) {
	rcv := newReceiver(t)
	hang := make(chan struct{})
	rcv.hang = hang
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_WEBHOOK":          "true",
		"OPENVIDU_WEBHOOK_ENDPOINT": rcv.URL(),
		"GOVIDU_WEBHOOK_QUEUE_SIZE": "3",
	}})
	t.Cleanup(func() { close(hang) }) // runs before the server's shutdown flushes
	const sessions = 12
	for i := range sessions {
		start := time.Now()
		restJSON(t, srv, "POST", "/openvidu/api/sessions", fmt.Sprintf(`{"customSessionId":"stuck%d"}`, i))
		if took := time.Since(start); took > time.Second {
			t.Fatalf("POST /sessions took %v while the webhook endpoint hangs", took)
		}
	}
	testkit.Eventually(t, 5*time.Second, "a stuck POST", func() bool { return rcv.hanging.Load() == 1 })
	var dropped float64
	testkit.Eventually(t, 5*time.Second, "drops in /metrics", func() bool {
		dropped = metricValue(t, srv, `govidu_webhook_events_total{result="dropped",sink="webhook"}`)
		return dropped >= sessions-3-1
	})
	if dropped > sessions-3 {
		t.Errorf("dropped %v of %d with a queue of 3", dropped, sessions)
	}
	if q := metricValue(t, srv, `govidu_webhook_queue_length{sink="webhook"}`); q < 2 || q > 3 {
		t.Errorf("queue length %v", q)
	}
}

// metricValue reads one sample from /metrics.
func metricValue(t *testing.T, srv *testkit.Server, series string) float64 {
	t.Helper()
	r := srv.Do(t, "GET", "/metrics", nil)
	if r.Status != 200 {
		t.Fatalf("/metrics: %d", r.Status)
	}
	for _, line := range strings.Split(string(r.Body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in /metrics", series)
	return 0
}

// A CDR directory that cannot be created stops start-up with a message
// naming the variable.
func TestServerRefusesUnwritableCDRPath(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OPENVIDU_CDR": "true", "OPENVIDU_CDR_PATH": filepath.Join(file, "cdr"), "SERVER_PORT": "0"}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(cfg, slog.New(slog.DiscardHandler))
	if err == nil {
		srv.Shutdown(t.Context())
		t.Fatal("server started with an unwritable CDR path")
	}
	if !strings.Contains(err.Error(), "OPENVIDU_CDR_PATH") {
		t.Errorf("error %v does not name OPENVIDU_CDR_PATH", err)
	}
}
