package recording

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// audioTrack feeds the segments' mixes, in order, to one encoder that
// lives as long as the composition: AAC (for MP4) or Opus (audio-only
// WebM). Owned by one goroutine at a time (the live loop, then the stop).
type audioTrack struct {
	c   *composer
	enc *audioEncoder
	fed int // segments fed so far
}

func (t *audioTrack) path() string {
	if t.c.props.HasVideo {
		return filepath.Join(t.c.parts, "audio.m4a")
	}
	return filepath.Join(t.c.parts, "audio.ogg")
}

// feed encodes the segments composed since the last call. A segment
// whose mix is gone (fed to an encoder that died with the server) is
// mixed again.
func (t *audioTrack) feed(ctx context.Context, streams []layoutStream) error {
	c := t.c
	if !c.props.HasAudio {
		return nil
	}
	c.mu.Lock()
	segments := append([]segmentInfo(nil), c.segments...)
	c.mu.Unlock()
	for t.fed < len(segments) {
		s := segments[t.fed]
		_, pcmName := segmentNames(t.fed + 1)
		pcm := filepath.Join(c.parts, pcmName)
		if _, err := os.Stat(pcm); err != nil {
			if _, err := c.composeSegment(ctx, s.From, s.To, streams, t.fed+1, false); err != nil {
				return err
			}
		}
		if t.enc == nil {
			enc, err := c.m.ff.startAudioEncoder(c.m.ctx, t.path(), c.props.HasVideo)
			if err != nil {
				return err
			}
			t.enc = enc
		}
		if err := t.enc.feed(pcm); err != nil {
			t.abort() // the next feed starts over
			return err
		}
		os.Remove(pcm)
		t.fed++
	}
	return nil
}

// finish closes the encoder: the audio file is complete.
func (t *audioTrack) finish() error {
	if t.enc == nil {
		return errors.New("no audio was encoded")
	}
	err := t.enc.finish()
	t.enc = nil
	return err
}

func (t *audioTrack) abort() {
	if t.enc != nil {
		t.enc.abort()
		t.enc = nil
	}
	t.fed = 0
	os.Remove(t.path())
}

// audioEncoder is an ffmpeg reading raw PCM on stdin.
type audioEncoder struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	done   chan struct{}
	err    error
	stderr bytes.Buffer
}

func (f ffmpeg) startAudioEncoder(ctx context.Context, out string, aac bool) (*audioEncoder, error) {
	if f.ffmpeg == "" {
		return nil, ErrNoFFmpeg
	}
	args := []string{"-hide_banner", "-nostats", "-loglevel", "error", "-y",
		"-f", "s16le", "-ar", fmt.Sprint(audioRate), "-ac", "2", "-i", "pipe:0"}
	if aac {
		args = append(args, "-c:a", "aac", "-b:a", "128k", "-f", "mp4", out)
	} else {
		args = append(args, "-c:a", "libopus", "-b:a", "64k", "-f", "ogg", out)
	}
	e := &audioEncoder{cmd: exec.CommandContext(ctx, f.ffmpeg, args...), done: make(chan struct{})}
	e.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	e.cmd.WaitDelay = 5 * time.Second
	e.cmd.Stderr = &limitedWriter{w: &e.stderr, n: 4096}
	var err error
	if e.stdin, err = e.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("ffmpeg: %w", err)
	}
	if f.nice {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, e.cmd.Process.Pid, 10)
	}
	go func() {
		defer close(e.done)
		if err := e.cmd.Wait(); err != nil {
			e.err = fmt.Errorf("audio encoder: %w: %s", err, strings.TrimSpace(e.stderr.String()))
		}
	}()
	return e, nil
}

func (e *audioEncoder) feed(pcm string) error {
	f, err := os.Open(pcm)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(e.stdin, f); err != nil {
		select {
		case <-e.done:
			if e.err != nil {
				return e.err
			}
		default:
		}
		return fmt.Errorf("audio encoder: %w", err)
	}
	return nil
}

func (e *audioEncoder) finish() error {
	e.stdin.Close()
	<-e.done
	return e.err
}

func (e *audioEncoder) abort() {
	_ = e.cmd.Process.Kill()
	e.stdin.Close()
	<-e.done
}

