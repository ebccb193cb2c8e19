package media

import (
	"context"
	"errors"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/govidu/govidu/internal/testkit/mediafile"
)

// Test peers: in-process Pion PeerConnections playing the browser's part,
// on 127.0.0.1 only.

// readIVFFrames reads an IVF clip (keyframe_test.go's too); the readers
// are shared with the recording tests.
var readIVFFrames = mediafile.ReadIVF

var (
	fixtureOnce  sync.Once
	videoFrames  [][]byte
	opusPackets  [][]byte
	fixtureError error
)

func fixtures(tb testing.TB) ([][]byte, [][]byte) {
	tb.Helper()
	fixtureOnce.Do(func() {
		videoFrames = readIVFFrames(tb, "testdata/video.ivf")
		opusPackets = mediafile.ReadOggOpus(tb, "testdata/audio.ogg")
		if len(videoFrames) == 0 || len(opusPackets) == 0 {
			fixtureError = errors.New("empty fixtures")
		}
	})
	if fixtureError != nil {
		tb.Fatal(fixtureError)
	}
	return videoFrames, opusPackets
}

// newTestEngine: loopback only, ephemeral ports.
func newTestEngine(t *testing.T, mutate ...func(*Config)) *Engine {
	t.Helper()
	cfg := Config{ListenIP: "127.0.0.1", IncludeLoopback: true, TCPPort: -1, Logger: discardLogger()}
	for _, m := range mutate {
		m(&cfg)
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// newClientAPI is the "browser": default codecs and interceptors, loopback
// candidates only, no mDNS.
func newClientAPI(t *testing.T) *webrtc.API {
	t.Helper()
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.LoggerFactory = pionLoggerFactory{log: discardLogger()}
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))
}

// clientPeer is the part shared by test publishers and subscribers.
type clientPeer struct {
	t  *testing.T
	pc *webrtc.PeerConnection
	wg sync.WaitGroup

	mu         sync.Mutex
	candidates []Candidate // gathered, browser form
	gathered   chan struct{}
}

func newClientPeer(t *testing.T, api *webrtc.API) *clientPeer {
	t.Helper()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &clientPeer{t: t, pc: pc, gathered: make(chan struct{})}
	var once sync.Once
	pc.OnICECandidate(func(ic *webrtc.ICECandidate) {
		if ic == nil {
			once.Do(func() { close(c.gathered) })
			return
		}
		init := ic.ToJSON()
		cand := Candidate{Candidate: init.Candidate}
		if init.SDPMid != nil {
			cand.SDPMid = *init.SDPMid
		}
		if init.SDPMLineIndex != nil {
			cand.SDPMLineIndex = *init.SDPMLineIndex
		}
		c.mu.Lock()
		c.candidates = append(c.candidates, cand)
		c.mu.Unlock()
	})
	t.Cleanup(c.close)
	return c
}

// offer makes the offer the way a trickling browser sends it: before any
// candidate is gathered, so the SFU needs AddCandidate.
func (c *clientPeer) offer() string {
	c.t.Helper()
	offer, err := c.pc.CreateOffer(nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.pc.SetLocalDescription(offer); err != nil {
		c.t.Fatal(err)
	}
	if strings.Contains(offer.SDP, "a=candidate") {
		c.t.Fatal("offer unexpectedly carries candidates")
	}
	return offer.SDP
}

var candidateLine = regexp.MustCompile(`(?m)^a=(candidate|end-of-candidates).*\r?\n`)

// applyAnswer sets the answer without its candidates, then adds the ones
// the SFU trickled: the browser path where candidates arrive separately.
func (c *clientPeer) applyAnswer(answer string, trickled []Candidate) {
	c.t.Helper()
	stripped := candidateLine.ReplaceAllString(answer, "")
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: stripped}); err != nil {
		c.t.Fatal(err)
	}
	for _, cand := range trickled {
		mid := cand.SDPMid
		idx := cand.SDPMLineIndex
		if err := c.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: cand.Candidate, SDPMid: &mid, SDPMLineIndex: &idx}); err != nil {
			c.t.Fatal(err)
		}
	}
}

