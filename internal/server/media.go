package server

import (
	"context"
	"net"

	"github.com/govidu/govidu/internal/api"
	"github.com/govidu/govidu/internal/media"
	"github.com/govidu/govidu/internal/signaling"
)

// mountMedia starts the SFU and mounts the signaling WebSocket at /openvidu.
func (s *Server) mountMedia(apiOpts *api.Options) error {
	mcfg := media.Config{
		UDPPort:          s.cfg.RTCUDPPort,
		TCPPort:          s.cfg.RTCTCPPort,
		PublicIPs:        []string{s.cfg.DomainOrPublicIP},
		MaxRecvBandwidth: s.cfg.VideoMaxRecvBandwidth,
		MinRecvBandwidth: s.cfg.VideoMinRecvBandwidth,
		MaxSendBandwidth: s.cfg.VideoMaxSendBandwidth,
		MinSendBandwidth: s.cfg.VideoMinSendBandwidth,
		Logger:           s.log,
	}
	if ip := net.ParseIP(s.cfg.ListenAddress); ip != nil {
		mcfg.ListenIP = ip.String()
		mcfg.IncludeLoopback = ip.IsLoopback()
	}
	engine, err := media.NewEngine(mcfg)
	if err != nil {
		return err
	}
	sig := signaling.New(s.svc, engine, signaling.Options{Logger: s.log})
	s.mux.Handle("/openvidu", sig)
	// Shutdown closes the sessions first (participantEvicted is queued),
	// then the sockets, then the PeerConnections' engine.
	s.closers = append(s.closers, sig.Close, func(context.Context) error { return engine.Close() })
	return nil
}
