package rtcclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/govidu/govidu/internal/media"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/image/vp8"
)

// Subscription is one received stream (receiveVideoFrom): its own
// PeerConnection, as openvidu-browser does with a Kurento-mode server.
type Subscription struct {
	c       *Client
	peer    *peerConn
	stream  Stream
	started time.Time // when Subscribe was called

	mu     sync.Mutex // guards tracks' statistics (taken per packet, uncontended)
	tracks map[webrtc.RTPCodecType]*trackStats

	closeOnce sync.Once
}

// trackStats is one received track, updated by its read goroutine.
type trackStats struct {
	kind         webrtc.RTPCodecType
	codec        string // mime type
	seq          SeqTracker
	jitter       Jitter
	bytes        uint64
	firstPacket  time.Time
	latency      Histogram // since ResetLatency
	latencyTotal uint64    // samples ever
	noTrailer    uint64    // packets that should carry a trailer and did not

	// video: the first keyframe, assembled and decoded
	keyframeAt    time.Time
	assembling    bool
	nextSeq       uint16
	frame         []byte
	decodeErrors  uint64
	lastPLI       time.Time
	width, height int
}

// TrackStats is a snapshot of one received track.
type TrackStats struct {
	Kind       string
	Codec      string // mime type, e.g. video/VP8
	Packets    uint64 // distinct packets
	Bytes      uint64
	Lost       uint64 // expected − received, from sequence numbers
	Duplicates uint64
	Jitter     time.Duration
	// FirstPacket and FirstKeyframe are measured from Subscribe; 0 = not yet.
	// FirstKeyframe is the first VP8 keyframe assembled and decoded (for
	// H.264, the first packet starting an IDR picture; not decoded).
	FirstPacket, FirstKeyframe time.Duration
	Width, Height              int // of the decoded keyframe
	DecodeErrors               uint64
	Latency                    Histogram // end-to-end, since ResetLatency
	MissingTrailers            uint64
}

// SubscriptionStats are the stream's tracks plus the PeerConnection's feedback.
type SubscriptionStats struct {
	Audio, Video *TrackStats // nil when the stream has no such track or nothing arrived
	NACKsSent    uint64
	PLIsSent     uint64
}

// Subscribe negotiates a recvonly PeerConnection for stream (our offer:
// audio first, then video, as openvidu-browser) and starts measuring.
func (c *Client) Subscribe(ctx context.Context, stream Stream) (*Subscription, error) {
	if stream.ConnectionID == "" {
		return nil, errors.New("rtcclient: stream without its connection id")
	}
	peer, err := c.newPeer(stream.ConnectionID)
	if err != nil {
		return nil, err
	}
	s := &Subscription{c: c, peer: peer, stream: stream, started: time.Now(), tracks: map[webrtc.RTPCodecType]*trackStats{}}
	c.mu.Lock()
	if c.closed || c.subs[stream.ConnectionID] != nil {
		closed := c.closed
		c.mu.Unlock()
		peer.close()
		if closed {
			return nil, ErrClosed
		}
		return nil, fmt.Errorf("rtcclient: already subscribed to %s", stream.ConnectionID)
	}
	c.subs[stream.ConnectionID] = s
	c.mu.Unlock()
	fail := func(err error) (*Subscription, error) {
		c.mu.Lock()
		if c.subs[stream.ConnectionID] == s {
			delete(c.subs, stream.ConnectionID)
		}
		c.mu.Unlock()
		peer.close()
		return nil, err
	}
	recvonly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	if stream.HasAudio {
		if _, err := peer.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, recvonly); err != nil {
			return fail(err)
		}
	}
	if stream.HasVideo {
		if _, err := peer.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, recvonly); err != nil {
			return fail(err)
		}
	}
	peer.pc.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		peer.runTracked(func() { s.readTrack(t) })
	})
	offer, err := peer.offer()
	if err != nil {
		return fail(err)
	}
	raw, err := c.call(ctx, "receiveVideoFrom", map[string]any{"sender": stream.ID, "sdpOffer": offer})
	if err != nil {
		return fail(err)
	}
	var res struct {
		SDPAnswer string `json:"sdpAnswer"`
	}
	if err := json.Unmarshal(raw, &res); err != nil || res.SDPAnswer == "" {
		return fail(fmt.Errorf("rtcclient: receiveVideoFrom result: %s", raw))
	}
	if err := peer.answer(res.SDPAnswer); err != nil {
		return fail(err)
	}
	return s, nil
}

