package media

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// recordingWriter keeps what a DownTrack writes.
type recordingWriter struct {
	mu   sync.Mutex
	pkts []rtp.Packet
}

func (w *recordingWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	hc := *h
	hc.CSRC = append([]uint32(nil), h.CSRC...)
	w.pkts = append(w.pkts, rtp.Packet{Header: hc, Payload: append([]byte(nil), payload...)})
	return len(payload), nil
}

func (w *recordingWriter) Write(b []byte) (int, error) { return len(b), nil }

func (w *recordingWriter) all() []rtp.Packet {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]rtp.Packet(nil), w.pkts...)
}

type pliRecorder struct {
	mu    sync.Mutex
	ssrcs []uint32
}

func (p *pliRecorder) send(ssrc uint32) {
	p.mu.Lock()
	p.ssrcs = append(p.ssrcs, ssrc)
	p.mu.Unlock()
}

func (p *pliRecorder) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ssrcs)
}

func newTestDownTrack(t *testing.T, r *Receiver, pt webrtc.PayloadType, ssrc webrtc.SSRC) (*DownTrack, *recordingWriter) {
	t.Helper()
	w := &recordingWriter{}
	dt := newDownTrack("stream", r)
	codec := r.codec
	codec.PayloadType = pt
	got, err := dt.Bind(&fakeBinding{ssrc: ssrc, codecs: []webrtc.RTPCodecParameters{codec}, writer: w})
	if err != nil {
		t.Fatal(err)
	}
	if got.PayloadType != pt {
		t.Fatalf("bound payload type %d", got.PayloadType)
	}
	return dt, w
}

// TestNACKAnsweredFromRing: a subscriber's NACK is answered with the
// original packet, rewritten exactly as it was when first forwarded.
func TestNACKAnsweredFromRing(t *testing.T) {
	plis := &pliRecorder{}
	r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), plis.send)
	r.srcSSRC.Store(1)
	dt, w := newTestDownTrack(t, r, 120, 4242)
	dt.setReady(true)
	var pkt rtp.Packet
	for i := uint16(0); i < 20; i++ {
		r.forward(vp8Packet(t, 1, 65530+i, 3000*uint32(i/3), i == 0), &pkt, int64(i)*1e6, 1)
	}
	sent := w.all()
	if len(sent) != 20 {
		t.Fatalf("forwarded %d packets", len(sent))
	}
	lost := sent[7]
	dt.handleRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{
		MediaSSRC: 4242,
		Nacks:     rtcp.NackPairsFromSequenceNumbers([]uint16{lost.SequenceNumber, sent[19].SequenceNumber + 1}),
	}})
	all := w.all()
	if len(all) != 21 {
		t.Fatalf("%d packets after NACK, want one retransmission", len(all))
	}
	rtx := all[20]
	if rtx.SequenceNumber != lost.SequenceNumber || rtx.Timestamp != lost.Timestamp || rtx.SSRC != 4242 ||
		rtx.PayloadType != 120 || !bytes.Equal(rtx.Payload, lost.Payload) {
		t.Fatalf("retransmission %v, original %v", rtx.Header, lost.Header)
	}
	// NACKs for another SSRC are not ours.
	dt.handleRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: 1, Nacks: rtcp.NackPairsFromSequenceNumbers([]uint16{lost.SequenceNumber})}})
	if n := len(w.all()); n != 21 {
		t.Fatalf("answered a NACK for another SSRC (%d packets)", n)
	}
	var st PeerStats
	dt.addStats(&st)
	if st.Retransmitted != 1 || st.NACKsReceived != 1 || st.PacketsSent != 20 {
		t.Fatalf("stats %+v", st)
	}

	// After a source switch the old epoch's packets are not resent.
	r.forward(vp8Packet(t, 2, 10, 0, true), &pkt, 100e6, 2)
	dt.handleRTCP([]rtcp.Packet{&rtcp.TransportLayerNack{MediaSSRC: 4242, Nacks: rtcp.NackPairsFromSequenceNumbers([]uint16{lost.SequenceNumber})}})
	all = w.all()
	if len(all) != 22 || all[21].SequenceNumber != sent[19].SequenceNumber+1 {
		t.Fatalf("after switch: %d packets", len(all))
	}
}

// TestKeyframeRequests: PLI and FIR from subscribers reach the publisher
// at most once per interval; a waiting down-track asks by itself.
func TestKeyframeRequests(t *testing.T) {
	plis := &pliRecorder{}
	r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), plis.send)
	r.RequestKeyframe()
	if plis.count() != 0 {
		t.Fatal("PLI sent before any source")
	}
	r.srcSSRC.Store(77)
	dt, _ := newTestDownTrack(t, r, 96, 5)
	dt.setReady(true)
	var pkt rtp.Packet
	// Not a keyframe: the new down-track waits and asks for one.
	r.forward(vp8Packet(t, 77, 1, 0, false), &pkt, time.Now().UnixNano(), 1)
	if plis.count() != 1 || plis.ssrcs[0] != 77 {
		t.Fatalf("PLIs %v after join", plis.ssrcs)
	}
	for i := 0; i < 5; i++ {
		dt.handleRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: 5}, &rtcp.FullIntraRequest{MediaSSRC: 5}})
	}
	if plis.count() != 1 {
		t.Fatalf("rate limit broken: %d PLIs", plis.count())
	}
	r.lastPLI.Store(time.Now().Add(-pliMinInterval).UnixNano())
	dt.handleRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: 5}})
	if plis.count() != 2 {
		t.Fatalf("PLI after the interval: %d", plis.count())
	}
	var st PeerStats
	dt.addStats(&st)
	if st.PLIsReceived != 6 || st.FIRsReceived != 5 {
		t.Fatalf("stats %+v", st)
	}
	// Audio never asks.
	a := newReceiver(webrtc.RTPCodecTypeAudio, webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000}}, discardLogger(), plis.send)
	a.srcSSRC.Store(1)
	a.RequestKeyframe()
	if plis.count() != 2 {
		t.Fatal("audio receiver sent a PLI")
	}
}

