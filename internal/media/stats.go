package media

import (
	"time"
)

// PeerStats is what REST's webRtcStats shows of one PeerConnection.
type PeerStats struct {
	CreatedAt time.Time
	State     State // last reported; 0 before the first connection

	LocalSDP  string // our answer, as sent
	RemoteSDP string // the browser's offer

	ServerCandidates []string // ours, "candidate:…"
	ClientCandidates []string // the browser's, as trickled
	// The pair ICE selected, "" until connected.
	SelectedLocalCandidate  string
	SelectedRemoteCandidate string

	PacketsReceived uint64 // RTP from the browser (publishers)
	BytesReceived   uint64
	PacketsSent     uint64 // RTP to the browser (subscribers, loopback)
	BytesSent       uint64
	Retransmitted   uint64 // packets resent from the ring answering NACKs

	NACKsSent     uint64 // NACK packets we sent (asking the publisher to resend)
	NACKsReceived uint64 // NACK packets from the browser
	PLIsSent      uint64 // keyframe requests to the publisher
	PLIsReceived  uint64 // keyframe requests from the browser
	FIRsReceived  uint64
	Keyframes     uint64 // keyframes received from the publisher
}

// stats fills the PeerConnection part: descriptions, candidates, the
// selected pair and Pion's NACK counters.
func (p *peer) stats() PeerStats {
	p.mu.Lock()
	st := PeerStats{
		CreatedAt:        p.createdAt,
		LocalSDP:         p.localSDP,
		RemoteSDP:        p.remoteSDP,
		ServerCandidates: append([]string(nil), p.serverCands...),
		ClientCandidates: append([]string(nil), p.clientCands...),
	}
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return st
	}
	if sctp := p.pc.SCTP(); sctp != nil {
		if dtls := sctp.Transport(); dtls != nil {
			if pair, err := dtls.ICETransport().GetSelectedCandidatePair(); err == nil && pair != nil {
				if pair.Local != nil {
					st.SelectedLocalCandidate = pair.Local.ToJSON().Candidate
				}
				if pair.Remote != nil {
					st.SelectedRemoteCandidate = pair.Remote.ToJSON().Candidate
				}
			}
		}
	}
	if p.nacksSent != nil {
		st.NACKsSent = p.nacksSent.Load()
	}
	return st
}

// Stats of the publisher's current PeerConnection and its tracks.
func (p *Publisher) Stats() PeerStats {
	p.mu.Lock()
	pr := p.peer
	state := p.lastState
	recvs := make([]*Receiver, 0, len(p.receivers))
	for _, r := range p.receivers {
		recvs = append(recvs, r)
	}
	var echo []*DownTrack
	if pr != nil {
		echo = p.loopTracks[pr]
	}
	p.mu.Unlock()
	var st PeerStats
	if pr != nil {
		st = pr.stats()
	}
	st.State = state
	for _, r := range recvs {
		st.PacketsReceived += r.packets.Load()
		st.BytesReceived += r.bytes.Load()
		st.PLIsSent += r.plis.Load()
		st.Keyframes += r.keyframes.Load()
	}
	for _, dt := range echo {
		dt.addStats(&st)
	}
	return st
}

// Stats of the subscriber's PeerConnection and its tracks.
func (s *Subscriber) Stats() PeerStats {
	st := s.peer.stats()
	s.mu.Lock()
	st.State = s.lastState
	s.mu.Unlock()
	for _, dt := range s.downTracks {
		dt.addStats(&st)
	}
	return st
}

func (dt *DownTrack) addStats(st *PeerStats) {
	st.PacketsSent += dt.packets.Load()
	st.BytesSent += dt.bytes.Load()
	st.Retransmitted += dt.retransmitted.Load()
	st.NACKsReceived += dt.nacks.Load()
	st.PLIsReceived += dt.plis.Load()
	st.FIRsReceived += dt.firs.Load()
}
