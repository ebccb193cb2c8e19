package media

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
	"go.uber.org/goleak"
)

const mediaTimeout = 15 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestPublishSubscribe: a publisher sends VP8+Opus, two subscribers receive
// both, starting on a keyframe with contiguous sequence numbers; closing
// leaves no goroutine behind.
func TestPublishSubscribe(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)

	pubC := newPubClient(t, api, true, true)
	pub, pubStates, _ := publishClient(t, ctx, e, pubC, PublishRequest{})
	pubC.startSending()
	eventually(t, mediaTimeout, "publisher connected", func() bool { return pubStates.has(StateConnected) })

	subs := []*subClient{newSubClient(t, api, true, true), newSubClient(t, api, true, true)}
	var subscribers []*Subscriber
	var subStates []*stateSink
	for i, c := range subs {
		s, st := subscribeClient(t, ctx, pub, c, []string{"con_B", "con_C"}[i])
		subscribers = append(subscribers, s)
		subStates = append(subStates, st)
	}
	for i, c := range subs {
		eventually(t, mediaTimeout, "subscriber media", func() bool {
			return c.video.snapshot().frames >= 20 && c.audio.snapshot().packets >= 50
		})
		v, a := c.video.snapshot(), c.audio.snapshot()
		if !v.firstKeyframe {
			t.Errorf("subscriber %d: first video packet is not a keyframe", i)
		}
		if v.holes != 0 || a.holes != 0 {
			t.Errorf("subscriber %d: sequence holes video %d audio %d", i, v.holes, a.holes)
		}
		if v.ssrcs != 1 || a.ssrcs != 1 || v.tsBackwards != 0 || a.tsBackwards != 0 {
			t.Errorf("subscriber %d: video %+v audio %+v", i, v, a)
		}
		if !subStates[i].has(StateConnected) {
			t.Errorf("subscriber %d: states %v", i, subStates[i].list())
		}
	}

	ps := pub.Stats()
	if ps.PacketsReceived == 0 || ps.BytesReceived == 0 || ps.Keyframes == 0 {
		t.Errorf("publisher stats: %+v", ps)
	}
	if len(ps.ServerCandidates) == 0 || len(ps.ClientCandidates) == 0 || ps.SelectedLocalCandidate == "" ||
		ps.SelectedRemoteCandidate == "" || !strings.Contains(ps.LocalSDP, "a=recvonly") || ps.RemoteSDP == "" {
		t.Errorf("publisher stats: candidates %v/%v selected %q/%q", ps.ServerCandidates, ps.ClientCandidates,
			ps.SelectedLocalCandidate, ps.SelectedRemoteCandidate)
	}
	if ps.State != StateConnected || ps.PLIsSent == 0 {
		t.Errorf("publisher state %v, PLIs sent %d", ps.State, ps.PLIsSent)
	}
	ss := subscribers[0].Stats()
	if ss.PacketsSent == 0 || ss.BytesSent == 0 || ss.SelectedLocalCandidate == "" || ss.State != StateConnected {
		t.Errorf("subscriber stats: %+v", ss)
	}
	if pub.Subscribers() != 2 || pub.Receiver(webrtc.RTPCodecTypeVideo).DownTrackCount() != 2 {
		t.Errorf("publisher has %d subscribers", pub.Subscribers())
	}

	// Closing one subscriber leaves the other fed.
	if err := subscribers[0].Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, mediaTimeout, "closed state", func() bool { return subStates[0].has(StateClosed) })
	before := subs[1].video.snapshot().frames
	eventually(t, mediaTimeout, "remaining subscriber media", func() bool { return subs[1].video.snapshot().frames >= before+10 })
	if pub.Subscribers() != 1 {
		t.Errorf("publisher has %d subscribers after one closed", pub.Subscribers())
	}
	if err := subscribers[0].AddCandidate(Candidate{Candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host"}); !errors.Is(err, ErrClosed) {
		t.Errorf("AddCandidate after Close: %v", err)
	}

	// Closing the publisher closes its subscribers.
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	eventually(t, mediaTimeout, "subscriber closed with its publisher", func() bool { return subStates[1].has(StateClosed) })
	eventually(t, mediaTimeout, "publisher closed", func() bool { return pubStates.has(StateClosed) })
	if st := pubStates.list(); st[len(st)-1] != StateClosed {
		t.Errorf("publisher states %v: closed is not last", st)
	}

	pubC.stopSending()
	pubC.close()
	for _, c := range subs {
		c.close()
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Publish(ctx, PublishRequest{Offer: pubC.pc.LocalDescription().SDP}); !errors.Is(err, ErrClosed) {
		t.Errorf("Publish after Close: %v", err)
	}
	goleak.VerifyNone(t, ignore)
}

// TestLateSubscriberStartsOnKeyframe: a subscriber joining mid-GOP gets a
// PLI sent to the publisher and starts on a keyframe.
func TestLateSubscriberStartsOnKeyframe(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)
	pubC := newPubClient(t, api, false, true)
	pub, _, _ := publishClient(t, ctx, e, pubC, PublishRequest{})
	pubC.startSending()
	// The fixture has a keyframe each second: wait for the second one, then
	// a little more, so that the subscriber arrives in the middle of a GOP.
	eventually(t, mediaTimeout, "two keyframes", func() bool { return pub.Stats().Keyframes >= 2 })
	received := pub.Stats().PacketsReceived
	eventually(t, mediaTimeout, "mid-GOP", func() bool { return pub.Stats().PacketsReceived >= received+5 })

	plisBefore := pubC.plis.Load()
	subC := newSubClient(t, api, false, true)
	sub, _ := subscribeClient(t, ctx, pub, subC, "con_late")
	eventually(t, mediaTimeout, "late subscriber frames", func() bool { return subC.video.snapshot().frames >= 10 })
	v := subC.video.snapshot()
	if !v.firstKeyframe || v.holes != 0 {
		t.Errorf("late subscriber: %+v", v)
	}
	if pubC.plis.Load() <= plisBefore {
		t.Errorf("no PLI reached the publisher when the subscriber joined")
	}
	if sub.Stats().PacketsSent == 0 {
		t.Error("subscriber stats show nothing sent")
	}
}

