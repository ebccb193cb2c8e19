package doctor

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	pionturn "github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/rtcclient"
)

// mediaProbe joins a throw-away session the way a browser does and tests
// what a browser needs: signaling, TURN, media over direct ICE and via TURN.
type mediaProbe struct {
	o       Options
	u       *url.URL
	session string
	api     *rtcclient.API
	clients []*rtcclient.Client
	pub     *rtcclient.Publication
	ice     []webrtc.ICEServer
}

func newMediaProbe(o Options, u *url.URL) *mediaProbe {
	return &mediaProbe{o: o, u: u, session: "govidu-doctor-" + core.NewSecret(6)}
}

func (m *mediaProbe) client(ctx context.Context, policy webrtc.ICETransportPolicy) (*rtcclient.Client, error) {
	if m.api == nil {
		api, err := rtcclient.NewAPI(rtcclient.APIOptions{LoopbackOnly: isLoopbackHost(m.u.Hostname())})
		if err != nil {
			return nil, err
		}
		m.api = api
	}
	tok, err := rtcclient.GetToken(ctx, m.o.HTTPClient, m.u.String(), m.o.Secret, rtcclient.TokenRequest{SessionID: m.session, Data: "govidu doctor"})
	if err != nil {
		return nil, err
	}
	c, err := rtcclient.Join(ctx, tok, rtcclient.Options{API: m.api, HTTPClient: m.o.HTTPClient, ICETransportPolicy: policy, Metadata: "govidu doctor"})
	if err != nil {
		return nil, err
	}
	m.clients = append(m.clients, c)
	return c, nil
}

func (m *mediaProbe) join(ctx context.Context) Check {
	c := Check{Name: "signaling"}
	ctx, cancel := context.WithTimeout(ctx, m.o.Timeout)
	defer cancel()
	start := time.Now()
	cl, err := m.client(ctx, webrtc.ICETransportPolicyAll)
	if err != nil {
		c.Detail = "joinRoom over the WebSocket failed: " + err.Error()
		c.Fix = "the WebSocket at /openvidu must be reachable (a proxy must pass Upgrade headers)"
		return c
	}
	m.ice = cl.Joined().IceServers
	c.OK = true
	c.Detail = fmt.Sprintf("joined %s in %d ms", m.session, time.Since(start).Milliseconds())
	return c
}

// turn allocates a relay on every TURN URL announced in joinRoom.
func (m *mediaProbe) turn(ctx context.Context) Check {
	c := Check{Name: "TURN"}
	var done, failed []string
	for _, s := range m.ice {
		user := s.Username
		pass, _ := s.Credential.(string)
		for _, raw := range s.URLs {
			if !strings.HasPrefix(raw, "turn:") {
				continue
			}
			if err := allocate(ctx, raw, user, pass, m.o.Timeout); err != nil {
				failed = append(failed, raw+": "+err.Error())
			} else {
				done = append(done, raw)
			}
		}
	}
	switch {
	case len(done) == 0 && len(failed) == 0:
		c.OK, c.Warn = true, true
		c.Detail = "no TURN server is announced: browsers behind UDP-blocking firewalls cannot connect"
		c.Fix = "enable the embedded TURN (GOVIDU_TURN=true) or set OPENVIDU_WEBRTC_ICE_SERVERS"
	case len(failed) > 0:
		c.Detail = "allocation failed: " + strings.Join(failed, "; ")
		c.Fix = "open COTURN_PORT (UDP and TCP) in the firewall and check DOMAIN_OR_PUBLIC_IP"
	default:
		c.OK = true
		c.Detail = "relay allocated on " + strings.Join(done, ", ")
	}
	return c
}

func allocate(ctx context.Context, raw, user, pass string, timeout time.Duration) error {
	hostport, query, _ := strings.Cut(strings.TrimPrefix(raw, "turn:"), "?")
	var conn net.PacketConn
	if query == "transport=tcp" {
		d := net.Dialer{Timeout: timeout}
		tc, err := d.DialContext(ctx, "tcp", hostport)
		if err != nil {
			return err
		}
		conn = pionturn.NewSTUNConn(tc)
	} else {
		uc, err := net.ListenPacket("udp4", "0.0.0.0:0")
		if err != nil {
			return err
		}
		conn = uc
	}
	defer conn.Close()
	client, err := pionturn.NewClient(&pionturn.ClientConfig{
		STUNServerAddr: hostport, TURNServerAddr: hostport, Username: user, Password: pass, Conn: conn,
	})
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.Listen(); err != nil {
		return err
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	relay, err := client.AllocateWithContext(actx)
	if err != nil {
		return err
	}
	return relay.Close()
}

// publish sends real VP8 + Opus with direct ICE (UDP host candidates).
func (m *mediaProbe) publish(ctx context.Context) Check {
	c := Check{Name: "media (direct ICE)"}
	ctx, cancel := context.WithTimeout(ctx, m.o.Timeout)
	defer cancel()
	pub, err := m.clients[0].Publish(ctx, rtcclient.PublishOptions{Audio: true, Video: true})
	if err == nil {
		err = pub.WaitConnected(ctx)
	}
	if err != nil {
		c.Detail = "publishing failed: " + errText(err)
		c.Fix = "open GOVIDU_RTC_UDP_PORT (UDP) and GOVIDU_RTC_TCP_PORT (TCP) and check DOMAIN_OR_PUBLIC_IP is this server's public address"
		return c
	}
	m.pub = pub
	c.OK = true
	c.Detail = "connected " + pairText(pub.SelectedCandidatePair())
	return c
}

// relay subscribes from a relay-only client: media through the TURN server.
func (m *mediaProbe) relay(ctx context.Context) Check {
	c := Check{Name: "media (TURN relay)"}
	if len(m.ice) == 0 {
		c.OK, c.Warn = true, true
		c.Detail = "skipped: no TURN server announced"
		return c
	}
	ctx, cancel := context.WithTimeout(ctx, m.o.Timeout)
	defer cancel()
	cl, err := m.client(ctx, webrtc.ICETransportPolicyRelay)
	if err != nil {
		c.Detail = "second participant could not join: " + errText(err)
		return c
	}
	stream := rtcclient.Stream{ID: m.pub.StreamID(), ConnectionID: m.clients[0].ConnectionID(), HasAudio: true, HasVideo: true, AudioActive: true, VideoActive: true}
	sub, err := cl.Subscribe(ctx, stream)
	if err == nil {
		err = sub.WaitKeyframe(ctx)
	}
	if err != nil {
		c.Detail = "no video through the relay: " + errText(err)
		c.Fix = "open COTURN_PORT (UDP and TCP); the TURN server must reach GOVIDU_RTC_UDP_PORT on this host"
		return c
	}
	c.OK = true
	c.Detail = "keyframe received " + pairText(sub.SelectedCandidatePair())
	return c
}

func (m *mediaProbe) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range m.clients {
		_ = c.Leave(ctx)
	}
	if len(m.clients) > 0 {
		// Leaving closes the session; delete it in case a leave was lost.
		_, _, _ = del(ctx, m.o, m.u, "/openvidu/api/sessions/"+m.session)
	}
}

func pairText(p *webrtc.ICECandidatePair) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("via %s %s:%d ⇄ %s %s:%d", p.Local.Typ, p.Local.Address, p.Local.Port, p.Remote.Typ, p.Remote.Address, p.Remote.Port)
}

func errText(err error) string {
	if err == context.DeadlineExceeded {
		return "timed out"
	}
	return err.Error()
}
