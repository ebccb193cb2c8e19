package media

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pion/webrtc/v4"
)

// SubscribeRequest is one receiveVideoFrom with the browser's offer.
type SubscribeRequest struct {
	SubscriberID string
	Offer        string // recvonly, audio first then video
	Bandwidth    *Bandwidth
	OnCandidate  func(Candidate) // must not block
	OnState      func(State)     // must not block
}

// Subscriber is one browser receiving one published stream on its own
// PeerConnection, through one DownTrack per track.
type Subscriber struct {
	id          string
	pub         *Publisher
	e           *Engine
	log         *slog.Logger
	bw          Bandwidth
	onCandidate func(Candidate)
	onState     func(State)
	notify      *notifier

	// Set by negotiate before the Subscriber is shared, then read-only.
	peer       *peer
	downTracks []*DownTrack

	mu        sync.Mutex // guards closed, lastState
	closed    bool
	lastState State
}

// subscribeTrack pairs a publisher track with the subscriber's codec for it.
type subscribeTrack struct {
	receiver *Receiver
	codec    webrtc.RTPCodecParameters
}

// planSubscribe matches the offer's receiving m-lines with the stream's
// receivers, in offer order.
func planSubscribe(info *offerInfo, receivers map[webrtc.RTPCodecType]*Receiver) ([]subscribeTrack, error) {
	var plan []subscribeTrack
	used := map[webrtc.RTPCodecType]bool{}
	for i := range info.media {
		m := &info.media[i]
		r := receivers[m.kind]
		if m.kind == 0 || r == nil || used[m.kind] || !m.receives() {
			continue
		}
		codec, ok := compatibleCodec(r.codec.RTPCodecCapability, m.codecs)
		if !ok {
			return nil, fmt.Errorf("%w: %w: the subscriber cannot receive %s", ErrBadSDP, ErrUnsupportedCodec, r.codec.MimeType)
		}
		used[m.kind] = true
		plan = append(plan, subscribeTrack{receiver: r, codec: codec})
	}
	if len(plan) == 0 {
		return nil, fmt.Errorf("%w: the offer receives none of the stream's tracks", ErrNoMedia)
	}
	return plan, nil
}

// Subscribe answers a subscriber's offer with the publisher's tracks.
func (p *Publisher) Subscribe(ctx context.Context, req SubscribeRequest) (*Subscriber, string, error) {
	info, err := parseOffer(req.Offer)
	if err != nil {
		return nil, "", err
	}
	if !p.e.enter() {
		return nil, "", ErrClosed
	}
	defer p.e.wg.Done()
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, "", ErrClosed
	}
	receivers := make(map[webrtc.RTPCodecType]*Receiver, len(p.receivers))
	for k, r := range p.receivers {
		receivers[k] = r
	}
	p.mu.Unlock()
	plan, err := planSubscribe(info, receivers)
	if err != nil {
		return nil, "", err
	}

	s := &Subscriber{
		id: req.SubscriberID, pub: p, e: p.e, bw: p.e.cfg.pick(req.Bandwidth),
		log:         p.log.With("subscriber", req.SubscriberID),
		onCandidate: req.OnCandidate, onState: req.OnState,
	}
	s.notify = newNotifier(&p.e.wg)
	answer, err := s.negotiate(ctx, info, plan, req.Offer)
	if err != nil {
		s.notify.close(nil)
		return nil, "", err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = s.Close()
		return nil, "", ErrClosed
	}
	p.subscribers[s] = struct{}{}
	p.mu.Unlock()
	p.demand()
	s.onPeerState()
	return s, answer, nil
}

func (s *Subscriber) negotiate(ctx context.Context, info *offerInfo, plan []subscribeTrack, offer string) (string, error) {
	pc, err := s.e.newPeerConnection()
	if err != nil {
		return "", err
	}
	pr := newPeer(pc, s.log, info.firstMid())
	pr.nacksSent = s.e.nacks.take(pc.ID())
	s.peer = pr
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		cand := serverCandidate(c, pr.bundleMid)
		pr.recordServerCandidate(cand.Candidate)
		if s.onCandidate != nil {
			s.notify.post(func() { s.onCandidate(cand) })
		}
	})
	pc.OnConnectionStateChange(func(webrtc.PeerConnectionState) { s.onPeerState() })

	fail := func(err error) (string, error) {
		for _, dt := range s.downTracks {
			dt.detach()
		}
		pr.close()
		return "", err
	}
	transceivers := make([]*webrtc.RTPTransceiver, 0, len(plan))
	for _, t := range plan {
		dt := newDownTrack(s.pub.streamID, t.receiver)
		tr, err := pc.AddTransceiverFromTrack(dt, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			return fail(fmt.Errorf("media: subscriber track: %w", err))
		}
		s.downTracks = append(s.downTracks, dt)
		transceivers = append(transceivers, tr)
	}
	if err := setRemoteOffer(pc, offer); err != nil {
		return fail(err)
	}
	for i, tr := range transceivers {
		if err := tr.SetCodecPreferences([]webrtc.RTPCodecParameters{plan[i].codec}); err != nil {
			return fail(fmt.Errorf("%w: %w", ErrBadSDP, err))
		}
	}
	answer, err := answerAndGather(ctx, pc)
	if err != nil {
		return fail(err)
	}
	answer = limitVideoBandwidth(answer, s.bw.MaxSend, 0)
	pr.setDescriptions(offer, answer)
	for i, tr := range transceivers {
		sender, dt := tr.Sender(), s.downTracks[i]
		if sender != nil {
			pr.goTracked(func() { readSenderRTCP(sender, dt) })
		}
	}
	return answer, nil
}

// onPeerState reports state changes and opens the DownTracks once the
// transport is up.
func (s *Subscriber) onPeerState() {
	st := stateFromPion(s.peer.pc.ConnectionState())
	s.mu.Lock()
	if s.closed || st == 0 || st == s.lastState {
		s.mu.Unlock()
		return
	}
	s.lastState = st
	s.mu.Unlock()
	if st == StateConnected {
		for _, dt := range s.downTracks {
			dt.setReady(true)
		}
	}
	if s.onState != nil {
		s.notify.post(func() { s.onState(st) })
	}
}

// ID is the SubscriberID of the request.
func (s *Subscriber) ID() string { return s.id }

// AddCandidate applies one of the browser's candidates; "" (end of
// candidates) is accepted and ignored.
func (s *Subscriber) AddCandidate(c Candidate) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	return s.peer.addCandidate(c)
}

// Close stops forwarding and closes the PeerConnection. OnState(StateClosed)
// follows, possibly after Close returns.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.pub.removeSubscriber(s)
	for _, dt := range s.downTracks {
		dt.detach()
	}
	s.peer.close()
	s.notify.close(func() {
		if s.onState != nil {
			s.onState(StateClosed)
		}
	})
	return nil
}
