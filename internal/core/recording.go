package core

import (
	"time"
)

// Recording in core is only the session's side of it: the "recording" flag
// REST shows, the id/name joinRoom announces, who is told about it, the
// RecordingMode ALWAYS autostart and the autostop countdown of spec §6.
// Files, writers and ffmpeg live in internal/recording, which drives this
// through the methods below and is driven back through Recorder.

// RecordingStatus is a Recording's status (spec §7).
type RecordingStatus string

const (
	RecordingStarting RecordingStatus = "starting"
	RecordingStarted  RecordingStatus = "started"
	RecordingStopped  RecordingStatus = "stopped"
	RecordingReady    RecordingStatus = "ready"
	RecordingFailed   RecordingStatus = "failed"
)

// RecordingInfo describes a recording as events report it.
type RecordingInfo struct {
	ID         string
	Name       string
	Properties RecordingProperties // output mode, media, layout, resolution, frame rate
	CreatedAt  time.Time
	Size       int64   // bytes
	Duration   float64 // seconds
	Status     RecordingStatus
}

// RecordingStatusChanged is the recordingStatusChanged webhook/CDR event.
// Started and stopped are also sent to participants (recordingStarted,
// recordingStopped) according to OPENVIDU_RECORDING_NOTIFICATION.
type RecordingStatusChanged struct {
	EventBase
	Recording RecordingInfo
	Reason    Reason // "" for started and for a failed start
}

func (RecordingStatusChanged) CDRName() string { return "recordingStatusChanged" }

// Recorder is the recording module as core drives it. Core calls it on a
// goroutine of its own, never holding a lock; it may call back into the
// Service.
type Recorder interface {
	// AutoStart starts a recording with the session's default recording
	// properties (RecordingMode ALWAYS, on a publish). Errors are the
	// recorder's to report.
	AutoStart(sessionID string)
	// Stop stops the session's recording, if any, for reason and returns
	// once it is finalized (or handed over for finalization).
	Stop(sessionID string, reason Reason)
}

// Who receives recordingStarted/recordingStopped (OPENVIDU_RECORDING_NOTIFICATION).
const (
	NotifyAll                = "all"
	NotifyPublisherModerator = "publisher_moderator"
	NotifyModerator          = "moderator"
	NotifyNone               = "none"
)

// SetRecorder connects the recording module (nil disconnects it).
func (svc *Service) SetRecorder(r Recorder) {
	if r == nil {
		svc.rec.Store(nil)
		return
	}
	svc.rec.Store(&r)
}

func (svc *Service) recorder() Recorder {
	if p := svc.rec.Load(); p != nil {
		return *p
	}
	return nil
}

// enter counts a goroutine of the Service (autostart, countdown expiry);
// false once Close has begun. Each successful enter is paired with wg.Done.
func (svc *Service) enter() bool {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.stopped {
		return false
	}
	svc.wg.Add(1)
	return true
}

func (svc *Service) goTracked(fn func()) {
	if !svc.enter() {
		return
	}
	go func() {
		defer svc.wg.Done()
		fn()
	}()
}

// CheckRecordable applies the session checks of POST /recordings/start
// (spec §4.7 steps 4–5) and returns the session: unknown → 404; never
// activated → 409 if RELAYED or already recording, else 406; active →
// 409 if RELAYED or recording, 406 without participants.
func (svc *Service) CheckRecordable(sessionID string) (SessionView, error) {
	s, err := svc.Session(sessionID)
	if err != nil {
		return SessionView{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.recordableLocked(); err != nil {
		return SessionView{}, err
	}
	return s.view(), nil
}

func (s *Session) recordableLocked() error {
	switch {
	case s.closed:
		return ErrSessionNotFound.Withf("session %s not found", s.id)
	case s.props.MediaMode == MediaModeRelayed:
		return ErrRecordingConflict.Withf("session %s is RELAYED: only ROUTED sessions can be recorded", s.id)
	case s.recording:
		return ErrRecordingConflict.Withf("session %s is already being recorded", s.id)
	case !s.active || len(s.activeVisible()) == 0:
		return ErrSessionNotActive.Withf("session %s has no connected participants", s.id)
	}
	return nil
}

// BeginRecording flags the session as recording recordingID, re-checking
// CheckRecordable's conditions. If nobody publishes, the autostop
// countdown starts (spec §6).
func (svc *Service) BeginRecording(sessionID, recordingID, name string) (SessionView, error) {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return SessionView{}, err
	}
	defer s.opMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.recordableLocked(); err != nil {
		return SessionView{}, err
	}
	s.recording = true
	s.recordingAnnounced = false
	s.recordingID, s.recordingName = recordingID, name
	if !s.hasLivePublisherLocked() {
		svc.startCountdownLocked(s)
	}
	return s.view(), nil
}

// EndRecording clears the session's recording flag for recordingID (when
// it stops or fails to start). manual is a stop through the API: then
// RecordingMode ALWAYS does not start again in this session. closeEmpty
// reports that the session has nobody left and was counting down: the
// caller closes it (reason recordingStoppedByServer) once the recording is
// finalized.
func (svc *Service) EndRecording(sessionID, recordingID string, manual bool) (closeEmpty bool) {
	s, err := svc.Session(sessionID)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.recording || s.recordingID != recordingID {
		return false
	}
	s.recording, s.recordingAnnounced = false, false
	s.recordingID, s.recordingName = "", ""
	if manual {
		s.recordingManuallyStopped = true
	}
	counting := s.countdown != nil
	s.stopCountdownLocked()
	return manual && counting && len(s.activeVisible()) == 0
}

// EmitRecordingStatus delivers a recordingStatusChanged event to the
// listeners (webhooks, CDR) and, for started and stopped, to the
// participants OPENVIDU_RECORDING_NOTIFICATION selects. ref names the life
// of the session the recording belongs to, which may have closed already.
func (svc *Service) EmitRecordingStatus(ref SessionRef, rec RecordingInfo, reason Reason, at time.Time) {
	ev := RecordingStatusChanged{EventBase: EventBase{Session: ref, Timestamp: at.Truncate(time.Millisecond)}, Recording: rec, Reason: reason}
	svc.mu.Lock()
	s := svc.sessions[ref.ID]
	svc.mu.Unlock()
	if s == nil || s.uniqueID != ref.UniqueID {
		svc.dispatch([]delivery{{event: ev}})
		return
	}
	s.opMu.Lock()
	defer s.opMu.Unlock()
	s.mu.Lock()
	var to []Notifier
	if !s.closed && (rec.Status == RecordingStarted || rec.Status == RecordingStopped) {
		to = s.recordingNotifiersLocked(svc.opts.RecordingNotification)
	}
	if rec.Status == RecordingStarted && s.recording && s.recordingID == rec.ID {
		s.recordingAnnounced = true // from now on joinRoom announces it
	}
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ev, to: to}})
}

