// Package rtspcam is a test IP camera: a small RTSP/1.0 server on loopback
// that serves one live H.264 stream (and optionally AAC) produced by an
// ffmpeg child process.
//
// ffmpeg sends RTP to UDP sockets the camera opened; the camera fans each
// packet out to the playing clients, interleaved in their RTSP TCP
// connection. A SETUP asking for UDP is refused with 461 so that clients
// (ffmpeg's rtsp demuxer among them) fall back to TCP; the camera then needs
// no UDP towards clients at all.
package rtspcam

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"
)

// Options describe the camera's stream; the zero value is a 320×240, 15 fps
// test pattern without audio at /cam, for two minutes.
type Options struct {
	// Path is the stream's path in the URL; "" means "/cam".
	Path string
	// Width, Height and FPS default to 320, 240 and 15. The GOP is FPS
	// frames: one keyframe a second.
	Width, Height, FPS int
	// Audio adds an AAC track (48 kHz mono, a 440 Hz sine) after the video.
	Audio bool
	// Color, when set (an ffmpeg colour: "orange", "0x336699"), makes the
	// picture a solid background of that colour with a small moving test
	// pattern; otherwise the picture is ffmpeg's testsrc.
	Color string
	// Duration bounds ffmpeg (its -t); zero means 120 s. The stream ends
	// after it, the RTSP server stays up until Close.
	Duration time.Duration
	// Addr is where the RTSP server listens; "" means a free port on
	// 127.0.0.1. Give a closed camera's address to bring it back (a
	// camera that reboots).
	Addr string
}

// The rest of the package relies on these: a colour ends up in a
// filtergraph, so it must not carry filtergraph syntax.
var colorPattern = regexp.MustCompile(`^[A-Za-z0-9#@.]+$`)

func (o Options) withDefaults() (Options, error) {
	if o.Path == "" {
		o.Path = "/cam"
	}
	if o.Path[0] != '/' {
		o.Path = "/" + o.Path
	}
	for len(o.Path) > 1 && o.Path[len(o.Path)-1] == '/' {
		o.Path = o.Path[:len(o.Path)-1]
	}
	if o.Width == 0 {
		o.Width = 320
	}
	if o.Height == 0 {
		o.Height = 240
	}
	if o.FPS == 0 {
		o.FPS = 15
	}
	if o.Duration == 0 {
		o.Duration = 120 * time.Second
	}
	switch {
	case o.Width < 16 || o.Height < 16 || o.Width%2 != 0 || o.Height%2 != 0:
		return o, fmt.Errorf("size %dx%d: want even sides of at least 16", o.Width, o.Height)
	case o.FPS < 1 || o.FPS > 60:
		return o, fmt.Errorf("fps %d: want 1..60", o.FPS)
	case o.Duration < 0:
		return o, fmt.Errorf("negative duration %v", o.Duration)
	case o.Color != "" && !colorPattern.MatchString(o.Color):
		return o, fmt.Errorf("colour %q: want an ffmpeg colour name or 0xRRGGBB", o.Color)
	}
	return o, nil
}

// Camera is a running test camera. Its methods are safe for concurrent use.
type Camera struct {
	opts   Options
	ln     net.Listener
	url    string
	src    *source
	sdp    []byte // the DESCRIBE answer
	tracks int

	ctx    context.Context // ends with Close; ffmpeg's lifetime
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine of the camera

	// mu guards the fields below. Lock order: Camera.mu, then nothing: no
	// network call or blocking send happens while it is held.
	mu       sync.Mutex
	closed   bool
	conns    map[*conn]struct{}
	playing  map[*conn][]int // interleaved RTP channel per track, -1 = not set up
	plays    int
	requests []string

	closeOnce sync.Once
}

// readyTimeout bounds the wait for ffmpeg's SDP and first packets; x264
// starts in well under a second, but a loaded CI machine running -race is
// slow.
const readyTimeout = 20 * time.Second

