package media

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Path probes: a visitor's browser tests whether it can reach the SFU's
// ICE ports (the doctor page). The browser offers a data channel; we answer
// through the same API, muxes and addresses as calls use, offering only
// the candidates of the transport under test, and echo every message so the
// page can time round trips. A probe carries no media and belongs to no
// session; it is closed when its channel closes, ICE fails, its lifetime
// passes, or the engine closes.

// ProbeTransport selects the candidates a probe answer offers.
type ProbeTransport string

const (
	ProbeUDP ProbeTransport = "udp" // the UDP mux only
	ProbeTCP ProbeTransport = "tcp" // ICE-TCP only
	ProbeAll ProbeTransport = "all" // both (a relay-only browser reaches either through TURN)
)

// Probe answers offer (SDP with one data channel m-section, carrying the
// browser's candidates: no trickle) and returns the answer with every
// candidate gathered.
func (e *Engine) Probe(ctx context.Context, offer string, transport ProbeTransport, lifetime time.Duration) (string, error) {
	switch transport {
	case ProbeUDP, ProbeAll:
	case ProbeTCP:
		if e.tcpMux == nil {
			return "", fmt.Errorf("%w: ICE-TCP is disabled on this server", ErrConfig)
		}
	default:
		return "", fmt.Errorf("%w: unknown probe transport %q", ErrBadSDP, transport)
	}
	if err := checkProbeOffer(offer); err != nil {
		return "", err
	}
	if !e.enter() {
		return "", ErrClosed
	}
	defer e.wg.Done()
	pc, err := e.newPeerConnection()
	if err != nil {
		return "", err
	}
	if !e.addProbe(pc) {
		_ = pc.Close()
		return "", ErrClosed
	}
	closeLater := func() {
		if e.enter() {
			go func() {
				defer e.wg.Done()
				e.closeProbe(pc)
			}()
		}
	}
	timer := time.AfterFunc(lifetime, closeLater)
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateFailed || s == webrtc.PeerConnectionStateClosed {
			timer.Stop()
			closeLater()
		}
	})
	pc.OnDataChannel(func(dc *webrtc.DataChannel) {
		dc.OnMessage(func(m webrtc.DataChannelMessage) {
			if m.IsString {
				_ = dc.SendText(string(m.Data))
			} else {
				_ = dc.Send(m.Data)
			}
		})
		dc.OnClose(func() { timer.Stop(); closeLater() })
	})
	// The browser's candidates of the other transport are dropped too:
	// otherwise our agent would check them from its unannounced sockets
	// and the probe would pass over a path it was not meant to test.
	answer, err := answerProbe(ctx, pc, filterCandidates(offer, transport))
	if err != nil {
		timer.Stop()
		e.closeProbe(pc)
		return "", err
	}
	return filterCandidates(answer, transport), nil
}

func answerProbe(ctx context.Context, pc *webrtc.PeerConnection, offer string) (string, error) {
	if err := setRemoteOffer(pc, offer); err != nil {
		return "", err
	}
	return answerAndGather(ctx, pc)
}

// checkProbeOffer: an offer whose only m-section is a data channel.
func checkProbeOffer(offer string) error {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(offer); err != nil {
		return fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	if len(sd.MediaDescriptions) != 1 || sd.MediaDescriptions[0].MediaName.Media != "application" {
		return fmt.Errorf("%w: a probe offer has exactly one data channel (m=application) section", ErrBadSDP)
	}
	return nil
}

// filterCandidates drops the candidate lines of the other transport.
func filterCandidates(answer string, transport ProbeTransport) string {
	if transport == ProbeAll {
		return answer
	}
	lines := strings.SplitAfter(answer, "\n")
	out := lines[:0]
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "a=candidate:"); ok {
			if f := strings.Fields(rest); len(f) > 2 && !strings.EqualFold(f[2], string(transport)) {
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

func (e *Engine) addProbe(pc *webrtc.PeerConnection) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.probes[pc] = struct{}{}
	return true
}

// closeProbe closes pc once (later calls find it gone).
func (e *Engine) closeProbe(pc *webrtc.PeerConnection) {
	e.mu.Lock()
	_, ok := e.probes[pc]
	delete(e.probes, pc)
	e.mu.Unlock()
	if ok {
		_ = pc.Close()
	}
}

// Probes is how many probes are open.
func (e *Engine) Probes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.probes)
}
