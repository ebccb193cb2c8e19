package recording

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
)

// Manager tests run the whole recorder on a fake Source that plays the
// fixtures into the taps in real time, without WebRTC.

type fakeSource struct {
	t         testing.TB
	mu        sync.Mutex
	streams   map[string]*fakeStream
	keyframes atomic.Int64
	wg        sync.WaitGroup
}

type fakeStream struct {
	audio, video bool
	silent       bool
	stop         chan struct{}
	stopped      bool
}

func newFakeSource(t testing.TB) *fakeSource {
	f := &fakeSource{t: t, streams: map[string]*fakeStream{}}
	t.Cleanup(func() {
		f.mu.Lock()
		for _, s := range f.streams {
			if !s.stopped {
				s.stopped = true
				close(s.stop)
			}
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return f
}

func (f *fakeSource) add(streamID string, audio, video, silent bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streams[streamID] = &fakeStream{audio: audio, video: video, silent: silent, stop: make(chan struct{})}
}

// end stops a stream's media (its publisher went away).
func (f *fakeSource) end(streamID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.streams[streamID]; s != nil && !s.stopped {
		s.stopped = true
		close(s.stop)
	}
}

func (f *fakeSource) Track(streamID string, video bool) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.streams[streamID]
	switch {
	case s == nil:
		return "", false
	case video && s.video:
		return "video/VP8", true
	case !video && s.audio:
		return "audio/opus", true
	}
	return "", false
}

func (f *fakeSource) Attach(streamID string, video bool, sink media.Sink) (func(), error) {
	f.mu.Lock()
	s := f.streams[streamID]
	f.mu.Unlock()
	if s == nil {
		return nil, errors.New("no such stream")
	}
	detached := make(chan struct{})
	var once sync.Once
	if !s.silent {
		base := time.Now()
		var pkts []*packet
		if video {
			pkts = vp8Packets(f.t, time.Minute, base)
		} else {
			pkts = opusPackets(f.t, time.Minute, base)
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for _, p := range pkts {
				if d := time.Until(time.Unix(0, p.arrival)); d > 0 {
					select {
					case <-time.After(d):
					case <-detached:
						return
					case <-s.stop:
						return
					}
				}
				select {
				case <-detached:
					return
				case <-s.stop:
					return
				default:
				}
				h := rtp.Header{SSRC: p.ssrc, SequenceNumber: p.seq, Timestamp: p.ts, Marker: p.marker}
				sink.WriteRTP(&h, p.payload, false, time.Now().UnixNano())
			}
		}()
	}
	return func() { once.Do(func() { close(detached) }) }, nil
}

func (f *fakeSource) RequestKeyframe(string) { f.keyframes.Add(1) }

// env is a service, a manager on a temporary path and a fake source.
type env struct {
	t   *testing.T
	svc *core.Service
	m   *Manager
	src *fakeSource
	dir string
	ev  *eventLog
}

type eventLog struct {
	mu     sync.Mutex
	events []core.RecordingStatusChanged
}

func (l *eventLog) OnEvent(e core.Event) {
	if r, ok := e.(core.RecordingStatusChanged); ok {
		l.mu.Lock()
		l.events = append(l.events, r)
		l.mu.Unlock()
	}
}

func (l *eventLog) statuses(id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		if e.Recording.ID == id {
			s := string(e.Recording.Status)
			if e.Reason != "" {
				s += ":" + string(e.Reason)
			}
			out = append(out, s)
		}
	}
	return out
}

func quietLog() *slog.Logger {
	if os.Getenv("GOVIDU_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newEnv(t *testing.T, tune func(*Options)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), src: newFakeSource(t), ev: &eventLog{}}
	e.svc = core.NewService(core.Options{TokenURL: "ws://localhost:4443", AutostopTimeout: time.Hour, Logger: quietLog()})
	e.svc.AddListener(e.ev)
	e.m = e.open(e.dir, tune)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = e.svc.Close(ctx)
	})
	return e
}

