package signaling

import (
	"errors"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/signaling/jsonrpc"
)

type publishResult struct {
	SDPAnswer string `json:"sdpAnswer"`
	ID        string `json:"id"`
	CreatedAt int64  `json:"createdAt"`
}

type answerResult struct {
	SDPAnswer string `json:"sdpAnswer"`
}

// publishVideo: reserve the stream in core, negotiate outside any lock,
// then announce it (or forget it if negotiation failed).
func publishVideo(c *call) (any, error) {
	offer, err := c.params.str("sdpOffer")
	if err != nil {
		return nil, err
	}
	opts, loopback, err := mediaOptions(c.params)
	if err != nil {
		return nil, err
	}
	sid, cid := c.ids()
	st, err := c.srv.svc.BeginPublish(sid, cid, opts)
	if err != nil {
		return nil, err
	}
	spec := publishSpec{StreamID: st.ID, Offer: offer, Loopback: loopback}
	if s, err := c.srv.svc.Session(sid); err == nil {
		spec.ForcedCodec = s.View().Properties.ForcedVideoCodec
	}
	if v, err := c.srv.svc.Connection(sid, cid); err == nil {
		spec.Bandwidth = connectionBandwidth(v)
	}
	p := c.part
	gate := newCandidateGate(func(cand candidate) {
		p.sendFrame(iceCandidateFrame(cid, st.ID, cand))
	})
	spec.OnCandidate = gate.add
	peer, answer, err := c.srv.media.Publish(c.ctx, spec)
	if err != nil {
		c.srv.svc.AbortPublish(sid, cid, st.ID)
		return nil, mediaError(err)
	}
	pub := &publication{streamID: st.ID, createdAt: st.CreatedAt.UnixMilli(), peer: peer, gate: gate}
	early := p.setPublication(pub)
	addCandidates(c, peer, early)
	if _, err := c.srv.svc.CompletePublish(sid, cid, st.ID); err != nil {
		if mine := p.takePublication(st.ID); mine != nil {
			c.srv.releasePublication(mine)
		}
		return nil, err
	}
	c.sock.respond(c.req.ID, publishResult{SDPAnswer: answer, ID: st.ID, CreatedAt: pub.createdAt})
	c.answered = true
	gate.release()
	return nil, nil
}

// mediaOptions reads publishVideo's description of the stream.
func mediaOptions(p params) (core.MediaOptions, bool, error) {
	var o core.MediaOptions
	var err error
	if o.HasAudio, err = p.optBool("hasAudio", false); err != nil {
		return o, false, err
	}
	if o.HasVideo, err = p.optBool("hasVideo", false); err != nil {
		return o, false, err
	}
	if o.AudioActive, err = p.optBool("audioActive", o.HasAudio); err != nil {
		return o, false, err
	}
	if o.VideoActive, err = p.optBool("videoActive", o.HasVideo); err != nil {
		return o, false, err
	}
	if tov, err := p.optStr("typeOfVideo"); err != nil {
		return o, false, err
	} else if tov != "" && o.HasVideo {
		t, err := core.ParseTypeOfVideo(tov)
		if err != nil || t == core.VideoIPCam {
			return o, false, core.ErrBadRequest.Withf("typeOfVideo %q must be CAMERA, SCREEN or CUSTOM", tov)
		}
		o.TypeOfVideo = t
	}
	o.FrameRate = -1
	if p.has("frameRate") {
		f, err := p.optNumber("frameRate")
		if err != nil {
			return o, false, err
		}
		o.FrameRate = int(f)
	}
	o.VideoDimensions = p.text("videoDimensions")
	loopback, err := p.optBool("doLoopback", false)
	return o, loopback, err
	// "filter" is ignored: streams are published without server-side filters.
}

func connectionBandwidth(v core.ConnectionView) bandwidth {
	k := v.Properties.KurentoOptions
	if k == nil {
		return bandwidth{}
	}
	b := bandwidth{set: k.VideoMaxRecvBandwidth != nil || k.VideoMinRecvBandwidth != nil || k.VideoMaxSendBandwidth != nil || k.VideoMinSendBandwidth != nil}
	deref := func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	}
	b.MaxRecv, b.MinRecv = deref(k.VideoMaxRecvBandwidth), deref(k.VideoMinRecvBandwidth)
	b.MaxSend, b.MinSend = deref(k.VideoMaxSendBandwidth), deref(k.VideoMinSendBandwidth)
	return b
}

