package media

import "sync"

// maxPacketSize bounds every RTP packet we buffer: the receive MTU Pion
// uses (1460) rounded up with room to spare.
const maxPacketSize = 1500

// packetPool recycles packet-sized buffers for the read loops and for
// retransmissions, so that steady forwarding does not allocate.
var packetPool = sync.Pool{
	New: func() any {
		b := make([]byte, maxPacketSize)
		return &b
	},
}

func getPacketBuffer() *[]byte  { return packetPool.Get().(*[]byte) }
func putPacketBuffer(b *[]byte) { packetPool.Put(b) }

// packetRing keeps the last N packets of one incoming video stream so that
// NACKs from any subscriber are answered from one shared copy instead of a
// per-subscriber send buffer. Slots are indexed by sequence number modulo
// N; a lookup checks the stored SSRC and sequence number, so a slot reused
// by a newer packet (or a packet of another source after a reconnection)
// is never returned for an old request.
type packetRing struct {
	mu    sync.Mutex // guards slots and data; held only for a copy
	slots []ringSlot
	data  []byte // len(slots) * maxPacketSize
	mask  uint16
}

type ringSlot struct {
	ssrc  uint32
	seq   uint16
	size  uint16
	valid bool
}

// newPacketRing returns a ring of size slots; size must be a power of two ≤ 32768.
func newPacketRing(size int) *packetRing {
	if size <= 0 || size&(size-1) != 0 || size > 1<<15 {
		panic("media: packet ring size must be a power of two ≤ 32768")
	}
	return &packetRing{
		slots: make([]ringSlot, size),
		data:  make([]byte, size*maxPacketSize),
		mask:  uint16(size - 1),
	}
}

// put stores a copy of the raw packet. Oversized packets are not kept.
func (r *packetRing) put(ssrc uint32, seq uint16, pkt []byte) {
	if len(pkt) > maxPacketSize {
		return
	}
	i := int(seq & r.mask)
	r.mu.Lock()
	copy(r.data[i*maxPacketSize:], pkt)
	r.slots[i] = ringSlot{ssrc: ssrc, seq: seq, size: uint16(len(pkt)), valid: true}
	r.mu.Unlock()
}

// get copies the packet (ssrc, seq) into dst and returns its length, or 0
// when the ring no longer (or never) had it.
func (r *packetRing) get(ssrc uint32, seq uint16, dst []byte) int {
	i := int(seq & r.mask)
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.slots[i]
	if !s.valid || s.ssrc != ssrc || s.seq != seq || int(s.size) > len(dst) {
		return 0
	}
	return copy(dst, r.data[i*maxPacketSize:i*maxPacketSize+int(s.size)])
}
