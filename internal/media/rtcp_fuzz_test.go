package media

import (
	"testing"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// captureWriter is a TrackLocalWriter that keeps the headers written.
type captureWriter struct{ hdrs []rtp.Header }

func (c *captureWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	c.hdrs = append(c.hdrs, *h)
	return len(payload), nil
}
func (c *captureWriter) Write(b []byte) (int, error) { return len(b), nil }

// FuzzSubscriberRTCP feeds a subscriber's RTCP (raw bytes, parsed as Pion
// parses what comes off the wire) to a DownTrack that has forwarded ten
// packets: PLI/FIR for any SSRC, NACK ranges of any size, compound
// packets. Nothing may panic, and a retransmission resends only a packet
// that was forwarded, under the DownTrack's own SSRC and sequence number.
func FuzzSubscriberRTCP(f *testing.F) {
	seed := func(pkts ...rtcp.Packet) []byte {
		b, err := rtcp.Marshal(pkts)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(seed(&rtcp.TransportLayerNack{MediaSSRC: 1000, Nacks: []rtcp.NackPair{{PacketID: 0, LostPackets: 0xffff}}}))
	f.Add(seed(&rtcp.PictureLossIndication{MediaSSRC: 1000}, &rtcp.FullIntraRequest{FIR: []rtcp.FIREntry{{SSRC: 1000}}}))
	f.Add(seed(&rtcp.TransportLayerNack{MediaSSRC: 7, Nacks: []rtcp.NackPair{{PacketID: 65535, LostPackets: 1}}}))
	f.Add([]byte{0x81, 205, 0, 2, 0, 0, 0, 0, 0, 0, 3, 232})
	f.Fuzz(func(t *testing.T, raw []byte) {
		pkts, err := rtcp.Unmarshal(raw)
		if err != nil {
			return
		}
		r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), nil)
		dt := newDownTrack("stream", r)
		w := &captureWriter{}
		if _, err := dt.Bind(&fakeBinding{ssrc: 1000, codecs: []webrtc.RTPCodecParameters{vp8Codec}, writer: w}); err != nil {
			t.Fatal(err)
		}
		dt.setReady(true)
		var pkt rtp.Packet
		for i := range 10 {
			r.forward(vp8Packet(t, 1, uint16(65530+i), 3000, i == 0), &pkt, int64(i), 1)
		}
		forwarded := map[uint16]bool{}
		for _, h := range w.hdrs {
			forwarded[h.SequenceNumber] = true
		}
		if len(forwarded) != 10 {
			t.Fatalf("forwarded %d packets, want 10", len(forwarded))
		}
		w.hdrs = nil
		dt.handleRTCP(pkts)
		for _, h := range w.hdrs {
			if h.SSRC != 1000 || !forwarded[h.SequenceNumber] {
				t.Fatalf("retransmitted %+v: not a packet this track forwarded", h)
			}
		}
	})
}
