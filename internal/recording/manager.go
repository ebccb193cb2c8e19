// Package recording records sessions without Docker and without a
// browser: INDIVIDUAL recordings write every published stream as received
// (no re-encoding) into WebM or Matroska files; COMPOSED recordings write
// the same per-stream files and compose them with ffmpeg into one grid
// MP4, in segments while the recording runs, so that stopping only has
// the last segment left to do.
//
// Every file is written incrementally and synced; a recording the server
// died in the middle of is finalized from what was written at the next
// start, or marked failed with the reason. The layout on disk and the
// statuses follow OpenVidu 2.32 (spec §7).
package recording

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/waitctx"
)

// Options configure a Manager.
type Options struct {
	Path      string // OPENVIDU_RECORDING_PATH
	Source    Source // the SFU's streams; nil records nothing (API tests)
	FFmpegDir string // directory of ffmpeg and ffprobe; "" = $PATH
	Logger    *slog.Logger
	Now       func() time.Time
	Observer  Observer // optional: recordings in progress and failures

	// Tuning; zero values take the defaults shown.
	StartTimeout     time.Duration // media awaited before start answers: 10 s
	SegmentDuration  time.Duration // COMPOSED: composed while recording in segments of 20 s
	ComposeLag       time.Duration // COMPOSED: how far behind live segments are composed: 5 s
	KeyframeInterval time.Duration // COMPOSED: keyframes asked this often (composition seeks): 10 s
	SyncEvery        time.Duration // fsync period of files being written: 2 s
}

// Observer counts recordings (metrics): started and stopped bracket a
// recording in progress; failed counts every failed one.
type Observer interface {
	RecordingStarted()
	RecordingStopped()
	RecordingFailed()
}

// Manager runs the recordings of one server.
type Manager struct {
	svc  *core.Service
	opts Options
	log  *slog.Logger
	ff   ffmpeg

	ctx    context.Context // background work; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex // guards the maps, closed and shutdown
	bySession  map[string]*activeRecording
	byID       map[string]*activeRecording // until ready or failed
	recovering map[string]bool
	closed     bool
	shutdown   context.Context // set by BeginShutdown: finalizations get its deadline

	events *eventQueue
}

var idPattern = regexp.MustCompile(`^[a-zA-Z0-9_\-~]+$`)

// New opens the recording path (created if needed), restores what a
// previous run left (interrupted recordings are finalized in the
// background) and connects to the service.
func New(svc *core.Service, opts Options) (*Manager, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.StartTimeout, 10*time.Second)
	def(&opts.SegmentDuration, 20*time.Second)
	def(&opts.ComposeLag, 5*time.Second)
	def(&opts.KeyframeInterval, 10*time.Second)
	def(&opts.SyncEvery, defaultSyncEvery)
	path, err := filepath.Abs(opts.Path)
	if err != nil {
		return nil, err
	}
	opts.Path = path
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("OPENVIDU_RECORDING_PATH %s: %w", path, err)
	}
	probe, err := os.CreateTemp(path, ".writable-*")
	if err != nil {
		return nil, fmt.Errorf("OPENVIDU_RECORDING_PATH %s is not writable: %w", path, err)
	}
	probe.Close()
	os.Remove(probe.Name())

	m := &Manager{
		svc: svc, opts: opts, log: opts.Logger.With("component", "recording"),
		ff:        findFFmpeg(opts.FFmpegDir),
		bySession: map[string]*activeRecording{}, byID: map[string]*activeRecording{}, recovering: map[string]bool{},
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if m.ff.available() {
		m.log.Info("recording enabled", "path", path, "ffmpeg", m.ff.ffmpeg)
	} else {
		m.log.Warn("recording enabled without ffmpeg: COMPOSED recordings will be refused, INDIVIDUAL ones work", "path", path)
	}
	interrupted := m.scanInterrupted()
	m.events = newEventQueue()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.events.run(m.handle)
	}()
	svc.AddListener(m)
	svc.SetRecorder(hook{m})
	if len(interrupted) > 0 {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.recoverAll(interrupted)
		}()
	}
	return m, nil
}