func (e *env) open(dir string, tune func(*Options)) *Manager {
	e.t.Helper()
	opts := Options{Path: dir, Source: e.src, Logger: quietLog(), StartTimeout: 3 * time.Second}
	if tune != nil {
		tune(&opts)
	}
	m, err := New(e.svc, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			e.t.Errorf("manager close: %v", err)
		}
	})
	return m
}

// session creates a session with one joined participant per stream spec;
// each publishes on the fake source.
func (e *env) session(id string, props func(*core.SessionProperties), streams ...[3]bool) []core.StreamView {
	e.t.Helper()
	p := e.svc.NewSessionProperties()
	p.CustomSessionID = id
	if props != nil {
		props(&p)
	}
	if _, err := e.svc.CreateSession(p); err != nil {
		e.t.Fatal(err)
	}
	var out []core.StreamView
	if len(streams) == 0 {
		e.join(id, "watcher")
	}
	for i, s := range streams {
		cid := e.join(id, string(rune('a'+i)))
		out = append(out, e.publish(id, cid, s))
	}
	return out
}

func (e *env) join(sid, data string) string {
	e.t.Helper()
	cp := core.DefaultConnectionProperties()
	cp.Data = data
	c, err := e.svc.CreateConnection(sid, cp)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.svc.Join(core.JoinRequest{Token: c.Token, ClientData: "client-" + data})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Connection.ID
}

// publish: s = {audio, video, silent}.
func (e *env) publish(sid, cid string, s [3]bool) core.StreamView {
	e.t.Helper()
	st, err := e.svc.BeginPublish(sid, cid, core.MediaOptions{HasAudio: s[0], AudioActive: s[0], HasVideo: s[1], VideoActive: s[1],
		TypeOfVideo: core.VideoCamera, FrameRate: 15, VideoDimensions: `{"width":320,"height":240}`})
	if err != nil {
		e.t.Fatal(err)
	}
	e.src.add(st.ID, s[0], s[1], s[2])
	if _, err := e.svc.CompletePublish(sid, cid, st.ID); err != nil {
		e.t.Fatal(err)
	}
	return st
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for delay := 5 * time.Millisecond; !cond(); delay = min(delay*2, 100*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(delay)
	}
}

var (
	av     = [3]bool{true, true, false}
	videoV = [3]bool{false, true, false}
	silent = [3]bool{true, true, true}
)

func individual(mut ...func(*core.RecordingProperties)) core.RecordingProperties {
	p := core.DefaultRecordingProperties()
	p.OutputMode = core.OutputIndividual
	for _, f := range mut {
		f(&p)
	}
	return p
}

