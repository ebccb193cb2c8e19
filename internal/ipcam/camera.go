package ipcam

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
	"github.com/govidu/govidu/internal/tailbuf"
	"github.com/pion/webrtc/v4"
)

// camera is one published IP camera: its ingest in the media engine and
// the goroutine that runs ffmpeg while the stream is wanted (always, or
// only while someone watches or records it), restarting it with a backoff
// when the camera drops.
type camera struct {
	cam      core.IPCam
	pub      *media.Publisher
	target   string // declared video codec
	log      *slog.Logger
	ffmpeg   string
	ffprobe  string
	poke     chan struct{} // buffered 1: the stream's consumers may have changed
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// errStreamEnded: ffmpeg finished normally, the source ended.
var errStreamEnded = errors.New("the camera's stream ended")

const (
	probeTimeout = 15 * time.Second
	minBackoff   = time.Second
	maxBackoff   = 10 * time.Second
	stableRun    = 30 * time.Second // a run this long resets the backoff
	stopGrace    = 3 * time.Second  // SIGINT, then SIGKILL
	stderrLimit  = 4096
)

// wanted: always, or only while the stream has consumers (subscribers,
// or a recording's taps) with onlyPlayWithSubscribers.
func (c *camera) wanted() bool {
	return !c.cam.Props.OnlyPlayWithSubscribers || c.pub.Consumers() > 0
}

func (c *camera) nudge() {
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

func (c *camera) stopped() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// close asks the camera to stop; the goroutine ends soon after.
func (c *camera) close() {
	c.stopOnce.Do(func() { close(c.stop) })
}

// run is the camera's goroutine.
func (c *camera) run() {
	defer close(c.done)
	defer func() { _ = c.pub.Close() }()
	backoff := minBackoff
	var src *source
	for {
		for !c.wanted() {
			select {
			case <-c.stop:
				return
			case <-c.poke:
			}
		}
		if src == nil {
			s, err := c.probe()
			if c.stopped() {
				return
			}
			if err != nil {
				c.log.Warn("IP camera unreachable", "err", err, "retryIn", backoff)
				if !c.pause(&backoff) {
					return
				}
				continue
			}
			src = &s
		}
		started := time.Now()
		err := c.play(*src)
		if c.stopped() {
			return
		}
		if err == nil {
			continue // nobody watches any more: wait for the next viewer
		}
		if errors.Is(err, errStreamEnded) && isFile(c.cam.Props.RtspURI) {
			continue // a file played to its end: again, as a camera would go on
		}
		if time.Since(started) > stableRun {
			backoff = minBackoff
		}
		c.log.Warn("IP camera stream ended", "err", err, "retryIn", backoff)
		src = nil // the camera may have changed (reboot, new settings)
		if !c.pause(&backoff) {
			return
		}
	}
}

// pause waits out the backoff (doubling it); false when stopped meanwhile.
func (c *camera) pause(backoff *time.Duration) bool {
	t := time.NewTimer(*backoff)
	defer t.Stop()
	*backoff = min(*backoff*2, maxBackoff)
	select {
	case <-c.stop:
		return false
	case <-t.C:
		return true
	}
}

// probe asks ffprobe what the camera sends.
func (c *camera) probe() (source, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	go func() {
		select {
		case <-c.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	cmd := exec.CommandContext(ctx, c.ffprobe, probeArgs(c.cam.Props.RtspURI, c.cam.Props.NetworkCache)...)
	stderr := tailbuf.New(stderrLimit)
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return source{}, fmt.Errorf("ffprobe: %w: %s", err, hidePassword(stderr.String(), c.cam.Props.RtspURI))
	}
	s := parseProbe(string(out))
	if s.video == "" && s.audio == "" {
		return s, errors.New("the camera sends neither video nor audio")
	}
	return s, nil
}

// play runs ffmpeg once. It returns nil when the run was stopped because
// nobody watches any more, an error when ffmpeg ended by itself, and
// anything when the camera is being closed (the caller checks stop).
func (c *camera) play(src source) error {
	p := plan{uri: c.cam.Props.RtspURI, networkCache: c.cam.Props.NetworkCache, target: c.target}
	socks := map[webrtc.RTPCodecType]net.PacketConn{}
	closeSockets := func() {
		for _, s := range socks {
			_ = s.Close()
		}
	}
	defer closeSockets()
	open := func(kind webrtc.RTPCodecType) (*output, error) {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("ipcam: local RTP socket: %w", err)
		}
		socks[kind] = conn
		return &output{port: conn.LocalAddr().(*net.UDPAddr).Port, ssrc: rand.Uint32()}, nil
	}
	var err error
	if src.video != "" {
		if p.video, err = open(webrtc.RTPCodecTypeVideo); err != nil {
			return err
		}
		p.copyVideo = canCopy(c.cam.Props.AdaptativeBitrate, src.video, c.target)
	}
	if src.audio != "" {
		if p.audio, err = open(webrtc.RTPCodecTypeAudio); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, c.ffmpeg, p.args()...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = stopGrace
	stderr := tailbuf.New(stderrLimit)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("ffmpeg: %w", err)
	}
	c.log.Info("IP camera playing", "sourceVideo", src.video, "sourceAudio", src.audio, "video", c.target, "copy", p.copyVideo)

	var feeds sync.WaitGroup
	for kind, o := range map[webrtc.RTPCodecType]*output{webrtc.RTPCodecTypeVideo: p.video, webrtc.RTPCodecTypeAudio: p.audio} {
		if o != nil {
			conn := socks[kind]
			feeds.Go(func() { _ = c.pub.Feed(kind, o.ssrc, conn) })
		}
	}

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var result error
	for waiting := true; waiting; {
		select {
		case err := <-exited:
			if err == nil {
				err = errStreamEnded
			}
			result = fmt.Errorf("ffmpeg exited: %w: %s", err, hidePassword(stderr.String(), c.cam.Props.RtspURI))
			waiting = false
		case <-c.stop:
			waiting = false
		case <-c.poke:
			if !c.wanted() {
				waiting = false
			}
		}
	}
	cancel()
	if result == nil {
		<-exited
	}
	closeSockets() // ends the feeds
	feeds.Wait()
	return result
}

// hidePassword removes the camera URI's password from what ffmpeg printed
// (it names the URL in its errors) before it reaches a log.
func hidePassword(text, uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return text
	}
	pw, ok := u.User.Password()
	if !ok || pw == "" {
		return text
	}
	text = strings.ReplaceAll(text, uri, u.Redacted())
	return strings.ReplaceAll(text, ":"+pw+"@", ":xxxxx@")
}
