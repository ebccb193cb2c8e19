package recording

import (
	"time"
)

// The jitter buffer of one track: packets come in any order (network
// reordering, NACK retransmissions), frames go out in order. Time is the
// packets' arrival time. A packet missing while later ones arrive for
// longer than maxWait is given up: for video the frames up to
// the next keyframe are dropped too (they would decode into garbage) and a
// keyframe is requested.

// packet is one RTP packet copied out of the SFU's forwarding path.
type packet struct {
	video   bool
	ssrc    uint32
	seq     uint16
	ts      uint32
	marker  bool
	arrival int64 // unix ns
	payload []byte
}

// frame is what the assembler hands on.
type frame struct {
	ts       uint32 // RTP timestamp
	arrival  int64  // arrival of its first packet, unix ns
	keyframe bool
	data     []byte
	ssrc     uint32
}

const ringSize = 1024 // packets buffered per track (about 1 s of 8 Mbps video)

type assembler struct {
	format  payloadFormat
	video   bool
	maxWait time.Duration

	ring      [ringSize]*packet
	ssrc      uint32
	started   bool
	highest   uint64 // highest extended sequence number received
	next      uint64 // next extended sequence number to emit
	count     int    // packets held
	stuckAt   int64  // when emission first blocked at stuckNext, unix ns; 0 = not blocked
	stuckNext uint64
	needKey   bool // video: drop frames until a keyframe
	prevEnded bool // the packet before next ended a frame

	scratch  [][]byte
	emitted  uint64 // frames handed on
	dropped  uint64 // frames lost or dropped while waiting for a keyframe
	lastLoss int64  // unix ns of the last loss (keyframe requests)
}

func newAssembler(c codec, maxWait time.Duration) *assembler {
	return &assembler{format: formatFor(c), video: c.video(), maxWait: maxWait, needKey: c.video()}
}

// push adds a packet; emit is called for every frame that completes.
func (a *assembler) push(p *packet, now int64, emit func(frame)) {
	if !a.started || p.ssrc != a.ssrc {
		a.reset(p)
	}
	ext := a.extend(p.seq)
	if ext < a.next && a.emitted == 0 && a.dropped == 0 && a.next-ext < 64 && a.count < ringSize-64 {
		a.next = ext // reordered at the very start: take it
	}
	if ext < a.next {
		return // late: given up already
	}
	if ext >= a.next+ringSize*4 { // a jump no loss explains: the sender restarted
		a.reset(p)
		ext = a.extend(p.seq)
	}
	for ext >= a.next+ringSize { // no room: give up the oldest
		before := a.next
		a.giveUp(now)
		if a.next == before { // nothing held: jump
			a.next = ext - ringSize + 1
		}
	}
	slot := &a.ring[ext%ringSize]
	if *slot != nil {
		return // duplicate
	}
	*slot = p
	a.count++
	if ext > a.highest {
		a.highest = ext
	}
	a.drain(now, emit)
}

// flush emits every complete frame still held and drops the rest.
func (a *assembler) flush(emit func(frame)) {
	for a.count > 0 {
		a.drain(0, emit)
		if a.count > 0 {
			a.giveUp(0)
		}
	}
}

func (a *assembler) reset(p *packet) {
	for i := range a.ring {
		a.ring[i] = nil
	}
	a.ssrc, a.started, a.count, a.stuckAt = p.ssrc, true, 0, 0
	a.highest = uint64(p.seq) + 1<<16 // room below for reordered packets
	a.next = a.highest
	a.prevEnded = false
	if a.video {
		a.needKey = true
	}
}

// extend unwraps a 16-bit sequence number near the highest seen.
func (a *assembler) extend(seq uint16) uint64 {
	diff := int16(seq - uint16(a.highest))
	ext := int64(a.highest) + int64(diff)
	if ext < 0 {
		return 0
	}
	return uint64(ext)
}

func (a *assembler) at(ext uint64) *packet { return a.ring[ext%ringSize] }

func (a *assembler) take(ext uint64) *packet {
	slot := &a.ring[ext%ringSize]
	p := *slot
	if p != nil {
		*slot = nil
		a.count--
	}
	return p
}

// drain emits frames from next on while they are complete. now = 0 never
// waits (flush).
func (a *assembler) drain(now int64, emit func(frame)) {
	for a.count > 0 {
		first := a.at(a.next)
		if first == nil {
			if !a.waited(now) {
				return
			}
			a.giveUp(now)
			continue
		}
		if !a.video {
			a.take(a.next)
			a.next++
			f := frame{ts: first.ts, arrival: first.arrival, keyframe: true, data: first.payload, ssrc: first.ssrc}
			a.emitted++
			emit(f)
			continue
		}
		if !a.prevEnded && !a.format.frameStart(first.payload) {
			a.take(a.next) // the tail of a frame whose start was lost
			a.next++
			a.markLoss(now)
			continue
		}
		last, complete := a.frameEnd(first)
		if !complete {
			if !a.waited(now) {
				return
			}
			a.giveUp(now)
			continue
		}
		a.emitFrame(last, now, emit)
	}
}

// frameEnd finds the last packet of the frame starting at next.
func (a *assembler) frameEnd(first *packet) (uint64, bool) {
	for ext := a.next; ext <= a.highest; ext++ {
		p := a.at(ext)
		if p == nil {
			return 0, false
		}
		if p.ts != first.ts {
			return ext - 1, true // a new frame began: the marker was not set
		}
		if p.marker {
			return ext, true
		}
	}
	return 0, false
}

func (a *assembler) emitFrame(last uint64, now int64, emit func(frame)) {
	payloads := a.scratch[:0]
	first := a.at(a.next)
	for ext := a.next; ext <= last; ext++ {
		payloads = append(payloads, a.take(ext).payload)
	}
	a.scratch = payloads[:0]
	a.next = last + 1
	a.prevEnded = true
	data, key, err := a.format.assemble(nil, payloads)
	switch {
	case err != nil:
		a.markLoss(now)
		a.dropped++
	case a.needKey && !key:
		a.dropped++
	default:
		a.needKey = false
		a.emitted++
		emit(frame{ts: first.ts, arrival: first.arrival, keyframe: key, data: data, ssrc: first.ssrc})
	}
}

// waited reports whether emission has been blocked at next for maxWait.
func (a *assembler) waited(now int64) bool {
	if now == 0 {
		return true
	}
	if a.stuckAt == 0 || a.stuckNext != a.next {
		a.stuckAt, a.stuckNext = now, a.next
		return false
	}
	return time.Duration(now-a.stuckAt) >= a.maxWait
}

// giveUp abandons what blocks emission at next: a hole is skipped (the
// packet after it is checked for a frame start by drain), an incomplete
// frame is dropped whole.
func (a *assembler) giveUp(now int64) {
	a.stuckAt = 0
	a.markLoss(now)
	if a.at(a.next) == nil {
		for a.next <= a.highest && a.at(a.next) == nil {
			a.next++
		}
		return
	}
	ts := a.at(a.next).ts
	for a.next <= a.highest {
		p := a.at(a.next)
		if p != nil && p.ts != ts {
			break
		}
		if p != nil {
			a.take(a.next)
		}
		a.next++
	}
	a.dropped++
}

func (a *assembler) markLoss(now int64) {
	a.prevEnded = false
	if a.video {
		a.needKey = true
	}
	if now != 0 {
		a.lastLoss = now
	}
}
