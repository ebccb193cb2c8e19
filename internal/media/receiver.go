package media

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Receiver is one published track (audio or video) as the SFU sees it. It
// outlives the publisher's PeerConnections: on a Reconnect the new
// PeerConnection's track is attached to the same Receiver, so every
// DownTrack keeps its subscriber fed without renegotiation.
//
// Exactly one read loop forwards at a time: a new source's loop waits for
// the previous one to end (the previous PeerConnection is closed by the
// reconnection), so a DownTrack's forwarding state has a single writer.
type Receiver struct {
	kind     webrtc.RTPCodecType
	codec    webrtc.RTPCodecParameters // the codec negotiated with the publisher
	log      *slog.Logger
	keyframe keyframeFunc // nil: no keyframes to wait for (audio)
	ring     *packetRing  // nil: no NACKs (audio)
	sendPLI  func(mediaSSRC uint32)
	counters *Counters // the engine's; nil in unit tests
	hold     func()    // a fan-out starts (Engine.holdWrites); nil in unit tests
	flush    func()    // sends the writes queued by a fan-out (Engine.flushWrites); nil in unit tests

	downTracks atomic.Pointer[[]*DownTrack] // copy-on-write; read once per packet
	sinks      atomic.Pointer[[]Sink]       // copy-on-write taps (recording); nil when none

	mu       sync.Mutex    // guards updates of downTracks, loopDone, closed
	loopDone chan struct{} // closed when the current source's read loop ends
	closed   bool

	generation atomic.Uint32 // incremented for every new source
	srcSSRC    atomic.Uint32 // SSRC of the current source, 0 before the first
	lastPLI    atomic.Int64  // unix ns of the last PLI sent
	pliPending atomic.Int64  // unix ns of the first request the interval held back, 0 = none

	packets   atomic.Uint64
	bytes     atomic.Uint64
	keyframes atomic.Uint64
	plis      atomic.Uint64
}

func newReceiver(kind webrtc.RTPCodecType, codec webrtc.RTPCodecParameters, log *slog.Logger, sendPLI func(uint32)) *Receiver {
	r := &Receiver{kind: kind, codec: codec, log: log, sendPLI: sendPLI}
	if kind == webrtc.RTPCodecTypeVideo {
		r.keyframe = keyframeDetector(codec.MimeType)
		r.ring = newPacketRing(videoRingSize)
	}
	empty := []*DownTrack{}
	r.downTracks.Store(&empty)
	return r
}

// Kind is audio or video.
func (r *Receiver) Kind() webrtc.RTPCodecType { return r.kind }

// Codec is the codec the publisher sends.
func (r *Receiver) Codec() webrtc.RTPCodecParameters { return r.codec }

func (r *Receiver) addDownTrack(dt *DownTrack) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	cur := *r.downTracks.Load()
	if slices.Contains(cur, dt) {
		return true
	}
	next := make([]*DownTrack, len(cur), len(cur)+1)
	copy(next, cur)
	next = append(next, dt)
	r.downTracks.Store(&next)
	return true
}

func (r *Receiver) removeDownTrack(dt *DownTrack) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := *r.downTracks.Load()
	i := slices.Index(cur, dt)
	if i < 0 {
		return
	}
	next := make([]*DownTrack, 0, len(cur)-1)
	next = append(next, cur[:i]...)
	next = append(next, cur[i+1:]...)
	r.downTracks.Store(&next)
}

// DownTrackCount is the number of subscribers' tracks fed by this receiver.
func (r *Receiver) DownTrackCount() int { return len(*r.downTracks.Load()) }

// close stops forwarding; read loops end with their PeerConnection.
func (r *Receiver) close() {
	r.mu.Lock()
	r.closed = true
	empty := []*DownTrack{}
	r.downTracks.Store(&empty)
	r.sinks.Store(nil)
	r.mu.Unlock()
}

// rtpSource is where a receiver's packets come from: a browser's track
// (trackSource) or a local process's RTP socket (Publisher.Feed).
type rtpSource interface {
	readRTP(buf []byte) (int, error)
}

type trackSource struct{ t *webrtc.TrackRemote }

func (s trackSource) readRTP(buf []byte) (int, error) {
	n, _, err := s.t.Read(buf)
	return n, err
}

// attach makes track the receiver's source and returns the read loop to
// run for it (nil when the receiver is closed).
func (r *Receiver) attach(track *webrtc.TrackRemote) func() {
	if !codecsCompatible(r.codec.RTPCodecCapability, track.Codec().RTPCodecCapability) {
		r.log.Warn("publisher sends another codec than negotiated", "want", r.codec.MimeType,
			"got", track.Codec().MimeType)
	}
	return r.attachSource(trackSource{track}, uint32(track.SSRC()))
}