// iceCandidateFrame is a server candidate: senderConnectionId is the owner
// of the stream the PeerConnection carries (pitfall 16).
func iceCandidateFrame(ownerID, endpointName string, c candidate) []byte {
	frame, _ := jsonrpc.EncodeNotification("iceCandidate", iceCandidateJSON{
		SenderConnectionID: ownerID,
		EndpointName:       endpointName,
		Candidate:          c.Candidate,
		SDPMid:             c.SDPMid,
		SDPMLineIndex:      c.SDPMLineIndex,
	})
	return frame
}

func addCandidates(c *call, peer interface{ AddCandidate(candidate) error }, cands []candidate) {
	for _, cand := range cands {
		if err := peer.AddCandidate(cand); err != nil {
			c.sock.log.Debug("signaling: ICE candidate rejected", "candidate", cand.Candidate, "err", err)
		}
	}
}

// mediaError keeps catalogue errors (the engine adapter maps SDP failures
// to core.ErrSDP) and reports anything else as an SDP failure too: the
// client only learns that negotiation did not work.
func mediaError(err error) error {
	if e := core.AsError(err); e.RPCCode != core.ErrInternal.RPCCode {
		return e
	}
	return core.ErrSDP.Withf("media negotiation failed: %v", err)
}

func unpublishVideo(c *call) (any, error) {
	sid, cid := c.ids()
	// The listener releases the publisher and its subscribers on StreamUnpublished.
	return struct{}{}, c.srv.svc.Unpublish(sid, cid, core.ReasonUnpublish)
}

// publisherPeer finds the media of a live stream: its owner's
// publication, or the ingest of an IP camera (which has no socket).
func (srv *Server) publisherPeer(sessionID string, st core.StreamView) mediaPublisher {
	if st.Media.TypeOfVideo == core.VideoIPCam {
		return srv.media.Ingested(st.ID)
	}
	owner := srv.participant(sessionID, st.ConnectionID)
	if owner == nil {
		return nil
	}
	pub := owner.publication()
	if pub == nil || pub.streamID != st.ID {
		return nil
	}
	return pub.peer
}

// streamToReceive resolves receiveVideoFrom's sender (a stream id) with
// upstream's codes: 102 unknown publisher, 105 not publishing.
func streamToReceive(c *call, streamID string) (core.StreamView, error) {
	sid, _ := c.ids()
	st, err := c.srv.svc.Stream(sid, streamID)
	if err == nil {
		return st, nil
	}
	if owner := core.OwnerOfStreamID(streamID); owner != "" {
		if _, cerr := c.srv.svc.Connection(sid, owner); cerr == nil {
			return st, core.ErrNotPublishing.Withf("connection %s is not publishing stream %s", owner, streamID)
		}
	}
	return st, core.ErrConnectionNotFound.Withf("publisher of stream %s not found in session %s", streamID, sid)
}

func receiveVideoFrom(c *call) (any, error) {
	sender, err := c.params.str("sender")
	if err != nil {
		return nil, err
	}
	if !c.params.has("sdpOffer") && c.params.has("sdpAnswer") {
		return nil, errServerOffer("receiveVideoFrom")
	}
	if _, err := c.params.str("sdpOffer"); err != nil {
		return nil, err
	}
	st, err := streamToReceive(c, sender)
	if err != nil {
		return nil, err
	}
	sid, cid := c.ids()
	if st.ConnectionID == cid {
		return nil, core.ErrBadRequest.Withf("connection %s cannot subscribe to its own stream (use doLoopback)", cid)
	}
	if c.part.hasSubscription(st.ID) {
		return nil, core.ErrAlreadySubscribed.Withf("connection %s already receives stream %s", cid, st.ID)
	}
	answer, gate, err := subscribe(c, st)
	if err != nil {
		return nil, err
	}
	if err := c.srv.svc.Subscribe(sid, cid, st.ID); err != nil {
		if sub := c.part.takeSubscription(st.ID); sub != nil {
			c.srv.releaseSubscription(sub)
		}
		return nil, err
	}
	c.sock.respond(c.req.ID, answerResult{SDPAnswer: answer})
	c.answered = true
	gate.release()
	return nil, nil
}