// TestPublisherReconnect: the publisher's browser builds a new
// PeerConnection (reconnectStream); the subscriber keeps receiving on the
// same SSRC with no sequence gap and no renegotiation. The new
// PeerConnection's candidates arrive before the Reconnect call, some with
// a ufrag (Chrome), some without (Firefox).
func TestPublisherReconnect(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)
	pub1 := newPubClient(t, api, true, true)
	pub, pubStates, pubCands := publishClient(t, ctx, e, pub1, PublishRequest{StreamID: "str_CAM_x_con_A"})
	pub1.startSending()
	subC := newSubClient(t, api, true, true)
	publishStats := pub.Stats()
	subscribeClient(t, ctx, pub, subC, "con_B")
	eventually(t, mediaTimeout, "frames before reconnect", func() bool { return subC.video.snapshot().frames >= 15 })

	pub2 := newPubClient(t, api, true, true)
	offer2 := pub2.offer()
	ufrag2 := remoteUfrag(offer2)
	for i, c := range pub2.localCandidates() {
		if i%2 == 0 {
			c.Candidate += " ufrag " + ufrag2
		}
		if err := pub.AddCandidate(c); err != nil {
			t.Fatal(err)
		}
	}
	nBefore := len(pubCands.list())
	answer2, err := pub.Reconnect(ctx, offer2)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Second, "new candidates", func() bool { return len(pubCands.list()) > nBefore })
	pub2.applyAnswer(answer2, pubCands.list()[nBefore:])
	pub2.startSending()
	pub1.stopSending()
	pub1.close()

	framesAtSwitch := subC.video.snapshot().frames
	audioAtSwitch := subC.audio.snapshot().packets
	eventually(t, mediaTimeout, "frames after reconnect", func() bool {
		return subC.video.snapshot().frames >= framesAtSwitch+20 && subC.audio.snapshot().packets >= audioAtSwitch+50
	})
	v, a := subC.video.snapshot(), subC.audio.snapshot()
	if v.holes != 0 || a.holes != 0 || v.ssrcs != 1 || a.ssrcs != 1 || v.tsBackwards != 0 || a.tsBackwards != 0 {
		t.Errorf("after reconnect: video %+v audio %+v", v, a)
	}
	ps := pub.Stats()
	if ps.CreatedAt.Equal(publishStats.CreatedAt) || ps.RemoteSDP != offer2 {
		t.Error("stats do not describe the new PeerConnection")
	}
	eventually(t, mediaTimeout, "connected again", func() bool { return ps.State == StateConnected || pub.Stats().State == StateConnected })
	if got := pubStates.list(); got[0] != StateConnected {
		t.Errorf("publisher states %v", got)
	}
	if pub.Subscribers() != 1 {
		t.Errorf("subscribers after reconnect: %d", pub.Subscribers())
	}
	// A reconnection must keep the codec the subscribers are bound to.
	pub3 := newClientPeer(t, api)
	if _, err := pub3.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	h264Only := onlyCodec(t, pub3.offer(), "H264")
	if _, err := pub.Reconnect(ctx, h264Only); !errors.Is(err, ErrBadSDP) || !errors.Is(err, ErrUnsupportedCodec) {
		t.Errorf("reconnect with another codec: %v", err)
	}
}

