package openvidu_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/openvidu"
)

// The REST server has no browser here: participants join and publish
// through the service layer, exactly where the signaling door would call it.

// inbox records what the server notifies a participant of.
type inbox struct {
	mu     sync.Mutex
	events []core.Event
}

func (b *inbox) Notify(e core.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events = append(b.events, e)
}

func (b *inbox) signals() []core.SignalSent {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []core.SignalSent
	for _, e := range b.events {
		if s, ok := e.(core.SignalSent); ok {
			out = append(out, s)
		}
	}
	return out
}

type participant struct {
	conn   *openvidu.Connection
	inbox  *inbox
	stream string // published stream id, if any
}

func join(t *testing.T, srv *testkit.Server, conn *openvidu.Connection, clientData, platform string) *participant {
	t.Helper()
	p := &participant{conn: conn, inbox: &inbox{}}
	_, err := srv.Service().Join(core.JoinRequest{Token: conn.Token, ClientData: clientData, Platform: platform, IP: "192.0.2.10", Notifier: p.inbox})
	if err != nil {
		t.Fatalf("join %s: %v", conn.ID, err)
	}
	return p
}

func (p *participant) publish(t *testing.T, srv *testkit.Server, media core.MediaOptions) {
	t.Helper()
	svc := srv.Service()
	st, err := svc.BeginPublish(p.conn.SessionID, p.conn.ID, media)
	if err != nil {
		t.Fatalf("publish %s: %v", p.conn.ID, err)
	}
	if _, err := svc.CompletePublish(p.conn.SessionID, p.conn.ID, st.ID); err != nil {
		t.Fatalf("publish %s: %v", p.conn.ID, err)
	}
	p.stream = st.ID
}

func (p *participant) subscribe(t *testing.T, srv *testkit.Server, streamID string) {
	t.Helper()
	if err := srv.Service().Subscribe(p.conn.SessionID, p.conn.ID, streamID); err != nil {
		t.Fatalf("subscribe %s to %s: %v", p.conn.ID, streamID, err)
	}
}

var camera = core.MediaOptions{
	HasAudio: true, AudioActive: true, HasVideo: true, VideoActive: true,
	TypeOfVideo: core.VideoCamera, FrameRate: 30, VideoDimensions: `{"width":640,"height":480}`,
}

// liveSession has alice publishing a camera, bob subscribed to it, and carol pending.
func liveSession(t *testing.T) (*openvidu.Client, *testkit.Server, *openvidu.Session, *participant, *participant, *openvidu.Connection) {
	t.Helper()
	ov, srv := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{CustomSessionID: "live"})
	conns := map[string]*openvidu.Connection{}
	for name, role := range map[string]openvidu.Role{"alice": openvidu.RolePublisher, "bob": openvidu.RoleSubscriber, "carol": openvidu.RoleModerator} {
		c, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{Role: role, Data: name})
		if err != nil {
			t.Fatal(err)
		}
		conns[name] = c
	}
	alice := join(t, srv, conns["alice"], `{"nick":"Alice"}`, "Chrome 126 on Linux")
	bob := join(t, srv, conns["bob"], `{"nick":"Bob"}`, "Firefox 127 on Linux")
	alice.publish(t, srv, camera)
	bob.subscribe(t, srv, alice.stream)
	return ov, srv, s, alice, bob, conns["carol"]
}

func TestActiveConnections(t *testing.T) {
	ov, _, s, alice, bob, carol := liveSession(t)
	ctx := testContext(t)
	if _, err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.Connections) != 3 || len(s.ActiveConnections()) != 2 {
		t.Fatalf("connections: %d, active %d", len(s.Connections), len(s.ActiveConnections()))
	}
	byID := map[string]*openvidu.Connection{}
	for _, c := range s.Connections {
		byID[c.ID] = c
	}

	a := byID[alice.conn.ID]
	if a.Status != openvidu.ConnectionActive || a.ActiveAt.IsZero() || a.ActiveAt.Before(a.CreatedAt) ||
		a.Location != "unknown" || a.IP != "192.0.2.10" || a.Platform != "Chrome 126 on Linux" ||
		a.ClientData != `{"nick":"Alice"}` || a.ServerData != "alice" || a.Token != alice.conn.Token {
		t.Errorf("alice = %+v", a)
	}
	if len(a.Publishers) != 1 || len(a.Subscribers) != 0 {
		t.Fatalf("alice publishers/subscribers = %+v / %+v", a.Publishers, a.Subscribers)
	}
	pub := a.Publishers[0]
	if pub.StreamID != alice.stream || pub.CreatedAt.Before(a.ActiveAt) || pub.WebRTC != nil {
		t.Errorf("alice publisher = %+v", pub)
	}
	assertEqual(t, "mediaOptions", pub.MediaOptions, openvidu.MediaOptions{
		HasAudio: true, AudioActive: true, HasVideo: true, VideoActive: true,
		TypeOfVideo: openvidu.TypeOfVideoCamera, FrameRate: 30,
		VideoDimensions: openvidu.VideoDimensions{Width: 640, Height: 480},
		Filter:          []byte(`{}`),
	})

	b := byID[bob.conn.ID]
	if b.Role != openvidu.RoleSubscriber || len(b.Publishers) != 0 || len(b.Subscribers) != 1 || b.Subscribers[0].StreamID != alice.stream {
		t.Errorf("bob = %+v", b)
	}
	if c := byID[carol.ID]; c.Status != openvidu.ConnectionPending || c.Publishers != nil || c.Subscribers != nil {
		t.Errorf("carol = %+v", c)
	}

	// Active connections are value-stable between reads (node's change detection).
	for i := range 2 {
		if changed, err := s.Fetch(ctx); err != nil || changed {
			t.Errorf("Fetch #%d = %v, %v; want unchanged", i, changed, err)
		}
	}

	withStats, err := ov.Session(ctx, s.ID, openvidu.WithWebRTCStats())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range withStats.ActiveConnections() {
		for _, p := range c.Publishers {
			if p.WebRTC == nil || p.WebRTC.WebRTCEndpointName == "" || p.WebRTC.Events == nil {
				t.Errorf("%s publisher stats = %+v", c.ID, p.WebRTC)
			}
		}
		for _, sub := range c.Subscribers {
			if sub.WebRTC == nil || sub.WebRTC.WebRTCEndpointName == "" {
				t.Errorf("%s subscriber stats = %+v", c.ID, sub.WebRTC)
			}
		}
	}

	list, err := ov.Sessions(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("Sessions = %v, %v", list, err)
	}
	assertEqual(t, "Sessions()[0]", list[0], s)
}