// localCandidates waits for gathering and returns the candidates.
func (c *clientPeer) localCandidates() []Candidate {
	c.t.Helper()
	select {
	case <-c.gathered:
	case <-time.After(5 * time.Second):
		c.t.Fatal("client gathering did not complete")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Candidate(nil), c.candidates...)
}

func (c *clientPeer) close() {
	_ = c.pc.GracefulClose()
	c.wg.Wait()
}

// candidateSink collects the SFU's trickled candidates (OnCandidate).
type candidateSink struct {
	mu    sync.Mutex
	cands []Candidate
}

func (s *candidateSink) add(c Candidate) {
	s.mu.Lock()
	s.cands = append(s.cands, c)
	s.mu.Unlock()
}

func (s *candidateSink) list() []Candidate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Candidate(nil), s.cands...)
}

// stateSink records OnState calls.
type stateSink struct {
	mu     sync.Mutex
	states []State
}

func (s *stateSink) add(st State) {
	s.mu.Lock()
	s.states = append(s.states, st)
	s.mu.Unlock()
}

func (s *stateSink) has(st State) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.states {
		if x == st {
			return true
		}
	}
	return false
}

func (s *stateSink) list() []State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]State(nil), s.states...)
}

// pubClient sends the fixtures in a loop: VP8 at 15 fps, Opus every 20 ms.
type pubClient struct {
	*clientPeer
	video, audio *webrtc.TrackLocalStaticSample
	stop         chan struct{}
	stopOnce     sync.Once
	plis         atomic.Int64
	remb         atomic.Uint64 // last REMB bitrate received, bps
}

func newPubClient(t *testing.T, api *webrtc.API, withAudio, withVideo bool) *pubClient {
	t.Helper()
	c := &pubClient{clientPeer: newClientPeer(t, api), stop: make(chan struct{})}
	var err error
	if withAudio {
		c.audio, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "pub")
		if err != nil {
			t.Fatal(err)
		}
		c.addTrack(c.audio)
	}
	if withVideo {
		c.video, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "pub")
		if err != nil {
			t.Fatal(err)
		}
		c.addTrack(c.video)
	}
	t.Cleanup(c.stopSending)
	return c
}

func (c *pubClient) addTrack(track *webrtc.TrackLocalStaticSample) {
	tr, err := c.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		c.t.Fatal(err)
	}
	sender := tr.Sender()
	c.wg.Go(func() {
		for {
			pkts, _, err := sender.ReadRTCP()
			if err != nil {
				return
			}
			for _, p := range pkts {
				switch p := p.(type) {
				case *rtcp.PictureLossIndication:
					c.plis.Add(1)
				case *rtcp.ReceiverEstimatedMaximumBitrate:
					c.remb.Store(uint64(p.Bitrate))
				}
			}
		}
	})
}

// startSending plays the fixtures until stopSending.
func (c *pubClient) startSending() {
	frames, opus := fixtures(c.t)
	if c.video != nil {
		c.wg.Go(func() { play(c.stop, c.video, frames, time.Second/15) })
	}
	if c.audio != nil {
		c.wg.Go(func() { play(c.stop, c.audio, opus, 20*time.Millisecond) })
	}
}