// A request the interval holds back is sent when the interval ends — a
// subscriber joining just after another does not wait for its own retry —
// unless a keyframe arrives first, which answers it.
func TestHeldKeyframeRequest(t *testing.T) {
	plis := &pliRecorder{}
	r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), plis.send)
	r.srcSSRC.Store(77)
	var pkt rtp.Packet
	r.RequestKeyframe()
	r.RequestKeyframe() // a second subscriber, inside the interval
	if plis.count() != 1 {
		t.Fatalf("%d PLIs, want 1 inside the interval", plis.count())
	}
	r.forward(vp8Packet(t, 77, 1, 0, false), &pkt, time.Now().UnixNano(), 1)
	if plis.count() != 1 {
		t.Fatal("the held request went out before the interval ended")
	}
	r.lastPLI.Add(-int64(pliMinInterval)) // the interval is over
	r.forward(vp8Packet(t, 77, 2, 0, false), &pkt, time.Now().UnixNano(), 1)
	if plis.count() != 2 {
		t.Fatalf("%d PLIs: the held request was not sent when the interval ended", plis.count())
	}
	r.lastPLI.Add(-int64(pliMinInterval))
	r.forward(vp8Packet(t, 77, 3, 0, false), &pkt, time.Now().UnixNano(), 1)
	if plis.count() != 2 {
		t.Fatal("a held request was sent twice")
	}

	// Held, then a keyframe arrives: nothing more is asked.
	r.lastPLI.Store(time.Now().UnixNano()) // a PLI just went out
	r.RequestKeyframe()
	r.forward(vp8Packet(t, 77, 4, 3000, true), &pkt, time.Now().UnixNano(), 1)
	r.lastPLI.Add(-int64(pliMinInterval))
	r.forward(vp8Packet(t, 77, 5, 3000, false), &pkt, time.Now().UnixNano(), 1)
	if plis.count() != 2 {
		t.Fatalf("%d PLIs: a keyframe after the request should answer it", plis.count())
	}
}

// TestDownTrackNotReady: nothing is forwarded before the subscriber's
// transport is up, so the first packet it gets is a keyframe.
func TestDownTrackNotReady(t *testing.T) {
	r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), nil)
	dt, w := newTestDownTrack(t, r, 96, 5)
	var pkt rtp.Packet
	r.forward(vp8Packet(t, 1, 1, 0, true), &pkt, 0, 1)
	r.forward(vp8Packet(t, 1, 2, 0, false), &pkt, 0, 1)
	dt.setReady(true)
	r.forward(vp8Packet(t, 1, 3, 3000, false), &pkt, 0, 1)
	r.forward(vp8Packet(t, 1, 4, 6000, true), &pkt, 0, 1)
	r.forward(vp8Packet(t, 1, 5, 6000, false), &pkt, 0, 1)
	got := w.all()
	if len(got) != 2 || !IsKeyframe("video/VP8", got[0].Payload) || got[1].SequenceNumber != got[0].SequenceNumber+1 {
		t.Fatalf("got %d packets", len(got))
	}
	dt.detach()
	r.forward(vp8Packet(t, 1, 6, 9000, false), &pkt, 0, 1)
	if len(w.all()) != 2 || r.DownTrackCount() != 0 {
		t.Fatal("forwarded after detach")
	}
}

func TestBindRejectsOtherCodec(t *testing.T) {
	r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), nil)
	dt := newDownTrack("s", r)
	h264 := webrtc.RTPCodecParameters{PayloadType: 102, RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000}}
	if _, err := dt.Bind(&fakeBinding{ssrc: 1, codecs: []webrtc.RTPCodecParameters{h264}, writer: discardWriter{}}); err == nil {
		t.Fatal("bound VP8 to an H264-only subscriber")
	}
	if r.DownTrackCount() != 0 {
		t.Fatal("unbound track registered")
	}
}

func TestPacketRing(t *testing.T) {
	ring := newPacketRing(8)
	buf := make([]byte, maxPacketSize)
	for seq := uint16(65530); seq != 6; seq++ {
		ring.put(9, seq, []byte{byte(seq), byte(seq >> 8)})
	}
	for _, tc := range []struct {
		ssrc uint32
		seq  uint16
		ok   bool
	}{{9, 65535, true}, {9, 5, true}, {9, 65530, false}, {9, 65534, true}, {8, 5, false}, {9, 6, false}} {
		n := ring.get(tc.ssrc, tc.seq, buf)
		if (n > 0) != tc.ok || (tc.ok && (buf[0] != byte(tc.seq) || buf[1] != byte(tc.seq>>8))) {
			t.Errorf("get(%d, %d) = %d", tc.ssrc, tc.seq, n)
		}
	}
	ring.put(9, 100, make([]byte, maxPacketSize+1))
	if ring.get(9, 100, buf) != 0 {
		t.Error("oversized packet kept")
	}
	if ring.get(9, 5, make([]byte, 1)) != 0 {
		t.Error("copied into a short buffer")
	}
}
