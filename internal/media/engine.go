// Package media is the SFU: it terminates the browsers' PeerConnections
// (pion/webrtc v4) and forwards each published stream to its subscribers.
//
// Media path: the publisher's RTP is read by one Receiver per track
// (receiver.go), which keeps a small ring of recent video packets for NACKs
// and detects keyframes, then hands every packet to a copy-on-write slice of
// DownTracks (downtrack.go) loaded with one atomic pointer read. Each
// DownTrack runs its Forwarder (forwarder.go: SSRC, sequence and timestamp
// rewriting, keyframe wait, source switch) and writes through its own
// webrtc.TrackLocal binding. RTCP flows back: PLI/FIR from subscribers
// become rate-limited PLIs to the publisher; NACKs are answered from the
// receiver's ring (we do not register Pion's NACK responder: one shared
// ring per publisher track instead of a copy of every packet per
// subscriber, and retransmissions are rewritten like the originals).
//
// Lock order, where two are held together (outer first):
//
//	Engine.mu → Publisher.mu → Subscriber.mu → peer.mu → Receiver.mu → packetRing.mu
//
// In practice most paths take one lock at a time: state is collected under
// a lock, the lock released, and only then is Pion called or a callback
// posted. The per-packet path takes no lock of ours except packetRing.mu.
//
// For the signaling layer:
//
//   - Browsers always offer; Publish, Reconnect and Subscribe answer. The
//     answer already carries our candidates (we wait for gathering, at
//     most gatherTimeout; with the muxes it takes milliseconds), and the
//     same candidates are also trickled through OnCandidate, possibly
//     before the call returns (the browser queues them). Each names the
//     bundled m-line: SDPMid is the offer's first mid, SDPMLineIndex 0.
//     End-of-gathering is never reported.
//   - The browser's candidates go to AddCandidate once Publish/Subscribe
//     has returned (buffer earlier ones per PeerConnection, protocol §5.4).
//     "" is end-of-candidates and returns nil. During a publisher's
//     reconnection, candidates of the new PeerConnection may be passed to
//     AddCandidate before Reconnect is called: they are kept and applied.
//   - Callbacks (OnCandidate, OnState) of one Publisher or Subscriber run
//     one at a time, in order, on a goroutine of their own: never on a Pion
//     goroutine, never inside one of our calls, never under our locks. They
//     must not block (they delay that peer's next callbacks and
//     Engine.Close) and must not call Engine.Close. OnState(StateClosed) is
//     the last callback; it may come after Close has returned.
//   - All methods are safe for concurrent use. Close is idempotent; calls
//     on a closed Engine, Publisher or Subscriber return ErrClosed.
//   - Errors wrap ErrBadSDP (302 "SDP failure"), ErrUnsupportedCodec
//     (always together with ErrBadSDP), ErrNoMedia, ErrBadCandidate,
//     ErrClosed, ErrConfig; test with errors.Is.
package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/logging"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Engine owns the process-wide Pion API (one SettingEngine with the shared
// ICE muxes, one MediaEngine, one interceptor registry) and every
// PeerConnection made through it.
type Engine struct {
	cfg       Config
	log       *slog.Logger
	api       *webrtc.API
	udpMux    ice.UDPMux
	udpAddr   *net.UDPAddr
	tcpMux    ice.TCPMux // nil when ICE-TCP is disabled
	tcpAddr   *net.TCPAddr
	publicIPs []string
	pionLog   pionLoggerFactory
	flushers  []flusher // the batching UDP sockets (batchconn_linux.go)
	nacks     *nackCounter

	mu         sync.Mutex // guards closed, publishers and probes
	closed     bool
	publishers map[*Publisher]struct{}
	probes     map[*webrtc.PeerConnection]struct{} // path probes (probe.go)

	// wg counts in-flight API calls and the goroutines they start
	// (notifiers, REMB loops, PeerConnections closing in the background).
	// Goroutines are only added while a call holds a count (enter), so Add
	// never races with Close's Wait at a zero counter.
	wg sync.WaitGroup
}

// Timing constants of the media path.
const (
	pliMinInterval        = 500 * time.Millisecond // at most one PLI per publisher track per interval
	keyframeRetryInterval = time.Second            // a waiting DownTrack asks again this often
	rembInterval          = time.Second
	gatherTimeout         = 2 * time.Second // wait for our (host-only) candidates before answering
	videoRingSize         = 512             // packets kept per video track for NACKs
)

