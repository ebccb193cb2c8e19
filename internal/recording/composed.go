package recording

import (
	"context"
	"encoding/json"
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
// is left. A segment is an H.264 file (the grid) and raw PCM (the mix);
// the PCM is fed, segment after segment, to one audio encoder that runs
// for the whole recording, so the sound has no seam and nothing is
// encoded twice. Stopping composes the rest, closes the encoder and
// copies video and audio into the output: the time it takes does not
// grow with the recording's length. A segment's layout is constant: the
// timeline is also cut where a video appears or ends.

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

	mu       sync.Mutex // guards segments, composed and total
	segments []segmentInfo
	composed int64 // units composed so far
	total    int64 // units to compose, once known (at stop or recovery); 0 while recording

	audio audioTrack // owned by whoever composes (the live loop, then the stop)

	stop chan struct{}
	done chan struct{}
}

type segmentInfo struct {
	File string `json:"file"` // the video, "" for audio-only recordings
	PCM  string `json:"pcm"`  // the mix, "" without audio
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
	c.segUnits = max(int64(m.opts.SegmentDuration.Seconds()*float64(c.rate)), 1)
	c.audio = audioTrack{c: c}
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
			streams := c.liveStreams()
			err := c.composeRange(c.m.ctx, next, next+c.segUnits, streams, 1)
			if err == nil {
				err = c.audio.feed(c.m.ctx, streams)
			}
			if err != nil {
				if c.m.ctx.Err() == nil {
					c.m.log.Warn("composing while recording failed; the stop composes the rest", "recordingId", c.a.recID, "err", err)
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
		s.mu.Unlock()
		if ls.origin >= 0 {
			out = append(out, ls)
		}
	}
	return out
}

// composeRange composes [from, to) units, cut where the layout changes
// and into pieces of at most segUnits, with up to parallel ffmpegs.
// Cuts closer than minSegment to another are not made: a video that
// starts within a segment shows a black tile until its first frame.
func (c *composer) composeRange(ctx context.Context, from, to int64, streams []layoutStream, parallel int) error {
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
	// Pieces of at most segUnits, and as many as there are ffmpegs to run them.
	piece := c.segUnits
	if parallel > 1 {
		piece = min(piece, max((to-from+int64(parallel)-1)/int64(parallel), minUnits))
	}
	for u := from + piece; u < to; u += piece {
		changes = append(changes, u)
	}
	sortInt64(changes)
	cuts := []int64{from}
	for _, u := range changes {
		if u-cuts[len(cuts)-1] >= minUnits && to-u >= minUnits {
			cuts = append(cuts, u)
		}
	}
	cuts = append(cuts, to)

	c.mu.Lock()
	first := len(c.segments) + 1
	c.mu.Unlock()
	pieces := make([]segmentInfo, len(cuts)-1)
	errs := make([]error, len(pieces))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i := range pieces {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			pieces[i], errs[i] = c.composeSegment(ctx, cuts[i], cuts[i+1], streams, first+i, c.props.HasVideo)
		}()
	}
	wg.Wait()
	for i, p := range pieces {
		if errs[i] != nil {
			return errs[i]
		}
		c.mu.Lock()
		c.segments = append(c.segments, p)
		c.composed = p.To
		c.mu.Unlock()
	}
	c.mu.Lock()
	manifest := segmentManifest{Rate: c.rate, Width: c.width, Height: c.height, Segments: append([]segmentInfo(nil), c.segments...)}
	c.mu.Unlock()
	return writeJSONFile(filepath.Join(c.parts, manifestName), manifest, false)
}

func sortInt64(v []int64) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func segmentNames(n int) (video, pcm string) {
	return fmt.Sprintf("seg-%06d.mkv", n), fmt.Sprintf("seg-%06d.pcm", n)
}

