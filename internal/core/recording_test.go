package core

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeRecorder plays the recording module: Stop ends the recording as
// internal/recording does (flag cleared, stopped event).
type fakeRecorder struct {
	svc *Service
	mu  sync.Mutex
	log []string
	ids map[string]string // session → recording id
}

func newFakeRecorder(svc *Service) *fakeRecorder {
	r := &fakeRecorder{svc: svc, ids: map[string]string{}}
	svc.SetRecorder(r)
	return r
}

func (r *fakeRecorder) start(t *testing.T, sid string) {
	t.Helper()
	id := sid + "-rec"
	v, err := r.svc.BeginRecording(sid, id, "n")
	if err != nil {
		t.Fatalf("BeginRecording: %v", err)
	}
	r.mu.Lock()
	r.ids[sid] = id
	r.mu.Unlock()
	r.svc.EmitRecordingStatus(v.SessionRef, RecordingInfo{ID: id, Name: "n", Status: RecordingStarted}, "", time.Now())
}

func (r *fakeRecorder) AutoStart(sid string) {
	r.mu.Lock()
	r.log = append(r.log, "autostart:"+sid)
	r.mu.Unlock()
	id := sid + "-auto"
	if v, err := r.svc.BeginRecording(sid, id, id); err == nil {
		r.mu.Lock()
		r.ids[sid] = id
		r.mu.Unlock()
		r.svc.EmitRecordingStatus(v.SessionRef, RecordingInfo{ID: id, Name: id, Status: RecordingStarted}, "", time.Now())
	}
}

func (r *fakeRecorder) Stop(sid string, reason Reason) {
	r.mu.Lock()
	r.log = append(r.log, "stop:"+string(reason))
	id := r.ids[sid]
	delete(r.ids, sid)
	r.mu.Unlock()
	s, err := r.svc.Session(sid)
	if err != nil || id == "" {
		return
	}
	r.svc.EndRecording(sid, id, false)
	r.svc.EmitRecordingStatus(s.Ref(), RecordingInfo{ID: id, Status: RecordingStopped}, reason, time.Now())
}

func (r *fakeRecorder) calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log...)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestCheckRecordable(t *testing.T) {
	svc := newTestService(t, Options{})
	if _, err := svc.CheckRecordable("nope"); !errors.Is(err, ErrSessionNotFound) || AsError(err).HTTPStatus != 404 {
		t.Errorf("unknown session: %v", err)
	}
	mustSession(t, svc, "idle")
	if _, err := svc.CheckRecordable("idle"); AsError(err).HTTPStatus != 406 {
		t.Errorf("never activated: %v", err)
	}
	p := svc.NewSessionProperties()
	p.CustomSessionID, p.MediaMode = "relayed", MediaModeRelayed
	if _, err := svc.CreateSession(p); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CheckRecordable("relayed"); AsError(err).HTTPStatus != 409 {
		t.Errorf("relayed, never activated: %v", err)
	}
	mustJoin(t, svc, "relayed", RolePublisher, nil)
	if _, err := svc.CheckRecordable("relayed"); AsError(err).HTTPStatus != 409 {
		t.Errorf("relayed, active: %v", err)
	}
	if _, err := svc.BeginRecording("relayed", "r", "r"); AsError(err).HTTPStatus != 409 {
		t.Errorf("BeginRecording on relayed: %v", err)
	}
	mustSession(t, svc, "s")
	mustJoin(t, svc, "s", RolePublisher, nil)
	if _, err := svc.CheckRecordable("s"); err != nil {
		t.Errorf("active session: %v", err)
	}
	v, err := svc.BeginRecording("s", "s", "s")
	if err != nil || !v.Recording {
		t.Fatalf("BeginRecording: %v %+v", err, v)
	}
	if _, err := svc.CheckRecordable("s"); AsError(err).HTTPStatus != 409 {
		t.Errorf("already recording: %v", err)
	}
	if _, err := svc.BeginRecording("s", "s~1", "x"); AsError(err).HTTPStatus != 409 {
		t.Errorf("second BeginRecording: %v", err)
	}
	if svc.EndRecording("s", "other", true) {
		t.Error("EndRecording of another id")
	}
	if s, _ := svc.Session("s"); !s.View().Recording {
		t.Error("EndRecording of another id cleared the flag")
	}
	if svc.EndRecording("s", "s", true) {
		t.Error("closeEmpty with a participant present")
	}
	if s, _ := svc.Session("s"); s.View().Recording {
		t.Error("flag still set after EndRecording")
	}
}