// NewEngine opens the ICE sockets and builds the Pion API.
func NewEngine(cfg Config) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "media")
	e := &Engine{
		cfg: cfg, log: log, publishers: map[*Publisher]struct{}{}, probes: map[*webrtc.PeerConnection]struct{}{},
		pionLog: pionLoggerFactory{log: log},
	}
	ips, sawLoopback, failed := resolvePublicIPs(context.Background(), cfg.PublicIPs)
	for _, err := range failed {
		log.Warn("not advertising a public address; browsers behind NAT may not reach us", "err", err)
	}
	e.publicIPs = ips
	includeLoopback := cfg.IncludeLoopback || sawLoopback

	if err := e.listenUDP(includeLoopback); err != nil {
		return nil, err
	}
	if cfg.TCPPort >= 0 {
		if err := e.listenTCP(); err != nil {
			_ = e.udpMux.Close()
			return nil, err
		}
	}
	api, err := e.buildAPI(includeLoopback)
	if err != nil {
		e.closeMuxes()
		return nil, err
	}
	e.api = api
	e.log.Info("media engine started", "udp", e.udpAddr.String(), "tcp", e.tcpAddrString(),
		"publicIPs", ips, "loopback", includeLoopback)
	return e, nil
}

func (e *Engine) listenUDP(includeLoopback bool) error {
	pionLog := e.pionLog.NewLogger("udpmux")
	if ip := net.ParseIP(e.cfg.ListenIP); ip != nil && !ip.IsUnspecified() {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: e.cfg.UDPPort})
		if err != nil {
			return fmt.Errorf("%w: ICE UDP port: %w", ErrConfig, err)
		}
		e.udpAddr = conn.LocalAddr().(*net.UDPAddr)
		deepenBuffers(conn)
		// Writes go out in sendmmsg batches (batchconn_linux.go).
		e.udpMux = webrtc.NewICEUDPMux(pionLog, e.batching(newBatchConn(conn)))
		return nil
	}
	// All interfaces: one socket per local address on the same port, so
	// that replies leave from the address the browser sent to (what
	// ice.NewMultiUDPMuxFromPort does, with our batching sockets).
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port := e.cfg.UDPPort
		if port == 0 {
			p, err := freeUDPPort()
			if err != nil {
				return fmt.Errorf("%w: ICE UDP port: %w", ErrConfig, err)
			}
			port = p
		}
		mux, err := listenAllInterfaces(port, includeLoopback, pionLog, e.batching)
		if err == nil {
			e.udpMux = mux
			e.udpAddr = &net.UDPAddr{IP: net.IPv4zero, Port: port}
			return nil
		}
		lastErr = err
		if e.cfg.UDPPort != 0 {
			break
		}
	}
	return fmt.Errorf("%w: ICE UDP port: %w", ErrConfig, lastErr)
}

// listenAllInterfaces binds port on every IPv4 address of the host's up
// interfaces (loopback only when includeLoopback) and muxes them.
func listenAllInterfaces(port int, includeLoopback bool, log logging.LeveledLogger, wrap func(net.PacketConn) net.PacketConn) (ice.UDPMux, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var conns []*net.UDPConn
	closeAll := func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || (iface.Flags&net.FlagLoopback != 0 && !includeLoopback) {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.To4() == nil || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			if ipn.IP.IsLoopback() && !includeLoopback {
				continue
			}
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: ipn.IP, Port: port})
			if err != nil {
				closeAll()
				return nil, err
			}
			deepenBuffers(c)
			conns = append(conns, c)
		}
	}
	if len(conns) == 0 {
		return nil, errors.New("no IPv4 address to listen on")
	}
	muxes := make([]ice.UDPMux, 0, len(conns))
	for _, c := range conns {
		muxes = append(muxes, ice.NewUDPMuxDefault(ice.UDPMuxParams{Logger: log, UDPConn: wrap(newBatchConn(c))}))
	}
	return ice.NewMultiUDPMuxDefault(muxes...), nil
}

// socketBuffer is asked for SO_RCVBUF and SO_SNDBUF of the ICE socket:
// every publisher's packets and every subscriber's RTCP arrive on it, and
// the 208 KiB default overflows after a few milliseconds of scheduling
// delay under load. The kernel caps it at net.core.rmem_max/wmem_max.
const socketBuffer = 4 << 20

