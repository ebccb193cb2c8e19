package compat

import (
	"sync"
	"testing"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/testkit"
)

// Without a browser, participants join and publish through the service
// layer, where the signaling door would call it. The node script then sees a
// session with real active connections, publishers and subscribers.

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

// liveSession is what the node script's "active participants" test expects:
// alice (PUBLISHER) publishes a camera and bob (SUBSCRIBER) receives it.
type liveSession struct {
	sessionID, publisherID, subscriberID, streamID string
	publisher, subscriber                          *inbox
}

func (l *liveSession) env() []string {
	return []string{
		"GOVIDU_LIVE_SESSION=" + l.sessionID,
		"GOVIDU_LIVE_PUBLISHER=" + l.publisherID,
		"GOVIDU_LIVE_SUBSCRIBER=" + l.subscriberID,
		"GOVIDU_LIVE_STREAM=" + l.streamID,
	}
}

func stageLiveSession(t *testing.T, srv *testkit.Server) *liveSession {
	t.Helper()
	svc := srv.Service()
	props := svc.NewSessionProperties()
	props.CustomSessionID = "compat-live"
	s, err := svc.CreateSession(props)
	if err != nil {
		t.Fatal(err)
	}
	l := &liveSession{sessionID: s.ID, publisher: &inbox{}, subscriber: &inbox{}}
	enter := func(role core.Role, data, clientData, platform string, box *inbox) string {
		p := core.DefaultConnectionProperties()
		p.Role, p.Data = role, data
		c, err := svc.CreateConnection(s.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Join(core.JoinRequest{Token: c.Token, ClientData: clientData, Platform: platform, IP: "192.0.2.10", Notifier: box}); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	l.publisherID = enter(core.RolePublisher, "alice", `{"nick":"Alice"}`, "Chrome 126 on Linux", l.publisher)
	l.subscriberID = enter(core.RoleSubscriber, "bob", `{"nick":"Bob"}`, "Firefox 127 on Linux", l.subscriber)
	st, err := svc.BeginPublish(s.ID, l.publisherID, core.MediaOptions{
		HasAudio: true, AudioActive: true, HasVideo: true, VideoActive: true,
		TypeOfVideo: core.VideoCamera, FrameRate: 30, VideoDimensions: `{"width":640,"height":480}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CompletePublish(s.ID, l.publisherID, st.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Subscribe(s.ID, l.subscriberID, st.ID); err != nil {
		t.Fatal(err)
	}
	l.streamID = st.ID
	return l
}

// checkSignals verifies that the signals the node script sent reached the
// participants: one to everybody, one to bob only.
func (l *liveSession) checkSignals(t *testing.T) {
	t.Helper()
	alice, bob := l.publisher.signals(), l.subscriber.signals()
	if len(alice) != 1 || alice[0].Type != "signal:compat" || alice[0].Data != "to everybody" || alice[0].From != "" {
		t.Errorf("alice received signals %+v, want one signal:compat \"to everybody\" from the server", alice)
	}
	if len(bob) != 2 || bob[0].Data != "to everybody" || bob[1].Data != "to bob" || len(bob[1].To) != 1 || bob[1].To[0] != l.subscriberID {
		t.Errorf("bob received signals %+v, want \"to everybody\" then \"to bob\"", bob)
	}
}
