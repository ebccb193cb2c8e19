package rtspcam

import (
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Close ends every goroutine of the camera (ffmpeg's waiter, the UDP
// readers, the accept loop, each connection's reader and writer) even with
// clients still connected, and may be called twice.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	cam := Start(t, Options{Audio: true})
	playing := dialRaw(t, cam.URL())
	playing.setupAndPlay(cam.URL())
	idle := dialRaw(t, cam.URL())
	if r := idle.do("OPTIONS", "*"); r.status != 200 {
		t.Fatalf("OPTIONS: %d", r.status)
	}
	cam.WaitPlaying(t, 1, 5*time.Second)

	closed := make(chan struct{})
	go func() {
		defer close(closed)
		cam.Close()
		cam.Close()
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return: a goroutine of the camera did not end")
	}
	if cam.Playing() != 0 {
		t.Fatalf("Playing %d after Close", cam.Playing())
	}
	host := strings.TrimPrefix(strings.TrimSuffix(cam.URL(), "/cam"), "rtsp://")
	if c, err := net.DialTimeout("tcp", host, time.Second); err == nil {
		_ = c.Close()
		t.Fatal("the camera still accepts connections after Close")
	}
}
