package media

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// DownTrack is one published track as one subscriber receives it: our own
// webrtc.TrackLocal, so that every subscriber has its own SSRC, sequence
// numbers and timestamps (a late joiner starts on a keyframe with no gap).
//
// Concurrency: writeRTP runs on the Receiver's single forwarding goroutine,
// which alone owns fwd, hdr, gen, epoch and lastKeyRequest; no lock is
// taken per packet. What other goroutines need is published atomically:
// the binding (set by Pion's Bind/Unbind), ready (set when the subscriber's
// PeerConnection connects), and the NACK mapping (epoch + highest sequence).
type DownTrack struct {
	id       string
	streamID string
	kind     webrtc.RTPCodecType
	receiver *Receiver

	binding atomic.Pointer[downTrackBinding]
	ready   atomic.Bool // the subscriber's transport is up: writes reach it

	// Owned by the forwarding goroutine.
	fwd            Forwarder
	hdr            rtp.Header
	gen            uint32
	epoch          uint32
	lastKeyRequest int64

	// Published by the forwarding goroutine for the NACK path.
	mapping atomic.Pointer[ForwardMapping]
	high    atomic.Uint64 // epoch<<32 | highest outgoing sequence number

	packets       atomic.Uint64
	bytes         atomic.Uint64
	retransmitted atomic.Uint64
	nacks         atomic.Uint64
	plis          atomic.Uint64
	firs          atomic.Uint64
}

type downTrackBinding struct {
	ssrc        uint32
	payloadType uint8
	codec       webrtc.RTPCodecParameters
	writer      webrtc.TrackLocalWriter
}

func newDownTrack(streamID string, r *Receiver) *DownTrack {
	return &DownTrack{id: r.kind.String(), streamID: streamID, kind: r.kind, receiver: r}
}

// ID is the track id the subscriber sees ("audio" or "video").
func (dt *DownTrack) ID() string { return dt.id }

// RID is empty: no simulcast.
func (dt *DownTrack) RID() string { return "" }

// StreamID is the OpenVidu stream id (the msid the subscriber sees).
func (dt *DownTrack) StreamID() string { return dt.streamID }

// Kind is audio or video.
func (dt *DownTrack) Kind() webrtc.RTPCodecType { return dt.kind }

// Bind is called by Pion once the subscriber's answer is applied: it picks
// the negotiated codec matching the publisher's and starts forwarding.
func (dt *DownTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	codec, ok := compatibleCodec(dt.receiver.codec.RTPCodecCapability, ctx.CodecParameters())
	if !ok {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: subscriber cannot receive %s",
			ErrUnsupportedCodec, dt.receiver.codec.MimeType)
	}
	if dt.binding.Load() != nil {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("media: track %s already bound", dt.id)
	}
	// Initialised before the DownTrack is published to the receiver (an
	// atomic store), which orders it before the forwarding goroutine's reads.
	dt.fwd = NewForwarder(ForwarderConfig{
		SSRC:         uint32(ctx.SSRC()),
		PayloadType:  uint8(codec.PayloadType),
		ClockRate:    codec.ClockRate,
		WaitKeyframe: dt.kind == webrtc.RTPCodecTypeVideo,
		InitialSeq:   uint16(rand.Uint32()),
		InitialTS:    rand.Uint32(),
	})
	dt.binding.Store(&downTrackBinding{
		ssrc: uint32(ctx.SSRC()), payloadType: uint8(codec.PayloadType), codec: codec,
		writer: ctx.WriteStream(),
	})
	dt.receiver.addDownTrack(dt)
	return codec, nil
}

// Unbind is called by Pion when the sender stops.
func (dt *DownTrack) Unbind(webrtc.TrackLocalContext) error {
	dt.detach()
	return nil
}

// detach stops forwarding to this DownTrack.
func (dt *DownTrack) detach() {
	dt.receiver.removeDownTrack(dt)
	dt.binding.Store(nil)
	dt.ready.Store(false)
}

// setReady tells whether the subscriber's PeerConnection can receive. Until
// then packets are not forwarded: Pion drops writes before DTLS is up, and
// a keyframe written into the void would leave the subscriber waiting for
// the next one.
func (dt *DownTrack) setReady(ready bool) { dt.ready.Store(ready) }

// SSRC is the subscriber-side SSRC, 0 before Bind.
func (dt *DownTrack) SSRC() uint32 {
	if b := dt.binding.Load(); b != nil {
		return b.ssrc
	}
	return 0
}

