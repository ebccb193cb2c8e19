package media

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// The batching socket delivers every packet, intact and in order per
// writer, including bursts that fill several batches, and closes cleanly.
func TestBatchConnDelivers(t *testing.T) {
	sender, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	bc := newBatchConn(sender)
	rw, ok := bc.(interface {
		WriteToAddrPort([]byte, netip.AddrPort) (int, error)
	})
	if !ok {
		t.Skip("no batching on this platform")
	}
	recv, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer recv.Close()
	_ = recv.SetReadBuffer(4 << 20)
	dst := recv.LocalAddr().(*net.UDPAddr).AddrPort()

	const writers, perWriter = 4, 300 // 1200 packets: many full batches
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Go(func() {
			p := make([]byte, 1000)
			for i := 0; i < perWriter; i++ {
				p[0] = byte(w)
				binary.BigEndian.PutUint32(p[1:], uint32(i))
				if n, err := rw.WriteToAddrPort(p[:100+i%900], dst); err != nil || n != 100+i%900 {
					t.Errorf("write: %d %v", n, err)
					return
				}
			}
		})
	}
	// net.Addr form too.
	if _, err := bc.WriteTo([]byte("via WriteTo"), recv.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	next := make([]int, writers)
	buf := make([]byte, 2000)
	sawWriteTo := false
	_ = recv.SetReadDeadline(time.Now().Add(10 * time.Second))
	for got := 0; got < writers*perWriter+1; got++ {
		n, _, err := recv.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("after %d packets: %v", got, err)
		}
		if bytes.Equal(buf[:n], []byte("via WriteTo")) {
			sawWriteTo = true
			continue
		}
		w, i := int(buf[0]), int(binary.BigEndian.Uint32(buf[1:]))
		if i != next[w] || n != 100+i%900 {
			t.Fatalf("writer %d: packet %d (len %d), want %d", w, i, n, next[w])
		}
		next[w]++
	}
	if !sawWriteTo {
		t.Error("WriteTo packet missing")
	}
	if err := bc.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := rw.WriteToAddrPort([]byte("x"), dst); err == nil {
		t.Error("write after Close succeeded")
	}
	if err := bc.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestBatchConnWriteAllocs(t *testing.T) {
	sender, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	bc := newBatchConn(sender)
	defer bc.Close()
	rw, ok := bc.(interface {
		WriteToAddrPort([]byte, netip.AddrPort) (int, error)
	})
	if !ok {
		t.Skip("no batching on this platform")
	}
	dst := netip.MustParseAddrPort("127.0.0.1:9") // discard
	p := make([]byte, 1200)
	for i := 0; i < 3*batchMax; i++ { // warm the batch free list
		_, _ = rw.WriteToAddrPort(p, dst)
	}
	if a := testing.AllocsPerRun(2000, func() { _, _ = rw.WriteToAddrPort(p, dst) }); a != 0 {
		t.Errorf("%v allocations per write", a)
	}
}
