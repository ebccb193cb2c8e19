package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
)

// phase of an activeRecording.
type phase int

const (
	phaseStarting phase = iota // waiting for the first media
	phaseStarted
	phaseStopping // writers closing, then finalization
	phaseDone     // ready or failed (or left for the next start at shutdown)
)

// activeRecording is a recording from its start until it is ready or
// failed.
type activeRecording struct {
	m *Manager
	// Fixed at creation (read without the lock).
	recID, sessionID string
	createdAt        time.Time
	props            core.RecordingProperties

	dir   string // {path}/{id}
	parts string // where the stream files go: dir, or dir/.parts for COMPOSED

	startDone chan struct{} // closed when Start returned
	done      chan struct{} // closed when ready or failed

	mu        sync.Mutex // guards the fields below
	rec       Recording
	phase     phase
	streams   []*recordedStream // every file, in start order
	live      map[string]*recordedStream
	stoppedAt int64 // ms after createdAt
	composer  *composer
	wg        sync.WaitGroup // streams being closed
}

// recordedStream is one stream file of a recording.
type recordedStream struct {
	rec     *activeRecording
	path    string
	sidecar string
	w       *streamWriter
	detach  []func()

	mu      sync.Mutex // guards meta, summary, closed
	meta    streamFile
	summary *fileSummary // once finalized
	closed  bool
	err     error
}

func newActiveRecording(m *Manager, id, dir, sessionID string, props core.RecordingProperties) *activeRecording {
	name := props.Name
	if name == "" {
		name = id
	}
	props.Name = name
	created := m.now()
	a := &activeRecording{
		m: m, recID: id, sessionID: sessionID, createdAt: created, props: props,
		dir: dir, parts: dir, startDone: make(chan struct{}), done: make(chan struct{}),
		live: map[string]*recordedStream{},
		rec: Recording{
			ID: id, Name: name, SessionID: sessionID, Properties: props, CreatedAt: created, Status: core.RecordingStarting,
		},
	}
	if props.OutputMode.IsComposed() {
		a.parts = filepath.Join(dir, ".parts")
	}
	return a
}

func (a *activeRecording) id() string { return a.recID }

func (a *activeRecording) phaseNow() phase {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.phase
}

func (a *activeRecording) snapshot() Recording {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.rec
}

type beginEvent struct {
	rec  *activeRecording
	done chan struct{}
}

// begun runs once core flagged the session: the metadata is written and
// the streams are attached on the event goroutine (so that no publish or
// unpublish can be missed or applied twice).
func (a *activeRecording) begun(view core.SessionView) {
	a.mu.Lock()
	a.rec.UniqueSessionID = view.UniqueID
	a.mu.Unlock()
	if err := os.MkdirAll(a.parts, 0o755); err != nil {
		a.m.log.Error("recording folder", "err", err)
	}
	a.writeMetadata()
	ev := beginEvent{rec: a, done: make(chan struct{})}
	if !a.m.events.push(ev) {
		a.attachAll()
		return
	}
	<-ev.done
}

// attachAll records every stream published now. Runs on the event goroutine.
func (a *activeRecording) attachAll() {
	s, err := a.m.svc.Session(a.sessionID)
	if err != nil {
		return
	}
	for _, c := range s.View().ActiveConnections() {
		if c.Publisher != nil {
			a.addStream(*c.Publisher, c)
		}
	}
}

// start waits for media (spec §4.7: the answer comes once media is being
// written) and announces the recording.
func (a *activeRecording) start() (Recording, error) {
	defer close(a.startDone)
	m := a.m
	a.mu.Lock()
	writers := make([]*recordedStream, 0, len(a.live))
	for _, s := range a.live {
		writers = append(writers, s)
	}
	a.mu.Unlock()
	if err := a.awaitMedia(writers); err != nil {
		return Recording{}, a.failStart(err)
	}
	a.mu.Lock()
	a.phase = phaseStarted
	a.rec.Status = core.RecordingStarted
	rec := a.rec
	if rec.Properties.OutputMode.IsComposed() {
		a.composer = newComposer(a)
	}
	a.mu.Unlock()
	a.writeMetadata()
	// The started event carries createdAt as its timestamp (spec §8).
	m.svc.EmitRecordingStatus(a.ref(), rec.Info(), "", rec.CreatedAt)
	if m.opts.Observer != nil {
		m.opts.Observer.RecordingStarted()
	}
	if a.composer != nil {
		a.composer.startLive()
	}
	m.log.Info("recording started", "recordingId", rec.ID, "sessionId", rec.SessionID, "outputMode", rec.Properties.OutputMode, "streams", len(writers))
	return rec, nil
}

