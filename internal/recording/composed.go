package recording

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// COMPOSED recordings: the streams are recorded into per-stream files
// (.parts/) exactly as INDIVIDUAL ones, then ffmpeg composes the grid
// (BEST_FIT) and mixes the audio, one segment of the timeline at a time:
// while the recording runs (a little behind live), and at stop only what
// is left. Segments are Matroska files with H.264 and PCM; the output is
// their concatenation with the audio encoded once (AAC in MP4; Opus in
// WebM for audio-only recordings), so segment boundaries are seamless.
// A segment's layout is constant: the timeline is also cut where a video
// appears or ends.

// The timeline is counted in units: frames of the output (or 20 ms for
// audio-only recordings), so that every segment has a whole number of
// frames and its exact share of audio samples.

const (
	audioRate  = 48000
	minSegment = 2 * time.Second // shortest segment made for a layout change
)

type composer struct {
	m        *Manager
	a        *activeRecording // nil when recovering
	dir      string
	parts    string
	props    core.RecordingProperties
	width    int
	height   int
	rate     int // units per second
	segUnits int64

	mu       sync.Mutex // guards the fields below
	segments []segmentInfo
	composed int64 // units composed so far

	stop chan struct{}
	done chan struct{}
}

type segmentInfo struct {
	File string `json:"file"`
	From int64  `json:"from"` // units
	To   int64  `json:"to"`
}

type segmentManifest struct {
	Rate     int           `json:"rate"`
	Width    int           `json:"width"`
	Height   int           `json:"height"`
	Segments []segmentInfo `json:"segments"`
}

const manifestName = "segments.json"

func newComposer(a *activeRecording) *composer {
	c := newComposerFor(a.m, a.dir, a.props)
	c.a = a
	return c
}

func newComposerFor(m *Manager, dir string, props core.RecordingProperties) *composer {
	c := &composer{m: m, dir: dir, parts: filepath.Join(dir, ".parts"), props: props, rate: 50}
	if props.HasVideo {
		c.rate = max(props.FrameRate, 1)
		if w, h, ok := parseResolution(props.Resolution); ok {
			c.width, c.height = w, h
		} else {
			c.width, c.height = 1280, 720
		}
	}
	c.segUnits = int64(m.opts.SegmentDuration.Seconds() * float64(c.rate))
	if c.segUnits < 1 {
		c.segUnits = 1
	}
	return c
}

func parseResolution(s string) (int, int, bool) {
	ws, hs, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	return even(w), even(h), ok && err1 == nil && err2 == nil && w > 0 && h > 0
}

func (c *composer) seconds(units int64) float64 { return float64(units) / float64(c.rate) }

func (c *composer) unitsAt(ms int64) int64 {
	return int64(math.Round(float64(ms) * float64(c.rate) / 1000))
}

// samplesAt is the exact sample count from 0 to a unit boundary.
func (c *composer) samplesAt(units int64) int64 {
	return int64(math.Round(float64(units) * audioRate / float64(c.rate)))
}

// startLive composes segments behind the live edge until stopLive.
func (c *composer) startLive() {
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-c.m.ctx.Done():
				return
			case <-t.C:
			}
			elapsed := c.m.opts.Now().Sub(c.a.createdAt) - c.m.opts.ComposeLag
			safe := c.unitsAt(elapsed.Milliseconds())
			c.mu.Lock()
			next := c.composed
			c.mu.Unlock()
			if safe-next < c.segUnits {
				continue
			}
			if err := c.composeRange(c.m.ctx, next, next+c.segUnits, c.liveStreams()); err != nil {
				if c.m.ctx.Err() == nil {
					c.m.log.Warn("composing a segment while recording; it will be redone at stop", "recordingId", c.a.recID, "err", err)
				}
				return
			}
		}
	}()
}

func (c *composer) stopLive() {
	if c.stop == nil {
		return
	}
	close(c.stop)
	<-c.done
}

// layoutStream is one stream as composition sees it (ms after createdAt).
type layoutStream struct {
	path       string
	origin     int64 // file time 0; -1 = no media
	videoStart int64 // -1 = no video
	end        int64 // -1 = still recording
	hasAudio   bool
}