// ComposedAvailable reports whether ffmpeg was found (COMPOSED possible).
func (m *Manager) ComposedAvailable() bool { return m.ff.available() }

// Path is the absolute recording path.
func (m *Manager) Path() string { return m.opts.Path }

func (m *Manager) now() time.Time { return m.opts.Now().Truncate(time.Millisecond) }

// hook is the core.Recorder side of the Manager.
type hook struct{ m *Manager }

func (h hook) AutoStart(sessionID string) {
	s, err := h.m.svc.Session(sessionID)
	if err != nil {
		return
	}
	props := s.View().Properties.DefaultRecordingProperties
	if _, err := h.m.Start(sessionID, props); err != nil {
		if errors.Is(err, core.ErrRecordingConflict) {
			return // already recording: another publish won the race
		}
		h.m.log.Error("RecordingMode ALWAYS: the recording did not start", "sessionId", sessionID, "err", err)
	}
}

func (h hook) Stop(sessionID string, reason core.Reason) {
	h.m.mu.Lock()
	rec := h.m.bySession[sessionID]
	h.m.mu.Unlock()
	if rec == nil {
		return
	}
	<-rec.startDone
	if _, err := h.m.stop(rec, reason, false); err != nil && !errors.Is(err, errNotRunning) {
		h.m.log.Error("stopping a recording", "recordingId", rec.id(), "err", err)
	}
}

// Start records a session. The checks of spec §4.7 on the session and the
// properties are the caller's (the REST handler keeps upstream's order);
// Start answers 409 if the session became unrecordable meanwhile and 500
// when the recording cannot start.
func (m *Manager) Start(sessionID string, props core.RecordingProperties) (Recording, error) {
	if props.OutputMode.IsComposed() && !m.ff.available() {
		return Recording{}, core.ErrRecordingStart.Withf("Error starting recording: %v", ErrNoFFmpeg)
	}
	m.mu.Lock()
	if m.closed || m.shutdown != nil {
		m.mu.Unlock()
		return Recording{}, core.ErrShuttingDown
	}
	m.mu.Unlock()
	id, dir, err := m.allocate(sessionID)
	if err != nil {
		return Recording{}, core.ErrRecordingStart.Withf("Error starting recording: %v", err)
	}
	if props.OutputMode.IsComposed() && props.HasVideo && props.RecordingLayout != core.LayoutBestFit {
		m.log.Warn("this layout is recorded as BEST_FIT (no browser renders layouts here)", "recordingId", id, "recordingLayout", props.RecordingLayout)
	}
	rec := newActiveRecording(m, id, dir, sessionID, props)
	m.mu.Lock()
	if other := m.bySession[sessionID]; other != nil {
		m.mu.Unlock()
		os.RemoveAll(dir)
		return Recording{}, core.ErrRecordingConflict.Withf("session %s is already being recorded", sessionID)
	}
	m.bySession[sessionID] = rec
	m.byID[id] = rec
	m.mu.Unlock()
	view, err := m.svc.BeginRecording(sessionID, id, rec.snapshot().Name)
	if err != nil {
		m.forget(rec)
		close(rec.startDone)
		os.RemoveAll(dir)
		return Recording{}, err
	}
	rec.begun(view)
	return rec.start()
}

// allocate reserves the recording id: the session id, then id~1, id~2…,
// the first whose folder does not exist (mkdir is the atomic test).
func (m *Manager) allocate(sessionID string) (string, string, error) {
	for i := 0; i < 100000; i++ {
		id := sessionID
		if i > 0 {
			id = fmt.Sprintf("%s~%d", sessionID, i)
		}
		dir := filepath.Join(m.opts.Path, id)
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return id, dir, syncDir(m.opts.Path)
		}
		if !errors.Is(err, os.ErrExist) {
			return "", "", err
		}
	}
	return "", "", errors.New("no free recording id")
}

