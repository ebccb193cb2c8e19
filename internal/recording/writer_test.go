package recording

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp/codecs"

	"github.com/govidu/govidu/internal/core"
)

// feed hands packets to a writer the way its taps do, but waiting for
// room (a test must not lose packets to a slow machine), moving the clock
// along with the arrivals.
func feed(w *streamWriter, clock *fakeClock, pkts []*packet) {
	for _, p := range pkts {
		clock.set(time.Unix(0, p.arrival))
		w.queue <- p
	}
}

// decodeErrors decodes a whole file and returns what ffmpeg complains about.
func decodeErrors(t *testing.T, f ffmpeg, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// ffprobe decodes every frame (-show_frames) without muxing anything,
	// so only the decoders speak on stderr.
	cmd := exec.CommandContext(ctx, f.ffprobe, "-v", "error", "-show_frames", "-of", "csv", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return err.Error() + ": " + stderr.String()
	}
	return strings.TrimSpace(stderr.String())
}

type writerRun struct {
	path      string
	summary   fileSummary
	probe     probeResult
	keyframes int64
	start     int64
}

// record writes pkts with a fresh writer and finalizes the file.
func record(t *testing.T, audio, video *trackSpec, base time.Time, pkts []*packet) writerRun {
	t.Helper()
	ff := needFFmpeg(t)
	clock := &fakeClock{t: base}
	var keyframes atomic.Int64
	run := writerRun{path: filepath.Join(t.TempDir(), "s.webm")}
	if video != nil && video.codec == codecH264 {
		run.path = strings.TrimSuffix(run.path, ".webm") + ".mkv"
	}
	w, err := newStreamWriter(writerConfig{
		path: run.path, origin: base, audio: audio, video: video, now: clock.now,
		keyframe: func() { keyframes.Add(1) }, onStart: func(ms int64) { run.start = ms },
	})
	if err != nil {
		t.Fatal(err)
	}
	feed(w, clock, pkts)
	res := w.stop()
	if res.err != nil {
		t.Fatalf("writer: %v", res.err)
	}
	if res.startOffset != run.start {
		t.Errorf("start offset %d, onStart said %d", res.startOffset, run.start)
	}
	run.summary, err = finalizeMatroska(run.path)
	if err != nil {
		t.Fatalf("finalize: %v", err)
	}
	run.probe, err = ff.probe(context.Background(), run.path)
	if err != nil {
		t.Fatal(err)
	}
	if e := decodeErrors(t, ff, run.path); e != "" {
		t.Errorf("decoding %s: %s", filepath.Base(run.path), e)
	}
	run.keyframes = keyframes.Load()
	return run
}

func near(got, want, tolerance float64) bool { return math.Abs(got-want) <= tolerance*want }

func TestWriterVP8Opus(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	pkts := merge(vp8Packets(t, 6*time.Second, base.Add(300*time.Millisecond)), opusPackets(t, 6*time.Second, base.Add(200*time.Millisecond)))
	r := record(t, &trackSpec{codec: codecOpus}, &trackSpec{codec: codecVP8, width: 640, height: 480}, base, pkts)
	if r.start != 200 {
		t.Errorf("file starts %d ms after the origin, want 200 (the first audio frame)", r.start)
	}
	v, a := r.probe.stream("video"), r.probe.stream("audio")
	if v == nil || v.codec != "vp8" || v.width != 320 || v.height != 240 {
		t.Errorf("video stream %+v (the header must carry the keyframe's size, not the announced 640x480)", v)
	}
	if a == nil || a.codec != "opus" {
		t.Errorf("audio stream %+v", a)
	}
	if !near(r.probe.duration, 6.1, 0.03) {
		t.Errorf("duration %.3f s, want about 6.1 (video starts 100 ms after audio)", r.probe.duration)
	}
	if vt := r.summary.track(true); vt == nil || vt.blocks != 90 || vt.first != 100 {
		t.Errorf("video track %+v: want 90 frames from 100 ms", vt)
	}
	if at := r.summary.track(false); at == nil || at.blocks != 300 || at.first != 0 {
		t.Errorf("audio track %+v: want 300 frames from 0 ms", at)
	}
	if r.keyframes < 1 {
		t.Error("no keyframe was requested at start")
	}
}

