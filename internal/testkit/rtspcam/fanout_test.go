package rtspcam

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// A client that reads nothing loses packets; it never holds up the camera
// nor a client that keeps up, which gets every packet in order.
func TestSlowClientLosesPacketsOthersDoNot(t *testing.T) {
	cam := &Camera{conns: map[*conn]struct{}{}, playing: map[*conn][]int{}, tracks: 1}
	fastSide, fastPeer := net.Pipe()
	slowSide, slowPeer := net.Pipe() // nobody reads slowPeer
	fast, slow := newConn(cam, fastSide, 1), newConn(cam, slowSide, 1)
	for _, cn := range []*conn{fast, slow} {
		cam.wg.Add(1)
		go cn.writeLoop()
	}
	var received atomic.Int64
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		r := bufio.NewReader(fastPeer)
		var head [4]byte
		for want := 0; ; want++ {
			if _, err := io.ReadFull(r, head[:]); err != nil {
				return
			}
			pkt := make([]byte, int(head[2])<<8|int(head[3]))
			if _, err := io.ReadFull(r, pkt); err != nil {
				return
			}
			if head[0] != '$' || head[1] != 2 || len(pkt) != 2 || int(pkt[0])<<8|int(pkt[1]) != want {
				t.Errorf("frame %d: head % x packet % x", want, head, pkt)
				return
			}
			received.Add(1)
		}
	}()
	t.Cleanup(func() {
		fast.close()
		slow.close()
		_ = slowPeer.Close()
		cam.wg.Wait()
		<-readerDone
	})
	cam.startPlaying(fast, []int{2})
	cam.startPlaying(slow, []int{2})

	const total, batch = 2000, 100 // a batch fits a queue
	sent := make(chan error, 1)
	go func() {
		for i := range total {
			cam.broadcast(0, false, []byte{byte(i >> 8), byte(i)})
			if (i+1)%batch != 0 {
				continue
			}
			// Let the fast client drain, so that it alone never overflows.
			deadline := time.Now().Add(5 * time.Second)
			for received.Load() < int64(i+1) {
				if time.Now().After(deadline) {
					sent <- errStalled
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
		sent <- nil
	}()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatalf("fast client: %v after %d packets", err, received.Load())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("broadcast blocked behind the client that does not read")
	}
	if got := received.Load(); got != total || fast.dropped.Load() != 0 {
		t.Fatalf("fast client got %d of %d, dropped %d", got, total, fast.dropped.Load())
	}
	// The writer holds one packet in its blocked write, the queue the next
	// queueLen; the rest are lost.
	if d := slow.dropped.Load(); d != total-queueLen-1 {
		t.Fatalf("slow client dropped %d, want %d", d, total-queueLen-1)
	}
}

var errStalled = errors.New("stalled")