// writeRTP is the per-subscriber hot path, on the Receiver's goroutine.
// It returns the bytes written, 0 when the packet was not forwarded.
func (dt *DownTrack) writeRTP(in *rtp.Header, payload []byte, keyframe bool, arrival int64, gen uint32) int {
	b := dt.binding.Load()
	if b == nil || !dt.ready.Load() {
		return 0
	}
	if gen != dt.gen {
		dt.gen = gen
		dt.fwd.SwitchSource()
	}
	if !dt.fwd.Forward(in, keyframe, arrival, &dt.hdr) {
		if dt.fwd.Waiting() && arrival-dt.lastKeyRequest >= int64(keyframeRetryInterval) {
			dt.lastKeyRequest = arrival
			dt.receiver.RequestKeyframe()
		}
		return 0
	}
	if e := dt.fwd.Epoch(); e != dt.epoch {
		dt.epoch = e
		m := dt.fwd.Mapping() // one allocation per epoch, not per packet
		dt.mapping.Store(&m)
	}
	dt.high.Store(uint64(dt.epoch)<<32 | uint64(dt.fwd.HighSeq()))
	if _, err := b.writer.WriteRTP(&dt.hdr, payload); err != nil {
		return 0
	}
	n := dt.hdr.MarshalSize() + len(payload)
	dt.packets.Add(1)
	dt.bytes.Add(uint64(n))
	return n
}

// handleRTCP acts on the subscriber's feedback for this track.
func (dt *DownTrack) handleRTCP(pkts []rtcp.Packet) {
	ssrc := dt.SSRC()
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.PictureLossIndication:
			if p.MediaSSRC == ssrc {
				dt.plis.Add(1)
				dt.receiver.RequestKeyframe()
			}
		case *rtcp.FullIntraRequest:
			if p.MediaSSRC == ssrc || len(p.FIR) > 0 && p.FIR[0].SSRC == ssrc {
				dt.firs.Add(1)
				dt.receiver.RequestKeyframe()
			}
		case *rtcp.TransportLayerNack:
			if p.MediaSSRC == ssrc {
				dt.nacks.Add(1)
				if c := dt.receiver.counters; c != nil {
					add(c.NACKs, 1)
				}
				for _, pair := range p.Nacks {
					pair.Range(func(seq uint16) bool {
						dt.retransmit(seq)
						return true
					})
				}
			}
		}
	}
}

// rtxScratch is a pooled buffer for one retransmission.
type rtxScratch struct {
	buf []byte
	pkt rtp.Packet
	out rtp.Header
}

var rtxPool = sync.Pool{New: func() any { return &rtxScratch{buf: make([]byte, maxPacketSize)} }}

// retransmit answers a NACK for outgoing sequence number seq from the
// receiver's ring, rewritten exactly as the original was.
func (dt *DownTrack) retransmit(seq uint16) {
	b := dt.binding.Load()
	m := dt.mapping.Load()
	if b == nil || m == nil {
		return
	}
	high := dt.high.Load()
	if uint32(high>>32) != m.Epoch {
		return // the mapping changed under us; the packet is from an older epoch anyway
	}
	inSeq, ok := m.Source(seq, uint16(high))
	if !ok {
		return
	}
	s := rtxPool.Get().(*rtxScratch)
	defer rtxPool.Put(s)
	n := dt.receiver.retransmit(m.SrcSSRC, inSeq, s.buf)
	if n == 0 || s.pkt.Unmarshal(s.buf[:n]) != nil {
		return
	}
	s.out = s.pkt.Header
	s.out.SSRC = b.ssrc
	s.out.PayloadType = b.payloadType
	s.out.SequenceNumber = seq
	s.out.Timestamp = s.pkt.Timestamp + m.TSOffset
	s.out.Extension, s.out.ExtensionProfile, s.out.Extensions = false, 0, nil
	s.out.Padding, s.out.PaddingSize = false, 0
	if _, err := b.writer.WriteRTP(&s.out, s.pkt.Payload); err == nil {
		dt.retransmitted.Add(1)
		if c := dt.receiver.counters; c != nil {
			add(c.PacketsForwarded, 1)
			add(c.BytesForwarded, uint64(s.out.MarshalSize()+len(s.pkt.Payload)))
		}
	}
}