func play(stop <-chan struct{}, track *webrtc.TrackLocalStaticSample, samples [][]byte, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		if err := track.WriteSample(media.Sample{Data: samples[i%len(samples)], Duration: every}); err != nil {
			return
		}
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

func (c *pubClient) stopSending() { c.stopOnce.Do(func() { close(c.stop) }) }

// subClient receives and checks what it gets.
type subClient struct {
	*clientPeer
	audio, video *streamCheck
}

// streamCheck records one received track.
type streamCheck struct {
	mu            sync.Mutex
	mime          string
	packets       int
	frames        int // VP8 frames: packets with the marker bit
	firstKeyframe bool
	ssrcs         map[uint32]bool
	seen          map[int64]bool // extended sequence numbers
	lastSeq       uint16
	lastExt       int64
	lastTS        uint32
	tsBackwards   int
}

func newSubClient(t *testing.T, api *webrtc.API, withAudio, withVideo bool) *subClient {
	t.Helper()
	c := &subClient{clientPeer: newClientPeer(t, api), audio: &streamCheck{}, video: &streamCheck{}}
	for _, k := range []struct {
		kind webrtc.RTPCodecType
		want bool
	}{{webrtc.RTPCodecTypeAudio, withAudio}, {webrtc.RTPCodecTypeVideo, withVideo}} {
		if !k.want {
			continue
		}
		if _, err := c.pc.AddTransceiverFromKind(k.kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	c.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		check := c.audio
		if track.Kind() == webrtc.RTPCodecTypeVideo {
			check = c.video
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
	return c
}

func (s *streamCheck) record(ssrc uint32, seq uint16, ts uint32, marker bool, payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ssrcs == nil {
		s.ssrcs = map[uint32]bool{}
		s.seen = map[int64]bool{}
		s.firstKeyframe = IsKeyframe(s.mime, payload)
		s.lastSeq, s.lastExt, s.lastTS = seq, 1<<20, ts
	}
	s.ssrcs[ssrc] = true
	ext := s.lastExt + int64(int16(seq-s.lastSeq))
	if ext > s.lastExt {
		s.lastSeq, s.lastExt = seq, ext
		if int32(ts-s.lastTS) < 0 {
			s.tsBackwards++
		}
		s.lastTS = ts
	}
	if !s.seen[ext] {
		s.seen[ext] = true
		s.packets++
		if marker {
			s.frames++
		}
	}
}

type checkSnapshot struct {
	packets, frames, holes, ssrcs, tsBackwards int
	firstKeyframe                              bool
}

func (s *streamCheck) snapshot() checkSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := checkSnapshot{packets: s.packets, frames: s.frames, ssrcs: len(s.ssrcs), firstKeyframe: s.firstKeyframe, tsBackwards: s.tsBackwards}
	if len(s.seen) > 0 {
		lo, hi := int64(1<<62), int64(-1<<62)
		for ext := range s.seen {
			lo, hi = min(lo, ext), max(hi, ext)
		}
		snap.holes = int(hi-lo+1) - len(s.seen)
	}
	return snap
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// publishClient runs the publish handshake for c and returns the Publisher
// and the sinks its callbacks feed.
func publishClient(t *testing.T, ctx context.Context, e *Engine, c *pubClient, req PublishRequest) (*Publisher, *stateSink, *candidateSink) {
	t.Helper()
	cands := &candidateSink{}
	states := &stateSink{}
	req.Offer = c.offer()
	req.OnCandidate = cands.add
	req.OnState = states.add
	if req.StreamID == "" {
		req.StreamID = "str_CAM_test_con_A"
	}
	p, answer, err := e.Publish(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "a=recvonly") && !req.Loopback {
		t.Fatalf("answer is not recvonly:\n%s", answer)
	}
	eventually(t, 2*time.Second, "trickled candidates", func() bool { return len(cands.list()) > 0 })
	checkTrickled(t, cands.list())
	c.applyAnswer(answer, cands.list())
	for _, cand := range c.localCandidates() {
		if err := p.AddCandidate(cand); err != nil {
			t.Fatal(err)
		}
	}
	return p, states, cands
}

// subscribeClient runs the subscribe handshake for c.
func subscribeClient(t *testing.T, ctx context.Context, p *Publisher, c *subClient, id string) (*Subscriber, *stateSink) {
	t.Helper()
	cands := &candidateSink{}
	states := &stateSink{}
	s, answer, err := p.Subscribe(ctx, SubscribeRequest{SubscriberID: id, Offer: c.offer(), OnCandidate: cands.add, OnState: states.add})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "a=sendonly") {
		t.Fatalf("answer is not sendonly:\n%s", answer)
	}
	eventually(t, 2*time.Second, "trickled candidates", func() bool { return len(cands.list()) > 0 })
	checkTrickled(t, cands.list())
	c.applyAnswer(answer, cands.list())
	for _, cand := range c.localCandidates() {
		if err := s.AddCandidate(cand); err != nil {
			t.Fatal(err)
		}
	}
	return s, states
}

// checkTrickled: server candidates name the bundled m-line (mid "0", index
// 0) and are never the end-of-gathering marker (protocol §5.4).
func checkTrickled(t *testing.T, cands []Candidate) {
	t.Helper()
	for _, c := range cands {
		if !strings.HasPrefix(c.Candidate, "candidate:") || c.SDPMid != "0" || c.SDPMLineIndex != 0 {
			t.Errorf("trickled candidate %+v", c)
		}
	}
}