func (c *composer) liveStreams() []layoutStream {
	a := c.a
	a.mu.Lock()
	streams := append([]*recordedStream(nil), a.streams...)
	a.mu.Unlock()
	var out []layoutStream
	for _, s := range streams {
		s.mu.Lock()
		ls := layoutStream{path: s.path, origin: s.meta.StartTimeOffset, videoStart: s.w.videoStart.Load(), end: -1, hasAudio: s.meta.HasAudio}
		switch {
		case s.summary != nil:
			ls.end = s.meta.EndTimeOffset
		case s.closed:
			ls.end = s.w.written.Load()
		}
		if s.summary != nil && !s.meta.HasAudio {
			ls.hasAudio = false
		}
		s.mu.Unlock()
		if ls.origin >= 0 {
			out = append(out, ls)
		}
	}
	return out
}

// composeRange composes [from, to) units, cut where the layout changes.
// Cuts closer than minSegment to another are not made: a video that
// starts within a segment shows a black tile until its first frame.
func (c *composer) composeRange(ctx context.Context, from, to int64, streams []layoutStream) error {
	minUnits := int64(minSegment.Seconds() * float64(c.rate))
	var changes []int64
	for _, s := range streams {
		for _, ms := range []int64{s.videoStart, s.end} {
			if ms >= 0 {
				if u := c.unitsAt(ms); u > from && u < to {
					changes = append(changes, u)
				}
			}
		}
	}
	sortInt64(changes)
	cuts := []int64{from}
	for _, u := range changes {
		if u-cuts[len(cuts)-1] >= minUnits && to-u >= minUnits {
			cuts = append(cuts, u)
		}
	}
	cuts = append(cuts, to)
	for i := 0; i+1 < len(cuts); i++ {
		if err := c.composeSegment(ctx, cuts[i], cuts[i+1], streams); err != nil {
			return err
		}
	}
	return nil
}

