package media

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// PublishRequest is one publishVideo (or its reconnection).
type PublishRequest struct {
	StreamID    string
	Offer       string          // browser's sendonly (or sendrecv when Loopback) offer
	ForcedCodec string          // "", "MEDIA_SERVER_PREFERRED", "NONE", "VP8", "VP9", "H264": restrict the answer's video codec
	Loopback    bool            // doLoopback: send the published media back on the same PeerConnection
	Bandwidth   *Bandwidth      // per-connection override of the 4 limits, nil = engine defaults
	OnCandidate func(Candidate) // server-side trickled candidates (never called with end-of-gathering); must not block
	OnState     func(State)     // connected / disconnected / failed / closed; must not block
}

// Publisher is one published stream: the browser's PeerConnection (a new
// one after each Reconnect), one Receiver per track, and the Subscribers.
type Publisher struct {
	e           *Engine
	streamID    string
	log         *slog.Logger
	forced      string
	loopback    bool
	ingest      bool   // fed by Feed, never by a PeerConnection (see ingest.go)
	onDemand    func() // ingest only: Consumers may have changed; nil = none
	bw          Bandwidth
	onCandidate func(Candidate)
	onState     func(State)
	notify      *notifier
	stopREMB    context.CancelFunc

	current atomic.Pointer[peer] // the PeerConnection RTCP goes to, read without p.mu

	reconnectMu sync.Mutex // serializes Reconnect; taken before p.mu

	mu           sync.Mutex // guards the fields below
	closed       bool
	peer         *peer
	receivers    map[webrtc.RTPCodecType]*Receiver
	subscribers  map[*Subscriber]struct{}
	sinkCount    int // sinks attached through AddSink and not yet detached
	loopTracks   map[*peer][]*DownTrack
	pending      []Candidate // candidates for a PeerConnection that is not there yet
	recent       []recentCandidate
	reconnecting bool
	lastState    State
}

// recentCandidate is a candidate without ufrag applied to the current
// PeerConnection. Browsers trickle the candidates of a reconnection's new
// PeerConnection before its offer reaches us; without a ufrag (Firefox)
// they cannot be told from the old one's, so a Reconnect applies the recent
// ones to the new PeerConnection too (a stale one only costs a failed check).
type recentCandidate struct {
	c  Candidate
	at time.Time
}

const recentCandidateWindow = 10 * time.Second

// publishPlan is the codec chosen for each kind the browser sends.
type publishPlan struct {
	codecs map[webrtc.RTPCodecType]webrtc.RTPCodecParameters
	echo   map[webrtc.RTPCodecType]bool // loopback: the m-line is sendrecv
}

// planPublish chooses codecs for a publisher's offer. existing are the
// receivers of a stream being reconnected: their codec must be kept, the
// subscribers are bound to it.
func planPublish(info *offerInfo, forced string, existing map[webrtc.RTPCodecType]*Receiver) (publishPlan, error) {
	plan := publishPlan{codecs: map[webrtc.RTPCodecType]webrtc.RTPCodecParameters{}, echo: map[webrtc.RTPCodecType]bool{}}
	for i := range info.media {
		m := &info.media[i]
		if m.kind == 0 || !m.sends() {
			continue
		}
		if _, done := plan.codecs[m.kind]; done {
			continue // one track per kind: OpenVidu streams have at most one of each
		}
		var codec webrtc.RTPCodecParameters
		switch {
		case existing[m.kind] != nil:
			c, ok := compatibleCodec(existing[m.kind].codec.RTPCodecCapability, m.codecs)
			if !ok {
				return plan, fmt.Errorf("%w: %w: reconnection must keep %s", ErrBadSDP, ErrUnsupportedCodec,
					existing[m.kind].codec.MimeType)
			}
			codec = c
		case m.kind == webrtc.RTPCodecTypeVideo:
			c, err := chooseVideoCodec(m.codecs, forced)
			if err != nil {
				return plan, err
			}
			codec = c
		default:
			if len(m.codecs) == 0 {
				continue
			}
			codec = m.codecs[0]
		}
		plan.codecs[m.kind] = codec
		plan.echo[m.kind] = m.direction == webrtc.RTPTransceiverDirectionSendrecv
	}
	if len(plan.codecs) == 0 {
		return plan, fmt.Errorf("%w: the offer sends no audio or video we can receive", ErrBadSDP)
	}
	return plan, nil
}