// Reordering, duplicates and retransmissions arriving late give the same
// file as an orderly network.
func TestWriterReorderAndDuplicates(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	pkts := merge(vp8Packets(t, 3*time.Second, base), opusPackets(t, 3*time.Second, base))
	rng := rand.New(rand.NewPCG(1, 2))
	mixed := append([]*packet(nil), pkts...)
	for i := 0; i+4 < len(mixed); i += 3 { // swap within small windows
		j := i + rng.IntN(4)
		mixed[i], mixed[j] = mixed[j], mixed[i]
	}
	for i := 10; i < len(mixed); i += 37 { // duplicates, one arriving late
		dup := *mixed[i]
		k := min(i+20, len(mixed))
		mixed = append(mixed[:k], append([]*packet{&dup}, mixed[k:]...)...)
	}
	r := record(t, &trackSpec{codec: codecOpus}, &trackSpec{codec: codecVP8}, base, mixed)
	if vt := r.summary.track(true); vt == nil || vt.blocks != 45 {
		t.Errorf("video frames %+v, want all 45", vt)
	}
	if at := r.summary.track(false); at == nil || at.blocks != 150 {
		t.Errorf("audio frames %+v, want all 150", at)
	}
}

// A lost video packet costs the frames up to the next keyframe (which is
// asked for), never a broken picture; a lost audio packet is a gap.
func TestWriterLoss(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	video := vp8Packets(t, 3*time.Second, base)
	audio := opusPackets(t, 3*time.Second, base)
	// Lose one packet of frame 20 (keyframes are frames 0, 15, 30), and audio packet 50.
	var kept []*packet
	frame := -1
	var lastTS uint32
	for i, p := range video {
		if i == 0 || p.ts != lastTS {
			frame++
			lastTS = p.ts
		}
		if frame == 20 && p.marker {
			continue
		}
		kept = append(kept, p)
	}
	audio = append(audio[:50:50], audio[51:]...)
	r := record(t, &trackSpec{codec: codecOpus}, &trackSpec{codec: codecVP8}, base, merge(kept, audio))
	if vt := r.summary.track(true); vt == nil || vt.blocks != 45-10 {
		t.Errorf("video frames %+v, want 35 (frames 20–29 dropped until the keyframe at 30)", vt)
	}
	if at := r.summary.track(false); at == nil || at.blocks != 149 {
		t.Errorf("audio frames %+v, want 149", at)
	}
	if r.keyframes < 2 {
		t.Errorf("%d keyframe requests: the loss must ask for one", r.keyframes)
	}
}

// A publisher reconnection: a new SSRC with new sequence numbers and
// timestamps continues the same file on the arrival clock.
func TestWriterSourceChange(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	first := vp8Packets(t, 2*time.Second, base)
	second := packetize(vp8Fixture(t), &codecs.VP8Payloader{}, 90000, time.Second/15, 2*time.Second, base.Add(3*time.Second), 9999, true)
	r := record(t, nil, &trackSpec{codec: codecVP8}, base, append(first, second...))
	vt := r.summary.track(true)
	if vt == nil || vt.blocks != 60 {
		t.Fatalf("video frames %+v, want 60", vt)
	}
	if !near(r.probe.duration, 5.0, 0.03) {
		t.Errorf("duration %.3f, want about 5 s (2 s, a 1 s gap, 2 s)", r.probe.duration)
	}
}

func TestWriterVP9(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	pkts := packetize(vp9Fixture(t), &codecs.VP9Payloader{}, 90000, time.Second/15, 3*time.Second, base, 3333, true)
	r := record(t, nil, &trackSpec{codec: codecVP9}, base, pkts)
	if v := r.probe.stream("video"); v == nil || v.codec != "vp9" || v.width != 320 || v.height != 240 {
		t.Errorf("video %+v", v)
	}
	if vt := r.summary.track(true); vt == nil || vt.blocks != 45 {
		t.Errorf("frames %+v", vt)
	}
}

func TestWriterH264(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	pkts := packetize(h264Fixture(t), &codecs.H264Payloader{}, 90000, time.Second/15, 3*time.Second, base, 4444, true)
	audio := opusPackets(t, 3*time.Second, base)
	r := record(t, &trackSpec{codec: codecOpus}, &trackSpec{codec: codecH264}, base, merge(pkts, audio))
	if v := r.probe.stream("video"); v == nil || v.codec != "h264" || v.width != 320 || v.height != 240 {
		t.Errorf("video %+v", v)
	}
	if vt := r.summary.track(true); vt == nil || vt.blocks != 45 {
		t.Errorf("frames %+v", vt)
	}
	if !strings.HasSuffix(r.path, ".mkv") {
		t.Error("H.264 goes into .mkv")
	}
}