func TestIndividualRecording(t *testing.T) {
	t.Parallel()
	ff := needFFmpeg(t)
	e := newEnv(t, nil)
	streams := e.session("ind", nil, av, videoV)
	began := time.Now()
	rec, err := e.m.Start("ind", individual())
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != core.RecordingStarted || rec.ID != "ind" || rec.Name != "ind" {
		t.Fatalf("start: %+v", rec)
	}
	if s, _ := e.svc.Session("ind"); !s.View().Recording {
		t.Fatal("the session is not flagged as recording")
	}
	if got, _ := e.m.Get("ind"); got.Status != core.RecordingStarted {
		t.Fatalf("metadata on disk says %s", got.Status)
	}
	time.Sleep(3 * time.Second) // the recording's length
	rec, err = e.m.Stop("ind")
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(began).Seconds()
	if rec.Status != core.RecordingReady || rec.File != "ind.zip" || rec.Size == 0 || rec.Duration < 2.5 || rec.Duration > took {
		t.Fatalf("stop: %+v (took %.1f s)", rec, took)
	}
	if got := e.ev.statuses("ind"); strings.Join(got, " ") != "started stopped:recordingStoppedByServer ready:recordingStoppedByServer" {
		t.Errorf("events %v", got)
	}
	entries, _ := os.ReadDir(filepath.Join(e.dir, "ind"))
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if strings.Join(names, ",") != ".recording.ind,ind.zip" {
		t.Errorf("folder holds %v: loose files must be gone", names)
	}
	zr, err := zip.OpenReader(filepath.Join(e.dir, "ind", "ind.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var sf syncFile
	contents := map[string]int64{}
	for _, f := range zr.File {
		contents[f.Name] = int64(f.UncompressedSize64)
		if f.Name == "ind.json" {
			rc, _ := f.Open()
			if err := json.NewDecoder(rc).Decode(&sf); err != nil {
				t.Fatal(err)
			}
			rc.Close()
		}
	}
	if sf.ID != "ind" || sf.Name != "ind" || sf.SessionID != "ind" || sf.CreatedAt != rec.CreatedAt.UnixMilli() || len(sf.Files) != 2 {
		t.Fatalf("sync file %+v", sf)
	}
	for i, f := range sf.Files {
		if f.StreamID != streams[i].ID || f.Name != streams[i].ID+".webm" || contents[f.Name] != f.Size || f.Size == 0 {
			t.Errorf("file %d: %+v (zip holds %d bytes)", i, f, contents[f.Name])
		}
		if f.ServerData != string(rune('a'+i)) || f.ClientData != "client-"+string(rune('a'+i)) || f.TypeOfVideo != "CAMERA" {
			t.Errorf("file %d data: %+v", i, f)
		}
		if d := f.EndTimeOffset - f.StartTimeOffset; f.StartTimeOffset < 0 || d < 2900 || float64(d) > took*1000 {
			t.Errorf("file %d offsets %d–%d", i, f.StartTimeOffset, f.EndTimeOffset)
		}
	}
	if !sf.Files[0].HasAudio || !sf.Files[0].HasVideo || sf.Files[1].HasAudio || !sf.Files[1].HasVideo {
		t.Errorf("tracks: %+v", sf.Files)
	}
	// The files themselves play.
	out := t.TempDir()
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		os.WriteFile(filepath.Join(out, zf.Name), b, 0o644)
	}
	for _, f := range sf.Files {
		p, err := ff.probe(context.Background(), filepath.Join(out, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		want := float64(f.EndTimeOffset-f.StartTimeOffset) / 1000
		if !near(p.duration, want, 0.1) || p.stream("video") == nil || p.stream("video").codec != "vp8" {
			t.Errorf("%s: %+v, want %.3f s of VP8", f.Name, p, want)
		}
	}
	if _, err := e.m.Stop("ind"); !errors.Is(err, core.ErrRecordingNotFound) {
		t.Errorf("second stop: %v", err)
	}
}

func TestStartFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *Options) { o.FFmpegDir = t.TempDir() }) // no ffmpeg there
	e.session("quiet", nil, av, silent)
	p := core.DefaultRecordingProperties()
	if _, err := e.m.Start("quiet", p); err == nil || !strings.Contains(err.Error(), "ffmpeg") || core.AsError(err).HTTPStatus != 500 {
		t.Errorf("COMPOSED without ffmpeg: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "quiet")); !os.IsNotExist(err) {
		t.Error("a refused start left a folder")
	}
	if s, _ := e.svc.Session("quiet"); s.View().Recording {
		t.Error("a refused start left the session recording")
	}

	// A stream that sends nothing fails an INDIVIDUAL start, after the start
	// timeout; meanwhile the recording is "starting" (stop is 406).
	done := make(chan error, 1)
	go func() { _, err := e.m.Start("quiet", individual()); done <- err }()
	waitUntil(t, 5*time.Second, "starting", func() bool { r, err := e.m.Get("quiet"); return err == nil && r.Status == core.RecordingStarting })
	if _, err := e.m.Stop("quiet"); core.AsError(err).HTTPStatus != 406 {
		t.Errorf("stop while starting: %v", err)
	}
	if err := e.m.Delete("quiet"); core.AsError(err).HTTPStatus != 409 {
		t.Errorf("delete while starting: %v", err)
	}
	err := <-done
	if err == nil || core.AsError(err).HTTPStatus != 500 || !strings.Contains(err.Error(), "Error starting recording") || !strings.Contains(err.Error(), "str_") {
		t.Fatalf("start with a silent stream: %v", err)
	}
	r, err := e.m.Get("quiet")
	if err != nil || r.Status != core.RecordingFailed || !strings.Contains(r.Error, "ignoreFailedStreams") {
		t.Fatalf("failed start is listed as %+v %v", r, err)
	}
	if s, _ := e.svc.Session("quiet"); s.View().Recording {
		t.Error("a failed start left the session recording")
	}
	if got := e.ev.statuses("quiet"); strings.Join(got, " ") != "failed" {
		t.Errorf("events %v", got)
	}

	// ignoreFailedStreams: the silent one is skipped.
	r, err = e.m.Start("quiet", individual(func(p *core.RecordingProperties) { p.IgnoreFailedStreams = true }))
	if err != nil || r.ID != "quiet~1" {
		t.Fatalf("start ignoring failed streams: %+v %v", r, err)
	}
	time.Sleep(time.Second)
	r, err = e.m.Stop("quiet~1")
	if err != nil || r.Status != core.RecordingReady {
		t.Fatalf("stop: %+v %v", r, err)
	}
}

func TestRecordingIDsAndDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.session("s", nil) // a participant who does not publish
	start := func() Recording {
		t.Helper()
		r, err := e.m.Start("s", individual())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	stop := func(id string) Recording {
		t.Helper()
		r, err := e.m.Stop(id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := start(); r.ID != "s" {
		t.Fatalf("first id %s", r.ID)
	}
	if err := e.m.Delete("s"); core.AsError(err).HTTPStatus != 409 {
		t.Errorf("delete while started: %v", err)
	}
	if r := stop("s"); r.Status != core.RecordingFailed || !strings.Contains(r.Error, "no stream") {
		t.Errorf("a recording without media: %+v", r)
	}
	if r := start(); r.ID != "s~1" {
		t.Fatalf("second id %s", r.ID)
	}
	stop("s~1")
	if err := e.m.Delete("s"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Get("s"); core.AsError(err).HTTPStatus != 404 {
		t.Errorf("get after delete: %v", err)
	}
	if err := e.m.Delete("s"); core.AsError(err).HTTPStatus != 404 {
		t.Errorf("second delete: %v", err)
	}
	if r := start(); r.ID != "s" {
		t.Fatalf("a deleted id is reused: got %s", r.ID)
	}
	// The session forgets it is recorded (closed underneath): 409.
	e.svc.EndRecording("s", "s", false)
	if _, err := e.m.Stop("s"); core.AsError(err).HTTPStatus != 409 {
		t.Errorf("stop of a recording its session dropped: %v", err)
	}
	list, err := e.m.List()
	if err != nil || len(list) != 2 || list[0].ID != "s~1" || list[1].ID != "s" {
		t.Fatalf("list %+v %v", list, err)
	}
	if _, err := e.m.Get("../etc"); core.AsError(err).HTTPStatus != 404 {
		t.Error("path in an id")
	}
	for name, ok := range map[string]bool{".recording.s~1": false, "../s/.recording.s": false, "": false, "nothing.mp4": false} {
		if _, got := e.m.FilePath("s~1", name); got != ok {
			t.Errorf("FilePath(%q) = %v", name, got)
		}
	}
	if _, ok := e.m.FilePath("s~1", ".recording.s~1"); ok {
		t.Error("metadata is downloadable")
	}
}

// The session closes while recording: the recording stops with the
// session's reason, before sessionDestroyed.
func TestSessionCloseStopsRecording(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.session("c", nil, av)
	if _, err := e.m.Start("c", individual()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := e.svc.CloseSession("c", core.ReasonSessionClosedByServer); err != nil {
		t.Fatal(err)
	}
	if got := e.ev.statuses("c"); strings.Join(got, " ") != "started stopped:sessionClosedByServer ready:sessionClosedByServer" {
		t.Errorf("events %v", got)
	}
}

// RecordingMode ALWAYS starts with the session's default properties on
// the first publish; a record=false PATCH ends that stream's file and
// record=true starts a new one (-1).
func TestAlwaysAndRecordToggle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	streams := e.session("al", func(p *core.SessionProperties) {
		p.RecordingMode = core.RecordingModeAlways
		p.DefaultRecordingProperties = individual(func(p *core.RecordingProperties) { p.Name = "auto" })
	}, av)
	waitUntil(t, 10*time.Second, "autostart", func() bool { r, err := e.m.Get("al"); return err == nil && r.Status == core.RecordingStarted })
	time.Sleep(time.Second)
	f := false
	if _, err := e.svc.UpdateConnection("al", streams[0].ConnectionID, core.ConnectionPatch{Record: &f}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "file closed", func() bool {
		b, err := os.ReadFile(filepath.Join(e.dir, "al", sidecarName(streams[0].ID+".webm")))
		return err == nil && strings.Contains(string(b), `"endTimeOffset":`) && !strings.Contains(string(b), `"endTimeOffset":-1`)
	})
	tr := true
	if _, err := e.svc.UpdateConnection("al", streams[0].ConnectionID, core.ConnectionPatch{Record: &tr}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "second file", func() bool {
		_, err := os.Stat(filepath.Join(e.dir, "al", streams[0].ID+"-1.webm"))
		return err == nil
	})
	time.Sleep(time.Second)
	r, err := e.m.Stop("al")
	if err != nil || r.Status != core.RecordingReady || r.Name != "auto" || r.File != "auto.zip" {
		t.Fatalf("stop: %+v %v", r, err)
	}
	sf, err := readZipSync(filepath.Join(e.dir, "al", "auto.zip"), "auto.json")
	if err != nil || len(sf.Files) != 2 || sf.Files[1].Name != streams[0].ID+"-1.webm" || sf.Files[1].StartTimeOffset < sf.Files[0].EndTimeOffset-200 {
		t.Fatalf("sync file %+v %v", sf, err)
	}
	// Stopped by hand: the next publish does not restart it.
	cid := e.join("al", "late")
	e.publish("al", cid, av)
	time.Sleep(200 * time.Millisecond)
	if s, _ := e.svc.Session("al"); s.View().Recording {
		t.Error("RecordingMode ALWAYS restarted after a manual stop")
	}
}

// copyTree snapshots a folder as a crash would leave it.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	out, err := exec.Command("cp", "-a", src, dst).CombinedOutput()
	if err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
}

// TestRecoveryFromCrashSnapshot copies the recording path in the middle
// of two recordings (what kill -9 leaves), then opens a new Manager on the
// copy: both recordings are listed as stopped at once and become ready
// from their files; the COMPOSED one reuses the segments composed live.
// extendManifest adds a segment of d after the last one composed.
func extendManifest(t *testing.T, parts string, d time.Duration) {
	t.Helper()
	var mf segmentManifest
	b, err := os.ReadFile(filepath.Join(parts, manifestName))
	if err != nil || json.Unmarshal(b, &mf) != nil || len(mf.Segments) == 0 {
		t.Fatalf("manifest: %v %s", err, b)
	}
	last := mf.Segments[len(mf.Segments)-1]
	seg, err := os.ReadFile(filepath.Join(parts, last.File))
	if err != nil {
		t.Fatal(err)
	}
	extra := segmentInfo{File: "seg-000999.mkv", PCM: "seg-000999.pcm", From: last.To, To: last.To + int64(d.Seconds())*int64(mf.Rate)}
	if err := os.WriteFile(filepath.Join(parts, extra.File), seg, 0o644); err != nil {
		t.Fatal(err)
	}
	mf.Segments = append(mf.Segments, extra)
	b, _ = json.Marshal(mf)
	if err := os.WriteFile(filepath.Join(parts, manifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRecoveryFromCrashSnapshot(t *testing.T) {
	t.Parallel()
	ff := needFFmpeg(t)
	e := newEnv(t, func(o *Options) { o.SegmentDuration, o.ComposeLag = time.Second, time.Second })
	e.session("i", nil, av)
	e.session("c", nil, av, videoV)
	if _, err := e.m.Start("i", individual()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Start("c", core.DefaultRecordingProperties()); err != nil {
		t.Fatal(err)
	}
	// A segment composed live, and its mix already fed to the encoder (the
	// crash loses that audio: recovery mixes it again).
	waitUntil(t, 30*time.Second, "a live segment", func() bool {
		_, err := os.Stat(filepath.Join(e.dir, "c", ".parts", manifestName))
		_, pcm := os.Stat(filepath.Join(e.dir, "c", ".parts", "seg-000001.pcm"))
		return err == nil && os.IsNotExist(pcm)
	})
	time.Sleep(500 * time.Millisecond)
	crashed := filepath.Join(t.TempDir(), "crashed")
	copyTree(t, e.dir, crashed)
	// The manifest may outlive the media it was composed from (a crash
	// loses the stream files' unsynced tail): a segment past the end of
	// the media must not make the recovered file longer than its media.
	extendManifest(t, filepath.Join(crashed, "c", ".parts"), 10*time.Second)
	// The original recordings still finish normally.
	for _, id := range []string{"i", "c"} {
		if r, err := e.m.Stop(id); err != nil || r.Status != core.RecordingReady {
			t.Errorf("stop %s: %+v %v", id, r, err)
		}
	}

	// A second server process: its own service and manager.
	e2 := &env{t: t, src: e.src, ev: &eventLog{}}
	e2.svc = core.NewService(core.Options{TokenURL: "ws://localhost:4443", Logger: quietLog()})
	e2.svc.AddListener(e2.ev)
	t.Cleanup(func() { _ = e2.svc.Close(context.Background()) })
	m2 := e2.open(crashed, nil)
	for _, id := range []string{"i", "c"} {
		r, err := m2.Get(id)
		if err != nil || (r.Status != core.RecordingStopped && r.Status != core.RecordingReady) {
			t.Fatalf("%s right after the restart: %+v %v", id, r, err)
		}
	}
	for _, id := range []string{"i", "c"} {
		waitUntil(t, 60*time.Second, id+" recovered", func() bool { r, _ := m2.Get(id); return r.Status == core.RecordingReady })
		r, _ := m2.Get(id)
		if r.Reason != core.ReasonNodeCrashed || r.Size == 0 || r.Duration < 1 {
			t.Errorf("%s: %+v", id, r)
		}
	}
	if got := e2.ev.statuses("c"); strings.Join(got, " ") != "ready:nodeCrashed" {
		t.Errorf("events after recovery %v", got)
	}
	rc, _ := m2.Get("c")
	p, err := ff.probe(context.Background(), filepath.Join(crashed, "c", rc.File))
	if err != nil || p.stream("video") == nil || p.stream("video").codec != "h264" || p.stream("audio") == nil || p.stream("audio").codec != "aac" {
		t.Fatalf("recovered composed file: %+v %v", p, err)
	}
	if !near(p.duration, rc.Duration, 0.01) || !near(p.stream("audio").duration, rc.Duration, 0.05) {
		t.Errorf("duration %.3f (audio %.3f) vs %.3f", p.duration, p.stream("audio").duration, rc.Duration)
	}
	if _, err := os.Stat(filepath.Join(crashed, "c", "c.jpg")); err != nil {
		t.Error("no thumbnail")
	}
	ri, _ := m2.Get("i")
	if _, err := readZipSync(filepath.Join(crashed, "i", ri.File), "i.json"); err != nil {
		t.Errorf("recovered zip: %v", err)
	}
}
