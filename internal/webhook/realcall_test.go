package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/rtcclient"
	"github.com/govidu/govidu/internal/testkit"
)

// A real call: two Pion peers speaking the JSON-RPC protocol over the
// WebSocket, with media through the SFU. The webhook receiver gets
// upstream's sequence for it, the CDR logs the same, and /metrics moves
// while media flows (packets in, packets out, publishers, subscribers)
// and comes back to zero when the call ends.
func TestRealCallWebhooksCDRAndMetrics(t *testing.T) {
	rcv := newReceiver(t)
	cdrDir := filepath.Join(t.TempDir(), "cdr")
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_WEBHOOK":          "true",
		"OPENVIDU_WEBHOOK_ENDPOINT": rcv.URL(),
		"OPENVIDU_CDR":              "true",
		"OPENVIDU_CDR_PATH":         cdrDir,
		"COTURN_PORT":               "0",
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	api, err := rtcclient.NewAPI(rtcclient.APIOptions{LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Close() })
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)

	metric := func(series string) float64 { return metricValue(t, srv, series) }
	in0, out0 := metric("govidu_rtp_packets_received_total"), metric("govidu_rtp_packets_forwarded_total")

	s := restJSON(t, srv, "POST", "/openvidu/api/sessions", `{"customSessionId":"real"}`)
	createdAt := num(t, s, "createdAt")
	join := func(data string) *rtcclient.Client {
		t.Helper()
		c := restJSON(t, srv, "POST", "/openvidu/api/sessions/real/connection", `{"data":"`+data+`","role":"PUBLISHER"}`)
		cl, err := rtcclient.Join(ctx, c["token"].(string), rtcclient.Options{API: api, HTTPClient: hc, Metadata: `{"clientData":"` + data + `"}`})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cl.Close)
		return cl
	}
	ana := join("ana")
	pub, err := ana.Publish(ctx, rtcclient.PublishOptions{Audio: true, Video: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	bo := join("bo")
	var st rtcclient.Stream
	for _, p := range bo.Joined().Participants {
		if p.ID == ana.ConnectionID() && len(p.Streams) == 1 {
			st = p.Streams[0]
		}
	}
	if st.ID != pub.StreamID() {
		t.Fatalf("bo does not see ana's stream: %+v", bo.Joined().Participants)
	}
	sub, err := bo.Subscribe(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.WaitKeyframe(ctx); err != nil {
		t.Fatal(err)
	}
	// Media flows: the counters move and the gauges show the call.
	testkit.Eventually(t, 15*time.Second, "packet counters moving", func() bool {
		return metric("govidu_rtp_packets_received_total") > in0+100 && metric("govidu_rtp_packets_forwarded_total") > out0+100
	})
	for series, want := range map[string]float64{"govidu_sessions": 1, "govidu_connections": 2, "govidu_publishers": 1, "govidu_subscribers": 1} {
		if got := metric(series); got != want {
			t.Errorf("during the call %s = %v, want %v", series, got, want)
		}
	}
	if metric("govidu_rtp_bytes_forwarded_total") <= 0 {
		t.Error("no bytes forwarded counted")
	}
	if err := bo.SendSignal(ctx, nil, "chat", "hi all"); err != nil {
		t.Fatal(err)
	}
	if err := sub.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pub.Unpublish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bo.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ana.Leave(ctx); err != nil {
		t.Fatal(err)
	}

	a, b := ana.ConnectionID(), bo.ConnectionID()
	type expect struct {
		event  string
		fields map[string]any
	}
	outbound := map[string]any{"streamId": st.ID, "connectionId": a, "connection": "OUTBOUND", "videoSource": "CAMERA", "audioEnabled": true, "videoEnabled": true}
	inbound := map[string]any{"streamId": st.ID, "connectionId": b, "connection": "INBOUND", "receivingFrom": a}
	want := []expect{
		{"sessionCreated", map[string]any{"timestamp": json.Number(strconv.FormatInt(createdAt, 10))}},
		{"participantJoined", map[string]any{"connectionId": a, "serverData": "ana", "clientData": `{"clientData":"ana"}`, "ip": "127.0.0.1"}},
		{"webrtcConnectionCreated", outbound},
		{"participantJoined", map[string]any{"connectionId": b, "serverData": "bo"}},
		{"webrtcConnectionCreated", inbound},
		{"signalSent", map[string]any{"from": b, "to": []any{a, b}, "type": "chat", "data": "hi all"}},
		{"webrtcConnectionDestroyed", map[string]any{"connectionId": b, "connection": "INBOUND", "reason": "unsubscribe"}},
		{"webrtcConnectionDestroyed", map[string]any{"connectionId": a, "connection": "OUTBOUND", "reason": "unpublish"}},
		{"participantLeft", map[string]any{"connectionId": b, "reason": "disconnect"}},
		{"participantLeft", map[string]any{"connectionId": a, "reason": "disconnect"}},
		{"sessionDestroyed", map[string]any{"reason": "lastParticipantLeft"}},
	}
	testkit.Eventually(t, 10*time.Second, "every webhook", func() bool { return len(rcv.got()) >= len(want) })
	got := rcv.got()
	if len(got) != len(want) {
		t.Fatalf("%d webhooks, want %d: %v", len(got), len(want), names(t, got))
	}
	for i, w := range want {
		m := decode(t, got[i].body)
		if m["event"] != w.event {
			t.Fatalf("webhook %d is %v, want %s; all: %v", i, m["event"], w.event, names(t, got))
		}
		if m["sessionId"] != "real" || m["uniqueSessionId"] != "real_"+strconv.FormatInt(createdAt, 10) {
			t.Errorf("%s: session %v %v", w.event, m["sessionId"], m["uniqueSessionId"])
		}
		for key, v := range w.fields {
			if !reflect.DeepEqual(m[key], v) {
				t.Errorf("%s: %s = %#v, want %#v", w.event, key, m[key], v)
			}
		}
	}
	// The CDR logs the same events in the same order.
	var cdr []byte
	testkit.Eventually(t, 5*time.Second, "the CDR lines", func() bool {
		files, _ := filepath.Glob(filepath.Join(cdrDir, "CDR.*"))
		if len(files) != 1 {
			return false
		}
		cdr, _ = os.ReadFile(files[0])
		return strings.Count(string(cdr), "\n") >= len(want)
	})
	lines := strings.Split(strings.TrimSuffix(string(cdr), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d CDR lines, want %d:\n%s", len(lines), len(want), cdr)
	}
	for i, line := range lines {
		if !strings.HasPrefix(line, `{"`+want[i].event+`":`) {
			t.Errorf("CDR line %d is not %s: %s", i, want[i].event, line)
		}
	}
	// The gauges come back to zero; the counters keep what was counted.
	testkit.Eventually(t, 5*time.Second, "gauges back to zero", func() bool {
		return metric("govidu_sessions") == 0 && metric("govidu_connections") == 0 &&
			metric("govidu_publishers") == 0 && metric("govidu_subscribers") == 0
	})
}