// TestRecordingNotifications: started/stopped reach participants by role,
// every status reaches listeners, joinRoom announces a started recording.
func TestRecordingNotifications(t *testing.T) {
	for _, c := range []struct {
		setting string
		want    string // which of SUBSCRIBER, PUBLISHER, MODERATOR are told
	}{
		{"", "-PM"}, {NotifyPublisherModerator, "-PM"}, {NotifyAll, "SPM"}, {NotifyModerator, "--M"}, {NotifyNone, "---"},
	} {
		t.Run("notify="+c.setting, func(t *testing.T) {
			svc := newTestService(t, Options{RecordingNotification: c.setting})
			all := &recorder{}
			svc.AddListener(all)
			mustSession(t, svc, "s")
			boxes := []*recorder{{}, {}, {}}
			for i, role := range []Role{RoleSubscriber, RolePublisher, RoleModerator} {
				mustJoin(t, svc, "s", role, boxes[i])
			}
			v, err := svc.BeginRecording("s", "s", "name")
			if err != nil {
				t.Fatal(err)
			}
			if res := mustJoin(t, svc, "s", RolePublisher, nil); res.RecordingID != "" {
				t.Errorf("joinRoom announced a recording still starting: %+v", res)
			}
			for _, st := range []RecordingStatus{RecordingStarted, RecordingStopped, RecordingReady} {
				svc.EmitRecordingStatus(v.SessionRef, RecordingInfo{ID: "s", Name: "name", Status: st}, "", time.Now())
				if st == RecordingStarted {
					if res := mustJoin(t, svc, "s", RoleSubscriber, nil); res.RecordingID != "s" || res.RecordingName != "name" {
						t.Errorf("joinRoom after started: %+v", res)
					}
				}
			}
			got := ""
			for i, b := range boxes {
				n := 0
				for _, e := range b.events {
					if ev, ok := e.(RecordingStatusChanged); ok {
						if ev.Recording.Status != RecordingStarted && ev.Recording.Status != RecordingStopped {
							t.Errorf("participant told about %s", ev.Recording.Status)
						}
						n++
					}
				}
				switch {
				case n == 2:
					got += string("SPM"[i])
				case n == 0:
					got += "-"
				default:
					t.Errorf("participant %d got %d recording events", i, n)
				}
			}
			if got != c.want {
				t.Errorf("told %q, want %q", got, c.want)
			}
			n := 0
			for _, e := range all.events {
				if e.CDRName() == "recordingStatusChanged" {
					n++
				}
			}
			if n != 3 {
				t.Errorf("listener got %d recordingStatusChanged events", n)
			}
		})
	}
}

func TestAutostopWhenLastParticipantLeaves(t *testing.T) {
	for _, c := range []struct {
		timeout time.Duration
		reason  Reason
	}{{0, ReasonLastParticipantLeft}, {30 * time.Millisecond, ReasonAutomaticStop}} {
		t.Run(fmt.Sprint(c.timeout), func(t *testing.T) {
			svc := newTestService(t, Options{AutostopTimeout: c.timeout})
			rec := newFakeRecorder(svc)
			all := &recorder{}
			svc.AddListener(all)
			mustSession(t, svc, "s")
			alice := mustJoin(t, svc, "s", RolePublisher, nil)
			mustPublish(t, svc, "s", alice.Connection.ID)
			rec.start(t, "s")
			if err := svc.Leave("s", alice.Connection.ID, ReasonDisconnect); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "session closed", func() bool { _, err := svc.Session("s"); return err != nil })
			equal(t, rec.calls(), []string{"stop:" + string(c.reason)})
			names := all.names()
			tail := names[len(names)-2:]
			equal(t, tail, []string{"RecordingStatusChanged", "SessionDestroyed:" + string(c.reason)})
		})
	}
}

func TestAutostopKeepsConnectedSubscribers(t *testing.T) {
	svc := newTestService(t, Options{AutostopTimeout: 20 * time.Millisecond})
	rec := newFakeRecorder(svc)
	mustSession(t, svc, "s")
	alice := mustJoin(t, svc, "s", RolePublisher, nil)
	mustJoin(t, svc, "s", RoleSubscriber, nil)
	mustPublish(t, svc, "s", alice.Connection.ID)
	rec.start(t, "s")
	if err := svc.Unpublish("s", alice.Connection.ID, ReasonUnpublish); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "recording stopped", func() bool { return len(rec.calls()) == 1 })
	equal(t, rec.calls(), []string{"stop:automaticStop"})
	s, err := svc.Session("s")
	if err != nil || s.View().Recording {
		t.Fatalf("session should stay, not recording: %v", err)
	}
}

