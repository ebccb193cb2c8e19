package media

import (
	"errors"
	"sync"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// countingSink copies what a recorder needs from each packet.
type countingSink struct {
	mu        sync.Mutex
	packets   int
	keyframes int
	ssrcs     map[uint32]bool
	lastSeq   uint16
	arrivals  bool // every arrival was non-zero
}

func (s *countingSink) WriteRTP(hdr *rtp.Header, payload []byte, keyframe bool, arrival int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssrcs == nil {
		s.ssrcs, s.arrivals = map[uint32]bool{}, true
	}
	s.packets++
	if keyframe {
		s.keyframes++
	}
	s.ssrcs[hdr.SSRC] = true
	s.lastSeq = hdr.SequenceNumber
	s.arrivals = s.arrivals && arrival > 0 && len(payload) > 0
}

func (s *countingSink) snapshot() (packets, keyframes, ssrcs int, arrivals bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.packets, s.keyframes, len(s.ssrcs), s.arrivals
}

// nopSink is the cheapest possible tap, for the allocation test.
type nopSink struct{ n int }

func (s *nopSink) WriteRTP(*rtp.Header, []byte, bool, int64) { s.n++ }

// TestSinkAllocs: a tap on the forwarding path keeps it allocation-free.
func TestSinkAllocs(t *testing.T) {
	r, _ := newBenchFanout(t, 3)
	sink := &nopSink{}
	if !r.addSink(sink) {
		t.Fatal("addSink on an open receiver")
	}
	raw := vp8Packet(t, 1, 100, 3000, false)
	var pkt rtp.Packet
	r.forward(vp8Packet(t, 1, 99, 3000, true), &pkt, 1, 1)
	seq := uint16(100)
	allocs := testing.AllocsPerRun(1000, func() {
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		seq++
		r.forward(raw, &pkt, 2, 1)
	})
	if allocs != 0 {
		t.Fatalf("forwarding with a sink allocates %.1f times per packet", allocs)
	}
	if sink.n < 1001 {
		t.Fatalf("sink got %d packets", sink.n)
	}
	r.removeSink(sink)
	before := sink.n
	r.forward(raw, &pkt, 3, 1)
	if sink.n != before {
		t.Fatal("a removed sink still receives packets")
	}
	r.removeSink(sink) // idempotent
	r.close()
	if r.addSink(sink) {
		t.Fatal("addSink on a closed receiver")
	}
}

// TestPublisherSinks taps a real publisher: both kinds arrive with the
// publisher's own SSRC, the video tap sees keyframes, detach stops the
// flow, and a closed publisher refuses new sinks.
func TestPublisherSinks(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)
	pubC := newPubClient(t, api, true, true)
	pub, states, _ := publishClient(t, ctx, e, pubC, PublishRequest{StreamID: "str_CAM_Sink_con_A"})
	if e.Publisher("str_CAM_Sink_con_A") != pub || e.Publisher("str_CAM_None_con_B") != nil {
		t.Fatal("Engine.Publisher lookup")
	}
	video, audio := &countingSink{}, &countingSink{}
	vc, detachVideo, err := pub.AddSink(webrtc.RTPCodecTypeVideo, video)
	if err != nil || vc.MimeType != webrtc.MimeTypeVP8 {
		t.Fatalf("video sink: %v %v", vc.MimeType, err)
	}
	ac, detachAudio, err := pub.AddSink(webrtc.RTPCodecTypeAudio, audio)
	if err != nil || ac.MimeType != webrtc.MimeTypeOpus {
		t.Fatalf("audio sink: %v %v", ac.MimeType, err)
	}
	pubC.startSending()
	eventually(t, mediaTimeout, "publisher connected", func() bool { return states.has(StateConnected) })
	pub.RequestKeyframe()
	eventually(t, mediaTimeout, "tapped media", func() bool {
		vp, vk, _, _ := video.snapshot()
		ap, _, _, _ := audio.snapshot()
		return vp >= 30 && vk >= 1 && ap >= 50
	})
	for name, s := range map[string]*countingSink{"video": video, "audio": audio} {
		if _, _, ssrcs, arrivals := s.snapshot(); ssrcs != 1 || !arrivals {
			t.Errorf("%s sink: %d SSRCs, arrivals set %v", name, ssrcs, arrivals)
		}
	}
	detachVideo()
	detachVideo()
	vp, _, _, _ := video.snapshot()
	ap, _, _, _ := audio.snapshot()
	eventually(t, mediaTimeout, "audio still tapped", func() bool { n, _, _, _ := audio.snapshot(); return n >= ap+25 })
	if n, _, _, _ := video.snapshot(); n > vp+1 {
		t.Errorf("detached video sink got %d more packets", n-vp)
	}
	detachAudio()

	if _, _, err := pub.AddSink(webrtc.RTPCodecTypeAudio+5, audio); err == nil {
		t.Error("a sink on a kind the stream does not publish")
	}
	_ = pub.Close()
	if _, _, err := pub.AddSink(webrtc.RTPCodecTypeVideo, video); !errors.Is(err, ErrClosed) {
		t.Errorf("AddSink on a closed publisher: %v", err)
	}
	if e.Publisher("str_CAM_Sink_con_A") != nil {
		t.Error("a closed publisher is still found")
	}
	pub.RequestKeyframe() // harmless after close
}
