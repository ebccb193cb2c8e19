// Package turn is govidu's embedded TURN server (pion/turn): UDP and TCP on
// one port, TURN over TLS when a certificate is configured, and time-limited
// credentials (the TURN REST API scheme coturn calls use-auth-secret) issued
// per connection, so browsers behind UDP-blocking firewalls can reach the SFU
// without a separate coturn.
package turn

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/pion/logging"
	pionturn "github.com/pion/turn/v5"

	"github.com/govidu/govidu/internal/core"
)

// Realm is the TURN realm govidu announces.
const Realm = "govidu"

// Config of the embedded TURN server.
type Config struct {
	Port     int    // UDP and TCP port (0 = ephemeral, tests)
	TLSPort  int    // TURN over TLS port when TLS is set (0 = ephemeral)
	ListenIP string // address to bind ("" = all interfaces)
	// PublicIP is the address put in relay candidates and in the URLs given
	// to browsers.
	PublicIP net.IP
	// AllowedPeers restricts where relays may send: govidu's own media
	// addresses. The embedded TURN only exists to reach the SFU, and an open
	// relay would let anyone reach internal networks through it.
	AllowedPeers []net.IP
	Secret       string        // shared secret for credentials ("" = random per process)
	TTL          time.Duration // credential lifetime (default 24 h)
	TLS          *tls.Config   // optional TURN over TLS
	TLSHost      string        // host name for turns: URLs (the certificate's name)
	Logger       *slog.Logger
}

// Server is a running TURN server.
type Server struct {
	cfg     Config
	turn    *pionturn.Server
	udpAddr *net.UDPAddr
	tcpAddr *net.TCPAddr
	tlsAddr *net.TCPAddr
}

var ErrNoPublicIP = errors.New("turn: a public IP address is required")

// New starts the server.
func New(cfg Config) (*Server, error) {
	if cfg.PublicIP == nil {
		return nil, ErrNoPublicIP
	}
	if cfg.Secret == "" {
		cfg.Secret = core.NewSecret(32)
	}
	if cfg.TTL == 0 {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	udp, tcp, err := listenPair(cfg.ListenIP, cfg.Port)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, udpAddr: udp.LocalAddr().(*net.UDPAddr), tcpAddr: tcp.Addr().(*net.TCPAddr)}
	bind := cfg.ListenIP
	if bind == "" {
		bind = "0.0.0.0"
	}
	relay := func() pionturn.RelayAddressGenerator {
		return &pionturn.RelayAddressGeneratorStatic{RelayAddress: cfg.PublicIP, Address: bind}
	}
	listeners := []pionturn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: relay(), PermissionHandler: s.permitted}}
	if cfg.TLS != nil {
		tlsLn, err := tls.Listen("tcp4", net.JoinHostPort(cfg.ListenIP, strconv.Itoa(cfg.TLSPort)), cfg.TLS)
		if err != nil {
			udp.Close()
			tcp.Close()
			return nil, fmt.Errorf("turn: listen TLS: %w", err)
		}
		s.tlsAddr = tlsLn.Addr().(*net.TCPAddr)
		listeners = append(listeners, pionturn.ListenerConfig{Listener: tlsLn, RelayAddressGenerator: relay(), PermissionHandler: s.permitted})
	}
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelWarn
	s.turn, err = pionturn.NewServer(pionturn.ServerConfig{
		Realm:             Realm,
		AuthHandler:       pionturn.LongTermTURNRESTAuthHandler(cfg.Secret, lf.NewLogger("turn")),
		PacketConnConfigs: []pionturn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: relay(), PermissionHandler: s.permitted}},
		ListenerConfigs:   listeners,
		LoggerFactory:     lf,
	})
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, fmt.Errorf("turn: %w", err)
	}
	cfg.Logger.Info("TURN server listening", "udp", s.udpAddr.String(), "tcp", s.tcpAddr.String(), "tls", s.tlsAddr != nil)
	return s, nil
}

func (s *Server) permitted(_ net.Addr, peer net.IP) bool {
	for _, ip := range s.cfg.AllowedPeers {
		if ip.Equal(peer) {
			return true
		}
	}
	return false
}

// Close stops the server and its relays.
func (s *Server) Close() error { return s.turn.Close() }

// UDPAddr and TCPAddr are the bound addresses.
func (s *Server) UDPAddr() *net.UDPAddr { return s.udpAddr }
func (s *Server) TCPAddr() *net.TCPAddr { return s.tcpAddr }

// Credentials issues a username/password pair valid for the configured TTL;
// user names the holder (e.g. a connection id) in the TURN logs.
func (s *Server) Credentials(user string) (username, password string) {
	u, p, err := pionturn.GenerateLongTermTURNRESTCredentials(s.cfg.Secret, user, s.cfg.TTL)
	if err != nil { // only fails if the clock is unreadable
		panic("turn: credentials: " + err.Error())
	}
	return u, p
}

// IceServers returns the entries a browser needs, with fresh credentials:
// TURN over UDP, over TCP, and over TLS when configured.
func (s *Server) IceServers(user string) []core.IceServer {
	username, password := s.Credentials(user)
	host := s.cfg.PublicIP.String()
	port := strconv.Itoa(s.udpAddr.Port)
	list := []core.IceServer{
		{URL: "turn:" + host + ":" + port + "?transport=udp", Username: username, Credential: password},
		{URL: "turn:" + host + ":" + port + "?transport=tcp", Username: username, Credential: password},
	}
	if s.tlsAddr != nil {
		tlsHost := s.cfg.TLSHost
		if tlsHost == "" {
			tlsHost = host
		}
		list = append(list, core.IceServer{URL: "turns:" + tlsHost + ":" + strconv.Itoa(s.tlsAddr.Port) + "?transport=tcp", Username: username, Credential: password})
	}
	return list
}

// listenPair binds UDP and TCP on the same port. With an ephemeral port the
// number UDP got may be taken for TCP, so a few fresh ports are tried.
func listenPair(ip string, port int) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for attempt := 0; attempt < 10; attempt++ {
		addr := net.JoinHostPort(ip, strconv.Itoa(port))
		udp, err := net.ListenPacket("udp4", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("turn: listen UDP %s: %w", addr, err)
		}
		tcpAddr := net.JoinHostPort(ip, strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port))
		tcp, err := net.Listen("tcp4", tcpAddr)
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		lastErr = fmt.Errorf("turn: listen TCP %s: %w", tcpAddr, err)
		if port != 0 {
			break
		}
	}
	return nil, nil, lastErr
}