func deepenBuffers(c *net.UDPConn) {
	_ = c.SetReadBuffer(socketBuffer)
	_ = c.SetWriteBuffer(socketBuffer)
}

// flusher is a socket whose queued writes Flush sends; Hold announces
// writes that a Flush will follow.
type flusher interface {
	Hold()
	Flush()
}

// batching remembers c when it batches writes, for flushWrites.
func (e *Engine) batching(c net.PacketConn) net.PacketConn {
	if f, ok := c.(flusher); ok {
		e.flushers = append(e.flushers, f)
	}
	return c
}

// holdWrites starts a packet's fan-out: its writes wait for flushWrites.
// e.flushers is set before any PeerConnection exists, read-only after.
func (e *Engine) holdWrites() {
	for _, f := range e.flushers {
		f.Hold()
	}
}

// flushWrites sends what the calling goroutine queued (the end of a
// packet's fan-out).
func (e *Engine) flushWrites() {
	for _, f := range e.flushers {
		f.Flush()
	}
}

func freeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

func (e *Engine) listenTCP() error {
	addr := net.JoinHostPort(e.cfg.ListenIP, strconv.Itoa(e.cfg.TCPPort))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%w: ICE TCP port: %w", ErrConfig, err)
	}
	e.tcpAddr = l.Addr().(*net.TCPAddr)
	e.tcpMux = webrtc.NewICETCPMux(e.pionLog.NewLogger("tcpmux"), l, 32)
	return nil
}

func (e *Engine) tcpAddrString() string {
	if e.tcpAddr == nil {
		return "disabled"
	}
	return e.tcpAddr.String()
}

func (e *Engine) buildAPI(includeLoopback bool) (*webrtc.API, error) {
	se := webrtc.SettingEngine{LoggerFactory: e.pionLog}
	// Browsers hide their host addresses behind mDNS names; we need not
	// resolve them (the browser reaches our candidates and we learn its
	// address as peer-reflexive), and we must not multicast.
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(includeLoopback)
	se.SetICEUDPMux(e.udpMux)
	// Retransmissions answering our NACKs may arrive well behind the newest
	// packet: widen the SRTP replay window from its default of 64.
	se.SetSRTPReplayProtectionWindow(1024)
	networks := []webrtc.NetworkType{webrtc.NetworkTypeUDP4}
	if e.cfg.listenIPv6() {
		networks = []webrtc.NetworkType{webrtc.NetworkTypeUDP6}
	}
	if e.tcpMux != nil {
		se.SetICETCPMux(e.tcpMux)
		se.DisableActiveTCP(true) // a server only accepts
		if e.cfg.listenIPv6() {
			networks = append(networks, webrtc.NetworkTypeTCP6)
		} else {
			networks = append(networks, webrtc.NetworkTypeTCP4)
		}
	}
	se.SetNetworkTypes(networks)
	if len(e.publicIPs) > 0 {
		if err := se.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External:        e.publicIPs,
			AsCandidateType: webrtc.ICECandidateTypeHost,
			Mode:            webrtc.ICEAddressRewriteReplace,
		}); err != nil {
			return nil, fmt.Errorf("%w: public IPs: %w", ErrConfig, err)
		}
	}

	me := &webrtc.MediaEngine{}
	if err := registerCodecs(me); err != nil {
		return nil, err
	}
	ir := &interceptor.Registry{}
	// First in the chain, nearest the wire: it sees the generator's NACKs.
	e.nacks = &nackCounter{}
	ir.Add(e.nacks)
	if err := registerInterceptors(me, ir); err != nil {
		return nil, err
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me),
		webrtc.WithInterceptorRegistry(ir)), nil
}

