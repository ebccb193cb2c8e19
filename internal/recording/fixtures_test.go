package recording

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/govidu/govidu/internal/testkit/mediafile"
)

// Media fixtures: the SFU's test clips (VP8 320x240 15 fps, Opus 20 ms),
// and VP9/H.264 clips made with ffmpeg when a test needs them.

const mediaTestdata = "../media/testdata"

// readIVF reads an IVF clip (the SFU tests' reader).
var readIVF = mediafile.ReadIVF

func vp8Fixture(tb testing.TB) [][]byte {
	return readIVF(tb, filepath.Join(mediaTestdata, "video.ivf"))
}
func opusFixture(tb testing.TB) [][]byte {
	return mediafile.ReadOggOpus(tb, filepath.Join(mediaTestdata, "audio.ogg"))
}

func needFFmpeg(tb testing.TB) ffmpeg {
	tb.Helper()
	f := findFFmpeg("")
	if !f.available() {
		if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
			tb.Fatal("ffmpeg/ffprobe are not installed (scripts/install-deps.sh installs them)")
		}
		tb.Skip("ffmpeg/ffprobe are not installed")
	}
	return f
}

var generated sync.Map // name → [][]byte

// vp9Fixture: 3 s of testsrc2 320x240 at 15 fps, VP9 (made once per test binary).
func vp9Fixture(tb testing.TB) [][]byte {
	tb.Helper()
	if v, ok := generated.Load("vp9"); ok {
		return v.([][]byte)
	}
	needFFmpeg(tb)
	out := filepath.Join(tb.TempDir(), "v.ivf")
	run(tb, "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "3",
		"-c:v", "libvpx-vp9", "-b:v", "300k", "-g", "15", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", out)
	frames := readIVF(tb, out)
	generated.Store("vp9", frames)
	return frames
}

// h264Fixture: 3 s of testsrc2 320x240 at 15 fps, H.264 constrained
// baseline as browsers send it, one Annex B access unit per element.
func h264Fixture(tb testing.TB) [][]byte {
	tb.Helper()
	if v, ok := generated.Load("h264"); ok {
		return v.([][]byte)
	}
	needFFmpeg(tb)
	out := filepath.Join(tb.TempDir(), "v.h264")
	run(tb, "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "3",
		"-c:v", "libx264", "-profile:v", "baseline", "-g", "15", "-bf", "0", "-x264-params", "aud=1:repeat-headers=1", "-f", "h264", out)
	data, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	var aus [][]byte
	start := -1
	for i := 0; i+4 < len(data); i++ {
		if data[i] == 0 && data[i+1] == 0 && data[i+2] == 0 && data[i+3] == 1 && data[i+4]&0x1f == 9 {
			if start >= 0 {
				aus = append(aus, data[start:i])
			}
			start = i
		}
	}
	aus = append(aus, data[start:])
	generated.Store("h264", aus)
	return aus
}

func run(tb testing.TB, name string, args ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		tb.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// packetize turns frames (looped to fill dur) into RTP packets with
// arrival times from base, as a publisher would send them.
func packetize(frames [][]byte, payloader rtp.Payloader, clock uint32, every time.Duration, dur time.Duration, base time.Time, ssrc uint32, video bool) []*packet {
	pz := rtp.NewPacketizer(1200, 96, ssrc, payloader, rtp.NewRandomSequencer(), clock)
	var out []*packet
	samples := uint32(int64(clock) * int64(every) / int64(time.Second))
	n := int(dur / every)
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * every).UnixNano()
		for _, p := range pz.Packetize(frames[i%len(frames)], samples) {
			out = append(out, &packet{video: video, ssrc: p.SSRC, seq: p.SequenceNumber, ts: p.Timestamp,
				marker: p.Marker, arrival: at, payload: p.Payload})
		}
	}
	return out
}

func vp8Packets(tb testing.TB, dur time.Duration, base time.Time) []*packet {
	return packetize(vp8Fixture(tb), &codecs.VP8Payloader{EnablePictureID: true}, 90000, time.Second/15, dur, base, 1111, true)
}

func opusPackets(tb testing.TB, dur time.Duration, base time.Time) []*packet {
	return packetize(opusFixture(tb), &codecs.OpusPayloader{}, 48000, 20*time.Millisecond, dur, base, 2222, false)
}

// merge orders packets of several tracks by arrival.
func merge(lists ...[]*packet) []*packet {
	var out []*packet
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].arrival < out[j].arrival })
	return out
}

// fakeClock is a clock a test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	if t.After(c.t) {
		c.t = t
	}
	c.mu.Unlock()
}