func (s *Session) recordingNotifiersLocked(who string) []Notifier {
	var out []Notifier
	for _, c := range s.activeVisible() {
		if c.notifier == nil {
			continue
		}
		role := c.props.Role
		switch who {
		case NotifyAll:
		case NotifyModerator:
			if role != RoleModerator {
				continue
			}
		case NotifyNone:
			continue
		default: // publisher_moderator
			if role != RolePublisher && role != RoleModerator {
				continue
			}
		}
		out = append(out, c.notifier)
	}
	return out
}

func (s *Session) hasLivePublisherLocked() bool {
	for _, c := range s.activeVisible() {
		if c.publisher != nil && c.publisher.live {
			return true
		}
	}
	return false
}

// startCountdownLocked starts the autostop countdown unless it runs
// already. Caller holds s.mu.
func (svc *Service) startCountdownLocked(s *Session) {
	if s.countdown != nil || s.closed {
		return
	}
	s.countdownGen++
	gen := s.countdownGen
	s.countdown = time.AfterFunc(svc.opts.AutostopTimeout, func() {
		if !svc.enter() {
			return
		}
		defer svc.wg.Done()
		svc.countdownExpired(s, gen)
	})
	svc.log.Info("recording autostop countdown started", "sessionId", s.id, "timeout", svc.opts.AutostopTimeout)
}

func (s *Session) stopCountdownLocked() {
	if s.countdown != nil {
		s.countdown.Stop()
		s.countdown = nil
		s.countdownGen++
	}
}

// countdownExpired stops the recording of a session where nobody
// publishes; a session with nobody left is closed too (spec §6).
func (svc *Service) countdownExpired(s *Session, gen uint64) {
	s.mu.Lock()
	if s.closed || s.countdownGen != gen || !s.recording {
		s.mu.Unlock()
		return
	}
	s.countdown = nil
	empty := len(s.activeVisible()) == 0
	publishing := s.hasLivePublisherLocked()
	s.mu.Unlock()
	if publishing {
		return
	}
	reason := ReasonAutomaticStop
	if empty && svc.opts.AutostopTimeout == 0 {
		reason = ReasonLastParticipantLeft
	}
	svc.log.Info("recording autostop", "sessionId", s.id, "reason", reason, "sessionEmpty", empty)
	if rec := svc.recorder(); rec != nil {
		rec.Stop(s.id, reason)
	}
	if empty {
		svc.closeIfEmpty(s.id, reason)
	}
}

// closeIfEmpty closes a session that still has no participants.
func (svc *Service) closeIfEmpty(id string, reason Reason) {
	s, err := svc.lockSession(id)
	if err != nil {
		return
	}
	s.mu.Lock()
	if len(s.activeVisible()) > 0 {
		s.mu.Unlock()
		s.opMu.Unlock()
		return
	}
	ds := svc.closeLocked(s, reason)
	s.mu.Unlock()
	svc.dispatch(ds)
	s.opMu.Unlock()
	svc.unregister(s)
}

// CloseEmptySession closes a session left without participants once its
// recording stopped (a manual stop during the autostop countdown, reason
// recordingStoppedByServer). A session someone joined meanwhile stays.
func (svc *Service) CloseEmptySession(sessionID string, reason Reason) {
	svc.closeIfEmpty(sessionID, reason)
}

// afterPublishLocked runs when a stream goes live: a publish cancels the
// autostop countdown, and RecordingMode ALWAYS starts recording unless a
// recording was stopped by hand. It returns the autostart to run once the
// locks are released, or nil. Caller holds s.mu.
func (svc *Service) afterPublishLocked(s *Session) func() {
	s.stopCountdownLocked()
	if s.props.RecordingMode != RecordingModeAlways || s.recording || s.recordingManuallyStopped || s.props.MediaMode == MediaModeRelayed {
		return nil
	}
	rec := svc.recorder()
	if rec == nil {
		return nil
	}
	id := s.id
	return func() { svc.goTracked(func() { rec.AutoStart(id) }) }
}

// afterUnpublishLocked starts the countdown when the last publisher of a
// recorded session stops publishing. Caller holds s.mu.
func (svc *Service) afterUnpublishLocked(s *Session) {
	if s.recording && !s.hasLivePublisherLocked() {
		svc.startCountdownLocked(s)
	}
}
