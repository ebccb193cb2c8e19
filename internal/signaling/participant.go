package signaling

import (
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/govidu/govidu/internal/core"
)

// participant is one RPC session: a joined Connection, which outlives the
// WebSocket that joined it by the reconnection grace period. It is the
// core.Notifier of its Connection.
//
// Lock order: core's Session locks → candidateGate.mu → participant.mu →
// Server.mu. Notify takes participant.mu while core holds the Session's
// opMu, so nothing holding participant.mu calls into core, media or the
// network, or waits for anything.
type participant struct {
	srv   *Server
	rpcID string // joinRoom.sessionId, the key for connect

	mu        sync.Mutex
	sessionID string
	connID    string
	sock      *socket // nil while the socket is lost (grace period)
	// held is true until the joinRoom result is queued: nothing may reach
	// the browser before it (pitfall 24).
	held     bool
	pending  []outgoing // held frames, and frames for a lost socket
	overflow bool       // pending hit its bound: a reconnection cannot be consistent
	gone     bool       // no longer in the session: left, evicted, or grace expired
	grace    *time.Timer

	pub    *publication
	subs   map[string]*subscription // by stream id
	iceBuf map[string][]candidate   // client candidates waiting for their PeerConnection, by endpointName
}

// outgoing is a frame to deliver, or an event to turn into one when it is
// delivered (so that held events are converted knowing the connection id).
type outgoing struct {
	event core.Event
	frame []byte
}

type publication struct {
	streamID  string
	createdAt int64
	peer      mediaPublisher
	gate      *candidateGate
}

type subscription struct {
	streamID string
	ownerID  string // the publisher's connection id: endpointName of its candidates
	peer     mediaSubscriber
	gate     *candidateGate
}

// Bounds on what a participant keeps for a browser that is not reading.
const (
	maxBufferedEndpoints  = 32
	maxBufferedCandidates = 64
)

func newParticipant(srv *Server) *participant {
	return &participant{
		srv:    srv,
		rpcID:  core.NewSecret(24),
		held:   true,
		subs:   map[string]*subscription{},
		iceBuf: map[string][]candidate{},
	}
}

// Notify implements core.Notifier. It never blocks: the frame is queued on
// the socket, or kept while the result is pending or the socket is lost.
func (p *participant) Notify(e core.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deliverLocked(outgoing{event: e})
}

// sendFrame delivers a frame that is not a core event (iceCandidate).
func (p *participant) sendFrame(frame []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deliverLocked(outgoing{frame: frame})
}

func (p *participant) deliverLocked(o outgoing) {
	if p.held || p.sock == nil {
		p.keepLocked(o)
		return
	}
	p.emitLocked(o)
}

func (p *participant) keepLocked(o outgoing) {
	if len(p.pending) >= p.srv.opts.PendingLimit {
		p.overflow = true
		return
	}
	p.pending = append(p.pending, o)
}

// emitLocked writes one item to the current socket; what the socket cannot
// take is kept for a reconnection.
func (p *participant) emitLocked(o outgoing) {
	frame := o.frame
	if o.event != nil {
		if ev, ok := o.event.(core.ParticipantEvicted); ok && ev.ConnectionID == p.connID {
			p.evictedLocked()
		}
		frame = notification(o.event)
		if frame == nil {
			return
		}
	}
	if !p.sock.send(frame) {
		p.keepLocked(outgoing{frame: frame})
	}
}

// evictedLocked handles participantEvicted about ourselves: the browser
// leaves locally and closes the socket; close it anyway later as a safety
// net (pitfall 29).
func (p *participant) evictedLocked() {
	p.goneLocked()
	p.sock.closeAfter(p.srv.opts.EvictCloseDelay, websocket.StatusNormalClosure, "evicted")
}

func (p *participant) goneLocked() {
	p.gone = true
	if p.grace != nil {
		p.grace.Stop()
		p.grace = nil
	}
}

// attach binds the participant to s and queues first the result frame
// (joinRoom or connect), then everything held, in order.
func (p *participant) attach(s *socket, result []byte) (previous *socket, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.held && (p.gone || p.overflow) {
		return nil, false // a reconnection, too late or after lost notifications
	}
	if p.grace != nil {
		p.grace.Stop()
		p.grace = nil
	}
	previous, p.sock = p.sock, s
	p.held = false
	s.send(result)
	pending := p.pending
	p.pending = nil
	for _, o := range pending {
		p.emitLocked(o)
	}
	return previous, true
}

