package media

import (
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"
)

// Candidate is an ICE candidate in the browser's form (RTCIceCandidateInit):
// Candidate is "candidate:…" without the "a=" prefix; "" means end of
// candidates.
type Candidate struct {
	Candidate     string
	SDPMid        string
	SDPMLineIndex uint16
}

// maxPendingCandidates bounds the candidates kept for a PeerConnection that
// does not exist yet (see Publisher.AddCandidate).
const maxPendingCandidates = 64

// normalize strips an "a=" prefix and surrounding white space.
func (c Candidate) normalize() Candidate {
	c.Candidate = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.Candidate), "a="))
	return c
}

// isEndOfCandidates: Firefox (and others) send "" as the last candidate.
func (c Candidate) isEndOfCandidates() bool { return c.normalize().Candidate == "" }

func (c Candidate) toInit() webrtc.ICECandidateInit {
	c = c.normalize()
	init := webrtc.ICECandidateInit{Candidate: c.Candidate}
	if c.SDPMid != "" {
		mid := c.SDPMid
		init.SDPMid = &mid
	}
	idx := c.SDPMLineIndex
	init.SDPMLineIndex = &idx
	return init
}

// ufrag returns the "ufrag" extension of a candidate line ("" when absent;
// Chrome adds it, Firefox does not). It tells which PeerConnection
// generation a candidate belongs to.
func (c Candidate) ufrag() string {
	fields := strings.Fields(c.normalize().Candidate)
	for i := 0; i+1 < len(fields); i++ {
		if fields[i] == "ufrag" {
			return fields[i+1]
		}
	}
	return ""
}

// validate checks the shape of a candidate line (foundation component
// transport priority address port "typ" type) without resolving anything.
func (c Candidate) validate() error {
	line := c.normalize().Candidate
	if !strings.HasPrefix(line, "candidate:") {
		return fmt.Errorf("%w: %q does not start with candidate:", ErrBadCandidate, line)
	}
	fields := strings.Fields(strings.TrimPrefix(line, "candidate:"))
	if len(fields) < 8 || fields[6] != "typ" {
		return fmt.Errorf("%w: %q", ErrBadCandidate, line)
	}
	return nil
}

// serverCandidate converts one of our gathered candidates into the browser
// form. mid is the bundled m-line's mid, used when Pion leaves it empty:
// the browser needs a usable sdpMid or sdpMLineIndex (protocol §5.4).
func serverCandidate(c *webrtc.ICECandidate, mid string) Candidate {
	init := c.ToJSON()
	out := Candidate{Candidate: init.Candidate, SDPMid: mid}
	if init.SDPMid != nil && *init.SDPMid != "" {
		out.SDPMid = *init.SDPMid
	}
	if init.SDPMLineIndex != nil {
		out.SDPMLineIndex = *init.SDPMLineIndex
	}
	return out
}

// remoteUfrag reads the ICE ufrag of a session description.
func remoteUfrag(desc string) string {
	for _, line := range strings.Split(desc, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "a=ice-ufrag:"); ok {
			return v
		}
	}
	return ""
}
