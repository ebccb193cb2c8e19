package recording

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/govidu/govidu/internal/core"
)

// Recording benchmarks (docs/benchmarks.md, "Recording"). Not tests: run
//
//	go test -run '^$' -bench Recording -benchtime 1x ./internal/recording/
//
// They report CPU-seconds per recorded minute (this process plus ffmpeg)
// and the time from stop to ready.

// cpuTime is the CPU time used so far by this process and its waited-for children.
func cpuTime() (self, children time.Duration) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	children = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return self, children
}

// clip720p makes 4 s of 1280x720 30 fps VP8 at about 1.5 Mbps, a
// keyframe every 2 s (looped): a webcam as browsers send it.
func clip720p(b *testing.B, hue int) [][]byte {
	b.Helper()
	needFFmpeg(b)
	out := filepath.Join(b.TempDir(), "clip.ivf")
	src := fmt.Sprintf("testsrc2=size=1280x720:rate=30,hue=h=%d", hue)
	run(b, "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", src, "-t", "4",
		"-c:v", "libvpx", "-b:v", "1500k", "-g", "60", "-deadline", "realtime", "-cpu-used", "8", "-threads", "2", out)
	return readIVF(b, out)
}

// feedWriter records one stream of dur from pre-made packets as fast as the
// writer takes them (arrival times follow the media clock).
func feedWriter(b *testing.B, path string, origin time.Time, video, audio []*packet) writerResult {
	b.Helper()
	clock := &fakeClock{t: origin}
	w, err := newStreamWriter(writerConfig{path: path, origin: origin, audio: &trackSpec{codec: codecOpus},
		video: &trackSpec{codec: codecVP8, width: 1280, height: 720}, now: clock.now, syncEvery: defaultSyncEvery})
	if err != nil {
		b.Fatal(err)
	}
	s := w.sink(true)
	sa := w.sink(false)
	for _, p := range merge(video, audio) {
		clock.set(time.Unix(0, p.arrival))
		h := rtp.Header{SSRC: p.ssrc, SequenceNumber: p.seq, Timestamp: p.ts, Marker: p.marker}
		for len(w.queue) > queueSize-64 { // the test feeds faster than real time: do not drop
			time.Sleep(100 * time.Microsecond)
		}
		if p.video {
			s.WriteRTP(&h, p.payload, false, p.arrival)
		} else {
			sa.WriteRTP(&h, p.payload, false, p.arrival)
		}
	}
	res := w.stop()
	if res.err != nil {
		b.Fatal(res.err)
	}
	return res
}

func packets720p(b *testing.B, frames [][]byte, dur time.Duration, origin time.Time, ssrc uint32) (video, audio []*packet) {
	video = packetize(frames, &codecs.VP8Payloader{EnablePictureID: true}, 90000, time.Second/30, dur, origin, ssrc, true)
	audio = packetize(opusFixture(b), &codecs.OpusPayloader{}, 48000, 20*time.Millisecond, dur, origin, ssrc+1, false)
	return video, audio
}

// BenchmarkRecordingIndividual: one 720p camera + microphone, one minute,
// written, finalized and zipped (INDIVIDUAL).
func BenchmarkRecordingIndividual(b *testing.B) {
	frames := clip720p(b, 0)
	const minutes = 1
	dur := minutes * time.Minute
	origin := time.Unix(1_700_000_000, 0)
	video, audio := packets720p(b, frames, dur, origin, 1000)
	m := &Manager{ff: findFFmpeg(""), log: quietLog()}
	for b.Loop() {
		dir := b.TempDir()
		self0, child0 := cpuTime()
		res := feedWriter(b, filepath.Join(dir, "s.webm"), origin, video, audio)
		stopped := time.Now()
		sum, err := finalizeMatroska(filepath.Join(dir, "s.webm"))
		if err != nil {
			b.Fatal(err)
		}
		rec := Recording{ID: "r", Name: "r", SessionID: "s", CreatedAt: origin}
		f := streamFile{Name: "s.webm", StreamID: "s", HasAudio: true, HasVideo: true, Size: sum.size,
			StartTimeOffset: res.startOffset, EndTimeOffset: res.startOffset + sum.duration}
		if _, err := m.finalizeIndividual(context.Background(), dir, rec, []streamFile{f}); err != nil {
			b.Fatal(err)
		}
		ready := time.Since(stopped)
		self1, child1 := cpuTime()
		cpu := (self1 - self0) + (child1 - child0)
		b.ReportMetric(cpu.Seconds()/minutes, "cpu-s/recorded-min")
		b.ReportMetric(float64(sum.size)*8/dur.Seconds()/1e6, "Mbit/s")
		b.ReportMetric(ready.Seconds(), "s-stop-to-ready")
	}
}

