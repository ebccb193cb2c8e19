package core

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a Notifier/Listener that keeps what it got.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Notify(e Event)  { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() }
func (r *recorder) OnEvent(e Event) { r.Notify(e) }

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		n := fmt.Sprintf("%T", e)
		switch ev := e.(type) {
		case ParticipantLeft:
			n += ":" + string(ev.Reason)
		case ParticipantEvicted:
			n += ":" + string(ev.Reason)
		case SessionDestroyed:
			n += ":" + string(ev.Reason)
		case StreamUnpublished:
			n += ":" + string(ev.Reason)
		case StreamUnsubscribed:
			n += ":" + string(ev.Reason)
		}
		out = append(out, n[len("core."):])
	}
	return out
}

func equal(t *testing.T, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("\n got %v\nwant %v", got, want)
	}
}

func newTestService(t *testing.T, opts Options) *Service {
	if opts.TokenURL == "" {
		opts.TokenURL = "ws://localhost:4443"
	}
	svc := NewService(opts)
	t.Cleanup(func() { _ = svc.Close(t.Context()) })
	return svc
}

func mustSession(t *testing.T, svc *Service, id string) SessionView {
	t.Helper()
	p := svc.NewSessionProperties()
	p.CustomSessionID = id
	v, err := svc.CreateSession(p)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustJoin(t *testing.T, svc *Service, sid string, role Role, n Notifier) JoinResult {
	t.Helper()
	p := DefaultConnectionProperties()
	p.Role = role
	c, err := svc.CreateConnection(sid, p)
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Join(JoinRequest{Token: c.Token, Notifier: n})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func mustPublish(t *testing.T, svc *Service, sid, cid string) StreamView {
	t.Helper()
	st, err := svc.BeginPublish(sid, cid, MediaOptions{HasAudio: true, HasVideo: true, AudioActive: true, VideoActive: true, FrameRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CompletePublish(sid, cid, st.ID); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestIDFormats(t *testing.T) {
	cases := map[string]struct {
		id string
		re string
	}{
		"session":    {newSessionID(), `^ses_[A-Z][0-9A-Za-z]{9}$`},
		"connection": {newConnectionID(), `^con_[A-Z][0-9A-Za-z]{9}$`},
		"token":      {newTokenValue(), `^tok_[A-Z][0-9A-Za-z]{15}$`},
		"camera":     {newStreamID("con_Abcdefghij", MediaOptions{HasVideo: true, TypeOfVideo: VideoCamera}), `^str_CAM_[A-Z][0-9A-Za-z]{3}_con_Abcdefghij$`},
		"screen":     {newStreamID("con_Abcdefghij", MediaOptions{HasVideo: true, TypeOfVideo: VideoScreen}), `^str_SCR_[A-Z][0-9A-Za-z]{3}_con_Abcdefghij$`},
		"audio only": {newStreamID("con_Abcdefghij", MediaOptions{HasAudio: true}), `^str_MIC_[A-Z][0-9A-Za-z]{3}_con_Abcdefghij$`},
	}
	for name, c := range cases {
		if !regexp.MustCompile(c.re).MatchString(c.id) {
			t.Errorf("%s id %q does not match %s", name, c.id, c.re)
		}
	}
	if got := OwnerOfStreamID("str_CAM_Abcd_con_Xyz123"); got != "con_Xyz123" {
		t.Errorf("owner = %q", got)
	}
}

func TestCustomSessionIDRule(t *testing.T) {
	for id, ok := range map[string]bool{"abc": true, "A-b_9": true, "": false, "a b": false, "a/b": false, "a&b": false, "ñ": false} {
		if ValidCustomSessionID(id) != ok {
			t.Errorf("ValidCustomSessionID(%q) = %v", id, !ok)
		}
	}
}

func TestTokensAreSingleUse(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "s")
	c, err := svc.CreateConnection("s", DefaultConnectionProperties())
	if err != nil {
		t.Fatal(err)
	}
	if want := "ws://localhost:4443?sessionId=s&token=tok_"; c.Token[:len(want)] != want {
		t.Fatalf("token %q", c.Token)
	}
	mustJoin(t, svc, "s", RolePublisher, nil) // keeps the session alive
	if _, err := svc.Join(JoinRequest{Token: c.Token}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Join(JoinRequest{Token: c.Token}); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("second use: %v", err)
	}
	// The session id is taken from the token when joinRoom omits it, and a
	// proxy-rewritten host still matches on the tok_ value.
	c2, _ := svc.CreateConnection("s", DefaultConnectionProperties())
	rewritten := "wss://proxy.example" + c2.Token[len("ws://localhost:4443"):]
	if _, err := svc.Join(JoinRequest{Token: rewritten}); err != nil {
		t.Fatalf("rewritten host: %v", err)
	}
	if _, err := svc.Join(JoinRequest{SessionID: "nope", Token: c2.Token}); !errors.Is(err, ErrSessionNotFound) {
		t.Fatalf("unknown session: %v", err)
	}
}

func TestLifecycleAndEventOrder(t *testing.T) {
	all := &recorder{}
	svc := newTestService(t, Options{})
	svc.AddListener(all)
	mustSession(t, svc, "life")
	a, b := &recorder{}, &recorder{}
	ja := mustJoin(t, svc, "life", RolePublisher, a)
	jb := mustJoin(t, svc, "life", RoleSubscriber, b)
	if len(jb.Existing) != 1 || jb.Existing[0].ID != ja.Connection.ID {
		t.Fatalf("existing = %+v", jb.Existing)
	}
	st := mustPublish(t, svc, "life", ja.Connection.ID)
	if err := svc.Subscribe("life", jb.Connection.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Subscribe("life", jb.Connection.ID, st.ID); !errors.Is(err, ErrAlreadySubscribed) {
		t.Fatalf("double subscribe: %v", err)
	}
	if _, err := svc.BeginPublish("life", jb.Connection.ID, MediaOptions{HasAudio: true}); !errors.Is(err, ErrPermissionDenied) {
		t.Fatalf("subscriber publishing: %v", err)
	}
	if _, err := svc.BeginPublish("life", ja.Connection.ID, MediaOptions{HasAudio: true}); !errors.Is(err, ErrAlreadyPublishing) {
		t.Fatalf("double publish: %v", err)
	}
	if err := svc.Leave("life", jb.Connection.ID, ReasonDisconnect); err != nil {
		t.Fatal(err)
	}
	if err := svc.Leave("life", ja.Connection.ID, ReasonNetworkDisconnect); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Session("life"); !errors.Is(err, ErrSessionNotFound) {
		t.Fatalf("session survives its last participant: %v", err)
	}
	equal(t, all.names(), []string{
		"SessionCreated", "ParticipantJoined", "ParticipantJoined", "StreamPublished", "StreamSubscribed",
		"StreamUnsubscribed:disconnect", "ParticipantLeft:disconnect",
		"StreamUnpublished:networkDisconnect", "ParticipantLeft:networkDisconnect", "SessionDestroyed:lastParticipantLeft",
	})
	// A sees B join and leave; B sees nothing about itself, only A's stream.
	equal(t, a.names(), []string{"ParticipantJoined", "ParticipantLeft:disconnect"})
	equal(t, b.names(), []string{"StreamPublished"})
	// The custom id can be reused after the close, with a new uniqueSessionId.
	v := mustSession(t, svc, "life")
	if v.UniqueID == "" || v.ID != "life" {
		t.Fatalf("recreated: %+v", v)
	}
}

func TestEvictionNotifiesEveryone(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "ev")
	mod, x, y := &recorder{}, &recorder{}, &recorder{}
	jm := mustJoin(t, svc, "ev", RoleModerator, mod)
	jx := mustJoin(t, svc, "ev", RolePublisher, x)
	mustJoin(t, svc, "ev", RolePublisher, y)
	mustPublish(t, svc, "ev", jx.Connection.ID)
	if err := svc.Disconnect("ev", jx.Connection.ID, ReasonForceDisconnectByUser); err != nil {
		t.Fatal(err)
	}
	equal(t, x.names(), []string{"ParticipantJoined", "ParticipantEvicted:forceDisconnectByUser"})
	equal(t, y.names(), []string{"StreamPublished", "ParticipantLeft:forceDisconnectByUser", "ParticipantEvicted:forceDisconnectByUser"})
	// Closing the session evicts the rest with sessionClosedByServer.
	if err := svc.CloseSession("ev", ReasonSessionClosedByServer); err != nil {
		t.Fatal(err)
	}
	names := mod.names()
	if names[len(names)-1] != "ParticipantEvicted:sessionClosedByServer" {
		t.Fatalf("moderator events %v", names)
	}
	if _, err := svc.Connection("ev", jm.Connection.ID); !errors.Is(err, ErrSessionNotFound) {
		t.Fatalf("closed session still answers: %v", err)
	}
}

func TestForceUnpublishTellsTheOwner(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "fu")
	pub, sub := &recorder{}, &recorder{}
	jp := mustJoin(t, svc, "fu", RolePublisher, pub)
	js := mustJoin(t, svc, "fu", RolePublisher, sub)
	st := mustPublish(t, svc, "fu", jp.Connection.ID)
	if err := svc.Subscribe("fu", js.Connection.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.UnpublishStream("fu", st.ID, ReasonForceUnpublishByServer); err != nil {
		t.Fatal(err)
	}
	equal(t, pub.names(), []string{"ParticipantJoined", "StreamUnpublished:forceUnpublishByServer"})
	equal(t, sub.names(), []string{"StreamPublished", "StreamUnpublished:forceUnpublishByServer"})
	if v, _ := svc.Connection("fu", js.Connection.ID); len(v.Subscribers) != 0 {
		t.Fatalf("subscription to an unpublished stream survives: %+v", v.Subscribers)
	}
	// A plain unpublish is not echoed to the owner.
	st2 := mustPublish(t, svc, "fu", jp.Connection.ID)
	if st2.ID == st.ID {
		t.Fatal("republish reused the stream id")
	}
	if err := svc.Unpublish("fu", jp.Connection.ID, ReasonUnpublish); err != nil {
		t.Fatal(err)
	}
	equal(t, pub.names(), []string{"ParticipantJoined", "StreamUnpublished:forceUnpublishByServer"})
	if err := svc.Unpublish("fu", jp.Connection.ID, ReasonUnpublish); !errors.Is(err, ErrNotPublishing) {
		t.Fatalf("unpublish twice: %v", err)
	}
}

func TestAbortedPublishIsInvisible(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "ab")
	other := &recorder{}
	jp := mustJoin(t, svc, "ab", RolePublisher, nil)
	mustJoin(t, svc, "ab", RolePublisher, other)
	st, err := svc.BeginPublish("ab", jp.Connection.ID, MediaOptions{HasVideo: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Stream("ab", st.ID); !errors.Is(err, ErrStreamNotFound) {
		t.Fatalf("reserved stream visible: %v", err)
	}
	svc.AbortPublish("ab", jp.Connection.ID, st.ID)
	if len(other.names()) != 0 {
		t.Fatalf("aborted publish announced: %v", other.names())
	}
	mustPublish(t, svc, "ab", jp.Connection.ID) // can publish again
}

func TestSignalRouting(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "sig")
	if err := svc.Signal("sig", "", nil, "t", "d"); !errors.Is(err, ErrSessionNotActive) {
		t.Fatalf("inactive: %v", err)
	}
	a, b := &recorder{}, &recorder{}
	ja := mustJoin(t, svc, "sig", RolePublisher, a)
	jb := mustJoin(t, svc, "sig", RolePublisher, b)
	if err := svc.Signal("sig", ja.Connection.ID, nil, "signal:chat", "hi"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Signal("sig", "", []string{jb.Connection.ID}, "x", "only b"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Signal("sig", "", []string{jb.Connection.ID, "con_Nope"}, "x", "none"); !errors.Is(err, ErrSignalTo) {
		t.Fatalf("unknown recipient: %v", err)
	}
	equal(t, a.names(), []string{"ParticipantJoined", "SignalSent"})
	equal(t, b.names(), []string{"SignalSent", "SignalSent"})
}

func TestStreamPropertyStored(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "sp")
	jp := mustJoin(t, svc, "sp", RolePublisher, nil)
	mustPublish(t, svc, "sp", jp.Connection.ID)
	if err := svc.ChangeStreamProperty("sp", jp.Connection.ID, "audioActive", []byte(`false`), "publishAudio"); err != nil {
		t.Fatal(err)
	}
	if err := svc.ChangeStreamProperty("sp", jp.Connection.ID, "videoDimensions", []byte(`"{\"width\":1280,\"height\":720}"`), "screenResized"); err != nil {
		t.Fatal(err)
	}
	if err := svc.ChangeStreamProperty("sp", jp.Connection.ID, "videoActive", []byte(`{}`), "publishVideo"); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("bad value: %v", err)
	}
	st, _ := svc.StreamOf("sp", jp.Connection.ID)
	if st.Media.AudioActive || st.Media.VideoDimensions != `{"width":1280,"height":720}` {
		t.Fatalf("stored media %+v", st.Media)
	}
}

func TestGarbageCollectorDropsOnlyUnusedSessions(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	all := &recorder{}
	svc := newTestService(t, Options{Now: clock, GCThreshold: time.Hour})
	svc.AddListener(all)
	mustSession(t, svc, "unused")
	mustSession(t, svc, "used")
	mustJoin(t, svc, "used", RolePublisher, nil)
	if got := svc.CollectGarbage(); len(got) != 0 {
		t.Fatalf("collected too early: %v", got)
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	equal(t, svc.CollectGarbage(), []string{"unused"})
	if _, err := svc.Session("used"); err != nil {
		t.Fatalf("active session collected: %v", err)
	}
	for _, n := range all.names() {
		if strings.HasPrefix(n, "SessionDestroyed") {
			t.Fatalf("GC emitted %s", n)
		}
	}
	if names := all.names(); names[len(names)-1] != "SessionGarbageCollected" {
		t.Fatalf("no SessionGarbageCollected event: %v", names)
	}
}

func TestGarbageCollectorGoroutineStops(t *testing.T) {
	svc := NewService(Options{TokenURL: "ws://x", GCInterval: time.Millisecond, GCThreshold: 0})
	mustSession(t, svc, "gc")
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := svc.Session("gc"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("garbage collector never ran")
		}
		time.Sleep(time.Millisecond)
	}
	if err := svc.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateSession(svc.NewSessionProperties()); !errors.Is(err, ErrShuttingDown) {
		t.Fatalf("create after close: %v", err)
	}
}

func TestUpdateConnectionNotifies(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "up")
	n := &recorder{}
	j := mustJoin(t, svc, "up", RolePublisher, n)
	mod := RoleModerator
	off := false
	v, err := svc.UpdateConnection("up", j.Connection.ID, ConnectionPatch{Role: &mod, Record: &off})
	if err != nil || v.Properties.Role != RoleModerator || v.Properties.Record {
		t.Fatalf("update: %+v %v", v.Properties, err)
	}
	equal(t, n.names(), []string{"ConnectionPropertyChanged", "ConnectionPropertyChanged"})
	// Unchanged values produce no event.
	if _, err := svc.UpdateConnection("up", j.Connection.ID, ConnectionPatch{Role: &mod}); err != nil {
		t.Fatal(err)
	}
	equal(t, n.names(), []string{"ConnectionPropertyChanged", "ConnectionPropertyChanged"})
}

func TestConcurrentJoinsSeeEachOtherExactlyOnce(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "cc")
	mustJoin(t, svc, "cc", RolePublisher, nil) // keeps the session open
	const n = 20
	recs := make([]*recorder, n)
	results := make([]JoinResult, n)
	var wg sync.WaitGroup
	for i := range n {
		recs[i] = &recorder{}
		c, err := svc.CreateConnection("cc", DefaultConnectionProperties())
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := svc.Join(JoinRequest{Token: c.Token, Notifier: recs[i]})
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		}()
	}
	wg.Wait()
	// Each participant learns of every other one exactly once: either in its
	// join result or through ParticipantJoined.
	for i := range n {
		seen := map[string]int{}
		for _, e := range results[i].Existing {
			seen[e.ID]++
		}
		for _, e := range recs[i].events {
			seen[e.(ParticipantJoined).Connection.ID]++
		}
		for j := range n {
			if j != i && seen[results[j].Connection.ID] != 1 {
				t.Fatalf("participant %d saw %d %d times", i, j, seen[results[j].Connection.ID])
			}
		}
	}
}
