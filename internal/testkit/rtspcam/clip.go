package rtspcam

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// WriteClip writes what a camera with opts films as an MP4 file (H.264
// baseline, one keyframe a second, and an AAC tone with Audio), lasting
// opts.Duration (default 3 s), and returns its path: a camera read from a
// file (file:// IP cameras, anything that plays a recording).
func WriteClip(t testing.TB, opts Options) string {
	t.Helper()
	ffmpeg := RequireFFmpeg(t)
	if opts.Duration == 0 {
		opts.Duration = 3 * time.Second
	}
	o, err := opts.withDefaults()
	if err != nil {
		t.Fatalf("rtspcam: %v", err)
	}
	path := filepath.Join(t.TempDir(), "clip.mp4")
	secs := strconv.FormatFloat(o.Duration.Seconds(), 'f', 3, 64)
	gop := strconv.Itoa(o.FPS)
	args := []string{"-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
		"-t", secs, "-f", "lavfi", "-i", picture(o)}
	if o.Audio {
		args = append(args, "-t", secs, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000")
	}
	args = append(args, "-map", "0:v", "-t", secs, "-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline",
		"-pix_fmt", "yuv420p", "-g", gop, "-keyint_min", gop, "-bf", "0")
	if o.Audio {
		args = append(args, "-map", "1:a", "-c:a", "aac", "-ar", "48000", "-ac", "1")
	}
	args = append(args, "-y", path)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ffmpeg, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rtspcam: writing the clip: %v: %s", err, truncate(out))
	}
	return path
}

func truncate(b []byte) string {
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return string(b)
}