// registerCodecs: Opus, VP8, VP9 and H264, the codecs OpenVidu browsers
// publish. Payload types only matter in offers we make (we answer with the
// browser's); no RTX: retransmissions go on the media SSRC.
func registerCodecs(me *webrtc.MediaEngine) error {
	videoFeedback := []webrtc.RTCPFeedback{
		{Type: webrtc.TypeRTCPFBGoogREMB},
		{Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"},
		{Type: webrtc.TypeRTCPFBNACK},
		{Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"},
	}
	audio := []webrtc.RTPCodecParameters{{
		RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1",
		},
		PayloadType: 111,
	}}
	h264 := func(pt webrtc.PayloadType, profile string) webrtc.RTPCodecParameters {
		return webrtc.RTPCodecParameters{
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
				SDPFmtpLine:  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=" + profile,
				RTCPFeedback: videoFeedback,
			},
			PayloadType: pt,
		}
	}
	video := []webrtc.RTPCodecParameters{
		{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFeedback},
			PayloadType:        96,
		},
		{
			RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0", RTCPFeedback: videoFeedback},
			PayloadType:        98,
		},
		h264(102, "42001f"),
		h264(108, "42e01f"),
		h264(123, "4d001f"),
		h264(112, "64001f"),
	}
	for _, c := range audio {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return fmt.Errorf("media: register %s: %w", c.MimeType, err)
		}
	}
	for _, c := range video {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return fmt.Errorf("media: register %s: %w", c.MimeType, err)
		}
	}
	// The mid header extension lets Pion route packets of browsers that do
	// not announce their SSRCs.
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.SDESMidURI}, kind); err != nil {
			return fmt.Errorf("media: register mid extension: %w", err)
		}
	}
	return nil
}

// registerInterceptors: NACK generator (we ask publishers to resend what
// we lost), RTCP sender/receiver reports, TWCC feedback to publishers (their
// congestion control runs on it). Subscribers' NACKs are answered from our
// ring, see the package comment. Not Pion's stats interceptor: it locks,
// clones the header and reads the clock on every packet both ways, and
// the one figure we showed from it (NACKs sent) is counted by nackCounter.
func registerInterceptors(me *webrtc.MediaEngine, ir *interceptor.Registry) error {
	gen, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return fmt.Errorf("media: nack generator: %w", err)
	}
	ir.Add(gen)
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return fmt.Errorf("media: rtcp reports: %w", err)
	}
	if err := webrtc.ConfigureTWCCSender(me, ir); err != nil {
		return fmt.Errorf("media: twcc: %w", err)
	}
	return nil
}

// UDPAddr is the ICE UDP mux address (IP 0.0.0.0 when listening on all interfaces).
func (e *Engine) UDPAddr() *net.UDPAddr {
	a := *e.udpAddr
	return &a
}

// TCPAddr is the ICE-TCP mux address, nil when disabled.
func (e *Engine) TCPAddr() *net.TCPAddr {
	if e.tcpAddr == nil {
		return nil
	}
	a := *e.tcpAddr
	return &a
}

// enter counts an API call in progress; false once the engine is closed.
// Every successful enter is paired with e.wg.Done().
func (e *Engine) enter() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.wg.Add(1)
	return true
}

func (e *Engine) addPublisher(p *Publisher) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.publishers[p] = struct{}{}
	return true
}

func (e *Engine) removePublisher(p *Publisher) {
	e.mu.Lock()
	delete(e.publishers, p)
	e.mu.Unlock()
}

// newPeerConnection makes a PeerConnection with the shared API; nacksSent
// of its peer is taken from e.nacks by newPeer.
func (e *Engine) newPeerConnection() (*webrtc.PeerConnection, error) {
	pc, err := e.api.NewPeerConnection(webrtc.Configuration{
		BundlePolicy:  webrtc.BundlePolicyMaxBundle,
		RTCPMuxPolicy: webrtc.RTCPMuxPolicyRequire,
	})
	if err != nil {
		return nil, fmt.Errorf("media: new PeerConnection: %w", err)
	}
	return pc, nil
}

// Close closes every publisher (and so every subscriber), waits for all
// goroutines the engine started, then closes the ICE muxes. Calls made
// after Close return ErrClosed.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	pubs := make([]*Publisher, 0, len(e.publishers))
	for p := range e.publishers {
		pubs = append(pubs, p)
	}
	probes := make([]*webrtc.PeerConnection, 0, len(e.probes))
	for pc := range e.probes {
		probes = append(probes, pc)
	}
	e.mu.Unlock()

	for _, p := range pubs {
		_ = p.Close()
	}
	for _, pc := range probes {
		e.closeProbe(pc)
	}
	e.wg.Wait()
	return e.closeMuxes()
}

func (e *Engine) closeMuxes() error {
	var errs []error
	if e.tcpMux != nil {
		errs = append(errs, e.tcpMux.Close())
	}
	if e.udpMux != nil {
		errs = append(errs, e.udpMux.Close())
	}
	return errors.Join(errs...)
}