func TestSignalToParticipants(t *testing.T) {
	ov, _, s, alice, bob, carol := liveSession(t)
	ctx := testContext(t)

	if err := ov.Signal(ctx, openvidu.SignalOptions{Session: s.ID, Type: "signal:chat", Data: "to all"}); err != nil {
		t.Fatalf("Signal to all: %v", err)
	}
	if err := ov.Signal(ctx, openvidu.SignalOptions{Session: s.ID, To: []string{bob.conn.ID}, Type: "signal:private", Data: "to bob"}); err != nil {
		t.Fatalf("Signal to bob: %v", err)
	}
	// All or nothing: a pending or unknown recipient fails the whole signal.
	for _, to := range [][]string{{bob.conn.ID, carol.ID}, {"con_Unknown000"}} {
		err := ov.Signal(ctx, openvidu.SignalOptions{Session: s.ID, To: to, Data: "never"})
		wantStatus(t, err, http.StatusNotAcceptable, openvidu.ErrNotAcceptable)
	}

	testkit.Eventually(t, 5*time.Second, "signals delivered", func() bool {
		return len(alice.inbox.signals()) == 1 && len(bob.inbox.signals()) == 2
	})
	got := bob.inbox.signals()
	if got[0].From != "" || got[0].Type != "signal:chat" || got[0].Data != "to all" ||
		got[1].Type != "signal:private" || got[1].Data != "to bob" || len(got[1].To) != 1 || got[1].To[0] != bob.conn.ID {
		t.Errorf("bob's signals = %+v", got)
	}
}

func TestForceUnpublishAndDisconnectActive(t *testing.T) {
	ov, _, s, alice, bob, carol := liveSession(t)
	ctx := testContext(t)

	if err := ov.ForceUnpublish(ctx, s.ID, alice.stream); err != nil {
		t.Fatalf("ForceUnpublish: %v", err)
	}
	wantStatus(t, ov.ForceUnpublish(ctx, s.ID, alice.stream), http.StatusNotFound, openvidu.ErrNotFound)
	a, err := ov.Connection(ctx, s.ID, alice.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ov.Connection(ctx, s.ID, bob.conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Publishers) != 0 || len(b.Subscribers) != 0 || a.Publishers == nil {
		t.Errorf("after ForceUnpublish: alice publishers %v, bob subscribers %v", a.Publishers, b.Subscribers)
	}

	// An active connection can be updated too.
	upd, err := ov.UpdateConnection(ctx, s.ID, bob.conn.ID, openvidu.ConnectionPatch{Role: openvidu.RolePublisher, Record: openvidu.Bool(false)})
	if err != nil || upd.Role != openvidu.RolePublisher || upd.Record || upd.Status != openvidu.ConnectionActive {
		t.Errorf("UpdateConnection(active) = %+v, %v", upd, err)
	}

	if err := ov.ForceDisconnect(ctx, s.ID, bob.conn.ID); err != nil {
		t.Fatalf("ForceDisconnect(bob): %v", err)
	}
	if err := ov.ForceDisconnect(ctx, s.ID, carol.ID); err != nil {
		t.Fatalf("ForceDisconnect(carol, pending): %v", err)
	}
	list, err := ov.Connections(ctx, s.ID)
	if err != nil || len(list) != 1 || list[0].ID != alice.conn.ID {
		t.Fatalf("Connections after disconnects = %+v, %v", list, err)
	}

	// Evicting the last participant closes the session (spec §10 pitfall 21).
	if err := ov.ForceDisconnect(ctx, s.ID, alice.conn.ID); err != nil {
		t.Fatalf("ForceDisconnect(alice): %v", err)
	}
	_, err = ov.Session(ctx, s.ID)
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
}
