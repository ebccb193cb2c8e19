package core

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govidu/govidu/internal/waitctx"
)

// Options configure the Service.
type Options struct {
	// TokenURL is the public WebSocket base put in tokens, e.g. "ws://localhost:4443".
	TokenURL          string
	ForcedVideoCodec  VideoCodec
	AllowTranscoding  bool
	GCInterval        time.Duration // 0 disables the garbage collector
	GCThreshold       time.Duration
	DefaultIceServers []IceServer // OPENVIDU_WEBRTC_ICE_SERVERS
	// RecordingNotification selects who gets recordingStarted/Stopped
	// (OPENVIDU_RECORDING_NOTIFICATION; "" = publisher_moderator).
	RecordingNotification string
	// AutostopTimeout is OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT: how long a
	// recording outlives the last publisher (0 = stop at once).
	AutostopTimeout time.Duration
	Now             func() time.Time
	Logger          *slog.Logger
}

// Service is the domain layer shared by REST and signaling: both doors run
// the same code for the same operation.
type Service struct {
	opts Options
	log  *slog.Logger

	mu       sync.Mutex // guards sessions and stopped; taken before any Session lock
	sessions map[string]*Session
	stopped  bool

	listeners atomic.Pointer[[]Listener] // copy-on-write, read without locks by dispatch
	rec       atomic.Pointer[Recorder]   // the recording module, nil when disabled
	cams      atomic.Pointer[IPCamMedia] // the IP camera module, nil when unavailable

	wg sync.WaitGroup // autostart and countdown goroutines (see enter)

	gcStop chan struct{}
	gcDone chan struct{}
}

// NewService returns a Service; call Close to stop its garbage collector.
func NewService(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ForcedVideoCodec == "" {
		opts.ForcedVideoCodec = CodecMediaServerPreferred
	}
	svc := &Service{opts: opts, log: opts.Logger, sessions: map[string]*Session{}}
	if opts.GCInterval > 0 {
		svc.gcStop, svc.gcDone = make(chan struct{}), make(chan struct{})
		go svc.runGC()
	}
	return svc
}

func (svc *Service) now() time.Time { return svc.opts.Now().Truncate(time.Millisecond) }

// Options returns the configuration the Service runs with.
func (svc *Service) Options() Options { return svc.opts }

// AddListener registers l for every event of every session.
func (svc *Service) AddListener(l Listener) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	var ls []Listener
	if old := svc.listeners.Load(); old != nil {
		ls = append(ls, *old...)
	}
	ls = append(ls, l)
	svc.listeners.Store(&ls)
}

// dispatch delivers events in order; the caller holds the session's opMu
// (or otherwise owns the order) and no other lock.
func (svc *Service) dispatch(ds []delivery) {
	if len(ds) == 0 {
		return
	}
	var ls []Listener
	if p := svc.listeners.Load(); p != nil {
		ls = *p
	}
	for _, d := range ds {
		for _, n := range d.to {
			n.Notify(d.event)
		}
		for _, l := range ls {
			l.OnEvent(d.event)
		}
	}
}

// NewSessionProperties returns the defaults for a new session under this
// service's configuration.
func (svc *Service) NewSessionProperties() SessionProperties {
	return SessionProperties{
		MediaMode:                  MediaModeRouted,
		RecordingMode:              RecordingModeManual,
		ForcedVideoCodec:           svc.opts.ForcedVideoCodec,
		AllowTranscoding:           svc.opts.AllowTranscoding,
		DefaultRecordingProperties: DefaultRecordingProperties(),
	}
}

// CreateSession creates a session. An existing id yields ErrSessionExists.
func (svc *Service) CreateSession(props SessionProperties) (SessionView, error) {
	if props.CustomSessionID != "" && !ValidCustomSessionID(props.CustomSessionID) {
		return SessionView{}, ErrBadRequest.Withf("customSessionId %q must match [a-zA-Z0-9_-]+", props.CustomSessionID)
	}
	if err := props.DefaultRecordingProperties.Validate(); err != nil {
		e := AsError(err)
		return SessionView{}, ErrBadRequest.Withf("defaultRecordingProperties: %s", e.Message)
	}
	now := svc.now()
	svc.mu.Lock()
	if svc.stopped {
		svc.mu.Unlock()
		return SessionView{}, ErrShuttingDown
	}
	id := props.CustomSessionID
	if id == "" {
		for id = newSessionID(); svc.sessions[id] != nil; id = newSessionID() {
		}
	} else if existing := svc.sessions[id]; existing != nil && !existing.isClosed() {
		svc.mu.Unlock()
		return SessionView{}, ErrSessionExists.Withf("session %s already exists", id)
	}
	s := newSession(id, props, now)
	svc.sessions[id] = s
	// Lock the new session before leaving the registry so no other operation
	// on it can run (and emit) before sessionCreated.
	s.opMu.Lock()
	svc.mu.Unlock()
	defer s.opMu.Unlock()
	svc.dispatch([]delivery{{event: SessionCreated{EventBase: s.base(now)}}})
	svc.log.Info("session created", "sessionId", id)
	return s.View(), nil
}