// Publish answers a publisher's offer. The answer already contains our
// candidates; they are also trickled through OnCandidate.
func (e *Engine) Publish(ctx context.Context, req PublishRequest) (*Publisher, string, error) {
	info, err := parseOffer(req.Offer)
	if err != nil {
		return nil, "", err
	}
	plan, err := planPublish(info, req.ForcedCodec, nil)
	if err != nil {
		return nil, "", err
	}
	if !e.enter() {
		return nil, "", ErrClosed
	}
	defer e.wg.Done()

	p := e.newPublisher(req.StreamID)
	p.forced, p.loopback, p.bw = req.ForcedCodec, req.Loopback, e.cfg.pick(req.Bandwidth)
	p.onCandidate, p.onState = req.OnCandidate, req.OnState
	pr, answer, err := p.negotiate(ctx, info, plan, req.Offer)
	if err != nil {
		p.notify.close(nil)
		return nil, "", err
	}
	p.mu.Lock()
	p.peer = pr
	p.mu.Unlock()
	p.current.Store(pr)
	if p.bw.MaxRecv > 0 {
		rembCtx, cancel := context.WithCancel(context.Background())
		p.stopREMB = cancel
		e.wg.Go(func() { p.rembLoop(rembCtx) })
	}
	if !e.addPublisher(p) {
		_ = p.Close()
		return nil, "", ErrClosed
	}
	p.onPeerState(pr) // in case it connected before p.peer was set
	p.log.Debug("publisher negotiated", "codecs", describePlan(plan), "loopback", p.loopback)
	return p, answer, nil
}

// newPublisher is a Publisher of streamID with nothing negotiated yet.
func (e *Engine) newPublisher(streamID string) *Publisher {
	return &Publisher{
		e: e, streamID: streamID,
		log:         e.log.With("stream", streamID),
		receivers:   map[webrtc.RTPCodecType]*Receiver{},
		subscribers: map[*Subscriber]struct{}{},
		loopTracks:  map[*peer][]*DownTrack{},
		stopREMB:    func() {},
		notify:      newNotifier(&e.wg),
	}
}

func describePlan(plan publishPlan) []string {
	var out []string
	for _, c := range plan.codecs {
		out = append(out, c.MimeType)
	}
	slices.Sort(out)
	return out
}

// negotiate makes a PeerConnection for offer and answers it.
func (p *Publisher) negotiate(ctx context.Context, info *offerInfo, plan publishPlan, offer string) (*peer, string, error) {
	pc, err := p.e.newPeerConnection()
	if err != nil {
		return nil, "", err
	}
	pr := newPeer(pc, p.log, info.firstMid())
	pr.nacksSent = p.e.nacks.take(pc.ID())
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			p.onLocalCandidate(pr, c)
		}
	})
	pc.OnConnectionStateChange(func(webrtc.PeerConnectionState) { p.onPeerState(pr) })
	pc.OnTrack(func(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) { p.onTrack(pr, t, r) })
	fail := func(err error) (*peer, string, error) {
		pr.close()
		return nil, "", err
	}

	if err := setRemoteOffer(pc, offer); err != nil {
		return fail(err)
	}
	for _, t := range pc.GetTransceivers() {
		if codec, ok := plan.codecs[t.Kind()]; ok {
			if err := t.SetCodecPreferences([]webrtc.RTPCodecParameters{codec}); err != nil {
				return fail(fmt.Errorf("%w: %w", ErrBadSDP, err))
			}
		}
	}
	receivers := p.ensureReceivers(plan)
	var echo []*DownTrack
	var echoSenders []*webrtc.RTPSender
	if p.loopback {
		for kind, r := range receivers {
			if !plan.echo[kind] {
				continue
			}
			dt := newDownTrack(p.streamID, r)
			sender, err := pc.AddTrack(dt)
			if err != nil {
				return fail(fmt.Errorf("media: loopback track: %w", err))
			}
			echo = append(echo, dt)
			echoSenders = append(echoSenders, sender)
		}
	}
	answer, err := answerAndGather(ctx, pc)
	if err != nil {
		for _, dt := range echo {
			dt.detach()
		}
		return fail(err)
	}
	answer = limitVideoBandwidth(answer, p.bw.MaxRecv, p.bw.MinRecv)
	pr.setDescriptions(offer, answer)
	for i, s := range echoSenders {
		dt := echo[i]
		pr.goTracked(func() { readSenderRTCP(s, dt) })
	}
	if len(echo) > 0 {
		p.mu.Lock()
		p.loopTracks[pr] = echo
		p.mu.Unlock()
	}
	return pr, answer, nil
}