// Stream is the subscribed stream.
func (s *Subscription) Stream() Stream { return s.stream }

// WaitConnected waits until ICE and DTLS are up.
func (s *Subscription) WaitConnected(ctx context.Context) error { return s.peer.waitConnected(ctx) }

// SelectedCandidatePair is the pair ICE selected (nil before connection).
func (s *Subscription) SelectedCandidatePair() *webrtc.ICECandidatePair { return s.peer.selectedPair() }

// Unsubscribe sends unsubscribeFromVideo (naming the publisher's
// connection, pitfall 20) and closes the PeerConnection.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	_, err := s.c.call(ctx, "unsubscribeFromVideo", map[string]any{"sender": s.stream.ConnectionID})
	s.c.mu.Lock()
	if s.c.subs[s.stream.ConnectionID] == s {
		delete(s.c.subs, s.stream.ConnectionID)
	}
	s.c.mu.Unlock()
	s.close()
	return err
}

func (s *Subscription) close() { s.closeOnce.Do(s.peer.close) }

// ResetLatency empties the latency histograms (start of a measuring window).
func (s *Subscription) ResetLatency() {
	s.mu.Lock()
	for _, t := range s.tracks {
		t.latency = Histogram{}
	}
	s.mu.Unlock()
}

// Stats snapshots the subscription.
func (s *Subscription) Stats() SubscriptionStats {
	out := SubscriptionStats{NACKsSent: s.peer.counts.nacks.Load(), PLIsSent: s.peer.counts.plis.Load()}
	s.mu.Lock()
	defer s.mu.Unlock()
	for kind, t := range s.tracks {
		ts := &TrackStats{
			Kind: kind.String(), Codec: t.codec, Packets: t.seq.Received(), Bytes: t.bytes, Lost: t.seq.Lost(),
			Duplicates: t.seq.Duplicates(), Jitter: t.jitter.Value(), Latency: t.latency,
			MissingTrailers: t.noTrailer, DecodeErrors: t.decodeErrors, Width: t.width, Height: t.height,
		}
		if !t.firstPacket.IsZero() {
			ts.FirstPacket = t.firstPacket.Sub(s.started)
		}
		if !t.keyframeAt.IsZero() {
			ts.FirstKeyframe = t.keyframeAt.Sub(s.started)
		}
		if kind == webrtc.RTPCodecTypeAudio {
			out.Audio = ts
		} else {
			out.Video = ts
		}
	}
	return out
}

// readTrack is the per-track receive loop: parse the header only, count,
// measure, and decode the first keyframe.
func (s *Subscription) readTrack(track *webrtc.TrackRemote) {
	kind := track.Kind()
	t := &trackStats{kind: kind, codec: track.Codec().MimeType, jitter: NewJitter(track.Codec().ClockRate)}
	s.mu.Lock()
	s.tracks[kind] = t
	s.mu.Unlock()
	buf := make([]byte, 1500)
	var hdr rtp.Header
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		hl, err := hdr.Unmarshal(buf[:n])
		if err != nil || hl > n {
			continue
		}
		payload := buf[hl:n]
		if hdr.Padding && len(payload) > 0 {
			pad := int(payload[len(payload)-1])
			if pad > len(payload) {
				continue
			}
			payload = payload[:len(payload)-pad]
		}
		var pli bool
		s.mu.Lock()
		pli = t.observe(&hdr, payload, n, now)
		s.mu.Unlock()
		if pli {
			_ = s.peer.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(track.SSRC())}})
		}
	}
}