func (p *participant) ids() (sessionID, connID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sessionID, p.connID
}

func (p *participant) isGone() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gone
}

// socketLost starts the grace period if s is still the participant's socket.
func (p *participant) socketLost(s *socket) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sock != s || p.gone {
		return
	}
	p.sock = nil
	p.grace = time.AfterFunc(p.srv.opts.ReconnectGrace, func() { p.srv.graceExpired(p) })
}

// expire ends the grace period; false when a reconnection won the race.
func (p *participant) expire() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sock != nil || p.gone {
		return false
	}
	p.goneLocked()
	p.pending = nil
	return true
}

func (p *participant) stopGrace() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.grace != nil {
		p.grace.Stop()
		p.grace = nil
	}
}

// --- media bookkeeping -------------------------------------------------

// setPublication records the publisher PeerConnection and returns the
// client candidates that arrived before it.
func (p *participant) setPublication(pub *publication) []candidate {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pub = pub
	buf := p.iceBuf[p.connID]
	delete(p.iceBuf, p.connID)
	return buf
}

func (p *participant) publication() *publication {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pub
}

// takePublication removes the publication of streamID ("" = any).
func (p *participant) takePublication(streamID string) *publication {
	p.mu.Lock()
	defer p.mu.Unlock()
	pub := p.pub
	if pub == nil || (streamID != "" && pub.streamID != streamID) {
		return nil
	}
	p.pub = nil
	return pub
}

func (p *participant) hasSubscription(streamID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.subs[streamID] != nil
}

// addSubscription records a subscriber PeerConnection and returns the client
// candidates that arrived before it.
func (p *participant) addSubscription(sub *subscription) []candidate {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.subs[sub.streamID] = sub
	buf := p.iceBuf[sub.ownerID]
	delete(p.iceBuf, sub.ownerID)
	return buf
}

func (p *participant) takeSubscription(streamID string) *subscription {
	p.mu.Lock()
	defer p.mu.Unlock()
	sub := p.subs[streamID]
	delete(p.subs, streamID)
	return sub
}

// takeMedia removes every PeerConnection of the participant.
func (p *participant) takeMedia() (*publication, []*subscription) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pub := p.pub
	p.pub = nil
	subs := make([]*subscription, 0, len(p.subs))
	for id, sub := range p.subs {
		subs = append(subs, sub)
		delete(p.subs, id)
	}
	p.iceBuf = map[string][]candidate{}
	return pub, subs
}

// candidateTarget finds the PeerConnection a client candidate belongs to
// (endpointName is the connection id of the stream's owner, pitfall 16), or
// buffers the candidate until that PeerConnection exists (pitfall 17).
func (p *participant) candidateTarget(endpoint string, c candidate) interface{ AddCandidate(candidate) error } {
	p.mu.Lock()
	defer p.mu.Unlock()
	if endpoint == p.connID {
		if p.pub != nil {
			return p.pub.peer
		}
	} else {
		for _, sub := range p.subs {
			if sub.ownerID == endpoint {
				return sub.peer
			}
		}
	}
	buf, known := p.iceBuf[endpoint]
	if (!known && len(p.iceBuf) >= maxBufferedEndpoints) || len(buf) >= maxBufferedCandidates {
		return nil
	}
	p.iceBuf[endpoint] = append(buf, c)
	return nil
}

// candidateGate holds a PeerConnection's server candidates until the SDP
// answer is queued, then forwards them as they come. After stop, candidates
// are dropped.
type candidateGate struct {
	mu      sync.Mutex
	open    bool
	stopped bool
	buf     []candidate
	send    func(candidate)
}

func newCandidateGate(send func(candidate)) *candidateGate {
	return &candidateGate{send: send}
}

func (g *candidateGate) add(c candidate) {
	if c.Candidate == "" {
		return // end of gathering is never forwarded (pitfall 18)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.stopped:
	case g.open:
		g.send(c)
	case len(g.buf) < 4*maxBufferedCandidates:
		g.buf = append(g.buf, c)
	}
}

func (g *candidateGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open || g.stopped {
		return
	}
	g.open = true
	for _, c := range g.buf {
		g.send(c)
	}
	g.buf = nil
}

func (g *candidateGate) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	g.buf = nil
}