func (m *Manager) forget(rec *activeRecording) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.bySession[rec.sessionID] == rec {
		delete(m.bySession, rec.sessionID)
	}
	if m.byID[rec.id()] == rec {
		delete(m.byID, rec.id())
	}
}

var errNotRunning = errors.New("recording is not running")

// Stop stops a recording through the API (spec §4.7): 406 while it is
// starting, 404 when unknown or already stopped, 409 when its session no
// longer records it; the answer carries the final state.
func (m *Manager) Stop(id string) (Recording, error) {
	m.mu.Lock()
	rec := m.byID[id]
	m.mu.Unlock()
	if rec == nil {
		return Recording{}, core.ErrRecordingNotFound.Withf("recording %s not found or already stopped", id)
	}
	switch rec.phaseNow() {
	case phaseStarting:
		return Recording{}, core.ErrRecordingStarting.Withf("recording %s is still starting", id)
	case phaseStarted:
	default:
		return Recording{}, core.ErrRecordingNotFound.Withf("recording %s is already stopped", id)
	}
	if s, err := m.svc.Session(rec.sessionID); err != nil || !s.View().Recording {
		return Recording{}, core.ErrRecordingConflict.Withf("session %s is not being recorded", rec.sessionID)
	}
	r, err := m.stop(rec, core.ReasonRecordingStoppedByServer, true)
	if errors.Is(err, errNotRunning) {
		return Recording{}, core.ErrRecordingNotFound.Withf("recording %s is already stopped", id)
	}
	return r, err
}

// Get reads a recording from disk (the only source, as upstream).
func (m *Manager) Get(id string) (Recording, error) {
	if !idPattern.MatchString(id) {
		return Recording{}, core.ErrRecordingNotFound.Withf("recording %s not found", id)
	}
	b, err := os.ReadFile(filepath.Join(m.opts.Path, id, metadataName(id)))
	if err != nil {
		return Recording{}, core.ErrRecordingNotFound.Withf("recording %s not found", id)
	}
	r, _, err := fromMetadata(b)
	if err != nil {
		return Recording{}, core.ErrRecordingNotFound.Withf("recording %s: unreadable metadata: %v", id, err)
	}
	return r, nil
}

