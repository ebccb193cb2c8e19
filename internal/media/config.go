package media

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// Config configures the Engine: the network side of every PeerConnection and
// the default bandwidth limits (OpenVidu's OPENVIDU_STREAMS_VIDEO_* values).
type Config struct {
	UDPPort         int      // one UDP port for all peers (ICE UDP mux); 0 = pick a free ephemeral port (tests)
	TCPPort         int      // ICE-TCP mux port; 0 = ephemeral; -1 = disabled
	PublicIPs       []string // NAT 1:1 IPs advertised (from DOMAIN_OR_PUBLIC_IP); empty = host addresses
	IncludeLoopback bool     // include loopback host candidates (dev/test: public address is localhost/127.0.0.1)
	ListenIP        string   // "" = all interfaces; tests use "127.0.0.1"

	// Limits in kbps, 0 = unconstrained. Recv = what publishers send us,
	// Send = what we send subscribers.
	MaxRecvBandwidth, MinRecvBandwidth, MaxSendBandwidth, MinSendBandwidth int

	Counters Counters // traffic totals for /metrics; zero value: not counted

	Logger *slog.Logger
}

// Bandwidth overrides the engine's four limits for one PeerConnection (kbps, 0 = unconstrained).
type Bandwidth struct {
	MaxRecv, MinRecv, MaxSend, MinSend int
}

// defaultBandwidth is the engine-wide limits as a Bandwidth value.
func (c *Config) defaultBandwidth() Bandwidth {
	return Bandwidth{
		MaxRecv: c.MaxRecvBandwidth, MinRecv: c.MinRecvBandwidth,
		MaxSend: c.MaxSendBandwidth, MinSend: c.MinSendBandwidth,
	}
}

// pick returns the per-request override when given, else the engine default.
func (c *Config) pick(override *Bandwidth) Bandwidth {
	if override != nil {
		return *override
	}
	return c.defaultBandwidth()
}

func (c *Config) validate() error {
	if c.UDPPort < 0 || c.UDPPort > 65535 {
		return fmt.Errorf("%w: UDPPort %d out of range", ErrConfig, c.UDPPort)
	}
	if c.TCPPort < -1 || c.TCPPort > 65535 {
		return fmt.Errorf("%w: TCPPort %d out of range", ErrConfig, c.TCPPort)
	}
	if c.ListenIP != "" && net.ParseIP(c.ListenIP) == nil {
		return fmt.Errorf("%w: ListenIP %q is not an IP address", ErrConfig, c.ListenIP)
	}
	for name, v := range map[string]int{
		"MaxRecvBandwidth": c.MaxRecvBandwidth, "MinRecvBandwidth": c.MinRecvBandwidth,
		"MaxSendBandwidth": c.MaxSendBandwidth, "MinSendBandwidth": c.MinSendBandwidth,
	} {
		if v < 0 {
			return fmt.Errorf("%w: %s must not be negative", ErrConfig, name)
		}
	}
	return nil
}

// listenIPv6 reports whether the configured listen address is IPv6: the ICE
// network types follow it (an IPv4 or unspecified listen address gathers IPv4 only).
func (c *Config) listenIPv6() bool {
	ip := net.ParseIP(c.ListenIP)
	return ip != nil && ip.To4() == nil
}

// resolvePublicIPs turns PublicIPs into the addresses to advertise as
// NAT 1:1 host candidates. Loopback and unspecified addresses are dropped:
// the dev default (localhost) means "no NAT", and the loopback host
// candidate is then gathered through IncludeLoopback instead. A name is
// resolved once at start-up; one that does not resolve is reported in
// failed and skipped (the host addresses are advertised instead), so that a
// DNS hiccup does not stop the server.
func resolvePublicIPs(ctx context.Context, names []string) (ips []string, sawLoopback bool, failed []error) {
	for _, name := range names {
		if name == "" {
			continue
		}
		var addrs []net.IP
		switch ip := net.ParseIP(name); {
		case name == "localhost":
			sawLoopback = true
			continue
		case ip != nil:
			addrs = []net.IP{ip}
		default:
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			found, err := net.DefaultResolver.LookupIP(rctx, "ip4", name)
			cancel()
			if err != nil {
				failed = append(failed, fmt.Errorf("public address %q: %w", name, err))
				continue
			}
			addrs = found
		}
		for _, ip := range addrs {
			if ip.IsLoopback() || ip.IsUnspecified() {
				sawLoopback = true
				continue
			}
			ips = append(ips, ip.String())
		}
	}
	return ips, sawLoopback, failed
}
