package signaling

import (
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"

	"github.com/govidu/govidu/internal/core"
)

// TestPublishSubscribeGolden runs protocol §10 with real Pion peers: a
// publisher offers sendonly VP8+Opus, a subscriber offers recvonly and
// must receive RTP through the SFU.
func TestPublishSubscribeGolden(t *testing.T) {
	eng := newMediaEngine(t)
	e := newEnv(t, engineAdapter{eng})
	sid := e.session("ses_Media")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), `{"clientData":"Alice"}`)

	pub := newPionPublisher(t)
	res := decode[map[string]any](t, a.call("publishVideo", publishParams(offerOf(t, pub.pc))))
	stream, _ := res["id"].(string)
	if !strings.HasSuffix(stream, "_"+a.connID) || res["createdAt"] == nil {
		t.Fatalf("publishVideo result %v (pitfall 21)", res)
	}
	applyAnswer(t, pub.pc, res["sdpAnswer"].(string))
	a.quiet()
	if len(a.cands) == 0 {
		t.Fatal("no server candidates for the publisher")
	}
	for _, c := range a.cands {
		if c.SenderConnectionID != a.connID || c.EndpointName != stream || c.SDPMid == "" || c.Candidate == "" {
			t.Fatalf("publisher candidate %+v (pitfalls 16, 18)", c)
		}
	}
	addServerCandidates(t, pub.pc, a.cands)
	waitConnected(t, pub.pc)

	b.join(e.token(sid, core.RolePublisher, ""), `{"clientData":"Bob"}`)
	a.expect("participantJoined")
	sub := newPionSubscriber(t)
	offer := offerOf(t, sub.pc)
	e.trans.note("a candidate before its PeerConnection exists is buffered (pitfall 17)")
	b.call("onIceCandidate", map[string]any{"endpointName": a.connID, "candidate": firstCandidate(t, offer), "sdpMid": "0", "sdpMLineIndex": 0})
	res = decode[map[string]any](t, b.call("receiveVideoFrom", map[string]any{"sender": stream, "sdpOffer": offer}))
	applyAnswer(t, sub.pc, res["sdpAnswer"].(string))
	b.call("onIceCandidate", map[string]any{"endpointName": a.connID, "candidate": "", "sdpMid": "0", "sdpMLineIndex": 0})
	b.quiet()
	for _, c := range b.cands {
		if c.SenderConnectionID != a.connID || c.EndpointName != b.connID+"_"+stream {
			t.Fatalf("subscriber candidate %+v (pitfall 16)", c)
		}
	}
	addServerCandidates(t, sub.pc, b.cands)
	waitConnected(t, sub.pc)
	eventually(t, "video RTP at the subscriber", func() bool { return sub.received(webrtc.RTPCodecTypeVideo) > 5 })
	eventually(t, "audio RTP at the subscriber", func() bool { return sub.received(webrtc.RTPCodecTypeAudio) > 5 })

	e.trans.note("unsubscribeFromVideo names the publisher's connection (pitfall 20)")
	b.call("unsubscribeFromVideo", map[string]any{"sender": a.connID})
	pb := e.srv.participant(sid, b.connID)
	if pb == nil || pb.hasSubscription(stream) {
		t.Fatal("subscription still recorded")
	}
	a.call("unpublishVideo", map[string]any{})
	un := decode[map[string]string](t, b.expect("participantUnpublished"))
	if un["connectionId"] != a.connID || un["reason"] != "unpublish" {
		t.Fatalf("participantUnpublished = %v", un)
	}
	a.quiet()
	b.quiet()
	e.golden("publishSubscribe")
}

func firstCandidate(t *testing.T, sdp string) string {
	t.Helper()
	for _, line := range strings.Split(sdp, "\r\n") {
		if strings.HasPrefix(line, "a=candidate:") {
			return strings.TrimPrefix(line, "a=")
		}
	}
	t.Fatal("offer without candidates")
	return ""
}