// List returns every recording on disk, oldest first.
func (m *Manager) List() ([]Recording, error) {
	entries, err := os.ReadDir(m.opts.Path)
	if err != nil {
		return nil, err
	}
	out := []Recording{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if r, err := m.Get(e.Name()); err == nil {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Delete removes a recording's folder: 409 while it runs or is being
// processed, 404 when unknown.
func (m *Manager) Delete(id string) error {
	m.mu.Lock()
	busy := m.byID[id] != nil || m.recovering[id]
	m.mu.Unlock()
	if busy {
		return core.ErrRecordingInUse.Withf("recording %s is in progress", id)
	}
	if _, err := m.Get(id); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(m.opts.Path, id)); err != nil {
		return core.ErrInternal.Withf("deleting recording %s: %v", id, err)
	}
	m.log.Info("recording deleted", "recordingId", id)
	return nil
}

// FilePath returns the path of a file of a recording for download, false
// for anything else (hidden files, folders, other paths).
func (m *Manager) FilePath(id, name string) (string, bool) {
	if !idPattern.MatchString(id) || name == "" || name[0] == '.' || filepath.Base(name) != name {
		return "", false
	}
	p := filepath.Join(m.opts.Path, id, name)
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	return p, true
}

// OnEvent is the core.Listener: events are handled in order on the
// Manager's own goroutine.
func (m *Manager) OnEvent(e core.Event) {
	switch e.(type) {
	case core.StreamPublished, core.StreamUnpublished, core.ConnectionPropertyChanged, core.SessionDestroyed:
		m.events.push(e)
	}
}

func (m *Manager) recordingOf(ref core.SessionRef) *activeRecording {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.bySession[ref.ID]
	if rec == nil || rec.ref().UniqueID != ref.UniqueID {
		return nil
	}
	return rec
}

func (m *Manager) handle(ev any) {
	switch e := ev.(type) {
	case beginEvent:
		e.rec.attachAll()
		close(e.done)
	case core.StreamPublished:
		if rec := m.recordingOf(e.Session); rec != nil {
			rec.addStream(e.Stream, e.Connection)
		}
	case core.StreamUnpublished:
		if rec := m.recordingOf(e.Session); rec != nil {
			rec.endStream(e.Stream.ID)
		}
	case core.ConnectionPropertyChanged:
		rec := m.recordingOf(e.Session)
		if rec == nil || e.Property != "record" || rec.props.OutputMode != core.OutputIndividual {
			return
		}
		st, err := m.svc.StreamOf(e.Session.ID, e.ConnectionID)
		if err != nil {
			return
		}
		if e.NewValue == "true" {
			if c, err := m.svc.Connection(e.Session.ID, e.ConnectionID); err == nil {
				rec.addStream(st, c)
			}
		} else {
			rec.endStream(st.ID)
		}
	case core.SessionDestroyed:
		// The session closed while recording (core normally stops the
		// recording first; this catches a start that raced the close).
		if rec := m.recordingOf(e.Session); rec != nil {
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				<-rec.startDone
				_, _ = m.stop(rec, e.Reason, false)
			}()
		}
	}
}

// BeginShutdown tells the Manager the server is stopping: recordings
// stopped from now on are finalized within ctx's deadline, or left for the
// next start; no recording starts any more.
func (m *Manager) BeginShutdown(ctx context.Context) {
	m.mu.Lock()
	m.shutdown = ctx
	m.mu.Unlock()
}

// finalizeContext bounds a finalization: the shutdown's deadline when
// stopping, else only Close.
func (m *Manager) finalizeContext() (context.Context, context.CancelFunc) {
	m.mu.Lock()
	sd := m.shutdown
	m.mu.Unlock()
	if sd == nil {
		return context.WithCancel(m.ctx)
	}
	ctx, cancel := context.WithCancel(m.ctx)
	stop := context.AfterFunc(sd, cancel)
	if dl, ok := sd.Deadline(); ok {
		// Keep a margin for the rest of the shutdown.
		margin := time.Until(dl) / 4
		var c2 context.CancelFunc
		ctx, c2 = context.WithDeadline(ctx, dl.Add(-margin))
		return ctx, func() { c2(); stop(); cancel() }
	}
	return ctx, func() { stop(); cancel() }
}

// Close stops every recording still running (left for finalization at
// the next start if there is no time), background work and goroutines.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	if m.shutdown == nil {
		m.shutdown = ctx
	}
	var running []*activeRecording
	for _, r := range m.bySession {
		running = append(running, r)
	}
	m.mu.Unlock()
	for _, r := range running {
		<-r.startDone
		_, _ = m.stop(r, core.ReasonOpenViduServerStopped, false)
	}
	m.cancel()
	m.events.close()
	return waitctx.Wait(ctx, &m.wg)
}

// eventQueue is an unbounded FIFO drained by one goroutine: OnEvent never blocks.
type eventQueue struct {
	mu     sync.Mutex
	items  []any
	closed bool
	wake   chan struct{}
}

func newEventQueue() *eventQueue { return &eventQueue{wake: make(chan struct{}, 1)} }

// push queues e; false once the queue is closed.
func (q *eventQueue) push(e any) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, e)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) run(handle func(any)) {
	for {
		q.mu.Lock()
		items := q.items
		q.items = nil
		closed := q.closed
		q.mu.Unlock()
		for _, e := range items {
			handle(e)
		}
		if closed && len(items) == 0 {
			return
		}
		if len(items) == 0 {
			<-q.wake
		}
	}
}
