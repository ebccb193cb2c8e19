package media

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit/pionpeer"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// probeClient is a "browser" that can use UDP and TCP and offers one data
// channel with its candidates in the SDP (no trickle).
func probeClient(t *testing.T) (*webrtc.PeerConnection, *webrtc.DataChannel, string) {
	t.Helper()
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeTCP4})
	se.LoggerFactory = pionLoggerFactory{log: discardLogger()}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(&webrtc.MediaEngine{}), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	dc, err := pc.CreateDataChannel("probe", nil)
	if err != nil {
		t.Fatal(err)
	}
	return pc, dc, pionpeer.GatheredOffer(t, pc, 5*time.Second)
}

func candidateTransports(sdp string) map[string]int {
	out := map[string]int{}
	for _, l := range strings.Split(sdp, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "a=candidate:"); ok {
			out[strings.ToLower(strings.Fields(rest)[2])]++
		}
	}
	return out
}

// A probe per transport: the answer offers only that transport, the
// channel opens over it and echoes; closing the browser side ends it.
func TestProbeEchoesOverEachTransport(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t, func(c *Config) { c.TCPPort = 0 })
	for _, tr := range []ProbeTransport{ProbeUDP, ProbeTCP} {
		t.Run(string(tr), func(t *testing.T) {
			pc, dc, offer := probeClient(t)
			answer, err := e.Probe(ctx, offer, tr, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got := candidateTransports(answer); len(got) != 1 || got[string(tr)] == 0 {
				t.Fatalf("answer candidates by transport %v, want only %s", got, tr)
			}
			echoed := make(chan string, 1)
			dc.OnMessage(func(m webrtc.DataChannelMessage) { echoed <- string(m.Data) })
			dc.OnOpen(func() { _ = dc.SendText("ping 1") })
			if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-echoed:
				if got != "ping 1" {
					t.Fatalf("echo %q", got)
				}
			case <-ctx.Done():
				t.Fatal("no echo")
			}
			pair, err := pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
			if err != nil || pair == nil || strings.ToLower(pair.Remote.Protocol.String()) != string(tr) {
				t.Fatalf("selected pair %v (%v), want %s", pair, err, tr)
			}
			if e.Probes() != 1 {
				t.Fatalf("%d probes open", e.Probes())
			}
			_ = pc.Close()
			eventually(t, mediaTimeout, "the probe closed with its browser", func() bool { return e.Probes() == 0 })
		})
	}
}

// Probes end on their own: at the end of their lifetime, and all at
// once when the engine closes. Bad offers are refused and leave nothing.
func TestProbeLifetimeAndRefusals(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t) // ICE-TCP disabled
	_, _, offer := probeClient(t)
	if _, err := e.Probe(ctx, offer, ProbeUDP, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	eventually(t, mediaTimeout, "the probe closed at the end of its lifetime", func() bool { return e.Probes() == 0 })

	audioOffer := strings.Replace(offer, "m=application", "m=audio", 1)
	for _, c := range []struct {
		offer string
		tr    ProbeTransport
		want  error
	}{
		{"not sdp", ProbeUDP, ErrBadSDP},
		{audioOffer, ProbeUDP, ErrBadSDP},
		{offer + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n", ProbeUDP, ErrBadSDP},
		{offer, "sctp", ErrBadSDP},
		{offer, ProbeTCP, ErrConfig},
	} {
		if _, err := e.Probe(ctx, c.offer, c.tr, time.Minute); !errors.Is(err, c.want) {
			t.Errorf("Probe(%.20q, %s) = %v, want %v", c.offer, c.tr, err, c.want)
		}
	}
	if n := e.Probes(); n != 0 {
		t.Fatalf("%d probes left by refusals", n)
	}

	_, _, offer = probeClient(t)
	if _, err := e.Probe(ctx, offer, ProbeAll, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if n := e.Probes(); n != 0 {
		t.Fatalf("%d probes left after Close", n)
	}
	if _, err := e.Probe(context.Background(), offer, ProbeUDP, time.Minute); !errors.Is(err, ErrClosed) {
		t.Fatalf("Probe after Close: %v", err)
	}
}