func sortInt64(v []int64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// composeSegment renders [from, to) units into one segment file.
func (c *composer) composeSegment(ctx context.Context, from, to int64, streams []layoutStream) error {
	began := time.Now()
	aMs, bMs := float64(from)*1000/float64(c.rate), float64(to)*1000/float64(c.rate)
	mid := (aMs + bMs) / 2
	var videos, audios []int // indexes into inputs
	type input struct {
		s     layoutStream
		video bool
		audio bool
	}
	var inputs []input
	for _, s := range streams {
		overlaps := float64(s.origin) < bMs && (s.end < 0 || float64(s.end) > aMs)
		if !overlaps {
			continue
		}
		in := input{s: s}
		// The layout is constant within a segment: a video is in it when it
		// shows at the segment's middle.
		if c.props.HasVideo && s.videoStart >= 0 && float64(s.videoStart) <= mid && (s.end < 0 || float64(s.end) > mid) {
			in.video = true
		}
		in.audio = c.props.HasAudio && s.hasAudio
		if in.video || in.audio {
			inputs = append(inputs, in)
		}
	}
	d := c.seconds(to - from)
	var args []string
	lavfi := 0
	if c.props.HasVideo {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("color=c=black:s=%dx%d:r=%d:d=%s", c.width, c.height, c.rate, secs(d+1)))
		lavfi++
	}
	silence := lavfi
	if c.props.HasAudio {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("anullsrc=r=%d:cl=stereo", audioRate))
		lavfi++
	}
	for i, in := range inputs {
		origin := float64(in.s.origin)
		if origin <= aMs {
			args = append(args, "-ss", secs((aMs-origin)/1000), "-t", secs(d))
		} else {
			args = append(args, "-itsoffset", secs((origin-aMs)/1000), "-t", secs((bMs-origin)/1000))
		}
		args = append(args, "-i", in.s.path)
		if in.video {
			videos = append(videos, lavfi+i)
		}
		if in.audio {
			audios = append(audios, lavfi+i)
		}
	}
	var graph []string
	var maps []string
	if c.props.HasVideo {
		last := "[0:v]"
		for j, t := range bestFit(c.width, c.height, len(videos)) {
			graph = append(graph, fmt.Sprintf("[%d:v]scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1[t%d]", videos[j], t.w, t.h, t.w, t.h, j))
			graph = append(graph, fmt.Sprintf("%s[t%d]overlay=x=%d:y=%d:eof_action=pass[o%d]", last, j, t.x, t.y, j))
			last = fmt.Sprintf("[o%d]", j)
		}
		graph = append(graph, last+"format=yuv420p[vout]")
		maps = append(maps, "-map", "[vout]", "-frames:v", strconv.FormatInt(to-from, 10),
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-bf", "0", "-g", strconv.Itoa(2*c.rate),
			"-pix_fmt", "yuv420p", "-r", strconv.Itoa(c.rate),
			// A resolution change in an input re-creates the filter graph,
			// which can lose a frame: constant frame rate fills the hole.
			"-fps_mode", "cfr")
	}
	if c.props.HasAudio {
		samples := c.samplesAt(to) - c.samplesAt(from)
		mix := fmt.Sprintf("[%d:a]", silence)
		for j, idx := range audios {
			graph = append(graph, fmt.Sprintf("[%d:a]aresample=%d:async=1:first_pts=0,aformat=sample_fmts=fltp:sample_rates=%d:channel_layouts=stereo[a%d]", idx, audioRate, audioRate, j))
			mix += fmt.Sprintf("[a%d]", j)
		}
		graph = append(graph, fmt.Sprintf("%samix=inputs=%d:duration=first:dropout_transition=0:normalize=0,atrim=end_sample=%d,apad=whole_len=%d[aout]",
			mix, len(audios)+1, samples, samples))
		maps = append(maps, "-map", "[aout]", "-c:a", "pcm_s16le")
	}
	c.mu.Lock()
	n := len(c.segments) + 1
	c.mu.Unlock()
	name := fmt.Sprintf("seg-%06d.mkv", n)
	out := filepath.Join(c.parts, name)
	args = append(args, "-filter_complex", strings.Join(graph, ";"))
	args = append(args, maps...)
	args = append(args, "-f", "matroska", out)
	complaints, err := c.m.ff.runOutput(ctx, args, nil)
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("segment %s–%s s: %w", secs(c.seconds(from)), secs(c.seconds(to)), err)
	}
	if complaints != "" {
		c.m.log.Warn("ffmpeg reported problems while composing", "recordingId", filepath.Base(c.dir), "segment", name, "stderr", complaints)
	}
	c.m.log.Debug("composed segment", "recordingId", filepath.Base(c.dir), "segment", name, "args", strings.Join(args, " "))
	c.mu.Lock()
	c.segments = append(c.segments, segmentInfo{File: name, From: from, To: to})
	c.composed = to
	manifest := segmentManifest{Rate: c.rate, Width: c.width, Height: c.height, Segments: append([]segmentInfo(nil), c.segments...)}
	c.mu.Unlock()
	if err := writeJSONFile(filepath.Join(c.parts, manifestName), manifest, false); err != nil {
		return err
	}
	c.m.log.Info("composing recording", "recordingId", filepath.Base(c.dir), "composed", fmt.Sprintf("%.1fs", c.seconds(to)),
		"segment", name, "videos", len(videos), "audios", len(audios), "took", time.Since(began).Round(time.Millisecond))
	return nil
}