func (s *Session) isRecording() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recording
}

func (s *Session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Session returns a live session.
func (svc *Service) Session(id string) (*Session, error) {
	svc.mu.Lock()
	s := svc.sessions[id]
	svc.mu.Unlock()
	if s == nil || s.isClosed() {
		return nil, ErrSessionNotFound.Withf("session %s not found", id)
	}
	return s, nil
}

// Sessions returns snapshots of every live session, oldest first.
func (svc *Service) Sessions() []SessionView {
	svc.mu.Lock()
	list := make([]*Session, 0, len(svc.sessions))
	for _, s := range svc.sessions {
		list = append(list, s)
	}
	svc.mu.Unlock()
	out := make([]SessionView, 0, len(list))
	for _, s := range list {
		s.mu.Lock()
		if !s.closed {
			out = append(out, s.view())
		}
		s.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// lockSession looks a session up and takes its opMu; the caller must unlock.
func (svc *Service) lockSession(id string) (*Session, error) {
	s, err := svc.Session(id)
	if err != nil {
		return nil, err
	}
	s.opMu.Lock()
	if s.isClosed() {
		s.opMu.Unlock()
		return nil, ErrSessionNotFound.Withf("session %s not found", id)
	}
	return s, nil
}

// CloseSession evicts everyone with reason and destroys the session. A
// recording in progress is stopped (with the same reason) first.
func (svc *Service) CloseSession(id string, reason Reason) error {
	if s, err := svc.Session(id); err == nil && s.isRecording() {
		if rec := svc.recorder(); rec != nil {
			rec.Stop(id, reason)
		}
	}
	s, err := svc.lockSession(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	ds := svc.closeLocked(s, reason)
	s.mu.Unlock()
	svc.dispatch(ds)
	s.opMu.Unlock()
	svc.unregister(s)
	return nil
}

// closeLocked removes every participant and marks the session closed,
// returning the events to deliver. Caller holds opMu and mu.
func (svc *Service) closeLocked(s *Session, reason Reason) []delivery {
	now := svc.now()
	var ds []delivery
	for _, c := range append([]*Connection(nil), s.conns...) {
		if c.active() {
			ds = append(ds, svc.removeParticipantLocked(s, c, reason, now)...)
		} else {
			s.removeConnection(c)
		}
	}
	s.closed = true
	s.recording, s.recordingAnnounced = false, false
	s.stopCountdownLocked()
	ds = append(ds, delivery{event: SessionDestroyed{EventBase: s.base(now), Reason: reason}})
	svc.log.Info("session closed", "sessionId", s.id, "reason", reason)
	return ds
}

func (svc *Service) unregister(s *Session) {
	svc.mu.Lock()
	if svc.sessions[s.id] == s {
		delete(svc.sessions, s.id)
	}
	svc.mu.Unlock()
}

// Close destroys every session with reason openviduServerStopped and stops
// the garbage collector. New sessions are refused afterwards.
func (svc *Service) Close(ctx context.Context) error {
	svc.mu.Lock()
	svc.stopped = true
	ids := make([]string, 0, len(svc.sessions))
	for id := range svc.sessions {
		ids = append(ids, id)
	}
	svc.mu.Unlock()
	if svc.gcStop != nil {
		close(svc.gcStop)
		select {
		case <-svc.gcDone:
		case <-ctx.Done():
			return ctx.Err()
		}
		svc.gcStop = nil
	}
	for _, id := range ids {
		_ = svc.CloseSession(id, ReasonOpenViduServerStopped)
	}
	return waitctx.Wait(ctx, &svc.wg)
}

func (svc *Service) runGC() {
	defer close(svc.gcDone)
	t := time.NewTicker(svc.opts.GCInterval)
	defer t.Stop()
	for {
		select {
		case <-svc.gcStop:
			return
		case <-t.C:
			svc.CollectGarbage()
		}
	}
}

// CollectGarbage drops never-activated sessions older than the threshold,
// silently (upstream emits no sessionDestroyed for them). It returns their ids.
func (svc *Service) CollectGarbage() []string {
	now := svc.now()
	svc.mu.Lock()
	var dropped []string
	var ds []delivery
	for id, s := range svc.sessions {
		s.mu.Lock()
		if !s.active && !s.closed && now.Sub(s.createdAt) >= svc.opts.GCThreshold {
			s.closed = true
			s.conns = nil
			delete(svc.sessions, id)
			dropped = append(dropped, id)
			ds = append(ds, delivery{event: SessionGarbageCollected{EventBase: s.base(now)}})
		}
		s.mu.Unlock()
	}
	svc.mu.Unlock()
	// The sessions are unreachable now, so no other event of theirs can interleave.
	svc.dispatch(ds)
	if len(dropped) > 0 {
		svc.log.Info("garbage-collected unused sessions", "sessionIds", dropped)
	}
	sort.Strings(dropped)
	return dropped
}
