package metrics_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/metrics"
	"github.com/govidu/govidu/internal/testkit"
)

// scrape returns the value of one series in the registry's text output.
func scrape(t *testing.T, h http.Handler, series string) float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return valueOf(t, rec.Body.String(), series)
}

func valueOf(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("series %s not exported", series)
	return 0
}

// The session gauges follow a call through the real service and come back to zero.
func TestGaugesFollowCoreEvents(t *testing.T) {
	r := metrics.New()
	h := r.Handler()
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443", Logger: slog.New(slog.DiscardHandler)})
	defer svc.Close(context.Background())
	svc.AddListener(r)
	gauges := func() [4]float64 {
		return [4]float64{
			scrape(t, h, "govidu_sessions"), scrape(t, h, "govidu_connections"),
			scrape(t, h, "govidu_publishers"), scrape(t, h, "govidu_subscribers"),
		}
	}
	check := func(step string, want [4]float64) {
		t.Helper()
		if got := gauges(); got != want {
			t.Errorf("%s: sessions/connections/publishers/subscribers = %v, want %v", step, got, want)
		}
	}
	check("start", [4]float64{})
	s, _ := svc.CreateSession(svc.NewSessionProperties())
	check("created", [4]float64{1, 0, 0, 0})
	var conns []core.ConnectionView
	for range 3 {
		c, _ := svc.CreateConnection(s.ID, core.ConnectionProperties{})
		if _, err := svc.Join(core.JoinRequest{Token: c.Token}); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	check("joined", [4]float64{1, 3, 0, 0})
	st, _ := svc.BeginPublish(s.ID, conns[0].ID, core.MediaOptions{HasAudio: true})
	check("negotiating", [4]float64{1, 3, 0, 0})
	svc.CompletePublish(s.ID, conns[0].ID, st.ID)
	svc.Subscribe(s.ID, conns[1].ID, st.ID)
	svc.Subscribe(s.ID, conns[2].ID, st.ID)
	check("publishing", [4]float64{1, 3, 1, 2})
	svc.Unsubscribe(s.ID, conns[2].ID, conns[0].ID)
	check("unsubscribed", [4]float64{1, 3, 1, 1})
	svc.Leave(s.ID, conns[0].ID, core.ReasonDisconnect) // takes its stream and B's subscription along
	check("publisher left", [4]float64{1, 2, 0, 0})
	svc.CloseSession(s.ID, core.ReasonSessionClosedByServer)
	check("closed", [4]float64{0, 0, 0, 0})
	if v := scrape(t, h, "govidu_sessions_created_total"); v != 1 {
		t.Errorf("sessions created %v", v)
	}
	if v := scrape(t, h, "govidu_participants_joined_total"); v != 3 {
		t.Errorf("participants joined %v", v)
	}
}

// The media hot path may increment counters per packet: no allocation.
func TestCountersDoNotAllocate(t *testing.T) {
	r := metrics.New()
	allocs := testing.AllocsPerRun(1000, func() {
		r.PacketsReceived.Inc()
		r.BytesReceived.Add(1200)
		r.PacketsForwarded.Inc()
		r.BytesForwarded.Add(1187)
		r.NACKs.Inc()
		r.PLIs.Inc()
		r.PacketsLost.Add(2)
		r.Jitter.Observe(0.004)
		r.RTT.Observe(0.030)
		r.Recordings.Inc()
		r.Recordings.Dec()
	})
	if allocs != 0 {
		t.Errorf("%v allocations per packet", allocs)
	}
	h := r.Handler()
	for series, want := range map[string]float64{
		"govidu_rtp_packets_received_total":                            1001,
		"govidu_rtp_bytes_forwarded_total":                             1001 * 1187,
		"govidu_rtp_packets_lost_total":                                2002,
		"govidu_rtcp_nacks_total":                                      1001,
		"govidu_rtcp_plis_total":                                       1001,
		"govidu_rtp_jitter_seconds_count":                              1001,
		"govidu_rtt_seconds_count":                                     1001,
		"govidu_recordings":                                            0,
		`govidu_webhook_events_total{result="dropped",sink="webhook"}`: 0,
	} {
		if got := scrape(t, h, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

// Code under test may hold nil metrics.
func TestNilMetricsAreNoOps(t *testing.T) {
	var c *metrics.Counter
	var g *metrics.Gauge
	var h *metrics.Histogram
	c.Inc()
	c.Add(3)
	g.Inc()
	g.Dec()
	g.Set(2)
	h.Observe(1)
}

func TestWebhookObserverAndRuntimeCollectors(t *testing.T) {
	r := metrics.New()
	r.WebhookDelivered("webhook")
	r.WebhookDelivered("webhook")
	r.WebhookFailed("webhook")
	r.WebhookDropped("cdr")
	r.WebhookRetried("webhook")
	r.WebhookDelivered("other") // unknown sinks work too
	queued := 7
	r.WebhookQueue("webhook", func() int { return queued })
	h := r.Handler()
	for series, want := range map[string]float64{
		`govidu_webhook_events_total{result="delivered",sink="webhook"}`: 2,
		`govidu_webhook_events_total{result="failed",sink="webhook"}`:    1,
		`govidu_webhook_events_total{result="dropped",sink="cdr"}`:       1,
		`govidu_webhook_events_total{result="delivered",sink="other"}`:   1,
		`govidu_webhook_retries_total{sink="webhook"}`:                   1,
		`govidu_webhook_queue_length{sink="webhook"}`:                    7,
	} {
		if got := scrape(t, h, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if g := scrape(t, h, "go_goroutines"); g < 1 {
		t.Errorf("go_goroutines %v", g)
	}
}

// /metrics on a real server: protected like the REST API, values move with sessions.
func TestServerMetricsEndpoint(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	r := srv.DoAuth(t, "GET", "/metrics", nil, "", "", nil)
	if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Basic realm="Realm"` {
		t.Fatalf("/metrics without credentials: %d %q", r.Status, r.Header.Get("WWW-Authenticate"))
	}
	if r := srv.DoAuth(t, "GET", "/metrics", nil, "OPENVIDUAPP", "nope", nil); r.Status != 401 {
		t.Fatalf("/metrics with a wrong secret: %d", r.Status)
	}
	value := func(series string) float64 {
		r := srv.Do(t, "GET", "/metrics", nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("/metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
		}
		return valueOf(t, string(r.Body), series)
	}
	if v := value("govidu_sessions"); v != 0 {
		t.Fatalf("sessions at start: %v", v)
	}
	for _, id := range []string{"m1", "m2"} {
		if r := srv.Do(t, "POST", "/openvidu/api/sessions", `{"customSessionId":"`+id+`"}`); r.Status != 200 {
			t.Fatalf("create: %d", r.Status)
		}
	}
	if v := value("govidu_sessions"); v != 2 {
		t.Fatalf("sessions after two creates: %v", v)
	}
	c := srv.Do(t, "POST", "/openvidu/api/sessions/m1/connection", `{}`)
	var tok struct{ Token string }
	if err := json.Unmarshal(c.Body, &tok); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Service().Join(core.JoinRequest{Token: tok.Token}); err != nil {
		t.Fatal(err)
	}
	if v := value("govidu_connections"); v != 1 {
		t.Fatalf("connections after a join: %v", v)
	}
	for _, id := range []string{"m1", "m2"} {
		if r := srv.Do(t, "DELETE", "/openvidu/api/sessions/"+id, nil); r.Status != 204 {
			t.Fatalf("delete: %d", r.Status)
		}
	}
	testkit.Eventually(t, 2*time.Second, "gauges back to zero", func() bool {
		return value("govidu_sessions") == 0 && value("govidu_connections") == 0
	})
}

func TestServerMetricsPublic(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"GOVIDU_METRICS_PUBLIC": "true"}})
	if r := srv.DoAuth(t, "GET", "/metrics", nil, "", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "govidu_sessions 0") {
		t.Fatalf("public /metrics: %d", r.Status)
	}
	// The REST API stays protected.
	if r := srv.DoAuth(t, "GET", "/openvidu/api/sessions", nil, "", "", nil); r.Status != 401 {
		t.Fatalf("REST without credentials: %d", r.Status)
	}
}
