package rtcclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"
)

// peerConn is one of the client's PeerConnections (its publisher's or a
// subscription's) with the ICE handling of protocol §5.4: our candidates
// are trickled with endpointName = the stream owner's connection id, the
// server's are queued until the answer is applied.
type peerConn struct {
	c      *Client
	owner  string // connection id owning the stream this PeerConnection carries
	pc     *webrtc.PeerConnection
	counts *rtcpCounts

	mu        sync.Mutex
	remoteSet bool
	queued    []webrtc.ICECandidateInit
	closed    bool
	wg        sync.WaitGroup // our goroutines on this PeerConnection

	connected chan struct{} // closed on the first "connected"
	failed    chan struct{} // closed on "failed"
}

func (c *Client) newPeer(owner string) (*peerConn, error) {
	cfg := webrtc.Configuration{
		ICEServers:         c.iceServers(),
		ICETransportPolicy: c.opts.ICETransportPolicy,
		BundlePolicy:       webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy:      webrtc.RTCPMuxPolicyRequire,
	}
	if cfg.ICETransportPolicy == webrtc.ICETransportPolicyRelay && len(cfg.ICEServers) == 0 {
		return nil, errors.New("rtcclient: relay-only needs ICE servers (the server's customIceServers or Options.ICEServers)")
	}
	pc, counts, err := c.opts.API.newPeerConnection(cfg)
	if err != nil {
		return nil, fmt.Errorf("rtcclient: new PeerConnection: %w", err)
	}
	p := &peerConn{c: c, owner: owner, pc: pc, counts: counts,
		connected: make(chan struct{}), failed: make(chan struct{})}
	var once, failOnce sync.Once
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		switch s {
		case webrtc.PeerConnectionStateConnected:
			once.Do(func() { close(p.connected) })
		case webrtc.PeerConnectionStateFailed:
			failOnce.Do(func() { close(p.failed) })
		}
	})
	pc.OnICECandidate(func(ic *webrtc.ICECandidate) {
		if ic == nil {
			return // end of gathering: browsers (Chrome) send nothing
		}
		init := ic.ToJSON()
		params := map[string]any{"endpointName": owner, "candidate": init.Candidate, "sdpMid": "0", "sdpMLineIndex": 0}
		if init.SDPMid != nil {
			params["sdpMid"] = *init.SDPMid
		}
		if init.SDPMLineIndex != nil {
			params["sdpMLineIndex"] = *init.SDPMLineIndex
		}
		p.goTracked(func() {
			ctx, cancel := context.WithTimeout(context.Background(), c.opts.RequestTimeout)
			defer cancel()
			if _, err := c.rpc.call(ctx, "onIceCandidate", params); err != nil {
				c.log.Debug("rtcclient: onIceCandidate", "err", err)
			}
		})
	})
	return p, nil
}

// goTracked runs f on a goroutine that close waits for; false (f not
// run) once closed.
func (p *peerConn) goTracked(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Go(f)
	return true
}

// runTracked runs f on the calling goroutine (one Pion started, as for
// OnTrack) so that close waits for it.
func (p *peerConn) runTracked(f func()) {
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

// offer creates and applies our offer (candidates follow by trickle).
func (p *peerConn) offer() (string, error) {
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("rtcclient: create offer: %w", err)
	}
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("rtcclient: set offer: %w", err)
	}
	return offer.SDP, nil
}

// answer applies the server's answer, then the candidates that came first.
func (p *peerConn) answer(sdp string) error {
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return fmt.Errorf("rtcclient: set answer: %w", err)
	}
	p.mu.Lock()
	p.remoteSet = true
	queued := p.queued
	p.queued = nil
	p.mu.Unlock()
	for _, c := range queued {
		p.addRemote(c)
	}
	return nil
}

// addRemote applies (or queues) a server candidate.
func (p *peerConn) addRemote(c webrtc.ICECandidateInit) {
	p.mu.Lock()
	if !p.remoteSet {
		p.queued = append(p.queued, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	if err := p.pc.AddICECandidate(c); err != nil {
		p.c.log.Debug("rtcclient: server candidate", "candidate", c.Candidate, "err", err)
	}
}

// waitConnected waits for ICE and DTLS.
func (p *peerConn) waitConnected(ctx context.Context) error {
	select {
	case <-p.connected:
		return nil
	case <-p.failed:
		return errors.New("rtcclient: PeerConnection failed")
	case <-ctx.Done():
		return fmt.Errorf("rtcclient: waiting for the PeerConnection: %w", ctx.Err())
	}
}

// SelectedPair is the candidate pair ICE selected, nil before connection.
func (p *peerConn) selectedPair() *webrtc.ICECandidatePair {
	sctp := p.pc.SCTP()
	if sctp == nil || sctp.Transport() == nil {
		return nil
	}
	pair, err := sctp.Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil {
		return nil
	}
	return pair
}

// close closes the PeerConnection and waits for our goroutines on it.
func (p *peerConn) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	_ = p.pc.GracefulClose()
	p.wg.Wait()
	p.c.opts.API.forget(p.pc)
}

// sleepUntil waits for t or ctx; false when ctx ended first.
func sleepUntil(ctx context.Context, timer *time.Timer, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(d)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		return false
	}
}
