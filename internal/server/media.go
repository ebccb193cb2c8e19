package server

import (
	"context"
	"fmt"
	"net"

	"github.com/govidu/govidu/internal/api"
	"github.com/govidu/govidu/internal/ipcam"
	"github.com/govidu/govidu/internal/media"
	"github.com/govidu/govidu/internal/netcheck"
	"github.com/govidu/govidu/internal/signaling"
	"github.com/govidu/govidu/internal/turn"
)

// mountMedia starts the SFU and the embedded TURN server and mounts the
// signaling WebSocket at /openvidu.
func (s *Server) mountMedia(apiOpts *api.Options) error {
	mcfg := media.Config{
		UDPPort:          s.cfg.RTCUDPPort,
		TCPPort:          s.cfg.RTCTCPPort,
		PublicIPs:        []string{s.cfg.DomainOrPublicIP},
		MaxRecvBandwidth: s.cfg.VideoMaxRecvBandwidth,
		MinRecvBandwidth: s.cfg.VideoMinRecvBandwidth,
		MaxSendBandwidth: s.cfg.VideoMaxSendBandwidth,
		MinSendBandwidth: s.cfg.VideoMinSendBandwidth,
		Counters: media.Counters{
			PacketsReceived: s.metrics.PacketsReceived, BytesReceived: s.metrics.BytesReceived,
			PacketsForwarded: s.metrics.PacketsForwarded, BytesForwarded: s.metrics.BytesForwarded,
			NACKs: s.metrics.NACKs, PLIs: s.metrics.PLIs,
		},
		Logger: s.log,
	}
	if ip := net.ParseIP(s.cfg.ListenAddress); ip != nil {
		mcfg.ListenIP = ip.String()
		mcfg.IncludeLoopback = ip.IsLoopback()
	}
	engine, err := media.NewEngine(mcfg)
	if err != nil {
		return err
	}
	sigOpts := signaling.Options{Logger: s.log}
	if s.cfg.TURN {
		ts, err := s.startTURN()
		if err != nil {
			_ = engine.Close()
			return err
		}
		sigOpts.IceServers = ts.IceServers
		s.turn = ts
	}
	if s.cfg.DoctorPage {
		page := netcheck.Options{Prober: engine, UDPPort: engine.UDPAddr().Port, IceServers: sigOpts.IceServers, Logger: s.log}
		if a := engine.TCPAddr(); a != nil {
			page.TCPPort = a.Port
		}
		netcheck.Mount(s.mux, page)
	}
	sig := signaling.New(s.svc, engine, sigOpts)
	s.mux.Handle("/openvidu", sig)
	apiOpts.Stats = statsProvider{sig}
	closeRecording, err := s.mountRecording(engine, apiOpts)
	if err != nil {
		_ = engine.Close()
		return err
	}
	// Shutdown closes the sessions first (participantEvicted is queued),
	// then the sockets, then the recordings, then the PeerConnections'
	// engine and the TURN relays.
	s.closers = append(s.closers, sig.Close)
	if cams, err := ipcam.New(engine, s.log); err == nil {
		s.svc.SetIPCamMedia(cams)
		s.svc.AddListener(cams)
		s.closers = append(s.closers, cams.Close)
	} else {
		s.log.Info("IP cameras (IPCAM connections) unavailable", "err", err)
	}
	if closeRecording != nil {
		s.closers = append(s.closers, closeRecording)
	}
	s.closers = append(s.closers, func(context.Context) error { return engine.Close() })
	if s.turn != nil {
		s.closers = append(s.closers, func(context.Context) error { return s.turn.Close() })
	}
	return nil
}

// startTURN runs the embedded TURN server on the public address. Its relays
// may only reach this host's own addresses, where the SFU listens.
func (s *Server) startTURN() (*turn.Server, error) {
	public, err := resolveIPv4(s.cfg.DomainOrPublicIP)
	if err != nil {
		return nil, fmt.Errorf("DOMAIN_OR_PUBLIC_IP %q: the embedded TURN server needs an address (or set GOVIDU_TURN=false): %w", s.cfg.DomainOrPublicIP, err)
	}
	peers := append(localIPs(), public)
	tcfg := turn.Config{
		Port: s.cfg.TURNPort, TLSPort: s.cfg.TURNTLSPort, PublicIP: public, AllowedPeers: peers,
		TLS: s.tls, TLSHost: s.cfg.DomainOrPublicIP, Logger: s.log,
	}
	if ip := net.ParseIP(s.cfg.ListenAddress); ip != nil {
		tcfg.ListenIP = ip.String()
	}
	ts, err := turn.New(tcfg)
	if err != nil {
		return nil, fmt.Errorf("COTURN_PORT %d: %w", s.cfg.TURNPort, err)
	}
	return ts, nil
}

func resolveIPv4(host string) (net.IP, error) {
	if host == "localhost" {
		return net.IPv4(127, 0, 0, 1), nil
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip, nil
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return nil, err
	}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			return v4, nil
		}
	}
	return nil, fmt.Errorf("no IPv4 address")
}

// localIPs lists the addresses of this host's interfaces (the SFU's host
// candidates), loopback included.
func localIPs() []net.IP {
	var out []net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			out = append(out, n.IP)
		}
	}
	return out
}

// statsProvider shows the signaling layer's PeerConnections in REST's ?webRtcStats=true.
type statsProvider struct{ sig *signaling.Server }

func (p statsProvider) PublisherStats(sessionID, connectionID, streamID string) (api.EndpointStats, bool) {
	return p.stats(sessionID, connectionID, streamID)
}

func (p statsProvider) SubscriberStats(sessionID, subscriberID, streamID string) (api.EndpointStats, bool) {
	return p.stats(sessionID, subscriberID, streamID)
}

func (p statsProvider) stats(sessionID, connectionID, streamID string) (api.EndpointStats, bool) {
	st, ok := p.sig.MediaStats(sessionID, connectionID, streamID)
	if !ok {
		return api.EndpointStats{}, false
	}
	return api.EndpointStats{
		LocalSDP: st.LocalSDP, RemoteSDP: st.RemoteSDP,
		ClientCandidates: st.ClientCandidates, ServerCandidates: st.ServerCandidates,
		LocalCandidate: st.SelectedLocalCandidate, RemoteCandidate: st.SelectedRemoteCandidate,
	}, true
}