// subscribe negotiates a subscriber PeerConnection for st and records it.
func subscribe(c *call, st core.StreamView) (string, *candidateGate, error) {
	offer, _ := c.params.str("sdpOffer")
	sid, cid := c.ids()
	peer := c.srv.publisherPeer(sid, st)
	if peer == nil {
		return "", nil, core.ErrNotPublishing.Withf("stream %s has no media yet", st.ID)
	}
	p := c.part
	gate := newCandidateGate(func(cand candidate) {
		p.sendFrame(iceCandidateFrame(st.ConnectionID, cid+"_"+st.ID, cand))
	})
	spec := subscribeSpec{SubscriberID: cid, Offer: offer, OnCandidate: gate.add}
	if v, err := c.srv.svc.Connection(sid, cid); err == nil {
		spec.Bandwidth = connectionBandwidth(v)
	}
	sub, answer, err := peer.Subscribe(c.ctx, spec)
	if err != nil {
		return "", nil, mediaError(err)
	}
	early := p.addSubscription(&subscription{streamID: st.ID, ownerID: st.ConnectionID, peer: sub, gate: gate})
	addCandidates(c, sub, early)
	return answer, gate, nil
}

func unsubscribeFromVideo(c *call) (any, error) {
	sender, err := c.params.str("sender")
	if err != nil {
		return nil, err
	}
	sid, cid := c.ids()
	// The listener closes the subscriber on StreamUnsubscribed.
	_, err = c.srv.svc.Unsubscribe(sid, cid, sender)
	return struct{}{}, err
}

func onIceCandidate(c *call) (any, error) {
	endpoint, err := c.params.str("endpointName")
	if err != nil {
		return nil, err
	}
	text, err := c.params.optStr("candidate")
	if err != nil {
		return nil, err
	}
	if text == "" {
		return struct{}{}, nil // end of candidates (pitfall 17)
	}
	mid := c.params.text("sdpMid")
	index, err := c.params.optInt("sdpMLineIndex", 0)
	if err != nil || index < 0 || index > 0xffff {
		return nil, c.params.mistyped("sdpMLineIndex", "small non-negative integer")
	}
	cand := candidate{Candidate: text, SDPMid: mid, SDPMLineIndex: uint16(index)}
	if peer := c.part.candidateTarget(endpoint, cand); peer != nil {
		addCandidates(c, peer, []candidate{cand})
	}
	return struct{}{}, nil
}

// reconnectStream renegotiates a PeerConnection after an ICE failure: the
// caller's own publisher (same stream id, subscribers kept fed), or a
// subscription (a new subscriber PeerConnection).
func reconnectStream(c *call) (any, error) {
	streamID, err := c.params.str("stream")
	if err != nil {
		return nil, err
	}
	if pub := c.part.publication(); pub != nil && pub.streamID == streamID {
		offer, err := c.params.str("sdpString")
		if err != nil && c.params.has("sdpOffer") {
			offer, err = c.params.str("sdpOffer")
		}
		if err != nil {
			return nil, err
		}
		answer, err := pub.peer.Reconnect(c.ctx, offer)
		if err != nil {
			return nil, mediaError(err)
		}
		return publishResult{SDPAnswer: answer, ID: pub.streamID, CreatedAt: pub.createdAt}, nil
	}
	if !c.params.has("sdpOffer") && c.params.has("sdpString") {
		return nil, errServerOffer("reconnectStream")
	}
	if _, err := c.params.str("sdpOffer"); err != nil {
		return nil, err
	}
	sid, cid := c.ids()
	st, err := c.srv.svc.Stream(sid, streamID)
	if err != nil {
		return nil, core.ErrNotPublishing.Withf("stream %s is not published in session %s", streamID, sid)
	}
	if st.ConnectionID == cid {
		return nil, core.ErrNotPublishing.Withf("stream %s is not yet published", streamID)
	}
	old := c.part.takeSubscription(st.ID)
	if old != nil {
		c.srv.releaseSubscription(old)
	}
	answer, gate, err := subscribe(c, st)
	if err != nil {
		return nil, err
	}
	if old == nil {
		if err := c.srv.svc.Subscribe(sid, cid, st.ID); err != nil && !errors.Is(err, core.ErrAlreadySubscribed) {
			if sub := c.part.takeSubscription(st.ID); sub != nil {
				c.srv.releaseSubscription(sub)
			}
			return nil, err
		}
	}
	c.sock.respond(c.req.ID, answerResult{SDPAnswer: answer})
	c.answered = true
	gate.release()
	return nil, nil
}