// BenchmarkRecordingComposed4x720p: four 720p cameras and microphones
// for 65 s, COMPOSED at 1280x720 25 fps with the default segments (20 s,
// 5 s behind live). Stream files are written first (as while recording),
// then the timeline is composed as the live composer does, [0, 20) and
// [20, 40), and the stop composes the rest in parallel and joins.
// Reported: CPU per recorded minute (writers, ffmpeg), how fast segments
// compose, and the time from stop to ready with 25 s left (the stop came
// just before the next live segment: the worst case) and with 5 s left
// (just after one).
func BenchmarkRecordingComposed4x720p(b *testing.B) {
	const n = 4
	dur := 65 * time.Second
	origin := time.Unix(1_700_000_000, 0)
	var clips [n][][]byte
	for i := range clips {
		clips[i] = clip720p(b, i*90)
	}
	ctx := context.Background()
	for b.Loop() {
		dir := b.TempDir()
		parts := filepath.Join(dir, ".parts")
		if err := os.MkdirAll(parts, 0o755); err != nil {
			b.Fatal(err)
		}
		m := &Manager{ff: findFFmpeg(""), log: quietLog(), ctx: ctx, opts: Options{SegmentDuration: 20 * time.Second}}
		self0, child0 := cpuTime()
		var files []streamFile
		for i := 0; i < n; i++ {
			video, audio := packets720p(b, clips[i], dur, origin, uint32(1000*(i+1)))
			name := fmt.Sprintf("s%d.webm", i)
			res := feedWriter(b, filepath.Join(parts, name), origin, video, audio)
			sum, err := finalizeMatroska(filepath.Join(parts, name))
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, streamFile{Name: name, StreamID: name, HasAudio: true, HasVideo: true, Size: sum.size,
				StartTimeOffset: res.startOffset, EndTimeOffset: res.startOffset + sum.duration, VideoStartOffset: res.startOffset + sum.track(true).first})
		}
		wrote, wroteChildren := cpuTime()
		// A second folder with the same stream files, for the 5 s case.
		dir2 := b.TempDir()
		parts2 := filepath.Join(dir2, ".parts")
		os.MkdirAll(parts2, 0o755)
		for _, f := range files {
			if err := os.Link(filepath.Join(parts, f.Name), filepath.Join(parts2, f.Name)); err != nil {
				b.Fatal(err)
			}
		}
		props := core.DefaultRecordingProperties()
		rec := Recording{ID: "c", Name: "c", SessionID: "s", CreatedAt: origin, Properties: props}
		live := func(c *composer) time.Duration {
			var streams []layoutStream
			for _, f := range files {
				streams = append(streams, layoutStream{path: filepath.Join(c.parts, f.Name), origin: f.StartTimeOffset,
					videoStart: f.VideoStartOffset, end: f.EndTimeOffset, hasAudio: true})
			}
			began := time.Now()
			for _, r := range [][2]int64{{0, 20000}, {20000, 40000}} {
				if err := c.composeRange(ctx, c.unitsAt(r[0]), c.unitsAt(r[1]), streams, 1); err != nil {
					b.Fatal(err)
				}
				if err := c.audio.feed(ctx, streams); err != nil {
					b.Fatal(err)
				}
			}
			return time.Since(began)
		}
		c := newComposerFor(m, dir, props)
		liveTook := live(c)
		stop := time.Now()
		if _, err := m.finalizeComposed(ctx, dir, rec, files, dur.Milliseconds(), c); err != nil {
			b.Fatal(err)
		}
		worst := time.Since(stop)
		self1, child1 := cpuTime()

		c2 := newComposerFor(m, dir2, props)
		live(c2)
		stop = time.Now()
		if _, err := m.finalizeComposed(ctx, dir2, rec, files, 45000, c2); err != nil {
			b.Fatal(err)
		}
		best := time.Since(stop)

		minutes := dur.Minutes()
		writers := (wrote - self0) + (wroteChildren - child0)
		compose := (self1 - wrote) + (child1 - wroteChildren)
		b.ReportMetric(writers.Seconds()/minutes, "writers-cpu-s/recorded-min")
		b.ReportMetric(compose.Seconds()/minutes, "compose-cpu-s/recorded-min")
		b.ReportMetric((writers+compose).Seconds()/minutes, "cpu-s/recorded-min")
		b.ReportMetric(liveTook.Seconds()/40, "compose-s-per-media-s")
		b.ReportMetric(worst.Seconds(), "s-stop-to-ready(25s-left)")
		b.ReportMetric(best.Seconds(), "s-stop-to-ready(5s-left)")
	}
}
