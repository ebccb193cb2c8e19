package rtcclient

import (
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/logging"
	"github.com/pion/rtcp"
	"github.com/pion/sdp/v3"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"
)

// API is the process-wide Pion API every Client shares: one SettingEngine,
// one MediaEngine (VP8 + Opus, as a browser offers them) and one
// interceptor chain (NACK generator and responder, RTCP reports, TWCC
// sequence numbers on what we publish, and a counter of the NACKs and PLIs
// we send). One API per process, not per PeerConnection.
type API struct {
	api      *webrtc.API
	loopback bool
	counters sync.Map   // PeerConnection id → *rtcpCounts
	mux      ice.UDPMux // loopback: one socket for every PeerConnection
}

// APIOptions tune NewAPI.
type APIOptions struct {
	// LoopbackOnly gathers loopback candidates only (the default for a
	// server on 127.0.0.0/8): media never leaves the host.
	LoopbackOnly bool
	// NoTWCC leaves out the transport-wide sequence numbers that browsers
	// put on what they publish (and the server's feedback for them).
	NoTWCC bool
	// H264 also offers H.264 (constrained baseline, packetization-mode 1)
	// to receive, after VP8: for streams that are H.264 only (an IP
	// camera passed through). Publishing stays VP8.
	H264   bool
	Logger *slog.Logger
}

// socketBuffer is SO_RCVBUF/SO_SNDBUF of our sockets (capped by
// net.core.rmem_max / wmem_max).
const socketBuffer = 4 << 20

// Close releases what the API holds (nothing today: each PeerConnection
// closes its own sockets); close every Client first.
func (a *API) Close() error { return nil }

// bufferedNet is the standard network with deep UDP socket buffers.
type bufferedNet struct{ *stdnet.Net }

func (n bufferedNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err == nil {
		_ = c.SetReadBuffer(socketBuffer)
		_ = c.SetWriteBuffer(socketBuffer)
	}
	return c, err
}

// rtcpCounts are the RTCP feedback packets one PeerConnection sent.
type rtcpCounts struct{ nacks, plis atomic.Uint64 }

// NewAPI builds the shared API.
func NewAPI(opts APIOptions) (*API, error) {
	a := &API{loopback: opts.LoopbackOnly}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	if opts.LoopbackOnly {
		se.SetIncludeLoopbackCandidate(true)
		se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
		// Deep socket buffers: hundreds of sockets with the default 208 KiB
		// overflow as soon as the load generator is descheduled for a
		// moment, and the loss would be blamed on the server. (One shared
		// UDP mux cannot work here: every PeerConnection talks to the same
		// server address, which is how a mux tells them apart.)
		std, err := stdnet.NewNet()
		if err != nil {
			return nil, fmt.Errorf("rtcclient: network: %w", err)
		}
		se.SetNet(bufferedNet{std})
	}
	// Pion's own logs (TURN refresh races at teardown and the like) would
	// interleave with the load tester's progress line.
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	se.LoggerFactory = lf

	me := &webrtc.MediaEngine{}
	fb := []webrtc.RTCPFeedback{
		{Type: webrtc.TypeRTCPFBGoogREMB}, {Type: webrtc.TypeRTCPFBCCM, Parameter: "fir"},
		{Type: webrtc.TypeRTCPFBNACK}, {Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"},
	}
	if !opts.NoTWCC {
		fb = append(fb, webrtc.RTCPFeedback{Type: webrtc.TypeRTCPFBTransportCC})
	}
	codecs := []struct {
		c    webrtc.RTPCodecParameters
		kind webrtc.RTPCodecType
	}{
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1",
		}, PayloadType: 111}, webrtc.RTPCodecTypeAudio},
		{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb,
		}, PayloadType: 96}, webrtc.RTPCodecTypeVideo},
	}
	if opts.H264 {
		codecs = append(codecs, struct {
			c    webrtc.RTPCodecParameters
			kind webrtc.RTPCodecType
		}{webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
			MimeType: webrtc.MimeTypeH264, ClockRate: 90000, RTCPFeedback: fb,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
		}, PayloadType: 102}, webrtc.RTPCodecTypeVideo})
	}
	for _, c := range codecs {
		if err := me.RegisterCodec(c.c, c.kind); err != nil {
			return nil, fmt.Errorf("rtcclient: codec: %w", err)
		}
	}
	for _, kind := range []webrtc.RTPCodecType{webrtc.RTPCodecTypeAudio, webrtc.RTPCodecTypeVideo} {
		if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.SDESMidURI}, kind); err != nil {
			return nil, fmt.Errorf("rtcclient: mid extension: %w", err)
		}
	}

	ir := &interceptor.Registry{}
	// First in the chain, nearest the wire: it sees the generator's NACKs
	// as well as the PLIs we write ourselves.
	ir.Add(&rtcpCounterFactory{api: a})
	// Like libwebrtc, give up on a packet after a few NACKs: unlimited
	// retries turn a starved receiver into a retransmission storm.
	gen, err := nack.NewGeneratorInterceptor(nack.GeneratorMaxNacksPerPacket(5))
	if err != nil {
		return nil, err
	}
	resp, err := nack.NewResponderInterceptor()
	if err != nil {
		return nil, err
	}
	ir.Add(gen)
	ir.Add(resp)
	if err := webrtc.ConfigureRTCPReports(ir); err != nil {
		return nil, err
	}
	if !opts.NoTWCC {
		if err := webrtc.ConfigureTWCCHeaderExtensionSender(me, ir); err != nil {
			return nil, err
		}
	}
	a.api = webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))
	return a, nil
}

func (a *API) newPeerConnection(cfg webrtc.Configuration) (*webrtc.PeerConnection, *rtcpCounts, error) {
	pc, err := a.api.NewPeerConnection(cfg)
	if err != nil {
		return nil, nil, err
	}
	c, _ := a.counters.Load(pc.ID())
	counts, _ := c.(*rtcpCounts)
	if counts == nil {
		counts = &rtcpCounts{}
	}
	return pc, counts, nil
}

func (a *API) forget(pc *webrtc.PeerConnection) { a.counters.Delete(pc.ID()) }

// rtcpCounterFactory makes, per PeerConnection, an interceptor counting
// the NACK and PLI packets it sends.
type rtcpCounterFactory struct{ api *API }

func (f *rtcpCounterFactory) NewInterceptor(id string) (interceptor.Interceptor, error) {
	c := &rtcpCounts{}
	f.api.counters.Store(id, c)
	return &rtcpCounter{counts: c}, nil
}

type rtcpCounter struct {
	interceptor.NoOp
	counts *rtcpCounts
}

func (r *rtcpCounter) BindRTCPWriter(w interceptor.RTCPWriter) interceptor.RTCPWriter {
	return interceptor.RTCPWriterFunc(func(pkts []rtcp.Packet, attr interceptor.Attributes) (int, error) {
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.TransportLayerNack:
				r.counts.nacks.Add(1)
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				r.counts.plis.Add(1)
			}
		}
		return w.Write(pkts, attr)
	})
}