// Start runs a camera until the test ends (or Close). It returns once ffmpeg
// has written its SDP and the first RTP packet of every track has arrived,
// so a client connecting right away gets media. Without ffmpeg the test is
// skipped, unless CI or GOVIDU_REQUIRE_E2E is set, in which case it fails.
func Start(t testing.TB, opts Options) *Camera {
	t.Helper()
	ffmpeg := RequireFFmpeg(t)
	opts, err := opts.withDefaults()
	if err != nil {
		t.Fatalf("rtspcam: %v", err)
	}
	c := &Camera{
		opts:    opts,
		conns:   map[*conn]struct{}{},
		playing: map[*conn][]int{},
		tracks:  1,
	}
	if opts.Audio {
		c.tracks = 2
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	t.Cleanup(c.Close)

	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	c.ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("rtspcam: %v", err)
	}
	c.url = "rtsp://" + c.ln.Addr().String() + opts.Path

	c.src, err = startSource(c.ctx, &c.wg, ffmpeg, opts, c.tracks, t.TempDir(), c.broadcast)
	if err != nil {
		t.Fatalf("rtspcam: %v", err)
	}
	c.sdp, err = c.src.waitReady(time.Now().Add(readyTimeout))
	if err != nil {
		t.Fatalf("rtspcam: %v\nffmpeg %v\nffmpeg stderr:\n%s", err, c.src.args, c.src.stderr.String())
	}

	c.wg.Add(1)
	go c.acceptLoop()
	return c
}

// RequireFFmpeg returns the ffmpeg executable or skips the test (fails it
// under CI or GOVIDU_REQUIRE_E2E), like testkit.RequireChromium.
func RequireFFmpeg(t testing.TB) string {
	t.Helper()
	return requireTool(t, "ffmpeg")
}

func requireTool(t testing.TB, name string) string {
	t.Helper()
	exe, err := exec.LookPath(name)
	if err == nil {
		return exe
	}
	msg := name + " not found on PATH (apt-get update && apt-get install -y ffmpeg)"
	if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + "; set GOVIDU_REQUIRE_E2E=1 to make this a failure")
	return ""
}

// URL is the stream's address, rtsp://127.0.0.1:PORT/cam.
func (c *Camera) URL() string { return c.url }

// Addr is where the RTSP server listens (Options.Addr of a camera that
// comes back after Close).
func (c *Camera) Addr() string { return c.ln.Addr().String() }

// Playing is the number of clients currently receiving media (between PLAY
// and PAUSE, TEARDOWN or the connection's end).
func (c *Camera) Playing() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.playing)
}

// Plays is the number of PLAY requests answered 200 since Start.
func (c *Camera) Plays() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plays
}

// Requests lists the methods of every request received, on all
// connections, in arrival order (unknown methods included).
func (c *Camera) Requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requests)
}

// WaitPlaying waits until exactly n clients are playing; the test fails
// after timeout.
func (c *Camera) WaitPlaying(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		got := c.Playing()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("rtspcam: %d clients playing after %v, want %d (requests %v)", got, timeout, n, c.Requests())
		}
		<-tick.C
	}
}

// Close stops ffmpeg, the server and every client connection, and returns
// when all of the camera's goroutines have ended. It may be called more
// than once.
func (c *Camera) Close() {
	c.closeOnce.Do(func() {
		c.cancel()
		if c.ln != nil {
			_ = c.ln.Close()
		}
		c.mu.Lock()
		c.closed = true
		conns := make([]*conn, 0, len(c.conns))
		for cn := range c.conns {
			conns = append(conns, cn)
		}
		c.mu.Unlock()
		for _, cn := range conns {
			cn.close()
		}
		if c.src != nil {
			c.src.close()
		}
		c.wg.Wait()
	})
}

// broadcast offers an RTP (or RTCP) packet of a track to every playing
// client. It never blocks: a client whose queue is full loses the packet.
func (c *Camera) broadcast(track int, rtcp bool, pkt []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var shared []byte // one copy for all clients; queued packets are read-only
	for cn, channels := range c.playing {
		if track >= len(channels) || channels[track] < 0 {
			continue
		}
		if shared == nil {
			shared = slices.Clone(pkt)
		}
		ch := channels[track]
		if rtcp {
			ch++
		}
		cn.offer(ch, shared)
	}
}

func (c *Camera) record(method string) {
	c.mu.Lock()
	c.requests = append(c.requests, method)
	c.mu.Unlock()
}

// startPlaying registers cn for media with its channels (copied: the
// connection may set up again after a PAUSE).
func (c *Camera) startPlaying(cn *conn, channels []int) {
	c.mu.Lock()
	c.playing[cn] = slices.Clone(channels)
	c.plays++
	c.mu.Unlock()
}

func (c *Camera) stopPlaying(cn *conn) {
	c.mu.Lock()
	delete(c.playing, cn)
	c.mu.Unlock()
}
