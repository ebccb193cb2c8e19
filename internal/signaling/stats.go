package signaling

import "github.com/govidu/govidu/internal/media"

// MediaStats returns the details of the PeerConnection that carries
// streamID for connectionID: its publisher PeerConnection when it owns the
// stream, else its subscriber PeerConnection to it. The REST API shows them
// with ?webRtcStats=true.
func (srv *Server) MediaStats(sessionID, connectionID, streamID string) (media.PeerStats, bool) {
	p := srv.participant(sessionID, connectionID)
	if p == nil {
		return media.PeerStats{}, false
	}
	var peer interface{ Stats() media.PeerStats }
	p.mu.Lock()
	if p.pub != nil && p.pub.streamID == streamID && p.pub.peer != nil {
		peer = p.pub.peer
	} else if sub := p.subs[streamID]; sub != nil && sub.peer != nil {
		peer = sub.peer
	}
	p.mu.Unlock()
	if peer == nil {
		return media.PeerStats{}, false
	}
	return peer.Stats(), true // outside the lock: the engine takes its own
}
