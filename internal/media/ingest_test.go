package media

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
)

// rtpSender plays the VP8 fixture as plain RTP to addr, like an ingest
// process: its own SSRC, sequence numbers and timestamp base.
type rtpSender struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func startRTPSender(t *testing.T, addr net.Addr, ssrc uint32, frames [][]byte, noise bool) *rtpSender {
	t.Helper()
	conn, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSender{stop: make(chan struct{})}
	pz := rtp.NewPacketizer(1200, 96, ssrc, &codecs.VP8Payloader{}, rtp.NewRandomSequencer(), 90000)
	s.wg.Go(func() {
		defer conn.Close()
		tick := time.NewTicker(time.Second / 15)
		defer tick.Stop()
		for i := 0; ; i++ {
			for _, pkt := range pz.Packetize(frames[i%len(frames)], 90000/15) {
				raw, _ := pkt.Marshal()
				if _, err := conn.Write(raw); err != nil {
					return
				}
				if noise { // a stray datagram of another SSRC: must be dropped
					pkt.SSRC++
					raw, _ = pkt.Marshal()
					_, _ = conn.Write(raw)
				}
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	})
	t.Cleanup(s.close)
	return s
}

func (s *rtpSender) close() {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	s.wg.Wait()
}

// TestIngest: an ingested stream (plain RTP on a local socket) reaches a
// WebRTC subscriber; a restarted source (new socket, SSRC, sequence and
// timestamp base) continues the same outgoing track with no sequence gap
// and no timestamp going back; packets of other SSRCs are dropped.
func TestIngest(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	frames, _ := fixtures(t)
	pub, err := e.Ingest(IngestRequest{StreamID: "str_IPC_test_ipc_A", Video: webrtc.MimeTypeVP8, Audio: webrtc.MimeTypeOpus})
	if err != nil {
		t.Fatal(err)
	}
	if e.Publisher("str_IPC_test_ipc_A") != pub {
		t.Fatal("the ingest is not registered with the engine")
	}
	if _, err := pub.Reconnect(ctx, "v=0"); !errors.Is(err, ErrBadSDP) {
		t.Errorf("Reconnect of an ingest: %v", err)
	}
	if err := pub.AddCandidate(Candidate{Candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host"}); !errors.Is(err, ErrBadSDP) {
		t.Errorf("AddCandidate of an ingest: %v", err)
	}

	feed := func(ssrc uint32) (net.PacketConn, chan error) {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- pub.Feed(webrtc.RTPCodecTypeVideo, ssrc, conn) }()
		return conn, done
	}
	conn1, done1 := feed(1111)
	snd1 := startRTPSender(t, conn1.LocalAddr(), 1111, frames, true)

	api := newClientAPI(t)
	subC := newSubClient(t, api, true, true)
	subscribeClient(t, ctx, pub, subC, "con_viewer")
	eventually(t, mediaTimeout, "frames from the first source", func() bool { return subC.video.snapshot().frames >= 15 })

	snd1.close()
	conn1.Close()
	if err := <-done1; err != nil {
		t.Fatalf("Feed: %v", err)
	}
	before := subC.video.snapshot()
	conn2, done2 := feed(2222)
	startRTPSender(t, conn2.LocalAddr(), 2222, frames, false)
	eventually(t, mediaTimeout, "frames from the restarted source", func() bool {
		return subC.video.snapshot().frames >= before.frames+15
	})
	v := subC.video.snapshot()
	if !v.firstKeyframe || v.ssrcs != 1 || v.tsBackwards != 0 || v.holes != 0 {
		t.Errorf("subscriber's video across the restart: %+v", v)
	}
	if got := pub.Stats().PacketsReceived; got == 0 || got > uint64(v.packets)+50 {
		// Stray packets counted as received would show here (the noise doubled the datagrams).
		t.Errorf("publisher received %d packets, subscriber %d", got, v.packets)
	}

	_ = pub.Close()
	conn2.Close()
	if err := <-done2; err != nil {
		t.Fatalf("Feed after Close: %v", err)
	}
	if e.Publisher("str_IPC_test_ipc_A") != nil {
		t.Error("a closed ingest is still registered")
	}
}

func TestIngestRefusals(t *testing.T) {
	e := newTestEngine(t)
	if _, err := e.Ingest(IngestRequest{StreamID: "s"}); !errors.Is(err, ErrNoMedia) {
		t.Errorf("no tracks: %v", err)
	}
	if _, err := e.Ingest(IngestRequest{StreamID: "s", Video: "video/H265"}); !errors.Is(err, ErrUnsupportedCodec) {
		t.Errorf("H265: %v", err)
	}
	for _, mime := range []string{"video/vp8", webrtc.MimeTypeVP9, webrtc.MimeTypeH264, "audio/OPUS"} {
		if _, err := IngestCodec(mime); err != nil {
			t.Errorf("%s: %v", mime, err)
		}
	}
	ctx := testContext(t)
	pubC := newPubClient(t, newClientAPI(t), false, true)
	browser, _, _ := publishClient(t, ctx, e, pubC, PublishRequest{})
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := browser.Feed(webrtc.RTPCodecTypeVideo, 1, conn); !errors.Is(err, errNotIngest) {
		t.Errorf("Feed of a browser's stream: %v", err)
	}
	audioOnly, err := e.Ingest(IngestRequest{StreamID: "a", Audio: webrtc.MimeTypeOpus})
	if err != nil {
		t.Fatal(err)
	}
	if err := audioOnly.Feed(webrtc.RTPCodecTypeVideo, 1, conn); err == nil {
		t.Error("Feed of a kind the ingest has no track for")
	}
	_ = audioOnly.Close()
	if err := audioOnly.Feed(webrtc.RTPCodecTypeAudio, 1, conn); !errors.Is(err, ErrClosed) {
		t.Errorf("Feed after Close: %v", err)
	}
}

// TestIngestDemand: subscribers and sinks are the ingest's consumers;
// its owner is told each time they change, so that a camera plays only
// while someone watches or records.
func TestIngestDemand(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	var mu sync.Mutex
	calls := 0
	pub, err := e.Ingest(IngestRequest{StreamID: "str_IPC_d_ipc_B", Video: webrtc.MimeTypeVP8, OnDemand: func() {
		mu.Lock()
		calls++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	called := func() int { mu.Lock(); defer mu.Unlock(); return calls }
	if pub.Consumers() != 0 || called() != 0 {
		t.Fatalf("fresh ingest: %d consumers, %d calls", pub.Consumers(), called())
	}
	sub, _ := subscribeClient(t, ctx, pub, newSubClient(t, newClientAPI(t), false, true), "con_v")
	if pub.Consumers() != 1 || called() != 1 {
		t.Errorf("after a subscriber: %d consumers, %d calls", pub.Consumers(), called())
	}
	_, detach, err := pub.AddSink(webrtc.RTPCodecTypeVideo, &nopSink{})
	if err != nil {
		t.Fatal(err)
	}
	if pub.Consumers() != 2 || called() != 2 {
		t.Errorf("after a sink: %d consumers, %d calls", pub.Consumers(), called())
	}
	detach()
	detach() // idempotent
	if pub.Consumers() != 1 || called() != 3 {
		t.Errorf("after detaching: %d consumers, %d calls", pub.Consumers(), called())
	}
	_ = sub.Close()
	if pub.Consumers() != 0 || called() != 4 {
		t.Errorf("after the subscriber left: %d consumers, %d calls", pub.Consumers(), called())
	}
	_ = pub.Close()
}