// A file cut anywhere after its first cluster is finalized into a valid,
// playable file; finalizing twice changes nothing.
func TestFinalizeTruncated(t *testing.T) {
	t.Parallel()
	ff := needFFmpeg(t)
	base := time.Unix(1_700_000_000, 0)
	pkts := merge(vp8Packets(t, 4*time.Second, base), opusPackets(t, 4*time.Second, base))
	clock := &fakeClock{t: base}
	dir := t.TempDir()
	path := filepath.Join(dir, "full.webm")
	w, err := newStreamWriter(writerConfig{path: path, origin: base, audio: &trackSpec{codec: codecOpus}, video: &trackSpec{codec: codecVP8}, now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	feed(w, clock, pkts)
	if res := w.stop(); res.err != nil {
		t.Fatal(res.err)
	}
	full, err := os.ReadFile(path) // unfinalized: as a crash leaves it
	if err != nil {
		t.Fatal(err)
	}
	lay, err := scanMatroska(bytes.NewReader(full), int64(len(full)))
	if err != nil {
		t.Fatal(err)
	}
	headerEnd := lay.tracksPos + 100
	rng := rand.New(rand.NewPCG(3, 4))
	cuts := []int{len(full), len(full) - 1, int(headerEnd) - 50, int(headerEnd)}
	for i := 0; i < 3; i++ {
		cuts = append(cuts, int(headerEnd)+rng.IntN(len(full)-int(headerEnd)))
	}
	var durations []float64
	for _, cut := range cuts {
		p := filepath.Join(dir, "cut.webm")
		if err := os.WriteFile(p, full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		sum, err := finalizeMatroska(p)
		if errors.Is(err, errNoMedia) {
			continue // cut inside the first cluster
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		once, _ := os.ReadFile(p)
		if _, err := finalizeMatroska(p); err != nil {
			t.Fatalf("second finalize: %v", err)
		}
		if twice, _ := os.ReadFile(p); !bytes.Equal(once, twice) {
			t.Fatalf("cut at %d: finalizing again changed the file", cut)
		}
		pr, err := ff.probe(context.Background(), p)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if e := decodeErrors(t, ff, p); e != "" {
			t.Errorf("cut at %d: %s", cut, e)
		}
		if !near(pr.duration, float64(sum.duration)/1000, 0.05) {
			t.Errorf("cut at %d: ffprobe %.3f s, summary %d ms", cut, pr.duration, sum.duration)
		}
		durations = append(durations, pr.duration)
	}
	if len(durations) < 4 || !near(durations[0], 4.0, 0.03) {
		t.Errorf("durations %v", durations)
	}
	if _, err := finalizeMatroska(filepath.Join(dir, "missing.webm")); err == nil {
		t.Error("finalizing a missing file")
	}
	if err := os.WriteFile(filepath.Join(dir, "junk.webm"), []byte("not a media file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := finalizeMatroska(filepath.Join(dir, "junk.webm")); err == nil {
		t.Error("finalizing junk")
	}
}

// A writer that never gets media leaves no file.
func TestWriterWithoutMedia(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.webm")
	w, err := newStreamWriter(writerConfig{path: path, origin: time.Now(), video: &trackSpec{codec: codecVP8}})
	if err != nil {
		t.Fatal(err)
	}
	if res := w.stop(); !errors.Is(res.err, errNoMedia) || res.startOffset != -1 {
		t.Fatalf("result %+v", res)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("an empty file was left")
	}
}

// vp8Clip makes 2 s of VP8 at size (15 fps, a keyframe every second).
func vp8Clip(t *testing.T, size string) [][]byte {
	t.Helper()
	if v, ok := generated.Load("vp8-" + size); ok {
		return v.([][]byte)
	}
	needFFmpeg(t)
	out := filepath.Join(t.TempDir(), "v.ivf")
	run(t, "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size="+size+":rate=15", "-t", "2",
		"-c:v", "libvpx", "-b:v", "300k", "-g", "15", "-auto-alt-ref", "0", "-deadline", "realtime", "-cpu-used", "8", out)
	frames := readIVF(t, out)
	generated.Store("vp8-"+size, frames)
	return frames
}

// A publisher changing resolution mid-stream (a browser adapting to its
// bandwidth): the file keeps both, decodes cleanly, and composes.
func TestWriterResolutionChange(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	frames := append(append([][]byte{}, vp8Clip(t, "320x240")...), vp8Clip(t, "640x480")...)
	pkts := packetize(frames, &codecs.VP8Payloader{}, 90000, time.Second/15, 4*time.Second, base, 5555, true)
	r := record(t, nil, &trackSpec{codec: codecVP8}, base, pkts)
	if vt := r.summary.track(true); vt == nil || vt.blocks != 60 {
		t.Fatalf("frames %+v", vt)
	}
	if v := r.probe.stream("video"); v == nil || v.width != 320 {
		t.Errorf("the header carries the first size: %+v", v)
	}
	// Compose it: the grid scales whatever size comes.
	m := &Manager{ff: needFFmpeg(t), log: quietLog(), opts: Options{SegmentDuration: time.Minute}}
	dir := t.TempDir()
	props := core.DefaultRecordingProperties()
	props.HasAudio, props.Resolution, props.FrameRate = false, "320x180", 10
	c := newComposerFor(m, dir, props)
	if err := os.MkdirAll(c.parts, 0o755); err != nil {
		t.Fatal(err)
	}
	streams := []layoutStream{{path: r.path, origin: 0, videoStart: 0, end: 4000}}
	if err := c.composeRange(context.Background(), 0, c.unitsAt(4000), streams, 1); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(c.parts, "seg-000001.mkv")
	if e := decodeErrors(t, m.ff, seg); e != "" {
		t.Errorf("composed segment: %s", e)
	}
	if p, err := m.ff.probe(context.Background(), seg); err != nil || !near(p.duration, 4, 0.02) {
		t.Errorf("composed segment: %+v %v", p, err)
	}
}

// The same change with sound, inside a segment that starts between two
// keyframes (the stop cuts the timeline wherever it falls): the segment
// keeps its exact length in video and audio (ffmpeg re-creating its
// filter graph at the change used to restart the audio trim, and a
// Chromium call composed 11.7 s out of 8.1), and its first frame is the
// picture, not black.
func TestComposeResolutionChangeWithAudio(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	frames := append(append([][]byte{}, vp8Clip(t, "320x240")...), vp8Clip(t, "640x480")...)
	video := packetize(frames, &codecs.VP8Payloader{}, 90000, time.Second/15, 4*time.Second, base, 5555, true)
	r := record(t, &trackSpec{codec: codecOpus}, &trackSpec{codec: codecVP8}, base, merge(video, opusPackets(t, 4*time.Second, base)))
	m := &Manager{ff: needFFmpeg(t), log: quietLog(), opts: Options{SegmentDuration: time.Minute}}
	props := core.DefaultRecordingProperties()
	props.Resolution, props.FrameRate = "320x180", 25
	c := newComposerFor(m, t.TempDir(), props)
	if err := os.MkdirAll(c.parts, 0o755); err != nil {
		t.Fatal(err)
	}
	streams := []layoutStream{{path: r.path, origin: 0, videoStart: r.start, end: 4000, hasAudio: true}}
	ctx := context.Background()
	// The clip has a keyframe every second and a frame every 66.7 ms: the
	// cut falls 53 ms before the next frame, more than an output frame.
	cut := c.unitsAt(1480)
	if err := c.composeRange(ctx, 0, cut, streams, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.composeRange(ctx, cut, c.unitsAt(4000), streams, 1); err != nil {
		t.Fatal(err)
	}
	seg := filepath.Join(c.parts, "seg-000002.mkv")
	if p, err := m.ff.probe(ctx, seg); err != nil || !near(p.duration, 2.52, 0.02) {
		t.Errorf("video of the second segment: %+v %v (want 2.52 s)", p, err)
	}
	st, err := os.Stat(filepath.Join(c.parts, "seg-000002.pcm"))
	if want := (c.samplesAt(c.unitsAt(4000)) - c.samplesAt(cut)) * 4; err != nil || st.Size() != want {
		t.Fatalf("mix of the second segment: %v bytes, want %d (%v)", st.Size(), want, err)
	}
	first, err := exec.Command(m.ff.ffmpeg, "-v", "error", "-i", seg, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-").Output()
	if err != nil || len(first) != 320*180 {
		t.Fatalf("first frame: %v (%d bytes)", err, len(first))
	}
	var sum int
	for _, v := range first {
		sum += int(v)
	}
	if mean := sum / len(first); mean < 40 {
		t.Errorf("the second segment starts black (mean luma %d): the frame before the cut was not held", mean)
	}
}

// A mute: the video track stops for 2 s (same SSRC; sequence numbers go
// on, timestamps jump), the audio goes on. The file has the gap in its
// timeline and plays through it.
func TestWriterMuteGap(t *testing.T) {
	t.Parallel()
	base := time.Unix(1_700_000_000, 0)
	video := vp8Packets(t, 5*time.Second, base)
	var kept []*packet
	var seq uint16
	started := false
	for _, p := range video {
		at := time.Unix(0, p.arrival).Sub(base)
		if at >= time.Second && at < 3*time.Second {
			continue // muted: nothing sent
		}
		if !started {
			seq, started = p.seq, true
		}
		q := *p
		q.seq = seq // a sender does not count packets it did not send
		seq++
		kept = append(kept, &q)
	}
	r := record(t, &trackSpec{codec: codecOpus}, &trackSpec{codec: codecVP8}, base, merge(kept, opusPackets(t, 5*time.Second, base)))
	vt := r.summary.track(true)
	if vt == nil || vt.blocks != 45 || vt.last < 4800 {
		t.Fatalf("video %+v: 15 frames before the mute, 30 after, to 5 s", vt)
	}
	if !near(r.probe.duration, 5, 0.03) {
		t.Errorf("duration %.3f", r.probe.duration)
	}
}
