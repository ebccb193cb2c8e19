package rtspcam

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

type probedStream struct {
	CodecType  string `json:"codec_type"`
	CodecName  string `json:"codec_name"`
	Profile    string `json:"profile"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	SampleRate string `json:"sample_rate"`
	Channels   int    `json:"channels"`
}

// probe runs ffprobe on the camera (transport: extra arguments before the
// URL) and returns the streams it found.
func probe(t *testing.T, url string, transport ...string) []probedStream {
	t.Helper()
	args := append([]string{"-v", "error"}, transport...)
	args = append(args, "-show_streams", "-of", "json", url)
	var out struct{ Streams []probedStream }
	if err := json.Unmarshal(runTool(t, "ffprobe", args...), &out); err != nil {
		t.Fatal(err)
	}
	return out.Streams
}

// ffprobe over TCP finds the H.264 baseline video at the configured size
// and the AAC track; once it has gone, nobody is playing.
func TestFFprobeSeesVideoAndAudio(t *testing.T) {
	cam := Start(t, Options{Audio: true})
	streams := probe(t, cam.URL(), "-rtsp_transport", "tcp")
	if len(streams) != 2 {
		t.Fatalf("streams %+v, want video and audio", streams)
	}
	v, a := streams[0], streams[1]
	if v.CodecType != "video" || v.CodecName != "h264" || v.Width != 320 || v.Height != 240 ||
		!strings.Contains(v.Profile, "Baseline") {
		t.Errorf("video %+v, want h264 Baseline 320×240", v)
	}
	if a.CodecType != "audio" || a.CodecName != "aac" || a.SampleRate != "48000" || a.Channels != 1 {
		t.Errorf("audio %+v, want aac 48000 Hz mono", a)
	}
	cam.WaitPlaying(t, 0, 5*time.Second)
	if cam.Plays() != 1 {
		t.Errorf("Plays %d, want 1", cam.Plays())
	}
}

// ffprobe's default transport asks for UDP first; the 461 makes it set up
// TCP on the same connection (ffmpeg 5.1 does so for the first track).
func TestDefaultTransportFallsBackToTCP(t *testing.T) {
	cam := Start(t, Options{Width: 640, Height: 360, FPS: 10})
	streams := probe(t, cam.URL())
	if len(streams) != 1 || streams[0].CodecName != "h264" || streams[0].Width != 640 || streams[0].Height != 360 {
		t.Fatalf("streams %+v, want h264 640×360", streams)
	}
	reqs := cam.Requests()
	play := slices.Index(reqs, "PLAY")
	if play < 0 {
		t.Fatalf("requests %v: no PLAY", reqs)
	}
	if setups := countOf(reqs[:play], "SETUP"); setups != 2 {
		t.Fatalf("requests %v: %d SETUPs before PLAY, want 2 (UDP refused, then TCP)", reqs, setups)
	}
}

// Two ffmpeg clients at once decode 20 frames of moving video each;
// Playing follows them and Plays counts them.
func TestFFmpegClientsDecodeFrames(t *testing.T) {
	cam := Start(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	var cmds [2]*exec.Cmd
	var outs [2]*cappedBuffer
	for i := range cmds {
		// framemd5: one line per decoded frame. -t bounds the run if frames
		// do not come: the client waits up to a second for a keyframe, then
		// 20 frames take 1.3 s.
		cmd, out := tool(t, ctx, "ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp",
			"-i", cam.URL(), "-t", "5", "-map", "0:v", "-frames:v", "20", "-f", "framemd5", "-")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.ProcessState == nil { // the test failed before waiting
				cancel()
				_ = cmd.Wait()
			}
		})
		cmds[i], outs[i] = cmd, out
	}
	cam.WaitPlaying(t, 2, 10*time.Second)
	for i := range cmds {
		if err := cmds[i].Wait(); err != nil {
			t.Fatalf("ffmpeg client %d: %v\n%s", i, err, cmds[i].Stderr)
		}
		var frames []string
		for line := range strings.Lines(string(outs[i].Bytes())) {
			if !strings.HasPrefix(line, "#") {
				f := strings.Split(strings.TrimSpace(line), ",")
				frames = append(frames, strings.TrimSpace(f[len(f)-1]))
			}
		}
		if len(frames) != 20 {
			t.Fatalf("client %d decoded %d frames, want 20", i, len(frames))
		}
		if len(slices.Compact(slices.Sorted(slices.Values(frames)))) < len(frames)/2 {
			t.Fatalf("client %d: frames barely change (a frozen picture)", i)
		}
	}
	cam.WaitPlaying(t, 0, 5*time.Second)
	if cam.Plays() != 2 {
		t.Fatalf("Plays %d, want 2", cam.Plays())
	}
}

// The picture is never black: testsrc by default, a colour background
// (checked in a corner) with a moving pattern in the middle when asked.
func TestPicture(t *testing.T) {
	for _, tc := range []struct {
		color   string
		corner  [3]int // RGB at (4,4); ignored when zero
		minMean int
	}{
		{"", [3]int{}, 40},
		{"orange", [3]int{255, 165, 0}, 80},
	} {
		t.Run("color="+tc.color, func(t *testing.T) {
			cam := Start(t, Options{Color: tc.color})
			const w, h = 320, 240
			rgb := runTool(t, "ffmpeg", "-nostdin", "-v", "error", "-rtsp_transport", "tcp", "-i", cam.URL(),
				"-t", "2", "-map", "0:v", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
			if len(rgb) != w*h*3 {
				t.Fatalf("%d bytes, want one %dx%d RGB frame", len(rgb), w, h)
			}
			sum := 0
			for _, b := range rgb {
				sum += int(b)
			}
			if mean := sum / len(rgb); mean < tc.minMean {
				t.Fatalf("mean level %d, want at least %d (black picture?)", mean, tc.minMean)
			}
			if tc.corner != [3]int{} {
				px := rgb[(4*w+4)*3:]
				for i, want := range tc.corner {
					if d := int(px[i]) - want; d < -40 || d > 40 {
						t.Fatalf("corner RGB %v, want about %v", px[:3], tc.corner)
					}
				}
				mid := rgb[(h/2*w+w/2)*3:]
				if same := slices.Equal(mid[:3], px[:3]); same {
					// The overlay moves; at worst it is not at the centre yet, so
					// look along the middle row for anything not background.
					row := rgb[h/2*w*3 : (h/2+1)*w*3]
					if !hasOther(row, px[:3]) {
						t.Fatalf("middle row is all background: no moving pattern")
					}
				}
			}
		})
	}
}

func hasOther(row, bg []byte) bool {
	for i := 0; i+3 <= len(row); i += 3 {
		for c := range 3 {
			if d := int(row[i+c]) - int(bg[c]); d < -40 || d > 40 {
				return true
			}
		}
	}
	return false
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// ffmpeg stops after Duration; the server stays up until Close.
func TestDurationBoundsFFmpeg(t *testing.T) {
	cam := Start(t, Options{Duration: time.Second})
	select {
	case <-cam.src.exited:
		if cam.src.waitErr != nil {
			t.Fatalf("ffmpeg: %v\n%s", cam.src.waitErr, cam.src.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ffmpeg still running 10 s into a 1 s stream")
	}
	c := dialRaw(t, cam.URL())
	if r := c.do("DESCRIBE", cam.URL()); r.status != 200 {
		t.Fatalf("DESCRIBE after the stream ended: %d", r.status)
	}
}

func TestOptionsDefaultsAndChecks(t *testing.T) {
	o, err := Options{Path: "live/"}.withDefaults()
	if err != nil || o.Path != "/live" || o.Width != 320 || o.Height != 240 || o.FPS != 15 || o.Duration != 120*time.Second {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	for _, bad := range []Options{
		{Color: "red[x];nullsrc"},
		{Width: 321},
		{FPS: -1},
		{Duration: -time.Second},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
