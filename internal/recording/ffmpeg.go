package recording

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ffmpeg is the Debian ffmpeg/ffprobe pair, found at start. COMPOSED
// recordings need it; INDIVIDUAL recordings only use ffprobe, when
// present, to double-check the files they mark ready.
type ffmpeg struct {
	ffmpeg  string // path, "" when missing
	ffprobe string
	nice    bool // run compositions at a lower CPU priority than the SFU
}

// ErrNoFFmpeg: COMPOSED recording is not possible on this host.
var ErrNoFFmpeg = errors.New("ffmpeg is not installed: COMPOSED recordings need the Debian package (apt-get install ffmpeg); INDIVIDUAL recordings work without it")

func findFFmpeg(dir string) ffmpeg {
	look := func(name string) string {
		if dir != "" {
			p := dir + "/" + name
			if _, err := exec.LookPath(p); err == nil {
				return p
			}
			return ""
		}
		p, err := exec.LookPath(name)
		if err != nil {
			return ""
		}
		return p
	}
	return ffmpeg{ffmpeg: look("ffmpeg"), ffprobe: look("ffprobe"), nice: true}
}

func (f ffmpeg) available() bool { return f.ffmpeg != "" && f.ffprobe != "" }

// progress is one line of ffmpeg's -progress output that matters: how far
// the output got.
type progress struct {
	outTime time.Duration
	speed   string
}

// run executes ffmpeg with args; onProgress (optional) gets its progress
// reports. The process is killed when ctx ends, and when govidu dies
// (parent-death signal), so that no orphan keeps writing.
func (f ffmpeg) run(ctx context.Context, args []string, onProgress func(progress)) error {
	_, err := f.runOutput(ctx, args, onProgress)
	return err
}

// runOutput is run that also returns what ffmpeg complained about on a
// successful run (decoding errors in an input, for instance).
func (f ffmpeg) runOutput(ctx context.Context, args []string, onProgress func(progress)) (string, error) {
	if f.ffmpeg == "" {
		return "", ErrNoFFmpeg
	}
	full := append([]string{"-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y"}, args...)
	if onProgress != nil {
		full = append([]string{"-progress", "pipe:1"}, full...)
	}
	cmd := exec.CommandContext(ctx, f.ffmpeg, full...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 8192}
	var stdout io.ReadCloser
	if onProgress != nil {
		var err error
		if stdout, err = cmd.StdoutPipe(); err != nil {
			return "", err
		}
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("ffmpeg: %w", err)
	}
	if f.nice {
		_ = syscall.Setpriority(syscall.PRIO_PROCESS, cmd.Process.Pid, 10)
	}
	if stdout != nil {
		sc := bufio.NewScanner(stdout)
		var p progress
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), "=")
			switch k {
			case "out_time_us", "out_time_ms": // both are microseconds in ffmpeg 5
				if us, err := strconv.ParseInt(v, 10, 64); err == nil && us >= 0 {
					p.outTime = time.Duration(us) * time.Microsecond
				}
			case "speed":
				p.speed = v
			case "progress":
				onProgress(p)
			}
		}
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("ffmpeg: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stderr.String()), nil
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(b []byte) (int, error) {
	if l.n > 0 {
		k := min(len(b), l.n)
		l.w.Write(b[:k])
		l.n -= k
	}
	return len(b), nil
}

// probeResult is what ffprobe says of a media file.
type probeResult struct {
	duration float64 // seconds (format)
	streams  []probeStream
}

type probeStream struct {
	kind     string // "audio", "video"
	codec    string // "vp8", "opus", "h264", "aac", …
	width    int
	height   int
	duration float64
}

func (p probeResult) stream(kind string) *probeStream {
	for i := range p.streams {
		if p.streams[i].kind == kind {
			return &p.streams[i]
		}
	}
	return nil
}

// probe runs ffprobe on path.
func (f ffmpeg) probe(ctx context.Context, path string) (probeResult, error) {
	if f.ffprobe == "" {
		return probeResult{}, ErrNoFFmpeg
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, f.ffprobe, "-v", "error", "-show_entries",
		"format=duration:stream=codec_type,codec_name,width,height,duration", "-of", "json", path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	out, err := cmd.Output()
	if err != nil {
		return probeResult{}, fmt.Errorf("ffprobe %s: %w: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	var raw struct {
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			Duration  string `json:"duration"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return probeResult{}, fmt.Errorf("ffprobe %s: %w", path, err)
	}
	res := probeResult{}
	res.duration, _ = strconv.ParseFloat(raw.Format.Duration, 64)
	for _, s := range raw.Streams {
		d, _ := strconv.ParseFloat(s.Duration, 64)
		res.streams = append(res.streams, probeStream{kind: s.CodecType, codec: s.CodecName, width: s.Width, height: s.Height, duration: d})
	}
	if len(res.streams) == 0 {
		return res, fmt.Errorf("ffprobe %s: no streams", path)
	}
	return res, nil
}
