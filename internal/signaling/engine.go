package signaling

import (
	"context"
	"errors"
	"fmt"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
)

// New returns the /openvidu handler over svc, negotiating media with
// engine (nil: every media request fails with a clear error).
func New(svc *core.Service, engine *media.Engine, opts Options) *Server {
	var m mediaEngine = noMedia{}
	if engine != nil {
		m = engineAdapter{engine}
	}
	return newServer(svc, m, opts)
}

// engineAdapter fits media.Engine to the interfaces of mediaport.go.
type engineAdapter struct{ e *media.Engine }

func (a engineAdapter) Publish(ctx context.Context, spec publishSpec) (mediaPublisher, string, error) {
	p, answer, err := a.e.Publish(ctx, media.PublishRequest{
		StreamID:    spec.StreamID,
		Offer:       spec.Offer,
		ForcedCodec: string(spec.ForcedCodec),
		Loopback:    spec.Loopback,
		Bandwidth:   spec.Bandwidth.media(),
		OnCandidate: func(c media.Candidate) { spec.OnCandidate(candidate(c)) },
	})
	if err != nil {
		return nil, "", translateMediaError(err)
	}
	return publisherAdapter{p}, answer, nil
}

func (a engineAdapter) Ingested(streamID string) mediaPublisher {
	if p := a.e.Publisher(streamID); p != nil {
		return publisherAdapter{p}
	}
	return nil
}

type publisherAdapter struct{ p *media.Publisher }

func (a publisherAdapter) AddCandidate(c candidate) error {
	return a.p.AddCandidate(media.Candidate(c))
}
func (a publisherAdapter) Close()                 { _ = a.p.Close() }
func (a publisherAdapter) Stats() media.PeerStats { return a.p.Stats() }

func (a publisherAdapter) Reconnect(ctx context.Context, offer string) (string, error) {
	answer, err := a.p.Reconnect(ctx, offer)
	return answer, translateMediaError(err)
}

func (a publisherAdapter) Subscribe(ctx context.Context, spec subscribeSpec) (mediaSubscriber, string, error) {
	s, answer, err := a.p.Subscribe(ctx, media.SubscribeRequest{
		SubscriberID: spec.SubscriberID,
		Offer:        spec.Offer,
		Bandwidth:    spec.Bandwidth.media(),
		OnCandidate:  func(c media.Candidate) { spec.OnCandidate(candidate(c)) },
	})
	if err != nil {
		return nil, "", translateMediaError(err)
	}
	return subscriberAdapter{s}, answer, nil
}

type subscriberAdapter struct{ s *media.Subscriber }

func (a subscriberAdapter) AddCandidate(c candidate) error {
	return a.s.AddCandidate(media.Candidate(c))
}
func (a subscriberAdapter) Close()                 { _ = a.s.Close() }
func (a subscriberAdapter) Stats() media.PeerStats { return a.s.Stats() }

func (b bandwidth) media() *media.Bandwidth {
	if !b.set {
		return nil
	}
	return &media.Bandwidth{MaxRecv: b.MaxRecv, MinRecv: b.MinRecv, MaxSend: b.MaxSend, MinSend: b.MinSend}
}

// translateMediaError maps the engine's SDP failures to 302 (MEDIA_SDP_ERROR).
func translateMediaError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, media.ErrBadSDP), errors.Is(err, media.ErrNoMedia), errors.Is(err, media.ErrUnsupportedCodec):
		return core.ErrSDP.Withf("%v", err)
	case errors.Is(err, media.ErrClosed):
		return core.ErrNotPublishing.Withf("%v", err)
	}
	return err
}

type noMedia struct{}

func (noMedia) Ingested(string) mediaPublisher { return nil }

func (noMedia) Publish(context.Context, publishSpec) (mediaPublisher, string, error) {
	return nil, "", fmt.Errorf("no media engine is configured on this server")
}
