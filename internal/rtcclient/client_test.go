package rtcclient

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/testkit"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// startServer runs govidu on loopback with its embedded TURN on an
// ephemeral port.
func startServer(t *testing.T) *testkit.Server {
	t.Helper()
	return testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0"}})
}

func newTestAPI(t *testing.T) *API {
	t.Helper()
	api, err := NewAPI(APIOptions{LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = api.Close() }) // after the clients' cleanups (LIFO)
	return api
}

// join gets a token and joins session sid.
func join(t *testing.T, ctx context.Context, srv *testkit.Server, hc *http.Client, api *API, sid string, mutate ...func(*Options)) *Client {
	t.Helper()
	token, err := GetToken(ctx, hc, srv.URL, srv.Secret, TokenRequest{SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{API: api, HTTPClient: hc}
	for _, m := range mutate {
		m(&opts)
	}
	c, err := Join(ctx, token, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func testHTTPClient(t *testing.T) *http.Client {
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	return hc
}

// waitEvent reads events until one matches.
func waitEvent(t *testing.T, ctx context.Context, c *Client, match func(Event) bool) Event {
	t.Helper()
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatal("events closed")
			}
			if match(ev) {
				return ev
			}
		case <-ctx.Done():
			t.Fatalf("waiting for an event: %v", ctx.Err())
		}
	}
}

// A publisher and two subscribers: both receive video that starts on a
// decodable keyframe, and audio, with the send-time trailer intact.
func TestPublishTwoSubscribers(t *testing.T) {
	srv := startServer(t)
	hc := testHTTPClient(t)
	api := newTestAPI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	pubC := join(t, ctx, srv, hc, api, "rtc_two")
	pub, err := pubC.Publish(ctx, PublishOptions{Audio: true, Video: true, Fixture: VideoFixtures()[0]})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub.StreamID(), "str_CAM_") {
		t.Errorf("stream id %q", pub.StreamID())
	}

	var subs []*Subscription
	for i := 0; i < 2; i++ {
		c := join(t, ctx, srv, hc, api, "rtc_two")
		j := c.Joined()
		if len(j.Participants) != 1+i {
			t.Fatalf("joinRoom value: %+v", j.Participants)
		}
		var st Stream
		for _, p := range j.Participants {
			if len(p.Streams) == 1 {
				st = p.Streams[0]
			}
		}
		if st.ID != pub.StreamID() || st.ConnectionID != pubC.ConnectionID() || !st.HasAudio || !st.HasVideo {
			t.Fatalf("stream %+v", st)
		}
		s, err := c.Subscribe(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	for i, s := range subs {
		if err := s.WaitKeyframe(ctx); err != nil {
			t.Fatalf("subscriber %d: %v", i, err)
		}
	}
	// Let a few frames and audio packets through.
	testkit.Eventually(t, 10*time.Second, "media on both subscribers", func() bool {
		for _, s := range subs {
			st := s.Stats()
			if st.Audio == nil || st.Audio.Packets < 25 || st.Video == nil || st.Video.Latency.Count() < 10 {
				return false
			}
		}
		return true
	})
	for i, s := range subs {
		st := s.Stats()
		v, a := st.Video, st.Audio
		t.Logf("subscriber %d: video %d pkts, lost %d, jitter %v, first packet %v, keyframe %v (%dx%d), latency p50 %v max %v; audio %d pkts, latency p50 %v",
			i, v.Packets, v.Lost, v.Jitter, v.FirstPacket, v.FirstKeyframe, v.Width, v.Height, v.Latency.Quantile(0.5), v.Latency.Max(),
			a.Packets, a.Latency.Quantile(0.5))
		if v.FirstKeyframe <= 0 || v.FirstKeyframe < v.FirstPacket || v.Width != 320 || v.Height != 240 {
			t.Errorf("subscriber %d: keyframe %v after first packet %v, %dx%d", i, v.FirstKeyframe, v.FirstPacket, v.Width, v.Height)
		}
		if v.MissingTrailers != 0 || a.MissingTrailers != 0 {
			t.Errorf("subscriber %d: trailers missing: video %d audio %d", i, v.MissingTrailers, a.MissingTrailers)
		}
		if v.DecodeErrors != 0 {
			t.Errorf("subscriber %d: %d decode errors (the first packet forwarded must start a keyframe)", i, v.DecodeErrors)
		}
		if lat := v.Latency.Quantile(0.5); lat <= 0 || lat > time.Second {
			t.Errorf("subscriber %d: latency %v", i, lat)
		}
	}
	if ps := pub.Stats(); ps.PacketsSent == 0 || ps.FramesSent == 0 {
		t.Errorf("publisher stats %+v", ps)
	}
}

// Relay only: publisher and subscriber both use nothing but relay
// candidates of the embedded TURN, whose credentials come in joinRoom's
// customIceServers, and media still flows.
func TestRelayOnly(t *testing.T) {
	srv := startServer(t)
	hc := testHTTPClient(t)
	api := newTestAPI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	relay := func(o *Options) { o.ICETransportPolicy = webrtc.ICETransportPolicyRelay }

	pubC := join(t, ctx, srv, hc, api, "rtc_relay", relay)
	if len(pubC.Joined().IceServers) == 0 {
		t.Fatal("joinRoom has no customIceServers")
	}
	for _, s := range pubC.Joined().IceServers {
		if !strings.HasPrefix(s.URLs[0], "turn") || s.Username == "" || s.Credential == nil {
			t.Errorf("ICE server %+v", s)
		}
	}
	pub, err := pubC.Publish(ctx, PublishOptions{Audio: true, Video: true, Fixture: VideoFixtures()[0]})
	if err != nil {
		t.Fatal(err)
	}
	subC := join(t, ctx, srv, hc, api, "rtc_relay", relay)
	sub, err := subC.Subscribe(ctx, subC.Joined().Participants[0].Streams[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sub.WaitKeyframe(ctx); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 10*time.Second, "audio through the relay", func() bool {
		st := sub.Stats()
		return st.Audio != nil && st.Audio.Packets >= 10
	})
	for name, pair := range map[string]*webrtc.ICECandidatePair{
		"publisher": pub.SelectedCandidatePair(), "subscriber": sub.SelectedCandidatePair(),
	} {
		if pair == nil || pair.Local == nil {
			t.Fatalf("%s: no selected pair", name)
		}
		if pair.Local.Typ != webrtc.ICECandidateTypeRelay {
			t.Errorf("%s: selected local candidate is %s, want relay: %s", name, pair.Local.Typ, pair.Local)
		}
		t.Logf("%s: %s", name, pair)
	}
}

// Notifications: joined, published, signals, unpublished, left; the
// subscription to an unpublished stream is released.
func TestEventsAndLeave(t *testing.T) {
	srv := startServer(t)
	hc := testHTTPClient(t)
	api := newTestAPI(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	a := join(t, ctx, srv, hc, api, "rtc_events")
	b := join(t, ctx, srv, hc, api, "rtc_events")
	waitEvent(t, ctx, a, func(e Event) bool { return e.Method == "participantJoined" && e.ConnectionID == b.ConnectionID() })

	pub, err := a.Publish(ctx, PublishOptions{Audio: true})
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, ctx, b, func(e Event) bool { return e.Method == "participantPublished" })
	if ev.ConnectionID != a.ConnectionID() || len(ev.Participant.Streams) != 1 || ev.Participant.Streams[0].ID != pub.StreamID() ||
		ev.Participant.Streams[0].HasVideo {
		t.Fatalf("participantPublished %+v", ev.Participant)
	}
	sub, err := b.Subscribe(ctx, ev.Participant.Streams[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.WaitKeyframe(ctx); err != nil { // audio-only: the first packet
		t.Fatal(err)
	}

	if err := b.SendSignal(ctx, nil, "chat", "hello"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Client{a, b} { // a broadcast reaches the sender too
		ev := waitEvent(t, ctx, c, func(e Event) bool { return e.Method == "sendMessage" })
		if ev.Signal.From != b.ConnectionID() || ev.Signal.Type != "signal:chat" || ev.Signal.Data != "hello" {
			t.Errorf("signal %+v", ev.Signal)
		}
	}

	if err := pub.Unpublish(ctx); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ctx, b, func(e Event) bool { return e.Method == "participantUnpublished" && e.ConnectionID == a.ConnectionID() })
	testkit.Eventually(t, 5*time.Second, "subscription released", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return len(b.subs) == 0
	})
	if err := a.Leave(ctx); err != nil {
		t.Fatal(err)
	}
	ev = waitEvent(t, ctx, b, func(e Event) bool { return e.Method == "participantLeft" })
	if ev.ConnectionID != a.ConnectionID() || ev.Reason != "disconnect" {
		t.Errorf("participantLeft %+v", ev)
	}
	if b.PingFailures() != 0 {
		t.Errorf("%d ping failures", b.PingFailures())
	}
}
