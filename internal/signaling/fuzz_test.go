package signaling

import (
	"strings"
	"testing"

	"github.com/govidu/govidu/internal/core"
)

// FuzzPublishSDP feeds arbitrary text as publishVideo's sdpOffer through
// the real media engine: the answer is a result or a 302, never a panic,
// a hang or a dead socket.
//
// Background goroutines (Pion, timers) make coverage noisy, so input
// minimisation never ends; fuzz with it off:
//
//	go test ./internal/signaling -run XXX -fuzz FuzzPublishSDP -fuzzminimizetime 0
func FuzzPublishSDP(f *testing.F) {
	eng := newMediaEngine(f)
	e := newEnv(f, engineAdapter{eng})
	sid := e.session("ses_Fuzz")
	c := e.dial("F")
	c.join(e.token(sid, core.RolePublisher, ""), "")
	e.trans.pause()

	pub := newPionPublisher(f)
	valid := offerOf(f, pub.pc)
	seeds := []string{
		valid,
		valid[:len(valid)/2],
		strings.ReplaceAll(valid, "VP8", "XYZ"),
		strings.ReplaceAll(valid, "sendonly", "recvonly"),
		strings.ReplaceAll(valid, "a=fingerprint", "a=fingerprin"),
		"v=0\r\n",
		"v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n",
		"",
		"\x00\xff",
		"m=video 0 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, offer string) {
		c.t = t
		res, rpcErr := c.response(c.request("publishVideo", publishParams(offer)))
		if rpcErr == nil {
			if len(res) < 3 {
				t.Fatalf("empty result %s", res)
			}
			c.call("unpublishVideo", map[string]any{})
			return
		}
		if rpcErr.Code != 302 && !(offer == "" && rpcErr.Code == -32602) {
			t.Fatalf("offer %q: code %d %s, want 302", offer, rpcErr.Code, rpcErr.Message)
		}
		c.call("ping", nil)
	})
}
