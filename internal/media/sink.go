package media

import (
	"fmt"
	"slices"
	"sync"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Sink taps the RTP of one published track as the SFU receives it, before
// any per-subscriber rewriting: the publisher's own SSRC, sequence numbers
// and timestamps (recorders use them to reorder and time frames).
//
// WriteRTP runs on the track's forwarding goroutine, once per packet with a
// payload. It must not block and must not keep hdr or payload after it
// returns (both are reused for the next packet): copy what you need and
// hand it to a goroutine of your own. keyframe is true on the first packet
// of a video keyframe; arrival is the receive time in Unix nanoseconds.
type Sink interface {
	WriteRTP(hdr *rtp.Header, payload []byte, keyframe bool, arrival int64)
}

// AddSink attaches s to the stream's track of kind and returns the codec
// the publisher sends and a function that detaches s (idempotent). After
// detach returns, only a packet already being delivered may still reach s.
// A stream that does not publish kind gives an error; a closed Publisher
// gives ErrClosed. Closing the Publisher detaches every sink.
func (p *Publisher) AddSink(kind webrtc.RTPCodecType, s Sink) (webrtc.RTPCodecParameters, func(), error) {
	p.mu.Lock()
	r := p.receivers[kind]
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return webrtc.RTPCodecParameters{}, nil, ErrClosed
	}
	if r == nil {
		return webrtc.RTPCodecParameters{}, nil, fmt.Errorf("media: stream %s publishes no %s", p.streamID, kind)
	}
	if !r.addSink(s) {
		return webrtc.RTPCodecParameters{}, nil, ErrClosed
	}
	// A sink is a consumer: an ingest plays while it is attached.
	p.mu.Lock()
	p.sinkCount++
	p.mu.Unlock()
	p.demand()
	var once sync.Once
	detach := func() {
		once.Do(func() {
			r.removeSink(s)
			p.mu.Lock()
			p.sinkCount--
			p.mu.Unlock()
			p.demand()
		})
	}
	return r.codec, detach, nil
}

// RequestKeyframe asks the publisher for a video keyframe (rate-limited
// like the subscribers' requests). Without video it does nothing.
func (p *Publisher) RequestKeyframe() {
	if r := p.Receiver(webrtc.RTPCodecTypeVideo); r != nil {
		r.RequestKeyframe()
	}
}

// Publisher returns the open Publisher of a stream id, nil when there is none.
func (e *Engine) Publisher(streamID string) *Publisher {
	e.mu.Lock()
	defer e.mu.Unlock()
	for p := range e.publishers {
		if p.streamID == streamID {
			return p
		}
	}
	return nil
}

// addSink publishes s with a copy-on-write swap: the hot path reads the
// slice with one atomic load and takes no lock.
func (r *Receiver) addSink(s Sink) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	var cur []Sink
	if p := r.sinks.Load(); p != nil {
		cur = *p
	}
	if slices.Contains(cur, s) {
		return true
	}
	next := append(slices.Clip(cur), s)
	r.sinks.Store(&next)
	return true
}

func (r *Receiver) removeSink(s Sink) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.sinks.Load()
	if p == nil {
		return
	}
	i := slices.Index(*p, s)
	if i < 0 {
		return
	}
	next := slices.Delete(slices.Clone(*p), i, i+1)
	r.sinks.Store(&next)
}

// deliverToSinks is the per-packet tap: no allocation, no lock.
func (r *Receiver) deliverToSinks(pkt *rtp.Packet, keyframe bool, arrival int64) {
	p := r.sinks.Load()
	if p == nil {
		return
	}
	for _, s := range *p {
		s.WriteRTP(&pkt.Header, pkt.Payload, keyframe, arrival)
	}
}
