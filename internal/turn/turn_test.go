package turn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	pionturn "github.com/pion/turn/v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var loopback = net.ParseIP("127.0.0.1")

func startServer(t *testing.T, tlsCfg *tls.Config, peers ...net.IP) *Server {
	t.Helper()
	s, err := New(Config{ListenIP: "127.0.0.1", PublicIP: loopback, AllowedPeers: peers, TLS: tlsCfg, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func newClient(t *testing.T, conn net.PacketConn, server, user, pass string) *pionturn.Client {
	t.Helper()
	c, err := pionturn.NewClient(&pionturn.ClientConfig{
		STUNServerAddr: server, TURNServerAddr: server, Username: user, Password: pass, Realm: Realm, Conn: conn,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// relayRoundTrip allocates a relay, sends a datagram to a peer socket and
// checks it arrives from the relay address, then answers back.
func relayRoundTrip(t *testing.T, c *pionturn.Client) {
	t.Helper()
	relay, err := c.Allocate()
	if err != nil {
		t.Fatalf("allocate: %v", err)
	}
	defer relay.Close()
	peer, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if _, err := relay.WriteTo([]byte("ping"), peer.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, from, err := peer.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("peer got %q %v", buf[:n], err)
	}
	if from.String() != relay.LocalAddr().String() {
		t.Fatalf("datagram came from %v, relay is %v", from, relay.LocalAddr())
	}
	// The answer may race the client's channel binding (pion's client drops
	// ChannelData for a channel it has not confirmed yet), so the peer
	// repeats it, like any UDP application would: bounded to 5 s.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := peer.WriteTo([]byte("pong"), from); err != nil {
			t.Fatal(err)
		}
		_ = relay.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _, err = relay.ReadFrom(buf)
		if err == nil && string(buf[:n]) == "pong" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("client got %q %v", buf[:n], err)
		}
	}
}

func TestRelayOverUDP(t *testing.T) {
	s := startServer(t, nil, loopback)
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	u, p := s.Credentials("con_Test")
	relayRoundTrip(t, newClient(t, conn, s.UDPAddr().String(), u, p))
}

func TestRelayOverTCP(t *testing.T) {
	s := startServer(t, nil, loopback)
	tcp, err := net.Dial("tcp4", s.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	u, p := s.Credentials("con_Test")
	relayRoundTrip(t, newClient(t, pionturn.NewSTUNConn(tcp), s.TCPAddr().String(), u, p))
}

func TestRelayOverTLS(t *testing.T) {
	cert := selfSigned(t)
	s := startServer(t, &tls.Config{Certificates: []tls.Certificate{cert}}, loopback)
	list := s.IceServers("con_Test")
	if len(list) != 3 || !strings.HasPrefix(list[2].URL, "turns:127.0.0.1:") {
		t.Fatalf("ice servers %+v", list)
	}
	conn, err := tls.Dial("tcp4", s.tlsAddr.String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	relayRoundTrip(t, newClient(t, pionturn.NewSTUNConn(conn), s.tlsAddr.String(), list[2].Username, list[2].Credential))
}

func TestWrongCredentialsAreRefused(t *testing.T) {
	s := startServer(t, nil, loopback)
	u, _ := s.Credentials("con_Test")
	expired, expiredPass, _ := pionturn.GenerateLongTermTURNRESTCredentials("other-secret", "x", time.Hour)
	for name, creds := range map[string][2]string{
		"wrong password":       {u, "bm90IHRoZSBwYXNzd29yZA=="},
		"other secret":         {expired, expiredPass},
		"not a REST user name": {"alice", "secret"},
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			c := newClient(t, conn, s.UDPAddr().String(), creds[0], creds[1])
			if relay, err := c.Allocate(); err == nil {
				relay.Close()
				t.Fatal("allocation with wrong credentials succeeded")
			}
		})
	}
}

func TestRelayOnlyReachesAllowedPeers(t *testing.T) {
	s := startServer(t, nil, net.ParseIP("127.0.0.2")) // the SFU would be elsewhere
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	u, p := s.Credentials("con_Test")
	c := newClient(t, conn, s.UDPAddr().String(), u, p)
	relay, err := c.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	defer relay.Close()
	peer, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	_, _ = relay.WriteTo([]byte("escape"), peer.LocalAddr()) // the permission request is refused
	_ = peer.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 16)
	if n, _, err := peer.ReadFrom(buf); err == nil {
		t.Fatalf("relay reached a peer that is not the SFU: %q", buf[:n])
	}
}

func TestIceServersCarryFreshCredentials(t *testing.T) {
	s := startServer(t, nil, loopback)
	a, b := s.IceServers("con_A"), s.IceServers("con_B")
	if len(a) != 2 || !strings.HasSuffix(a[0].URL, "?transport=udp") || !strings.HasSuffix(a[1].URL, "?transport=tcp") {
		t.Fatalf("%+v", a)
	}
	if a[0].Username == b[0].Username || !strings.HasSuffix(a[0].Username, ":con_A") {
		t.Fatalf("credentials not per connection: %q %q", a[0].Username, b[0].Username)
	}
	for _, ice := range a {
		if err := ice.Validate(); err != nil {
			t.Fatalf("%s: %v", ice.URL, err)
		}
	}
}

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{loopback}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
