package signaling

import (
	"context"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
)

// The media engine as signaling sees it. media.Engine is adapted to these
// interfaces in engine.go; tests may also plug in a fake to exercise
// signaling without ICE. Errors that mean "the SDP cannot be answered" must
// be returned as (or wrap) core.ErrSDP.

// candidate is one trickled ICE candidate, in either direction.
type candidate struct {
	Candidate     string
	SDPMid        string
	SDPMLineIndex uint16
}

// bandwidth limits one PeerConnection (kbps, 0 = engine default).
type bandwidth struct {
	MaxRecv, MinRecv, MaxSend, MinSend int
	set                                bool // false: use the engine's defaults
}

type publishSpec struct {
	StreamID    string
	Offer       string
	ForcedCodec core.VideoCodec
	Loopback    bool
	Bandwidth   bandwidth
	OnCandidate func(candidate)
}

type subscribeSpec struct {
	SubscriberID string // connection id of the receiving participant
	Offer        string
	Bandwidth    bandwidth
	OnCandidate  func(candidate)
}

type mediaEngine interface {
	Publish(ctx context.Context, spec publishSpec) (mediaPublisher, string, error)
	// Ingested returns the media of a stream no browser publishes (an IP
	// camera's), nil when there is none.
	Ingested(streamID string) mediaPublisher
}

type mediaPublisher interface {
	AddCandidate(candidate) error
	Reconnect(ctx context.Context, offer string) (string, error)
	Subscribe(ctx context.Context, spec subscribeSpec) (mediaSubscriber, string, error)
	Stats() media.PeerStats
	Close()
}

type mediaSubscriber interface {
	AddCandidate(candidate) error
	Stats() media.PeerStats
	Close()
}