func secs(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// loadManifest resumes from the segments a previous run composed.
func (c *composer) loadManifest() {
	b, err := os.ReadFile(filepath.Join(c.parts, manifestName))
	if err != nil {
		return
	}
	var mf segmentManifest
	if err := json.Unmarshal(b, &mf); err != nil || mf.Rate != c.rate || mf.Width != c.width || mf.Height != c.height {
		return
	}
	var next int64
	for _, s := range mf.Segments {
		if s.From != next || s.To <= s.From {
			break
		}
		if st, err := os.Stat(filepath.Join(c.parts, s.File)); err != nil || st.Size() == 0 {
			break
		}
		c.segments = append(c.segments, s)
		next = s.To
	}
	c.composed = next
}

// finalizeComposed composes what is left up to the stop, joins the
// segments into {name}.mp4 (or .webm without video), makes the thumbnail
// and checks the result with ffprobe.
func (m *Manager) finalizeComposed(ctx context.Context, dir string, rec Recording, files []streamFile, stoppedAt int64, c *composer) (output, error) {
	props := rec.Properties
	ext := ".mp4"
	if !props.HasVideo {
		ext = ".webm"
	}
	out := output{file: rec.Name + ext}
	if c == nil {
		c = newComposerFor(m, dir, props)
		c.loadManifest()
	}
	var streams []layoutStream
	for _, f := range files {
		if f.StartTimeOffset < 0 {
			continue
		}
		streams = append(streams, layoutStream{path: filepath.Join(c.parts, f.Name), origin: f.StartTimeOffset,
			videoStart: f.VideoStartOffset, end: f.EndTimeOffset, hasAudio: f.HasAudio})
		if !f.HasVideo {
			streams[len(streams)-1].videoStart = -1
		}
	}
	if len(streams) == 0 {
		removeLoose(dir, rec.ID, "")
		return out, errors.New("no media was received from any publisher")
	}
	end := c.unitsAt(stoppedAt)
	c.mu.Lock()
	next := c.composed
	c.mu.Unlock()
	if end <= 0 {
		removeLoose(dir, rec.ID, "")
		return out, errors.New("the recording is empty")
	}
	for next < end {
		to := min(next+c.segUnits, end)
		if err := c.composeRange(ctx, next, to, streams); err != nil {
			return out, err
		}
		next = to
	}
	c.mu.Lock()
	segments := append([]segmentInfo(nil), c.segments...)
	c.mu.Unlock()
	list := "ffconcat version 1.0\n"
	for _, s := range segments {
		list += "file '" + s.File + "'\n"
	}
	listPath := filepath.Join(c.parts, "concat.txt")
	if err := os.WriteFile(listPath, []byte(list), 0o644); err != nil {
		return out, err
	}
	tmp := filepath.Join(dir, ".tmp."+out.file)
	args := []string{"-f", "concat", "-safe", "0", "-i", listPath}
	if props.HasVideo {
		args = append(args, "-map", "0:v", "-c:v", "copy")
	}
	if props.HasAudio {
		args = append(args, "-map", "0:a")
		if props.HasVideo {
			args = append(args, "-c:a", "aac", "-b:a", "128k")
		} else {
			args = append(args, "-c:a", "libopus", "-b:a", "64k")
		}
	}
	if props.HasVideo {
		args = append(args, "-movflags", "+faststart", "-f", "mp4")
	} else {
		args = append(args, "-f", "webm")
	}
	args = append(args, tmp)
	total := c.seconds(end)
	lastLog := time.Now()
	began := time.Now()
	err := m.ff.run(ctx, args, func(p progress) {
		if time.Since(lastLog) >= 10*time.Second {
			lastLog = time.Now()
			m.log.Info("finishing composed recording", "recordingId", rec.ID, "progress",
				fmt.Sprintf("%.0f%%", 100*p.outTime.Seconds()/total), "speed", p.speed)
		}
	})
	if err != nil {
		os.Remove(tmp)
		return out, fmt.Errorf("joining the segments: %w", err)
	}
	pr, err := m.ff.probe(ctx, tmp)
	if err == nil {
		err = checkComposed(pr, props, total)
	}
	if err != nil {
		os.Remove(tmp)
		return out, fmt.Errorf("the composed file is not valid: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, out.file)); err != nil {
		return out, err
	}
	if props.HasVideo {
		thumb := filepath.Join(dir, rec.ID+".jpg")
		at := pr.duration / 2
		if terr := m.ff.run(ctx, []string{"-ss", secs(at), "-i", filepath.Join(dir, out.file), "-frames:v", "1", "-q:v", "4", thumb}, nil); terr != nil {
			m.log.Warn("recording thumbnail", "recordingId", rec.ID, "err", terr)
		}
	}
	st, err := os.Stat(filepath.Join(dir, out.file))
	if err != nil {
		return out, err
	}
	out.size, out.duration = st.Size(), math.Round(pr.duration*1000)/1000
	keep := out.file
	removeLoose(dir, rec.ID, keep)
	m.log.Info("composed recording joined", "recordingId", rec.ID, "segments", len(segments), "took", time.Since(began).Round(time.Millisecond))
	return out, nil
}

// checkComposed: the streams asked for, and the whole duration.
func checkComposed(p probeResult, props core.RecordingProperties, want float64) error {
	if props.HasVideo && p.stream("video") == nil {
		return errors.New("no video stream")
	}
	if props.HasAudio && p.stream("audio") == nil {
		return errors.New("no audio stream")
	}
	if math.Abs(p.duration-want) > 0.5+want*0.02 {
		return fmt.Errorf("duration %.3f s, expected %.3f s", p.duration, want)
	}
	return nil
}
