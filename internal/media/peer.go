package media

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"
)

// State is what the signaling layer learns about a PeerConnection.
type State int

const (
	StateConnected    State = iota + 1 // ICE and DTLS up: media flows
	StateDisconnected                  // ICE lost the path; may come back by itself
	StateFailed                        // ICE failed: the browser must reconnect (reconnectStream)
	StateClosed                        // closed by us; always the last state reported
)

func (s State) String() string {
	switch s {
	case StateConnected:
		return "connected"
	case StateDisconnected:
		return "disconnected"
	case StateFailed:
		return "failed"
	case StateClosed:
		return "closed"
	}
	return "unknown"
}

// stateFromPion maps Pion's connection state; 0 for states we do not report
// (new, connecting, and Pion's closed: we report our own close).
func stateFromPion(s webrtc.PeerConnectionState) State {
	switch s {
	case webrtc.PeerConnectionStateConnected:
		return StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		return StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		return StateFailed
	}
	return 0
}

// notifier runs the callbacks of one Publisher or Subscriber on its own
// goroutine, one at a time, in the order they were posted. Pion calls us on
// many goroutines (and its state handler on a fresh goroutine per change),
// and the caller of Close may hold its own locks: posting here means no
// callback ever runs on a Pion goroutine or inside one of our API calls.
type notifier struct {
	mu     sync.Mutex // guards queue and closed
	queue  []func()
	closed bool
	wake   chan struct{}
}

// newNotifier starts the goroutine; wg (the engine's) waits for it.
func newNotifier(wg *sync.WaitGroup) *notifier {
	n := &notifier{wake: make(chan struct{}, 1)}
	wg.Go(n.run)
	return n
}

func (n *notifier) run() {
	for range n.wake {
		for {
			n.mu.Lock()
			if len(n.queue) == 0 {
				closed := n.closed
				n.mu.Unlock()
				if closed {
					return
				}
				break
			}
			f := n.queue[0]
			n.queue[0] = nil
			n.queue = n.queue[1:]
			n.mu.Unlock()
			f()
		}
	}
}

// post queues f; after close it is dropped.
func (n *notifier) post(f func()) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	n.queue = append(n.queue, f)
	n.mu.Unlock()
	n.signal()
}

// close runs what is queued (last, f when not nil) and stops the goroutine.
func (n *notifier) close(last func()) {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return
	}
	if last != nil {
		n.queue = append(n.queue, last)
	}
	n.closed = true
	n.mu.Unlock()
	n.signal()
}

func (n *notifier) signal() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// peer wraps one Pion PeerConnection: its goroutines, the candidates and
// descriptions kept for stats, and closing. A Publisher has one at a time
// (a new one per Reconnect), a Subscriber exactly one.
type peer struct {
	pc        *webrtc.PeerConnection
	log       *slog.Logger
	bundleMid string // mid of the first m-line, named by our trickled candidates
	createdAt time.Time
	nacksSent *atomic.Uint64 // NACK packets sent on this PeerConnection

	mu          sync.Mutex // guards the fields below; never held while calling Pion
	closed      bool
	wg          sync.WaitGroup // our goroutines reading this PeerConnection
	localSDP    string
	remoteSDP   string
	remoteUfrag string
	serverCands []string
	clientCands []string
}

func newPeer(pc *webrtc.PeerConnection, log *slog.Logger, bundleMid string) *peer {
	return &peer{pc: pc, log: log, bundleMid: bundleMid, createdAt: time.Now()}
}

// goTracked runs f on a goroutine that close waits for, unless already closed.
func (p *peer) goTracked(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Go(f)
	return true
}

// runTracked runs f on the calling goroutine (one Pion started for us, as
// for OnTrack) so that close waits for it too.
func (p *peer) runTracked(f func()) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()
	f()
}

func (p *peer) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *peer) setDescriptions(remote, local string) {
	p.mu.Lock()
	p.remoteSDP, p.localSDP = remote, local
	p.remoteUfrag = remoteUfrag(remote)
	p.mu.Unlock()
}

func (p *peer) ufrag() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.remoteUfrag
}

func (p *peer) recordServerCandidate(c string) {
	p.mu.Lock()
	p.serverCands = append(p.serverCands, c)
	p.mu.Unlock()
}

// addCandidate applies one of the browser's candidates.
func (p *peer) addCandidate(c Candidate) error {
	if c.isEndOfCandidates() {
		return nil
	}
	if err := c.validate(); err != nil {
		return err
	}
	c = c.normalize()
	if p.isClosed() {
		return ErrClosed
	}
	if err := p.pc.AddICECandidate(c.toInit()); err != nil {
		return fmt.Errorf("%w: %w", ErrBadCandidate, err)
	}
	p.mu.Lock()
	p.clientCands = append(p.clientCands, c.Candidate)
	p.mu.Unlock()
	return nil
}

// close closes the PeerConnection and waits for Pion's goroutines and ours.
func (p *peer) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	if err := p.pc.GracefulClose(); err != nil {
		p.log.Debug("closing PeerConnection", "err", err)
	}
	p.wg.Wait()
}
