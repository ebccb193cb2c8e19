package media

import "github.com/pion/rtp"

// Forwarder turns one incoming RTP stream into the RTP stream one subscriber
// sees. It is a plain value: its state changes only through its methods, it
// does no I/O, takes no locks and allocates nothing, so it is tested with
// tables and fuzzing and costs a few nanoseconds per packet.
//
// What it guarantees to the subscriber:
//   - its own SSRC and payload type (from the subscriber's negotiation);
//   - video starts on a keyframe: packets before the first keyframe are
//     dropped without consuming sequence numbers, so a late joiner sees no gap;
//   - sequence numbers and timestamps are the publisher's shifted by a
//     per-epoch offset, so losses stay visible (and NACKable) and
//     retransmissions map to the sequence number they replace;
//   - across a source switch (publisher reconnect: new SSRC, new sequence
//     and timestamp bases) the outgoing sequence continues at last+1 and the
//     timestamp advances by the wall-clock time between the two sources.
//
// An epoch is the span during which one source is forwarded with one pair
// of offsets. It starts when the forwarder locks onto a source.
type Forwarder struct {
	ssrc         uint32 // outgoing SSRC
	payloadType  uint8  // outgoing payload type
	clockRate    uint32 // of the codec, for timestamp continuity across a switch
	waitKeyframe bool   // video: lock onto a source only at a keyframe

	started bool // at least one packet has been forwarded
	locked  bool // forwarding the current source (false: waiting to lock)
	epoch   uint32

	srcSSRC   uint32 // source of the current epoch
	prevSSRC  uint32 // source of the previous epoch: its late packets are dropped
	seqOffset uint16 // out = in + seqOffset
	tsOffset  uint32 // out = in + tsOffset
	firstSeq  uint16 // first outgoing sequence number of the epoch

	highSeq uint16 // highest outgoing sequence number so far
	highTS  uint32 // its timestamp
	highAt  int64  // its arrival time (ns, caller's clock)

	initSeq uint16 // first sequence number ever sent
	initTS  uint32 // first timestamp ever sent
}

// ForwarderConfig sets a Forwarder's outgoing identity.
type ForwarderConfig struct {
	SSRC         uint32
	PayloadType  uint8
	ClockRate    uint32
	WaitKeyframe bool
	InitialSeq   uint16 // first outgoing sequence number (random in production)
	InitialTS    uint32 // first outgoing timestamp (random in production)
}

// NewForwarder returns a Forwarder that has not locked onto any source yet.
func NewForwarder(cfg ForwarderConfig) Forwarder {
	if cfg.ClockRate == 0 {
		cfg.ClockRate = 90000
	}
	return Forwarder{
		ssrc:         cfg.SSRC,
		payloadType:  cfg.PayloadType,
		clockRate:    cfg.ClockRate,
		waitKeyframe: cfg.WaitKeyframe,
		initSeq:      cfg.InitialSeq,
		initTS:       cfg.InitialTS,
	}
}

// Forward decides whether the packet with header in goes to the subscriber
// and, if so, writes the subscriber's header into out (header extensions
// are stripped: their ids were negotiated with the publisher, not with the
// subscriber; padding is stripped too, the payload passed along is the
// unpadded one). keyframe says whether the packet starts a keyframe;
// arrival is the packet's arrival time in nanoseconds on any monotonic clock.
func (f *Forwarder) Forward(in *rtp.Header, keyframe bool, arrival int64, out *rtp.Header) bool {
	if f.locked && in.SSRC != f.srcSSRC {
		if in.SSRC == f.prevSSRC {
			return false // late packet of the source we switched away from
		}
		f.unlock() // a new source without an explicit switch
	}
	var seq uint16
	var ts uint32
	if !f.locked {
		if f.waitKeyframe && !keyframe {
			return false
		}
		seq, ts = f.lock(in, arrival)
	} else {
		seq = in.SequenceNumber + f.seqOffset
		ts = in.Timestamp + f.tsOffset
		if d := int16(seq - f.highSeq); d > 0 {
			f.highSeq, f.highTS, f.highAt = seq, ts, arrival
		} else if int16(seq-f.firstSeq) < 0 {
			return false // older than the epoch: the subscriber never had its predecessors
		}
	}
	f.rewrite(in, out, seq, ts)
	return true
}

