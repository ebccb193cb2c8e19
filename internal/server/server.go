// Package server assembles govidu's HTTP server: REST API, signaling and
// the embedded web assets on one port, with graceful shutdown.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/govidu/govidu/internal/api"
	"github.com/govidu/govidu/internal/callapp"
	"github.com/govidu/govidu/internal/certs"
	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/dashboard"
	"github.com/govidu/govidu/internal/metrics"
	"github.com/govidu/govidu/internal/recording"
	"github.com/govidu/govidu/internal/turn"
	"github.com/govidu/govidu/internal/web"
)

// Server is one govidu instance.
type Server struct {
	cfg  *config.Config
	log  *slog.Logger
	svc  *core.Service
	http *http.Server
	mux  *http.ServeMux
	tls  *tls.Config  // nil = plain HTTP
	turn *turn.Server // nil when GOVIDU_TURN=false

	metrics    *metrics.Registry  // served at /metrics; media and recording feed it
	recordings *recording.Manager // nil unless OPENVIDU_RECORDING=true

	// closers run in order on Shutdown, after the sessions are closed and
	// before the HTTP server stops.
	closers []func(context.Context) error
}

// New builds a server from the configuration.
func New(cfg *config.Config, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	svc := core.NewService(core.Options{
		TokenURL:          cfg.TokenURL(),
		ForcedVideoCodec:  cfg.ForcedVideoCodec,
		AllowTranscoding:  cfg.AllowTranscoding,
		GCInterval:        cfg.GCInterval,
		GCThreshold:       cfg.GCThreshold,
		DefaultIceServers: cfg.IceServers,
		// Recording: who is told, and how long a recording outlives its publishers.
		RecordingNotification: cfg.RecordingNotification,
		AutostopTimeout:       cfg.RecordingAutostop,
		Logger:                log,
	})
	tlsConfig, err := certs.Config(certs.Options{
		Type: cfg.CertificateType, Domain: cfg.DomainOrPublicIP, CertFile: cfg.CertFile, KeyFile: cfg.KeyFile,
		Email: cfg.LetsEncryptEmail, DataDir: cfg.DataDir,
	})
	if err != nil {
		_ = svc.Close(context.Background())
		return nil, err
	}
	s := &Server{cfg: cfg, log: log, svc: svc, mux: http.NewServeMux(), tls: tlsConfig}
	s.metrics = metrics.New()
	apiOpts := api.Options{Config: cfg, Logger: log}
	if err := s.mountMedia(&apiOpts); err != nil {
		_ = svc.Close(context.Background())
		return nil, err
	}
	rest := api.New(svc, apiOpts)
	s.mux.Handle("/openvidu/api/", rest)
	s.mux.Handle("/openvidu/accept-certificate", rest)
	s.mux.Handle("/openvidu/recordings/", rest)
	web.Mount(s.mux)                                // browser SDK and web assets
	web.MountWebComponent(s.mux)                    // <openvidu-webcomponent>
	callapp.New(svc, cfg.CallApp, log).Mount(s.mux) // the call app at / and its token endpoint (GOVIDU_CALL_APP)
	dashboard.Mount(s.mux, cfg.Secret)
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if err := s.mountOperations(); err != nil {
		_ = s.Shutdown(context.Background())
		return nil, err
	}
	return s, nil
}

// Handler is the complete HTTP handler (legacy paths rewritten).
func (s *Server) Handler() http.Handler {
	if s.cfg.SupportDeprecated {
		return rewriteLegacyPaths(s.mux)
	}
	return s.mux
}

// Service exposes the domain layer (tests, the load tester).
func (s *Server) Service() *core.Service { return s.svc }

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if s.tls != nil {
		ln = tls.NewListener(ln, s.tls)
	}
	s.log.Info("govidu listening", "address", ln.Addr().String(), "tls", s.tls != nil, "publicUrl", s.cfg.PublicURL())
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown closes every session (reason openviduServerStopped), stops
// signaling and media, then drains HTTP.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.recordings != nil {
		s.recordings.BeginShutdown(ctx) // recordings stopped now are finalized within ctx, or at the next start
	}
	errs := []error{s.svc.Close(ctx)}
	for _, c := range s.closers {
		errs = append(errs, c(ctx))
	}
	errs = append(errs, s.http.Shutdown(ctx))
	return errors.Join(errs...)
}
