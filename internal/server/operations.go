package server

import (
	"context"
	"github.com/govidu/govidu/internal/httpauth"
	"time"

	"github.com/govidu/govidu/internal/webhook"
)

// mountOperations wires what operators consume: /metrics, the webhook
// sender and the CDR file with its download endpoints. The metrics
// registry itself is created before the media engine, which feeds it.
func (s *Server) mountOperations() error {
	cfg := s.cfg
	s.svc.AddListener(s.metrics)
	h := s.metrics.Handler()
	if !cfg.MetricsPublic {
		h = httpauth.Require(cfg.Secret, h)
	}
	s.mux.Handle("GET /metrics", h)
	s.mountPprof()

	if !cfg.Webhook && !cfg.CDR {
		return nil
	}
	opts := webhook.Options{QueueSize: cfg.WebhookQueueSize, Observer: s.metrics, Logger: s.log}
	if cfg.Webhook {
		opts.Webhook = &webhook.HTTPOptions{
			Endpoint:      cfg.WebhookEndpoint,
			Headers:       cfg.WebhookHeaders,
			Events:        cfg.WebhookEvents,
			SigningSecret: cfg.WebhookSigningSecret,
			TLSVerify:     cfg.WebhookTLSVerify,
		}
	}
	if cfg.CDR {
		opts.CDR = &webhook.CDROptions{Dir: cfg.CDRPath}
	}
	d, err := webhook.New(opts)
	if err != nil {
		return err
	}
	s.svc.AddListener(d)
	s.closers = append(s.closers, func(ctx context.Context) error {
		// A dead endpoint must not eat the whole shutdown budget: leave
		// half of it to the HTTP drain that follows.
		if deadline, ok := ctx.Deadline(); ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Until(deadline)/2)
			defer cancel()
		}
		return d.Close(ctx)
	})
	if cfg.Webhook {
		s.metrics.WebhookQueue(webhook.SinkWebhook, func() int { return d.Pending(webhook.SinkWebhook) })
	}
	if cfg.CDR {
		s.metrics.WebhookQueue(webhook.SinkCDR, func() int { return d.Pending(webhook.SinkCDR) })
		cdr := webhook.CDRHandler(cfg.CDRPath, cfg.Secret)
		s.mux.Handle("GET /openvidu/cdr", cdr)
		s.mux.Handle("GET /openvidu/cdr/{file}", cdr)
	}
	s.log.Info("webhook and CDR", "webhook", cfg.Webhook, "endpoint", cfg.WebhookEndpoint, "cdr", cfg.CDR, "cdrPath", cfg.CDRPath)
	return nil
}
