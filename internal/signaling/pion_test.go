package signaling

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	pionmedia "github.com/pion/webrtc/v4/pkg/media"

	"github.com/govidu/govidu/internal/media"
	"github.com/govidu/govidu/internal/testkit/pionpeer"
)

// newMediaEngine starts a real SFU on loopback for the test.
func newMediaEngine(t testing.TB) *media.Engine {
	t.Helper()
	eng, err := media.NewEngine(media.Config{UDPPort: 0, TCPPort: -1, ListenIP: "127.0.0.1", IncludeLoopback: true, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("media engine: %v", err)
	}
	// Registered before newEnv's cleanup, so it runs after it: the engine
	// closes once signaling has released every PeerConnection.
	t.Cleanup(func() { _ = eng.Close() })
	return eng
}

// pionAPI is a browser stand-in on loopback only.
func pionAPI(t testing.TB) *webrtc.API {
	t.Helper()
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me))
}

// pionPublisher sends synthetic VP8 keyframes and Opus packets, like a
// browser publishing a camera and a microphone.
type pionPublisher struct {
	t    testing.TB
	pc   *webrtc.PeerConnection
	stop chan struct{}
	done chan struct{}
}

func newPionPublisher(t testing.TB) *pionPublisher {
	t.Helper()
	pc, err := pionAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &pionPublisher{t: t, pc: pc, stop: make(chan struct{}), done: make(chan struct{})}
	audio, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "stream")
	if err != nil {
		t.Fatal(err)
	}
	video, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "stream")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range []webrtc.TrackLocal{audio, video} {
		if _, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
			t.Fatal(err)
		}
	}
	go p.sendLoop(audio, video)
	t.Cleanup(p.close)
	return p
}

// vp8Keyframe is a tiny frame whose tag marks a 16x16 keyframe.
var vp8Keyframe = []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x10, 0x00, 0x10, 0x00, 0x00, 0x47, 0x08, 0x85, 0x85, 0x88, 0x99, 0x84, 0x88, 0x0f, 0x02}

func (p *pionPublisher) sendLoop(audio, video *webrtc.TrackLocalStaticSample) {
	defer close(p.done)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	opus := []byte{0xfc, 0xff, 0xfe} // a 20 ms Opus packet
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
			_ = audio.WriteSample(pionmedia.Sample{Data: opus, Duration: 20 * time.Millisecond})
			_ = video.WriteSample(pionmedia.Sample{Data: vp8Keyframe, Duration: 20 * time.Millisecond})
		}
	}
}

func (p *pionPublisher) close() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	<-p.done
	_ = p.pc.Close()
}

// offerOf creates the offer with every candidate in it.
func offerOf(t testing.TB, pc *webrtc.PeerConnection) string {
	t.Helper()
	return pionpeer.GatheredOffer(t, pc, waitFor)
}

func applyAnswer(t *testing.T, pc *webrtc.PeerConnection, answer string) {
	t.Helper()
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatalf("answer does not apply: %v", err)
	}
}

func addServerCandidates(t *testing.T, pc *webrtc.PeerConnection, cands []iceCandidateJSON) {
	t.Helper()
	for _, c := range cands {
		idx := c.SDPMLineIndex
		mid := c.SDPMid
		if err := pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c.Candidate, SDPMid: &mid, SDPMLineIndex: &idx}); err != nil {
			t.Fatalf("server candidate %q: %v", c.Candidate, err)
		}
	}
}

func waitConnected(t *testing.T, pc *webrtc.PeerConnection) {
	t.Helper()
	eventually(t, "PeerConnection connected", func() bool { return pc.ConnectionState() == webrtc.PeerConnectionStateConnected })
}

// pionSubscriber receives a stream like a browser subscribing.
type pionSubscriber struct {
	pc      *webrtc.PeerConnection
	packets map[webrtc.RTPCodecType]*atomic.Int64
	wg      sync.WaitGroup
}

func newPionSubscriber(t *testing.T) *pionSubscriber {
	t.Helper()
	pc, err := pionAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	s := &pionSubscriber{pc: pc, packets: map[webrtc.RTPCodecType]*atomic.Int64{
		webrtc.RTPCodecTypeAudio: {}, webrtc.RTPCodecTypeVideo: {},
	}}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if _, err := pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		s.wg.Add(1)
		defer s.wg.Done()
		n := s.packets[track.Kind()]
		for {
			if _, _, err := track.ReadRTP(); err != nil {
				return
			}
			n.Add(1)
		}
	})
	t.Cleanup(func() { _ = pc.Close(); s.wg.Wait() })
	return s
}

func (s *pionSubscriber) received(kind webrtc.RTPCodecType) int64 { return s.packets[kind].Load() }