func (a *activeRecording) ref() core.SessionRef {
	a.mu.Lock()
	defer a.mu.Unlock()
	return core.SessionRef{ID: a.sessionID, UniqueID: a.rec.UniqueSessionID}
}

// awaitMedia waits for the first frames: of every stream for INDIVIDUAL
// (which fails when one stays silent for the start timeout, unless
// ignoreFailedStreams), of any stream otherwise.
func (a *activeRecording) awaitMedia(streams []*recordedStream) error {
	if len(streams) == 0 {
		return nil
	}
	strict := a.props.OutputMode == core.OutputIndividual && !a.props.IgnoreFailedStreams
	deadline := time.Now().Add(a.m.opts.StartTimeout)
	for {
		var silent []string
		for _, s := range streams {
			select {
			case <-s.w.started:
				if !strict {
					return nil
				}
			default:
				silent = append(silent, s.meta.StreamID)
			}
		}
		switch {
		case len(silent) == 0:
			return nil
		case time.Now().After(deadline) && strict:
			return fmt.Errorf("no media from stream(s) %s within %v (set ignoreFailedStreams to record the others)",
				strings.Join(silent, ", "), a.m.opts.StartTimeout)
		case time.Now().After(deadline):
			return nil // the silent ones are recorded when their media comes
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (a *activeRecording) failStart(cause error) error {
	m := a.m
	a.mu.Lock()
	a.phase = phaseStopping
	streams := append([]*recordedStream(nil), a.streams...)
	a.mu.Unlock()
	m.svc.EndRecording(a.sessionID, a.recID, false)
	for _, s := range streams {
		s.close()
	}
	a.wg.Wait()
	if a.parts != a.dir {
		os.RemoveAll(a.parts)
	}
	for _, s := range streams {
		os.Remove(s.path)
		os.Remove(s.sidecar)
	}
	a.mu.Lock()
	a.phase = phaseDone
	a.rec.Status = core.RecordingFailed
	a.rec.Error = cause.Error()
	rec := a.rec
	a.mu.Unlock()
	a.writeMetadata()
	m.svc.EmitRecordingStatus(a.ref(), rec.Info(), "", m.now())
	m.forget(a)
	close(a.done)
	if m.opts.Observer != nil {
		m.opts.Observer.RecordingFailed()
	}
	m.log.Error("recording failed to start", "recordingId", rec.ID, "sessionId", rec.SessionID, "err", cause)
	return core.ErrRecordingStart.Withf("Error starting recording: %v", cause)
}

// writeMetadata rewrites .recording.{id}.
func (a *activeRecording) writeMetadata() {
	a.mu.Lock()
	md := toMetadata(a.rec, a.stoppedAt)
	a.mu.Unlock()
	if err := writeJSONFile(filepath.Join(a.dir, metadataName(a.recID)), md, false); err != nil {
		a.m.log.Error("writing recording metadata", "recordingId", a.recID, "err", err)
	}
}

// videoSize parses the browser's videoDimensions ("{\"width\":…}").
func videoSize(dims string) (int, int) {
	var d struct{ Width, Height int }
	if json.Unmarshal([]byte(dims), &d) != nil {
		return 0, 0
	}
	return d.Width, d.Height
}

// addStream starts recording a published stream (once). Runs on the event
// goroutine.
func (a *activeRecording) addStream(st core.StreamView, conn core.ConnectionView) {
	m := a.m
	props := a.props
	if props.OutputMode == core.OutputIndividual && !conn.Properties.Record {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.phase >= phaseStopping || a.live[st.ID] != nil || m.opts.Source == nil {
		return
	}
	var audio, video *trackSpec
	if st.Media.HasAudio && props.HasAudio {
		if mime, ok := m.opts.Source.Track(st.ID, false); ok && codecOf(mime) != 0 {
			audio = &trackSpec{codec: codecOf(mime)}
		}
	}
	if st.Media.HasVideo && props.HasVideo {
		if mime, ok := m.opts.Source.Track(st.ID, true); ok && codecOf(mime) != 0 {
			w, h := videoSize(st.Media.VideoDimensions)
			video = &trackSpec{codec: codecOf(mime), width: w, height: h}
		}
	}
	if audio == nil && video == nil {
		m.log.Warn("stream not recorded: no recordable track", "recordingId", a.recID, "streamId", st.ID)
		return
	}
	ext := ".webm"
	if video != nil && video.codec == codecH264 {
		ext = ".mkv"
	}
	base := st.ID
	for n := 1; a.hasFile(base + ext); n++ {
		base = fmt.Sprintf("%s-%d", st.ID, n) // a re-publication in this recording
	}
	s := &recordedStream{
		rec: a, path: filepath.Join(a.parts, base+ext), sidecar: filepath.Join(a.parts, sidecarName(base+ext)),
		meta: streamFile{
			Name: base + ext, ConnectionID: conn.ID, StreamID: st.ID, ClientData: conn.ClientData, ServerData: conn.Properties.Data,
			HasAudio: audio != nil, HasVideo: video != nil, StartTimeOffset: -1, EndTimeOffset: -1, VideoStartOffset: -1,
		},
	}
	if video != nil {
		s.meta.TypeOfVideo = string(st.Media.TypeOfVideo)
	}
	s.writeSidecar()
	cfg := writerConfig{
		path: s.path, origin: a.createdAt, audio: audio, video: video, now: m.opts.Now, syncEvery: m.opts.SyncEvery,
		keyframe: func() { m.opts.Source.RequestKeyframe(st.ID) }, log: m.log,
		onStart: func(ms int64) {
			s.mu.Lock()
			s.meta.StartTimeOffset = ms
			s.mu.Unlock()
			s.writeSidecar()
		},
	}
	if props.OutputMode.IsComposed() {
		cfg.keyEvery = m.opts.KeyframeInterval
	}
	w, err := newStreamWriter(cfg)
	if err != nil {
		m.log.Error("recording a stream", "recordingId", a.recID, "streamId", st.ID, "err", err)
		os.Remove(s.sidecar)
		return
	}
	s.w = w
	for _, kind := range []struct {
		on    bool
		video bool
	}{{audio != nil, false}, {video != nil, true}} {
		if !kind.on {
			continue
		}
		detach, err := m.opts.Source.Attach(st.ID, kind.video, w.sink(kind.video))
		if err != nil {
			m.log.Warn("tapping a stream", "recordingId", a.recID, "streamId", st.ID, "err", err)
			continue
		}
		s.detach = append(s.detach, detach)
	}
	a.streams = append(a.streams, s)
	a.live[st.ID] = s
	m.log.Info("recording stream", "recordingId", a.recID, "streamId", st.ID, "file", s.meta.Name)
}

func (a *activeRecording) hasFile(name string) bool {
	for _, s := range a.streams {
		if s.meta.Name == name {
			return true
		}
	}
	return false
}

// endStream closes a stream's file (unpublished, or record turned off).
func (a *activeRecording) endStream(streamID string) {
	a.mu.Lock()
	s := a.live[streamID]
	delete(a.live, streamID)
	a.mu.Unlock()
	if s != nil {
		s.close()
	}
}

// close stops the stream's writer and finalizes its file, in the
// background; the recording's wg waits for it.
func (s *recordedStream) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	for _, d := range s.detach {
		d()
	}
	s.rec.wg.Add(1)
	go func() {
		defer s.rec.wg.Done()
		res := s.w.stop()
		sum, err := fileSummary{}, res.err
		if err == nil {
			sum, err = finalizeMatroska(s.path)
		}
		s.mu.Lock()
		s.err = err
		if err == nil {
			s.summary = &sum
			s.meta.Size = sum.size
			s.meta.StartTimeOffset = res.startOffset
			s.meta.EndTimeOffset = res.startOffset + sum.duration
			s.meta.HasAudio = sum.track(false) != nil
			s.meta.HasVideo = sum.track(true) != nil
			if v := sum.track(true); v != nil {
				s.meta.VideoStartOffset = res.startOffset + v.first
			} else {
				s.meta.TypeOfVideo = ""
			}
		}
		s.mu.Unlock()
		if err != nil && !errors.Is(err, errNoMedia) {
			s.rec.m.log.Error("closing a stream file", "file", s.path, "err", err)
		}
		s.writeSidecar()
	}()
}

func (s *recordedStream) writeSidecar() {
	s.mu.Lock()
	meta := s.meta
	s.mu.Unlock()
	if err := writeJSONFile(s.sidecar, meta, false); err != nil {
		s.rec.m.log.Error("writing a stream's metadata", "file", s.sidecar, "err", err)
	}
}

// stop stops the recording for reason and finalizes it (spec §7: stopped,
// then ready or failed). manual is a stop through the API.
func (m *Manager) stop(a *activeRecording, reason core.Reason, manual bool) (Recording, error) {
	a.mu.Lock()
	if a.phase != phaseStarted {
		a.mu.Unlock()
		return Recording{}, errNotRunning
	}
	a.phase = phaseStopping
	a.stoppedAt = m.now().Sub(a.createdAt).Milliseconds()
	streams := append([]*recordedStream(nil), a.streams...)
	comp := a.composer
	a.mu.Unlock()

	m.mu.Lock()
	if m.bySession[a.sessionID] == a {
		delete(m.bySession, a.sessionID)
	}
	m.mu.Unlock()
	closeEmpty := m.svc.EndRecording(a.sessionID, a.recID, manual)
	if m.opts.Observer != nil {
		m.opts.Observer.RecordingStopped()
	}
	if comp != nil {
		comp.stopLive()
	}
	for _, s := range streams {
		s.close()
	}
	a.wg.Wait()

	a.mu.Lock()
	a.rec.Status = core.RecordingStopped
	a.rec.Reason = reason
	rec := a.rec
	a.mu.Unlock()
	a.writeMetadata()
	m.svc.EmitRecordingStatus(a.ref(), rec.Info(), reason, m.now())
	m.log.Info("recording stopped", "recordingId", rec.ID, "reason", reason, "duration", time.Duration(a.stoppedAt)*time.Millisecond)

	ctx, cancel := m.finalizeContext()
	defer cancel()
	began := time.Now()
	file, err := a.finalize(ctx, streams)
	if ctx.Err() != nil {
		// Shutting down: the next start finalizes it from the files.
		m.log.Warn("recording left for finalization at the next start", "recordingId", rec.ID)
		a.mu.Lock()
		a.phase = phaseDone
		a.mu.Unlock()
		m.forget(a)
		close(a.done)
		return a.snapshot(), nil
	}
	final := m.complete(a.dir, a.snapshot(), file, err, a.stoppedAt)
	a.mu.Lock()
	a.phase = phaseDone
	a.rec = final
	a.mu.Unlock()
	m.svc.EmitRecordingStatus(a.ref(), final.Info(), reason, m.now())
	m.forget(a)
	close(a.done)
	if m.opts.Observer != nil && final.Status == core.RecordingFailed {
		m.opts.Observer.RecordingFailed()
	}
	m.log.Info("recording finalized", "recordingId", final.ID, "status", final.Status, "file", final.File,
		"size", final.Size, "duration", final.Duration, "took", time.Since(began).Round(time.Millisecond), "err", final.Error)
	if closeEmpty {
		m.svc.CloseEmptySession(a.sessionID, core.ReasonRecordingStoppedByServer)
	}
	return final, nil
}

// output is what a finalization produced.
type output struct {
	file     string  // in the recording's folder
	size     int64   // bytes
	duration float64 // seconds
}

// complete records the outcome of a finalization in the metadata.
func (m *Manager) complete(dir string, r Recording, out output, err error, stoppedAt int64) Recording {
	if err != nil {
		r.Status, r.Error = core.RecordingFailed, err.Error()
		r.Size, r.Duration = 0, 0
		r.File = ""
		if out.file != "" {
			if _, serr := os.Stat(filepath.Join(dir, out.file)); serr == nil {
				r.File = out.file
			}
		}
	} else {
		r.Status, r.File, r.Size, r.Duration = core.RecordingReady, out.file, out.size, out.duration
	}
	if werr := writeJSONFile(filepath.Join(dir, metadataName(r.ID)), toMetadata(r, stoppedAt), false); werr != nil {
		m.log.Error("writing recording metadata", "recordingId", r.ID, "err", werr)
	}
	return r
}

// finalize produces the recording's output from its stream files.
func (a *activeRecording) finalize(ctx context.Context, streams []*recordedStream) (output, error) {
	var files []streamFile
	for _, s := range streams {
		s.mu.Lock()
		if s.err == nil && s.summary != nil {
			files = append(files, s.meta)
		}
		s.mu.Unlock()
	}
	rec := a.snapshot()
	if a.props.OutputMode == core.OutputIndividual {
		return a.m.finalizeIndividual(ctx, a.dir, rec, files)
	}
	return a.m.finalizeComposed(ctx, a.dir, rec, files, a.stoppedAt, a.composer)
}

var _ media.Sink = sink{}
