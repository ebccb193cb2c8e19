package media

import (
	"sync/atomic"
	"testing"

	"github.com/pion/rtp"
)

type testCounter struct{ n atomic.Uint64 }

func (c *testCounter) Add(n uint64) { c.n.Add(n) }

// The forwarding path reports what it forwards (and only that) through
// batched counters, without allocating.
func TestForwardingCounters(t *testing.T) {
	r, _ := newBenchFanout(t, 3)
	var inP, inB, outP, outB testCounter
	r.counters = &Counters{PacketsReceived: &inP, BytesReceived: &inB, PacketsForwarded: &outP, BytesForwarded: &outB}
	var pkt rtp.Packet
	var batch trafficBatch
	feed := func(raw []byte) {
		packets, bytes := r.forward(raw, &pkt, 1, 1)
		if packets >= 0 {
			batch.inPackets++
			batch.inBytes += uint64(len(raw))
			batch.outPackets += uint64(packets)
			batch.outBytes += uint64(bytes)
		}
	}
	feed(vp8Packet(t, 1, 99, 3000, false)) // before a keyframe: received, not forwarded
	feed(vp8Packet(t, 1, 100, 3000, true))
	feed(vp8Packet(t, 1, 101, 3000, false))
	feed([]byte{0x80}) // not RTP
	if outP.n.Load() != 0 {
		t.Fatal("counted before the flush")
	}
	batch.flush(r.counters)
	if inP.n.Load() != 3 || outP.n.Load() != 6 {
		t.Fatalf("received %d forwarded %d, want 3 and 6", inP.n.Load(), outP.n.Load())
	}
	if inB.n.Load() == 0 || outB.n.Load() < 6*1000 {
		t.Fatalf("bytes received %d forwarded %d", inB.n.Load(), outB.n.Load())
	}
	raw := vp8Packet(t, 1, 102, 3000, false)
	seq := uint16(102)
	allocs := testing.AllocsPerRun(1000, func() {
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		seq++
		feed(raw)
		if batch.inPackets >= flushInPackets {
			batch.flush(r.counters)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per packet with counters", allocs)
	}
}