// TestLoopback: doLoopback sends the published media back on the same
// PeerConnection.
func TestLoopback(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)
	c := newPubClient(t, api, false, false)
	for _, track := range []*webrtc.TrackLocalStaticSample{mustTrack(t, webrtc.MimeTypeOpus, "audio"), mustTrack(t, webrtc.MimeTypeVP8, "video")} {
		if _, err := c.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
			t.Fatal(err)
		}
		if track.Kind() == webrtc.RTPCodecTypeAudio {
			c.audio = track
		} else {
			c.video = track
		}
	}
	audio, video := &streamCheck{}, &streamCheck{}
	c.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		check := audio
		if track.Kind() == webrtc.RTPCodecTypeVideo {
			check = video
		}
		check.mu.Lock()
		check.mime = track.Codec().MimeType
		check.mu.Unlock()
		for {
			pkt, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			check.record(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, pkt.Marker, pkt.Payload)
		}
	})
	p, _, _ := publishClient(t, ctx, e, c, PublishRequest{Loopback: true})
	c.startSending()
	eventually(t, mediaTimeout, "loopback media", func() bool {
		return video.snapshot().frames >= 10 && audio.snapshot().packets >= 20
	})
	if v := video.snapshot(); !v.firstKeyframe || v.holes != 0 {
		t.Errorf("loopback video %+v", v)
	}
	if st := p.Stats(); st.PacketsSent == 0 || !strings.Contains(st.LocalSDP, "a=sendrecv") {
		t.Errorf("loopback stats %+v", st)
	}
}

func mustTrack(t *testing.T, mime, kind string) *webrtc.TrackLocalStaticSample {
	t.Helper()
	capability := webrtc.RTPCodecCapability{MimeType: mime, ClockRate: 90000}
	if mime == webrtc.MimeTypeOpus {
		capability = webrtc.RTPCodecCapability{MimeType: mime, ClockRate: 48000, Channels: 2}
	}
	track, err := webrtc.NewTrackLocalStaticSample(capability, kind, "pub")
	if err != nil {
		t.Fatal(err)
	}
	return track
}