func TestPublishCancelsCountdown(t *testing.T) {
	svc := newTestService(t, Options{AutostopTimeout: 80 * time.Millisecond})
	rec := newFakeRecorder(svc)
	mustSession(t, svc, "s")
	alice := mustJoin(t, svc, "s", RolePublisher, nil)
	rec.start(t, "s") // nobody publishes: the countdown starts at once
	mustPublish(t, svc, "s", alice.Connection.ID)
	time.Sleep(200 * time.Millisecond) // longer than the countdown: nothing may happen
	if c := rec.calls(); len(c) != 0 {
		t.Fatalf("recording stopped although someone publishes: %v", c)
	}
	if s, _ := svc.Session("s"); !s.View().Recording {
		t.Fatal("recording flag lost")
	}
}

func TestManualStopDuringCountdownClosesEmptySession(t *testing.T) {
	svc := newTestService(t, Options{AutostopTimeout: time.Hour})
	rec := newFakeRecorder(svc)
	mustSession(t, svc, "s")
	alice := mustJoin(t, svc, "s", RolePublisher, nil)
	mustPublish(t, svc, "s", alice.Connection.ID)
	rec.start(t, "s")
	if err := svc.Leave("s", alice.Connection.ID, ReasonDisconnect); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Session("s"); err != nil {
		t.Fatal("a recorded session closed when its last participant left")
	}
	if _, err := svc.CheckRecordable("s"); AsError(err).HTTPStatus != 409 {
		t.Errorf("recording an empty recorded session: %v", err)
	}
	if !svc.EndRecording("s", "s-rec", true) {
		t.Fatal("manual stop during the countdown should close the empty session")
	}
	svc.CloseEmptySession("s", ReasonRecordingStoppedByServer)
	if _, err := svc.Session("s"); err == nil {
		t.Fatal("session still open")
	}
}

func TestRecordingModeAlways(t *testing.T) {
	svc := newTestService(t, Options{})
	rec := newFakeRecorder(svc)
	p := svc.NewSessionProperties()
	p.CustomSessionID, p.RecordingMode = "always", RecordingModeAlways
	if _, err := svc.CreateSession(p); err != nil {
		t.Fatal(err)
	}
	alice := mustJoin(t, svc, "always", RolePublisher, nil)
	bob := mustJoin(t, svc, "always", RolePublisher, nil)
	mustPublish(t, svc, "always", alice.Connection.ID)
	waitFor(t, "autostart", func() bool { s, _ := svc.Session("always"); return s.View().Recording })
	mustPublish(t, svc, "always", bob.Connection.ID) // already recording: no second start
	if svc.EndRecording("always", "always-auto", true) {
		t.Fatal("closeEmpty with participants")
	}
	if err := svc.Unpublish("always", bob.Connection.ID, ReasonUnpublish); err != nil {
		t.Fatal(err)
	}
	mustPublish(t, svc, "always", bob.Connection.ID) // manually stopped: no restart
	time.Sleep(50 * time.Millisecond)
	svc.wg.Wait()
	n := 0
	for _, c := range rec.calls() {
		if c == "autostart:always" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("autostart calls: %v", rec.calls())
	}
	if s, _ := svc.Session("always"); s.View().Recording {
		t.Fatal("restarted after a manual stop")
	}
}

func TestCloseSessionStopsRecordingFirst(t *testing.T) {
	svc := newTestService(t, Options{})
	rec := newFakeRecorder(svc)
	all := &recorder{}
	svc.AddListener(all)
	mustSession(t, svc, "s")
	alice := mustJoin(t, svc, "s", RolePublisher, nil)
	mustPublish(t, svc, "s", alice.Connection.ID)
	rec.start(t, "s")
	if err := svc.CloseSession("s", ReasonSessionClosedByServer); err != nil {
		t.Fatal(err)
	}
	equal(t, rec.calls(), []string{"stop:sessionClosedByServer"})
	names := all.names()
	equal(t, names[len(names)-6:], []string{"RecordingStatusChanged", "RecordingStatusChanged",
		"StreamUnpublished:sessionClosedByServer", "ParticipantLeft:sessionClosedByServer",
		"ParticipantEvicted:sessionClosedByServer", "SessionDestroyed:sessionClosedByServer"})
}