// composeSegment renders [from, to) units: the grid into seg-N.mkv (when
// withVideo) and the mix into seg-N.pcm (raw 48 kHz stereo s16le, exactly
// the segment's share of samples).
func (c *composer) composeSegment(ctx context.Context, from, to int64, streams []layoutStream, n int, withVideo bool) (segmentInfo, error) {
	began := time.Now()
	withAudio := c.props.HasAudio
	aMs, bMs := float64(from)*1000/float64(c.rate), float64(to)*1000/float64(c.rate)
	mid := (aMs + bMs) / 2
	type input struct {
		s            layoutStream
		video, audio bool
	}
	var inputs []input
	for _, s := range streams {
		if float64(s.origin) >= bMs || s.end >= 0 && float64(s.end) <= aMs {
			continue
		}
		// The layout is constant within a segment: a video is in it when
		// it shows at the segment's middle.
		in := input{s: s, audio: withAudio && s.hasAudio}
		in.video = withVideo && s.videoStart >= 0 && float64(s.videoStart) <= mid && (s.end < 0 || float64(s.end) > mid)
		if in.video || in.audio {
			inputs = append(inputs, in)
		}
	}
	d := c.seconds(to - from)
	var args, graph []string
	lavfi := 0
	if withVideo {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("color=c=black:s=%dx%d:r=%d:d=%s", c.width, c.height, c.rate, secs(d+1)))
		lavfi++
	}
	silence := lavfi
	if withAudio {
		args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("anullsrc=r=%d:cl=stereo", audioRate))
		lavfi++
	}
	var videos, audios []int // input indexes
	for i, in := range inputs {
		origin := float64(in.s.origin)
		if origin <= aMs {
			args = append(args, "-ss", secs((aMs-origin)/1000), "-t", secs(d))
		} else {
			args = append(args, "-itsoffset", secs((origin-aMs)/1000), "-t", secs((bMs-origin)/1000))
		}
		// A browser changes its resolution mid-stream; by default ffmpeg
		// then re-creates the whole filter graph, which restarts the audio
		// trim and the black background (the segment comes out too long).
		// scale and fps take the new size on the fly instead.
		args = append(args, "-reinit_filter", "0", "-i", in.s.path)
		if in.video {
			videos = append(videos, lavfi+i)
		}
		if in.audio {
			audios = append(audios, lavfi+i)
		}
	}
	info := segmentInfo{From: from, To: to}
	var outputs []string
	video, pcm := segmentNames(n)
	if withVideo {
		info.File = video
		last := "[0:v]"
		for j, t := range bestFit(c.width, c.height, len(videos)) {
			// A video already showing when the segment begins is seeked into:
			// its first decoded frame can come up to a source frame interval
			// after the cut, so it is held from the segment's start (no black
			// flash at every seam).
			hold := ""
			if in := inputs[videos[j]-lavfi]; in.s.videoStart <= int64(aMs) && float64(in.s.origin) <= aMs {
				hold = fmt.Sprintf("fps=%d:start_time=0,", c.rate)
			}
			graph = append(graph, fmt.Sprintf("[%d:v]%sscale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1[t%d]", videos[j], hold, t.w, t.h, t.w, t.h, j))
			graph = append(graph, fmt.Sprintf("%s[t%d]overlay=x=%d:y=%d:eof_action=pass[o%d]", last, j, t.x, t.y, j))
			last = fmt.Sprintf("[o%d]", j)
		}
		graph = append(graph, last+"format=yuv420p[vout]")
		outputs = append(outputs, "-map", "[vout]", "-frames:v", strconv.FormatInt(to-from, 10),
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-bf", "0", "-g", strconv.Itoa(2*c.rate),
			"-pix_fmt", "yuv420p", "-r", strconv.Itoa(c.rate),
			// Constant frame rate: a late or lost input frame repeats the last.
			"-fps_mode", "cfr", "-f", "matroska", filepath.Join(c.parts, video))
	}
	if withAudio {
		info.PCM = pcm
		samples := c.samplesAt(to) - c.samplesAt(from)
		mix := fmt.Sprintf("[%d:a]", silence)
		for j, idx := range audios {
			graph = append(graph, fmt.Sprintf("[%d:a]aresample=%d:async=1:first_pts=0,aformat=sample_fmts=fltp:sample_rates=%d:channel_layouts=stereo[a%d]", idx, audioRate, audioRate, j))
			mix += fmt.Sprintf("[a%d]", j)
		}
		graph = append(graph, fmt.Sprintf("%samix=inputs=%d:duration=first:dropout_transition=0:normalize=0,atrim=end_sample=%d,apad=whole_len=%d[aout]",
			mix, len(audios)+1, samples, samples))
		outputs = append(outputs, "-map", "[aout]", "-c:a", "pcm_s16le", "-f", "s16le", filepath.Join(c.parts, pcm))
	}
	args = append(args, "-filter_complex", strings.Join(graph, ";"))
	args = append(args, outputs...)
	complaints, err := c.m.ff.runOutput(ctx, args, nil)
	if err != nil {
		os.Remove(filepath.Join(c.parts, video))
		os.Remove(filepath.Join(c.parts, pcm))
		return info, fmt.Errorf("segment %s–%s s: %w", secs(c.seconds(from)), secs(c.seconds(to)), err)
	}
	if complaints != "" {
		c.m.log.Warn("ffmpeg reported problems while composing", "recordingId", filepath.Base(c.dir), "segment", n, "stderr", complaints)
	}
	c.mu.Lock()
	total := c.total
	c.mu.Unlock()
	attrs := []any{"recordingId", filepath.Base(c.dir), "composed", fmt.Sprintf("%.1fs", c.seconds(to)), "segment", n,
		"videos", len(videos), "audios", len(audios), "took", time.Since(began).Round(time.Millisecond)}
	if total > 0 {
		attrs = append(attrs, "of", fmt.Sprintf("%.1fs", c.seconds(total)), "progress", fmt.Sprintf("%.0f%%", 100*float64(to)/float64(total)))
	}
	if !withVideo && c.props.HasVideo {
		attrs = append(attrs, "audioOnly", true) // the mix of a segment whose audio was lost in a crash
	}
	c.m.log.Info("composing recording", attrs...)
	return info, nil
}

func secs(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// loadManifest resumes from the video segments a previous run composed
// (their audio was in an encoder that died: it is mixed again).
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
		if c.props.HasVideo {
			if st, err := os.Stat(filepath.Join(c.parts, s.File)); err != nil || st.Size() == 0 {
				break
			}
		}
		c.segments = append(c.segments, s)
		next = s.To
	}
	c.composed = next
}