// lock starts an epoch on the source of in, continuing the outgoing
// sequence and timestamp where the previous epoch stopped.
func (f *Forwarder) lock(in *rtp.Header, arrival int64) (uint16, uint32) {
	seq, ts := f.initSeq, f.initTS
	if f.started {
		seq = f.highSeq + 1
		ts = f.highTS + f.ticksSince(arrival)
	}
	f.srcSSRC = in.SSRC
	f.seqOffset = seq - in.SequenceNumber
	f.tsOffset = ts - in.Timestamp
	f.firstSeq = seq
	f.highSeq, f.highTS, f.highAt = seq, ts, arrival
	f.locked, f.started = true, true
	f.epoch++
	return seq, ts
}

// ticksSince converts the wall time since the last forwarded packet into
// clock ticks, at least one so that the timestamp strictly advances.
func (f *Forwarder) ticksSince(arrival int64) uint32 {
	elapsedMicros := (arrival - f.highAt) / 1000
	if elapsedMicros <= 0 {
		return 1
	}
	ticks := uint64(elapsedMicros) * uint64(f.clockRate) / 1_000_000
	if ticks == 0 {
		return 1
	}
	return uint32(ticks) // wraps like RTP timestamps do
}

func (f *Forwarder) unlock() {
	if f.locked {
		f.prevSSRC = f.srcSSRC
		f.locked = false
	}
}

func (f *Forwarder) rewrite(in, out *rtp.Header, seq uint16, ts uint32) {
	*out = *in
	out.SSRC = f.ssrc
	out.PayloadType = f.payloadType
	out.SequenceNumber = seq
	out.Timestamp = ts
	out.Extension = false
	out.ExtensionProfile = 0
	out.Extensions = nil
	out.Padding = false
	out.PaddingSize = 0
}

// SwitchSource tells the forwarder that the next packets come from a new
// source (a publisher reconnection): it waits for a keyframe (video) of the
// new source and then continues the outgoing stream without a gap.
func (f *Forwarder) SwitchSource() { f.unlock() }

// Waiting reports whether the forwarder is waiting to lock onto a source
// (for video: waiting for a keyframe, so one should be requested).
func (f *Forwarder) Waiting() bool { return !f.locked }

// Epoch numbers the lock-ons so far; it changes whenever the offsets do.
func (f *Forwarder) Epoch() uint32 { return f.epoch }

// Mapping returns the current epoch's translation, for answering NACKs.
func (f *Forwarder) Mapping() ForwardMapping {
	return ForwardMapping{
		Epoch: f.epoch, SrcSSRC: f.srcSSRC, SeqOffset: f.seqOffset,
		TSOffset: f.tsOffset, FirstSeq: f.firstSeq, Valid: f.started && f.locked,
	}
}

// HighSeq is the highest outgoing sequence number sent so far.
func (f *Forwarder) HighSeq() uint16 { return f.highSeq }

// ForwardMapping is the translation of one epoch, published by the
// forwarding goroutine for the NACK path (see DownTrack).
type ForwardMapping struct {
	Epoch     uint32
	SrcSSRC   uint32
	SeqOffset uint16
	TSOffset  uint32
	FirstSeq  uint16
	Valid     bool
}

// Source maps an outgoing sequence number back to the incoming one, when
// it belongs to this epoch and is not newer than high.
func (m *ForwardMapping) Source(outSeq, high uint16) (inSeq uint16, ok bool) {
	if !m.Valid {
		return 0, false
	}
	if uint16(outSeq-m.FirstSeq) > uint16(high-m.FirstSeq) {
		return 0, false
	}
	return outSeq - m.SeqOffset, true
}
