package rtspcam

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govidu/govidu/internal/tailbuf"
)

// source is the ffmpeg child process and the loopback UDP sockets it sends
// each track's RTP and RTCP to.
type source struct {
	tracks  []*udpTrack
	sdpPath string
	args    []string
	stderr  *tailbuf.Buffer
	exited  chan struct{} // closed when ffmpeg has exited
	waitErr error         // ffmpeg's exit, readable once exited is closed
}

type udpTrack struct {
	rtp, rtcp *net.UDPConn
	gotRTP    atomic.Bool
}

// startSource opens the sockets, starts their readers and ffmpeg; the
// goroutines count in wg and end when ctx ends (ffmpeg) and close is called
// (readers). deliver receives every packet; it must not keep pkt.
func startSource(ctx context.Context, wg *sync.WaitGroup, ffmpeg string, o Options, tracks int, dir string,
	deliver func(track int, rtcp bool, pkt []byte)) (*source, error) {
	s := &source{
		sdpPath: filepath.Join(dir, "ffmpeg.sdp"),
		stderr:  tailbuf.New(16 << 10),
		exited:  make(chan struct{}),
	}
	var ports []udpPorts
	for range tracks {
		tr := &udpTrack{}
		s.tracks = append(s.tracks, tr) // before the error check: close must see it
		var err error
		if tr.rtp, err = listenUDP(); err == nil {
			tr.rtcp, err = listenUDP()
		}
		if err != nil {
			s.close()
			return nil, err
		}
		ports = append(ports, udpPorts{
			rtp:  tr.rtp.LocalAddr().(*net.UDPAddr).Port,
			rtcp: tr.rtcp.LocalAddr().(*net.UDPAddr).Port,
		})
	}
	for i, tr := range s.tracks {
		wg.Add(2)
		go s.read(wg, tr, tr.rtp, i, false, deliver)
		go s.read(wg, tr, tr.rtcp, i, true, deliver)
	}

	s.args = ffmpegArgs(o, ports, s.sdpPath)
	cmd := exec.CommandContext(ctx, ffmpeg, s.args...)
	cmd.Stdout = nil // ffmpeg writes only RTP and the SDP file
	cmd.Stderr = s.stderr
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		s.close()
		return nil, fmt.Errorf("start ffmpeg: %w", err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

func listenUDP() (*net.UDPConn, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	// A keyframe arrives as a burst of packets; do not lose it while the
	// reader is descheduled.
	_ = c.SetReadBuffer(1 << 20)
	return c, nil
}

func (s *source) read(wg *sync.WaitGroup, tr *udpTrack, c *net.UDPConn, track int, rtcp bool,
	deliver func(int, bool, []byte)) {
	defer wg.Done()
	buf := make([]byte, 2048) // ffmpeg's packets are at most -pkt_size 1200
	for {
		n, err := c.Read(buf)
		if err != nil {
			// Closed by close; nothing else fails on a bound loopback socket.
			return
		}
		if !rtcp {
			tr.gotRTP.Store(true)
		}
		deliver(track, rtcp, buf[:n])
	}
}

// waitReady polls until ffmpeg's SDP is complete and every track has sent
// RTP, and returns the DESCRIBE answer.
func (s *source) waitReady(deadline time.Time) ([]byte, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var lastErr error = errors.New("no SDP file yet")
	for {
		if raw, err := os.ReadFile(s.sdpPath); err == nil {
			var sdp []byte
			if sdp, lastErr = describeSDP(raw, len(s.tracks)); lastErr == nil {
				missing := s.silentTrack()
				if missing < 0 {
					return sdp, nil
				}
				lastErr = fmt.Errorf("no RTP yet on track %d", missing)
			}
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("ffmpeg exited before the stream was ready (%v): %v", s.waitErr, lastErr)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("stream not ready in %v: %v", readyTimeout, lastErr)
		}
	}
}

// silentTrack is the first track without RTP yet, or -1.
func (s *source) silentTrack() int {
	for i, tr := range s.tracks {
		if !tr.gotRTP.Load() {
			return i
		}
	}
	return -1
}

// close closes the sockets, which ends the readers; ffmpeg ends with the
// context given to startSource.
func (s *source) close() {
	for _, tr := range s.tracks {
		if tr.rtp != nil {
			_ = tr.rtp.Close()
		}
		if tr.rtcp != nil {
			_ = tr.rtcp.Close()
		}
	}
}

type udpPorts struct{ rtp, rtcp int }

// ffmpegArgs is the ffmpeg command line: lavfi sources in real time, one RTP
// output per track (video first), each bounded by -t on input and output.
func ffmpegArgs(o Options, ports []udpPorts, sdpPath string) []string {
	secs := strconv.FormatFloat(o.Duration.Seconds(), 'f', 3, 64)
	video := picture(o)
	args := []string{
		"-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
		"-sdp_file", sdpPath,
		"-re", "-t", secs, "-f", "lavfi", "-i", video,
	}
	if len(ports) > 1 {
		args = append(args, "-re", "-t", secs, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000")
	}
	gop := strconv.Itoa(o.FPS)
	args = append(args,
		"-map", "0:v", "-t", secs,
		"-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline", "-tune", "zerolatency",
		"-pix_fmt", "yuv420p", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-bf", "0",
		// SPS/PPS both in the SDP (sprop-parameter-sets, from the global
		// header) and in band before every keyframe, as cameras do.
		"-flags:v", "+global_header", "-x264-params", "repeat-headers=1",
		"-f", "rtp", "-pkt_size", "1200", rtpURL(ports[0]),
	)
	if len(ports) > 1 {
		args = append(args,
			"-map", "1:a", "-t", secs,
			"-c:a", "aac", "-ar", "48000", "-ac", "1", "-b:a", "64k",
			"-f", "rtp", "-pkt_size", "1200", rtpURL(ports[1]),
		)
	}
	return args
}

// picture is the lavfi source of what the camera films.
func picture(o Options) string {
	size := fmt.Sprintf("%dx%d", o.Width, o.Height)
	if o.Color == "" {
		return fmt.Sprintf("testsrc=size=%s:rate=%d", size, o.FPS)
	}
	// A small testsrc sliding over the colour: never black, always moving,
	// and the background's colour can be checked at the picture's edge.
	return fmt.Sprintf("color=c=%s:size=%s:rate=%d[bg];"+
		"testsrc=size=%dx%d:rate=%d[fg];"+
		"[bg][fg]overlay=x='mod(t*60,W-w)':y='(H-h)/2'[out0]",
		o.Color, size, o.FPS, even(o.Width/5), even(o.Height/5), o.FPS)
}

// rtpURL names our RTCP socket too: ffmpeg would otherwise send its sender
// reports to port+1, which may be anyone's.
func rtpURL(p udpPorts) string {
	return fmt.Sprintf("rtp://127.0.0.1:%d?rtcpport=%d", p.rtp, p.rtcp)
}

func even(n int) int {
	n &^= 1
	if n < 16 {
		return 16
	}
	return n
}