// ensureReceivers creates the receivers the plan needs and returns them by kind.
func (p *Publisher) ensureReceivers(plan publishPlan) map[webrtc.RTPCodecType]*Receiver {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[webrtc.RTPCodecType]*Receiver{}
	for kind, codec := range plan.codecs {
		r := p.receivers[kind]
		if r == nil {
			r = newReceiver(kind, codec, p.log.With("kind", kind.String()), p.sendPLI)
			r.counters = &p.e.cfg.Counters
			r.hold, r.flush = p.e.holdWrites, p.e.flushWrites
			p.receivers[kind] = r
		}
		out[kind] = r
	}
	return out
}

func setRemoteOffer(pc *webrtc.PeerConnection, offer string) (err error) {
	defer func() {
		// Pion's SDP handling has had panics on hostile input; an offer
		// from the network must never take the process down.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrBadSDP, r)
		}
	}()
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	return nil
}

// answerAndGather creates and applies the answer, then waits (briefly) for
// our candidates so that the answer carries them.
func answerAndGather(ctx context.Context, pc *webrtc.PeerConnection) (string, error) {
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: create answer: %w", ErrBadSDP, err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("%w: set answer: %w", ErrBadSDP, err)
	}
	timer := time.NewTimer(gatherTimeout)
	defer timer.Stop()
	select {
	case <-gathered:
	case <-timer.C:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	desc := pc.LocalDescription()
	if desc == nil {
		return "", fmt.Errorf("media: no local description")
	}
	return desc.SDP, nil
}

func (p *Publisher) onLocalCandidate(pr *peer, c *webrtc.ICECandidate) {
	cand := serverCandidate(c, pr.bundleMid)
	pr.recordServerCandidate(cand.Candidate)
	if p.onCandidate != nil {
		p.notify.post(func() { p.onCandidate(cand) })
	}
}

// onPeerState reports the current PeerConnection's state when it changed.
// Pion calls its handler on a new goroutine per change, so the value it
// passes may be stale: read the state now instead.
func (p *Publisher) onPeerState(pr *peer) {
	st := stateFromPion(pr.pc.ConnectionState())
	p.mu.Lock()
	if p.closed || pr != p.peer || st == 0 || st == p.lastState {
		p.mu.Unlock()
		return
	}
	p.lastState = st
	echo := p.loopTracks[pr]
	p.mu.Unlock()
	if st == StateConnected {
		for _, dt := range echo {
			dt.setReady(true)
		}
	}
	if p.onState != nil {
		p.notify.post(func() { p.onState(st) })
	}
}

func (p *Publisher) onTrack(pr *peer, track *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	p.mu.Lock()
	r := p.receivers[track.Kind()]
	closed := p.closed
	p.mu.Unlock()
	if closed || r == nil {
		return
	}
	pr.runTracked(func() {
		run := r.attach(track)
		if run == nil {
			return
		}
		pr.goTracked(func() { drainReceiverRTCP(recv) })
		p.log.Debug("publisher track", "kind", track.Kind().String(), "ssrc", uint32(track.SSRC()),
			"codec", track.Codec().MimeType)
		run()
	})
}

// StreamID is the OpenVidu stream id.
func (p *Publisher) StreamID() string { return p.streamID }

// Receiver returns the receiver of a kind, nil when the stream has none.
func (p *Publisher) Receiver(kind webrtc.RTPCodecType) *Receiver {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.receivers[kind]
}

