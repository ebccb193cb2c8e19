// Package pionpeer holds what tests do with a Pion PeerConnection playing
// a browser. It imports nothing of govidu, so that any package's tests can
// use it (media's own tests cannot import testkit: testkit imports media).
package pionpeer

import (
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

// GatheredOffer creates pc's offer, sets it and waits (up to timeout) for
// ICE gathering to complete, then returns the offer with every candidate
// in it (no trickle); an error ends the test.
func GatheredOffer(tb testing.TB, pc *webrtc.PeerConnection, timeout time.Duration) string {
	tb.Helper()
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		tb.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		tb.Fatal(err)
	}
	select {
	case <-gathered:
	case <-time.After(timeout):
		tb.Fatal("ICE gathering did not complete")
	}
	return pc.LocalDescription().SDP
}
