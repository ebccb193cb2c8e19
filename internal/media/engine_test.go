package media

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

func TestConfigValidation(t *testing.T) {
	for name, cfg := range map[string]Config{
		"udp port":  {UDPPort: 70000},
		"tcp port":  {TCPPort: -2},
		"listen ip": {ListenIP: "localhost"},
		"bandwidth": {MaxRecvBandwidth: -1},
	} {
		cfg.Logger = discardLogger()
		if _, err := NewEngine(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// A taken port is a config error too.
	e := newTestEngine(t)
	cfg := Config{ListenIP: "127.0.0.1", UDPPort: e.UDPAddr().Port, TCPPort: -1, Logger: discardLogger()}
	if _, err := NewEngine(cfg); !errors.Is(err, ErrConfig) {
		t.Errorf("taken port: %v", err)
	}
}

func TestEngineAddresses(t *testing.T) {
	e := newTestEngine(t, func(c *Config) { c.TCPPort = 0 })
	if a := e.UDPAddr(); a.Port == 0 || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("UDP %v", a)
	}
	if a := e.TCPAddr(); a == nil || a.Port == 0 {
		t.Errorf("TCP %v", a)
	}
	if newTestEngine(t).TCPAddr() != nil {
		t.Error("TCP address with ICE-TCP disabled")
	}
	// All interfaces, one port: only opened and closed here (no traffic
	// may go to non-loopback addresses in tests).
	all, err := NewEngine(Config{IncludeLoopback: true, TCPPort: -1, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if all.UDPAddr().Port == 0 {
		t.Error("no port picked")
	}
	if err := all.Close(); err != nil {
		t.Fatal(err)
	}
	if err := all.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

// answerCandidates publishes a bare offer and returns the candidate lines
// of the answer.
func answerCandidates(t *testing.T, e *Engine) []string {
	t.Helper()
	c := newClientPeer(t, newClientAPI(t))
	if _, err := c.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}); err != nil {
		t.Fatal(err)
	}
	p, answer, err := e.Publish(testContext(t), PublishRequest{StreamID: "s", Offer: c.offer()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var out []string
	for _, l := range strings.Split(answer, "\r\n") {
		if strings.HasPrefix(l, "a=candidate:") {
			out = append(out, l)
		}
	}
	return out
}

func TestPublicIPsAndTCPCandidates(t *testing.T) {
	e := newTestEngine(t, func(c *Config) { c.TCPPort = 0; c.PublicIPs = []string{"203.0.113.7"} })
	cands := answerCandidates(t, e)
	var udp, tcp bool
	for _, c := range cands {
		if !strings.Contains(c, " 203.0.113.7 ") {
			t.Errorf("candidate without the public IP: %s", c)
		}
		udp = udp || strings.Contains(c, " udp ")
		tcp = tcp || strings.Contains(c, " tcp ") && strings.Contains(c, "tcptype passive")
	}
	if !udp || !tcp {
		t.Errorf("candidates %v", cands)
	}

	// localhost as the public address means "no NAT": host loopback candidates.
	local := newTestEngine(t, func(c *Config) { c.IncludeLoopback = false; c.PublicIPs = []string{"localhost", "127.0.0.1"} })
	cands = answerCandidates(t, local)
	if len(cands) == 0 || !strings.Contains(cands[0], " 127.0.0.1 ") {
		t.Errorf("localhost public address: %v", cands)
	}
}

// TestICETCP: a client that can only do TCP connects through the ICE-TCP mux.
func TestICETCP(t *testing.T) {
	ctx := testContext(t)
	e := newTestEngine(t, func(c *Config) { c.TCPPort = 0 })
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
	se.LoggerFactory = pionLoggerFactory{log: discardLogger()}
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	api := webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	c := newPubClient(t, api, false, true)
	p, states, _ := publishClient(t, ctx, e, c, PublishRequest{})
	c.startSending()
	eventually(t, mediaTimeout, "connected over TCP", func() bool { return states.has(StateConnected) })
	eventually(t, mediaTimeout, "media over TCP", func() bool { return p.Stats().PacketsReceived > 10 })
	if st := p.Stats(); !strings.Contains(st.SelectedLocalCandidate, " tcp ") {
		t.Errorf("selected %q", st.SelectedLocalCandidate)
	}
}

func TestNotifierOrder(t *testing.T) {
	var wg sync.WaitGroup
	n := newNotifier(&wg)
	var mu sync.Mutex
	var got []int
	for i := 0; i < 100; i++ {
		n.post(func() {
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
		})
	}
	n.close(func() {
		mu.Lock()
		got = append(got, -1)
		mu.Unlock()
	})
	n.post(func() { t.Error("ran after close") })
	n.close(nil)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("notifier goroutine did not stop")
	}
	if len(got) != 101 || got[100] != -1 {
		t.Fatalf("got %v", got)
	}
	for i := 0; i < 100; i++ {
		if got[i] != i {
			t.Fatalf("out of order: %v", got)
		}
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateConnected: "connected", StateDisconnected: "disconnected",
		StateFailed: "failed", StateClosed: "closed", 0: "unknown"} {
		if s.String() != want {
			t.Errorf("%d: %q", s, s.String())
		}
	}
}

func TestResolvePublicIPs(t *testing.T) {
	// Literal addresses only: a name would need DNS, which tests do not use.
	ips, loopback, failed := resolvePublicIPs(context.Background(), []string{"203.0.113.1", "", "0.0.0.0", "::1", "localhost", "2001:db8::1"})
	if len(ips) != 2 || ips[0] != "203.0.113.1" || ips[1] != "2001:db8::1" || !loopback || failed != nil {
		t.Fatalf("ips %v loopback %v failed %v", ips, loopback, failed)
	}
	if ips, loopback, _ := resolvePublicIPs(context.Background(), nil); ips != nil || loopback {
		t.Fatal("no public address")
	}
}