// AddCandidate applies one of the browser's trickled candidates; "" (end
// of candidates) is accepted and ignored. A candidate whose ufrag names no
// current PeerConnection, or that arrives during a Reconnect, is kept for
// the PeerConnection the Reconnect creates.
func (p *Publisher) AddCandidate(c Candidate) error {
	if p.ingest {
		return fmt.Errorf("%w: an ingested stream takes no ICE candidates", ErrBadSDP)
	}
	c = c.normalize()
	if c.isEndOfCandidates() {
		return nil
	}
	if err := c.validate(); err != nil {
		return err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	pr := p.peer
	uf := c.ufrag()
	if p.reconnecting || pr == nil || (uf != "" && uf != pr.ufrag()) {
		if len(p.pending) >= maxPendingCandidates {
			p.pending = p.pending[1:]
		}
		p.pending = append(p.pending, c)
		p.mu.Unlock()
		return nil
	}
	if uf == "" {
		p.recent = appendRecent(p.recent, c, time.Now())
	}
	p.mu.Unlock()
	return pr.addCandidate(c)
}

func appendRecent(list []recentCandidate, c Candidate, now time.Time) []recentCandidate {
	kept := list[:0]
	for _, r := range list {
		if now.Sub(r.at) < recentCandidateWindow {
			kept = append(kept, r)
		}
	}
	if len(kept) >= maxPendingCandidates {
		kept = kept[1:]
	}
	return append(kept, recentCandidate{c: c, at: now})
}

// Reconnect answers a new offer for the same stream on a new
// PeerConnection (the browser's reconnectStream). The new tracks are
// attached to the existing receivers: subscribers keep receiving, with
// continuous sequence numbers, without renegotiation.
func (p *Publisher) Reconnect(ctx context.Context, offer string) (string, error) {
	if p.ingest {
		return "", fmt.Errorf("%w: an ingested stream has no PeerConnection to reconnect", ErrBadSDP)
	}
	info, err := parseOffer(offer)
	if err != nil {
		return "", err
	}
	if !p.e.enter() {
		return "", ErrClosed
	}
	defer p.e.wg.Done()
	p.reconnectMu.Lock()
	defer p.reconnectMu.Unlock()

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return "", ErrClosed
	}
	p.reconnecting = true
	existing := make(map[webrtc.RTPCodecType]*Receiver, len(p.receivers))
	for k, r := range p.receivers {
		existing[k] = r
	}
	p.mu.Unlock()

	plan, err := planPublish(info, p.forced, existing)
	var pr *peer
	var answer string
	if err == nil {
		pr, answer, err = p.negotiate(ctx, info, plan, offer)
	}
	if err != nil {
		p.mu.Lock()
		p.reconnecting = false
		p.mu.Unlock()
		return "", err
	}

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		pr.close()
		return "", ErrClosed
	}
	old := p.peer
	p.peer = pr
	p.current.Store(pr)
	p.reconnecting = false
	p.lastState = 0
	ufrag := pr.ufrag()
	var apply []Candidate
	now := time.Now()
	for _, r := range p.recent {
		if now.Sub(r.at) < recentCandidateWindow {
			apply = append(apply, r.c)
		}
	}
	for _, c := range p.pending {
		if u := c.ufrag(); u == "" || u == ufrag {
			apply = append(apply, c)
		}
	}
	p.pending, p.recent = nil, nil
	oldEcho := p.loopTracks[old]
	delete(p.loopTracks, old)
	p.mu.Unlock()

	for _, c := range apply {
		if err := pr.addCandidate(c); err != nil {
			p.log.Debug("buffered candidate", "err", err)
		}
	}
	for _, dt := range oldEcho {
		dt.detach()
	}
	if old != nil {
		p.e.wg.Go(old.close) // its read loops end, letting the new source's loops start
	}
	p.onPeerState(pr)
	p.log.Debug("publisher reconnected")
	return answer, nil
}

func (p *Publisher) removeSubscriber(s *Subscriber) {
	p.mu.Lock()
	delete(p.subscribers, s)
	p.mu.Unlock()
	p.demand()
}

// Consumers is the number of open subscribers plus attached sinks.
func (p *Publisher) Consumers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.subscribers) + p.sinkCount
}

// demand tells an ingest's owner that Consumers may have changed; called
// without p.mu. The owner reads Consumers afresh, so notifications that
// race each other cannot leave it with a stale count.
func (p *Publisher) demand() {
	if p.onDemand != nil {
		p.onDemand()
	}
}

// Subscribers is the number of open subscribers.
func (p *Publisher) Subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.subscribers)
}

// Close closes the PeerConnection and every Subscriber of the stream.
// OnState(StateClosed) follows, possibly after Close returns.
func (p *Publisher) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	pr := p.peer
	subs := make([]*Subscriber, 0, len(p.subscribers))
	for s := range p.subscribers {
		subs = append(subs, s)
	}
	recvs := make([]*Receiver, 0, len(p.receivers))
	for _, r := range p.receivers {
		recvs = append(recvs, r)
	}
	var echo []*DownTrack
	for _, dts := range p.loopTracks {
		echo = append(echo, dts...)
	}
	p.pending = nil
	p.mu.Unlock()

	p.e.removePublisher(p)
	p.stopREMB()
	for _, s := range subs {
		_ = s.Close()
	}
	for _, dt := range echo {
		dt.detach()
	}
	for _, r := range recvs {
		r.close()
	}
	if pr != nil {
		pr.close()
	}
	p.notify.close(func() {
		if p.onState != nil {
			p.onState(StateClosed)
		}
	})
	return nil
}
