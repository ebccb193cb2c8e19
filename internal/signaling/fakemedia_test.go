package signaling

import (
	"context"
	"strings"
	"sync"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
)

// fakeMedia is a media engine without ICE: it answers any offer that looks
// like SDP and emits one server candidate per PeerConnection at once
// (before the answer exists, as a real engine may). Signaling tests that do
// not need real media use it for speed.
type fakeMedia struct {
	mu         sync.Mutex
	publishers []*fakePublisher
	subs       []*fakeSubscriber
}

func fakeAnswer(offer string) (string, error) {
	if !strings.HasPrefix(offer, "v=0") {
		return "", core.ErrSDP.Withf("offer is not SDP")
	}
	return "v=0\r\nfake-answer\r\n", nil
}

func (m *fakeMedia) Publish(ctx context.Context, spec publishSpec) (mediaPublisher, string, error) {
	answer, err := fakeAnswer(spec.Offer)
	if err != nil {
		return nil, "", err
	}
	p := &fakePublisher{engine: m, spec: spec}
	m.mu.Lock()
	m.publishers = append(m.publishers, p)
	m.mu.Unlock()
	spec.OnCandidate(candidate{Candidate: "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", SDPMid: "0"})
	return p, answer, nil
}

type fakePeer struct {
	mu         sync.Mutex
	candidates []string
	closed     int
}

func (f *fakePeer) AddCandidate(c candidate) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.candidates = append(f.candidates, c.Candidate)
	return nil
}

func (f *fakePeer) Stats() media.PeerStats { return media.PeerStats{LocalSDP: "fake"} }

func (f *fakePeer) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
}

func (f *fakePeer) isClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed > 0
}

func (f *fakePeer) gotCandidates() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.candidates...)
}

type fakePublisher struct {
	fakePeer
	engine     *fakeMedia
	spec       publishSpec
	reconnects int
}

func (p *fakePublisher) Reconnect(ctx context.Context, offer string) (string, error) {
	p.mu.Lock()
	p.reconnects++
	p.mu.Unlock()
	return fakeAnswer(offer)
}

func (p *fakePublisher) Subscribe(ctx context.Context, spec subscribeSpec) (mediaSubscriber, string, error) {
	answer, err := fakeAnswer(spec.Offer)
	if err != nil {
		return nil, "", err
	}
	s := &fakeSubscriber{publisher: p, spec: spec}
	p.engine.mu.Lock()
	p.engine.subs = append(p.engine.subs, s)
	p.engine.mu.Unlock()
	spec.OnCandidate(candidate{Candidate: "candidate:2 1 udp 2130706431 127.0.0.1 50000 typ host", SDPMid: "0"})
	return s, answer, nil
}

type fakeSubscriber struct {
	fakePeer
	publisher *fakePublisher
	spec      subscribeSpec
}

func (m *fakeMedia) snapshot() ([]*fakePublisher, []*fakeSubscriber) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*fakePublisher(nil), m.publishers...), append([]*fakeSubscriber(nil), m.subs...)
}

func (m *fakeMedia) Ingested(string) mediaPublisher { return nil }