// finalizeComposed composes what is left up to the stop, finishes the
// audio, joins everything into {name}.mp4 (or .webm without video), makes
// the thumbnail and checks the result with ffprobe.
func (m *Manager) finalizeComposed(ctx context.Context, dir string, rec Recording, files []streamFile, stoppedAt int64, c *composer) (out output, err error) {
	props := rec.Properties
	ext := ".mp4"
	if !props.HasVideo {
		ext = ".webm"
	}
	out = output{file: rec.Name + ext}
	if c == nil {
		c = newComposerFor(m, dir, props)
		c.loadManifest()
	}
	defer func() {
		if err != nil {
			c.audio.abort()
		}
	}()
	var streams []layoutStream
	for _, f := range files {
		if f.StartTimeOffset < 0 {
			continue
		}
		s := layoutStream{path: filepath.Join(c.parts, f.Name), origin: f.StartTimeOffset,
			videoStart: f.VideoStartOffset, end: f.EndTimeOffset, hasAudio: f.HasAudio}
		if !f.HasVideo {
			s.videoStart = -1
		}
		streams = append(streams, s)
	}
	if len(streams) == 0 {
		removeLoose(dir, rec.ID, "")
		return out, errors.New("no media was received from any publisher")
	}
	end := c.unitsAt(stoppedAt)
	if end <= 0 {
		removeLoose(dir, rec.ID, "")
		return out, errors.New("the recording is empty")
	}
	began := time.Now()
	c.mu.Lock()
	c.dropSegmentsAfter(end)
	next := c.composed
	c.total = end
	c.mu.Unlock()
	if next < end {
		// What is left is composed in pieces on every core: this is the wait at stop.
		if err := c.composeRange(ctx, next, end, streams, maxParallel()); err != nil {
			return out, err
		}
	}
	if err := c.audio.feed(ctx, streams); err != nil {
		return out, fmt.Errorf("encoding the audio: %w", err)
	}
	if props.HasAudio {
		if err := c.audio.finish(); err != nil {
			return out, fmt.Errorf("encoding the audio: %w", err)
		}
	}
	c.mu.Lock()
	segments := append([]segmentInfo(nil), c.segments...)
	c.mu.Unlock()
	tmp := filepath.Join(dir, ".tmp."+out.file)
	var args []string
	if props.HasVideo {
		list := "ffconcat version 1.0\n"
		for _, s := range segments {
			list += "file '" + s.File + "'\n"
		}
		listPath := filepath.Join(c.parts, "concat.txt")
		if err := os.WriteFile(listPath, []byte(list), 0o644); err != nil {
			return out, err
		}
		args = append(args, "-f", "concat", "-safe", "0", "-i", listPath)
		if props.HasAudio {
			args = append(args, "-i", c.audio.path(), "-map", "0:v", "-map", "1:a")
		} else {
			args = append(args, "-map", "0:v")
		}
		args = append(args, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", tmp)
	} else {
		args = append(args, "-i", c.audio.path(), "-c", "copy", "-f", "webm", tmp)
	}
	if err := m.ff.run(ctx, args, nil); err != nil {
		os.Remove(tmp)
		return out, fmt.Errorf("joining the segments: %w", err)
	}
	total := c.seconds(end)
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
		if terr := m.ff.run(ctx, []string{"-ss", secs(pr.duration / 2), "-i", filepath.Join(dir, out.file), "-frames:v", "1", "-q:v", "4", thumb}, nil); terr != nil {
			m.log.Warn("recording thumbnail", "recordingId", rec.ID, "err", terr)
		}
	}
	st, err := os.Stat(filepath.Join(dir, out.file))
	if err != nil {
		return out, err
	}
	out.size, out.duration = st.Size(), math.Round(pr.duration*1000)/1000
	removeLoose(dir, rec.ID, out.file)
	m.log.Info("composed recording joined", "recordingId", rec.ID, "segments", len(segments), "took", time.Since(began).Round(time.Millisecond))
	return out, nil
}

// maxParallel is how many ffmpegs compose at once at stop: the cores,
// at most 4 (each is multi-threaded too).
func maxParallel() int { return min(max(runtime.NumCPU(), 1), 4) }

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

// dropSegmentsAfter forgets the segments that end after the timeline's
// end. Only a recovery meets them: the manifest can outlive the stream
// files' tail (a crash loses what was not yet on disk, or a copy of the
// folder takes the manifest later than the media). c.mu is held.
func (c *composer) dropSegmentsAfter(end int64) {
	keep := 0
	for keep < len(c.segments) && c.segments[keep].To <= end {
		keep++
	}
	if keep == len(c.segments) {
		return
	}
	for _, s := range c.segments[keep:] {
		if s.File != "" {
			os.Remove(filepath.Join(c.parts, s.File))
		}
	}
	c.segments = c.segments[:keep]
	c.composed = 0
	if keep > 0 {
		c.composed = c.segments[keep-1].To
	}
}