// attachSource makes src (sending ssrc) the receiver's source and returns
// the read loop to run for it (nil when the receiver is closed). The loop
// ends when src fails or a newer source is attached.
func (r *Receiver) attachSource(src rtpSource, ssrc uint32) func() {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	prev := r.loopDone
	done := make(chan struct{})
	r.loopDone = done
	gen := r.generation.Add(1)
	r.srcSSRC.Store(ssrc)
	r.lastPLI.Store(0) // a new source may be asked for a keyframe at once
	r.mu.Unlock()
	return func() {
		defer close(done)
		if prev != nil {
			<-prev
		}
		r.readLoop(src, gen)
	}
}

func (r *Receiver) readLoop(src rtpSource, gen uint32) {
	bufp := getPacketBuffer()
	defer putPacketBuffer(bufp)
	buf := *bufp
	var pkt rtp.Packet
	var batch trafficBatch
	defer batch.flush(r.counters)
	for {
		n, err := src.readRTP(buf)
		if err != nil {
			return
		}
		if r.generation.Load() != gen {
			return // a newer source took over
		}
		outPackets, outBytes := r.forward(buf[:n], &pkt, time.Now().UnixNano(), gen)
		if outPackets >= 0 {
			batch.inPackets++
			batch.inBytes += uint64(n)
			batch.outPackets += uint64(outPackets)
			batch.outBytes += uint64(outBytes)
			if batch.inPackets >= flushInPackets || batch.outPackets >= flushOutPackets {
				batch.flush(r.counters)
			}
		}
	}
}

// forward is the per-packet hot path: parse once, remember for NACKs,
// detect keyframes once, then hand the packet to every DownTrack. It
// returns the packets and bytes written to subscribers, packets -1 when
// the packet was not taken (unparsable or padding only).
func (r *Receiver) forward(raw []byte, pkt *rtp.Packet, arrival int64, gen uint32) (packets, bytes int) {
	if err := pkt.Unmarshal(raw); err != nil {
		return -1, 0
	}
	if len(pkt.Payload) == 0 {
		return -1, 0 // padding-only (bandwidth probing): nothing for subscribers
	}
	r.packets.Add(1)
	r.bytes.Add(uint64(len(raw)))
	keyframe := false
	if r.keyframe != nil && r.keyframe(pkt.Payload) {
		keyframe = true
		r.keyframes.Add(1)
	}
	if r.ring != nil {
		r.ring.put(pkt.SSRC, pkt.SequenceNumber, raw)
	}
	if p := r.pliPending.Load(); p != 0 {
		r.settlePendingPLI(p, keyframe, arrival)
	}
	if r.hold != nil {
		r.hold()
	}
	for _, dt := range *r.downTracks.Load() {
		if n := dt.writeRTP(&pkt.Header, pkt.Payload, keyframe, arrival, gen); n > 0 {
			packets++
			bytes += n
		}
	}
	if r.flush != nil {
		r.flush() // one sendmmsg for the whole fan-out (and ends the hold)
	}
	r.deliverToSinks(pkt, keyframe, arrival)
	return packets, bytes
}

// settlePendingPLI: a keyframe that arrives after the held-back request
// answers it; otherwise the request goes out once the interval is over.
func (r *Receiver) settlePendingPLI(since int64, keyframe bool, arrival int64) {
	switch {
	case keyframe && arrival >= since:
		r.pliPending.CompareAndSwap(since, 0)
	case arrival-r.lastPLI.Load() >= int64(pliMinInterval):
		r.RequestKeyframe()
	}
}

// RequestKeyframe asks the publisher for a keyframe (PLI), at most once
// per pliMinInterval however many subscribers ask. A request inside the
// interval is not dropped but held: it is sent when the interval ends
// (unless a keyframe comes first), so a subscriber that joins just after
// another waits for at most one interval, not for its own retry.
func (r *Receiver) RequestKeyframe() {
	if r.keyframe == nil || r.sendPLI == nil {
		return
	}
	ssrc := r.srcSSRC.Load()
	if ssrc == 0 {
		return
	}
	now := time.Now().UnixNano()
	last := r.lastPLI.Load()
	if now-last < int64(pliMinInterval) || !r.lastPLI.CompareAndSwap(last, now) {
		r.pliPending.CompareAndSwap(0, now)
		return
	}
	r.pliPending.Store(0)
	r.plis.Add(1)
	if r.counters != nil {
		add(r.counters.PLIs, 1)
	}
	r.sendPLI(ssrc)
}

// retransmit copies packet (ssrc, seq) from the ring into dst.
func (r *Receiver) retransmit(ssrc uint32, seq uint16, dst []byte) int {
	if r.ring == nil {
		return 0
	}
	return r.ring.get(ssrc, seq, dst)
}