// observe accounts for one packet; true when a PLI should be sent.
func (t *trackStats) observe(hdr *rtp.Header, payload []byte, size int, now time.Time) bool {
	if t.firstPacket.IsZero() {
		t.firstPacket = now
	}
	fresh := t.seq.Observe(hdr.SequenceNumber)
	if !fresh {
		return false
	}
	t.bytes += uint64(size)
	nowNs := now.UnixNano()
	t.jitter.Observe(hdr.Timestamp, nowNs)
	if t.kind == webrtc.RTPCodecTypeAudio || hdr.Marker {
		if sent, ok := ParseTrailer(payload); ok {
			t.latency.Record(time.Duration(nowNs - sent))
			t.latencyTotal++
		} else {
			t.noTrailer++
		}
	}
	if t.kind != webrtc.RTPCodecTypeVideo || !t.keyframeAt.IsZero() {
		return false
	}
	if !strings.EqualFold(t.codec, webrtc.MimeTypeVP8) {
		if media.IsKeyframe(t.codec, payload) {
			t.keyframeAt = now
		}
		return false
	}
	return t.assembleKeyframe(hdr, payload, now)
}

// assembleKeyframe collects the first keyframe's packets and decodes it;
// on a gap or a decoding error it waits for the next keyframe and asks
// for one (at most every 500 ms).
func (t *trackStats) assembleKeyframe(hdr *rtp.Header, payload []byte, now time.Time) bool {
	data, start, ok := vp8Payload(payload)
	if !ok {
		return false
	}
	switch {
	case start && len(data) > 0 && data[0]&1 == 0:
		t.assembling = true
		t.frame = append(t.frame[:0], data...)
	case t.assembling && hdr.SequenceNumber == t.nextSeq:
		t.frame = append(t.frame, data...)
	default:
		if t.assembling { // a gap: this keyframe is lost to us
			t.assembling = false
			return t.wantKeyframe(now)
		}
		return false
	}
	t.nextSeq = hdr.SequenceNumber + 1
	if !hdr.Marker {
		return false
	}
	t.assembling = false
	frame := t.frame
	if _, ok := ParseTrailer(frame); ok {
		frame = frame[:len(frame)-TrailerSize]
	}
	w, h, err := decodeVP8(frame)
	if err != nil {
		t.decodeErrors++
		return t.wantKeyframe(now)
	}
	t.keyframeAt = time.Now()
	t.width, t.height = w, h
	t.frame = nil
	return false
}

func (t *trackStats) wantKeyframe(now time.Time) bool {
	if now.Sub(t.lastPLI) < 500*time.Millisecond {
		return false
	}
	t.lastPLI = now
	return true
}

// decodeVP8 decodes a keyframe completely (golang.org/x/image/vp8).
func decodeVP8(frame []byte) (int, int, error) {
	d := vp8.NewDecoder()
	d.Init(bytes.NewReader(frame), len(frame))
	fh, err := d.DecodeFrameHeader()
	if err != nil {
		return 0, 0, err
	}
	if !fh.KeyFrame {
		return 0, 0, errors.New("not a keyframe")
	}
	img, err := d.DecodeFrame()
	if err != nil {
		return 0, 0, err
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}

// waitFor polls cond every few milliseconds until it holds or ctx ends.
func waitFor(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// WaitKeyframe waits until the first video keyframe was decoded (or, for
// an audio-only stream, the first audio packet arrived).
func (s *Subscription) WaitKeyframe(ctx context.Context) error {
	return waitFor(ctx, func() bool {
		st := s.Stats()
		if s.stream.HasVideo {
			return st.Video != nil && st.Video.FirstKeyframe > 0
		}
		return st.Audio != nil && st.Audio.Packets > 0
	})
}