// TestBandwidth: limits show in the answers (b=AS, x-google-min-bitrate)
// and a publisher is sent REMB.
func TestBandwidth(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t, func(c *Config) { c.MaxRecvBandwidth = 600; c.MinRecvBandwidth = 300; c.MaxSendBandwidth = 1000 })
	api := newClientAPI(t)
	pubC := newPubClient(t, api, true, true)
	pubStates := &stateSink{}
	cands := &candidateSink{}
	p, answer, err := e.Publish(ctx, PublishRequest{StreamID: "s", Offer: pubC.offer(), OnState: pubStates.add, OnCandidate: cands.add})
	if err != nil {
		t.Fatal(err)
	}
	video := answer[strings.Index(answer, "m=video"):]
	if !strings.Contains(video, "b=AS:600") || !strings.Contains(video, "x-google-min-bitrate=300") {
		t.Errorf("publisher answer lacks limits:\n%s", video)
	}
	if strings.Contains(answer[:strings.Index(answer, "m=video")], "b=AS") {
		t.Error("audio m-line limited")
	}
	eventually(t, 2*time.Second, "candidates", func() bool { return len(cands.list()) > 0 })
	pubC.applyAnswer(answer, cands.list())
	pubC.startSending()
	eventually(t, mediaTimeout, "REMB at MaxRecvBandwidth", func() bool { return pubC.remb.Load() == 600_000 })

	subC := newSubClient(t, api, true, true)
	s, subAnswer, err := p.Subscribe(ctx, SubscribeRequest{SubscriberID: "b", Offer: subC.offer(), Bandwidth: &Bandwidth{MaxSend: 250}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.Contains(subAnswer, "b=AS:250") {
		t.Errorf("subscriber answer lacks b=AS:250:\n%s", subAnswer)
	}
}

// onlyCodec keeps one video codec in an offer (what a browser that only has
// it would send).
func onlyCodec(t *testing.T, offer, codec string) string {
	t.Helper()
	var out []string
	var keep []string
	lines := strings.Split(strings.ReplaceAll(offer, "\r\n", "\n"), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "a=rtpmap:") && strings.Contains(l, " "+codec+"/") {
			pt := strings.TrimPrefix(strings.Fields(l)[0], "a=rtpmap:")
			keep = append(keep, pt)
		}
	}
	if len(keep) == 0 {
		t.Fatalf("offer has no %s", codec)
	}
	isKept := func(pt string) bool {
		for _, k := range keep {
			if k == pt {
				return true
			}
		}
		return false
	}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "m=video"):
			f := strings.Fields(l)
			l = strings.Join(append(f[:3], keep...), " ")
		case strings.HasPrefix(l, "a=rtpmap:"), strings.HasPrefix(l, "a=fmtp:"), strings.HasPrefix(l, "a=rtcp-fb:"):
			pt := strings.SplitN(strings.TrimPrefix(strings.SplitN(l, ":", 2)[1], ""), " ", 2)[0]
			if pt != "*" && !isKept(pt) {
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\r\n")
}

func TestBadOffers(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)
	c := newPubClient(t, api, true, true)
	good := c.offer()

	for name, offer := range map[string]string{
		"empty":        "",
		"garbage":      "hello world",
		"no media":     "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",
		"no codec":     "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 45\r\na=rtpmap:45 AV1/90000\r\na=sendonly\r\n",
		"no ice":       "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\na=mid:0\r\n",
		"recvonly":     strings.ReplaceAll(good, "a=sendonly", "a=recvonly"),
		"truncated":    good[:len(good)/3],
		"sdp injected": strings.Replace(good, "a=mid:0", "a=mid:0\r\nm=", 1),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			p, answer, err := e.Publish(ctx, PublishRequest{StreamID: "x", Offer: offer})
			if !errors.Is(err, ErrBadSDP) {
				t.Fatalf("err = %v, answer %q", err, answer)
			}
			if p != nil {
				t.Fatal("publisher returned with an error")
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	t.Run("forced codec not offered", func(t *testing.T) {
		_, _, err := e.Publish(ctx, PublishRequest{StreamID: "x", Offer: onlyCodec(t, good, "VP8"), ForcedCodec: "H264"})
		if !errors.Is(err, ErrBadSDP) || !errors.Is(err, ErrUnsupportedCodec) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unknown forced codec", func(t *testing.T) {
		_, _, err := e.Publish(ctx, PublishRequest{StreamID: "x", Offer: good, ForcedCodec: "AV1"})
		if !errors.Is(err, ErrUnsupportedCodec) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("subscriber offers", func(t *testing.T) {
		p, answer, err := e.Publish(ctx, PublishRequest{StreamID: "x", Offer: good, ForcedCodec: "VP8"})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if !strings.Contains(answer, "VP8/90000") || strings.Contains(answer, "H264/90000") || strings.Contains(answer, "VP9/90000") {
			t.Errorf("answer is not restricted to VP8:\n%s", answer)
		}
		if _, _, err := p.Subscribe(ctx, SubscribeRequest{Offer: "nonsense"}); !errors.Is(err, ErrBadSDP) {
			t.Errorf("garbage subscriber offer: %v", err)
		}
		sc := newSubClient(t, api, false, true)
		if _, _, err := p.Subscribe(ctx, SubscribeRequest{Offer: onlyCodec(t, sc.offer(), "H264")}); !errors.Is(err, ErrUnsupportedCodec) {
			t.Errorf("subscriber without VP8: %v", err)
		}
		if _, _, err := p.Subscribe(ctx, SubscribeRequest{Offer: strings.ReplaceAll(good, "a=sendonly", "a=inactive")}); !errors.Is(err, ErrNoMedia) {
			t.Errorf("subscriber receiving nothing: %v", err)
		}
	})
}

func TestCandidates(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t)
	api := newClientAPI(t)
	c := newPubClient(t, api, true, true)
	p, _, _ := publishClient(t, ctx, e, c, PublishRequest{})
	for _, cand := range []Candidate{{}, {Candidate: "  "}, {Candidate: "", SDPMid: "0"}, {Candidate: "a="}} {
		if err := p.AddCandidate(cand); err != nil {
			t.Errorf("end of candidates %q: %v", cand.Candidate, err)
		}
	}
	for _, bad := range []string{"garbage", "candidate:1 1 udp", "candidate:1 1 udp 1 127.0.0.1 9 host x"} {
		if err := p.AddCandidate(Candidate{Candidate: bad, SDPMid: "0"}); !errors.Is(err, ErrBadCandidate) {
			t.Errorf("AddCandidate(%q) = %v", bad, err)
		}
	}
	// "a=" prefixed, an mDNS name (ignored by Pion), a foreign ufrag (kept for a later reconnection).
	for _, ok := range []string{
		"a=candidate:9 1 udp 2122260223 127.0.0.1 9 typ host",
		"candidate:8 1 udp 2122260223 0b7a3d8e-8f27-4a1e-9c43-7a2d7e5d2b1a.local 9 typ host",
		"candidate:7 1 udp 2122260223 127.0.0.1 9 typ host generation 0 ufrag notours",
	} {
		if err := p.AddCandidate(Candidate{Candidate: ok, SDPMid: "0"}); err != nil {
			t.Errorf("AddCandidate(%q) = %v", ok, err)
		}
	}
	_ = p.Close()
	if err := p.AddCandidate(Candidate{Candidate: "candidate:9 1 udp 2122260223 127.0.0.1 9 typ host"}); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	if _, err := p.Reconnect(ctx, c.pc.LocalDescription().SDP); !errors.Is(err, ErrClosed) {
		t.Errorf("Reconnect after close: %v", err)
	}
	if _, _, err := p.Subscribe(ctx, SubscribeRequest{Offer: c.pc.LocalDescription().SDP}); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after close: %v", err)
	}
}

// FuzzPublishOffer: whatever the offer text, Publish returns (an error for
// anything that is not a real offer) and never panics.
func FuzzPublishOffer(f *testing.F) {
	const valid = "v=0\r\no=- 4 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
		"m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n" +
		"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
		"a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE\r\n" +
		"a=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n"
	f.Add("")
	f.Add("v=0")
	f.Add(valid[:len(valid)-40])
	f.Add(strings.Replace(valid, "a=fingerprint", "a=x", 1))
	f.Add(strings.Replace(valid, "VP8/90000", "VP8/x", 1))
	f.Add(strings.Replace(valid, "m=video 9", "m=video 0", 1))
	f.Add(strings.Replace(valid, "96\r\n", "96 97 98\r\n", 1))
	f.Add(strings.Replace(valid, "a=sendonly", "a=sendonly\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2", 1))
	f.Add(strings.Replace(valid, "a=setup:actpass", "a=setup:bogus", 1))
	f.Add(strings.Replace(valid, "a=ice-pwd:abcdefghijklmnopqrstuvwx", "", 1))
	f.Add(strings.Replace(valid, "a=rtcp-mux", "a=ssrc:1 cname:x\r\na=ssrc-group:FID 1", 1))
	e, err := NewEngine(Config{ListenIP: "127.0.0.1", IncludeLoopback: true, TCPPort: -1, Logger: discardLogger()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	f.Fuzz(func(t *testing.T, offer string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > 8*time.Second {
				t.Errorf("Publish and Close took %v", d)
			}
		}()
		p, _, err := e.Publish(ctx, PublishRequest{StreamID: "fuzz", Offer: offer})
		if err == nil {
			// The fuzzer built a real offer: that is allowed, answer it and move on.
			_ = p.Close()
			return
		}
		if p != nil {
			t.Fatal("publisher returned with an error")
		}
	})
}
