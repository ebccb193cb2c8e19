// Package loadtest drives a govidu server with many rtcclient
// participants: R rooms, each with P publishers (VP8 + Opus from the
// embedded fixtures, or Opus only) and S subscribe-only participants;
// every participant subscribes to the room's streams (all, or a given
// number), as browsers in a meeting or a live stream do. After the joins
// it measures a steady window and reports join and first-keyframe
// latencies, received packets, loss, jitter, end-to-end latency,
// NACKs/PLIs, and the server's CPU per forwarded packet and memory when
// the server runs on this host.
//
// It is bounded: loopback servers only unless AllowRemote, at most
// MaxParticipants participants and MaxSubscriptions subscriptions, at
// most MaxDuration of steady window, and every phase has a deadline.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/rtcclient"
)

// Hard caps: one machine's worth of load, not a way to flood a host.
const (
	MaxParticipants  = 1000
	MaxSubscriptions = 3000
	MaxDuration      = time.Hour
)

// Config of a run.
type Config struct {
	URL    string // server base URL, http[s]://host:port
	Secret string

	Rooms       int // sessions
	Publishers  int // publishing participants per room
	Subscribers int // subscribe-only participants per room
	// SubscribeTo bounds the streams each participant receives (0 = all of
	// its room's streams but its own).
	SubscribeTo int
	// PublishersOnlyPublish: publishers do not subscribe (by default they
	// receive the other publishers, as in a meeting).
	PublishersOnlyPublish bool

	Duration     time.Duration // steady window after the joins
	VideoBitrate int           // kbps; picks the nearest embedded fixture (0 = ~500 kbps 30 fps)
	AudioOnly    bool
	Relay        bool // ICE relay-only through the server's embedded TURN (otherwise host candidates only, no TURN allocations)

	AllowRemote bool // permit a non-loopback URL
	ServerPID   int  // the server's pid (0: found by the URL's port when local)

	Concurrency int           // participants set up in parallel (default 8)
	JoinTimeout time.Duration // for all joins and subscriptions (default 60 s + 100 ms per participant)

	Progress io.Writer // live progress line (\r-terminated); nil = none
	Logger   *slog.Logger
}

func (c *Config) validate() error {
	if c.Rooms < 1 || c.Publishers < 0 || c.Subscribers < 0 || c.Publishers+c.Subscribers < 1 {
		return errors.New("loadtest: need at least one room and one participant per room")
	}
	if c.Publishers == 0 {
		return errors.New("loadtest: --publishers must be at least 1 (nothing to receive otherwise)")
	}
	if n := c.Rooms * (c.Publishers + c.Subscribers); n > MaxParticipants {
		return fmt.Errorf("loadtest: %d participants exceed the cap of %d", n, MaxParticipants)
	}
	if n := c.Rooms * c.subscriptionsPerRoom(); n > MaxSubscriptions {
		return fmt.Errorf("loadtest: %d subscriptions exceed the cap of %d", n, MaxSubscriptions)
	}
	if c.Duration <= 0 || c.Duration > MaxDuration {
		return fmt.Errorf("loadtest: duration must be in (0, %v]", MaxDuration)
	}
	if c.Secret == "" {
		return errors.New("loadtest: the server's secret is required")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("loadtest: --url %q must be http[s]://host:port", c.URL)
	}
	if !c.AllowRemote && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("loadtest: %s is not a loopback address; pass --allow-remote to load a server on another host (you must own it)", u.Hostname())
	}
	return nil
}

func (c *Config) subscriptionsPerRoom() int {
	per := func(available int) int {
		if c.SubscribeTo > 0 && c.SubscribeTo < available {
			return c.SubscribeTo
		}
		return available
	}
	n := c.Subscribers * per(c.Publishers)
	if !c.PublishersOnlyPublish {
		n += c.Publishers * per(c.Publishers-1)
	}
	return n
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// participant is one simulated browser.
type participant struct {
	room      int
	index     int
	publisher bool
	client    *rtcclient.Client
	pub       *rtcclient.Publication
	subs      []*rtcclient.Subscription
}

// run is the state of one Run.
type run struct {
	cfg  Config
	log  *slog.Logger
	hc   *http.Client
	api  *rtcclient.API
	tag  string
	pid  int
	self int

	mu        sync.Mutex
	parts     []*participant
	streams   [][]rtcclient.Stream // per room
	joins     []time.Duration
	tokens    []time.Duration
	publishes []time.Duration
	subLat    []time.Duration
	errs      []string
	errCount  int
}

// Run performs a load test and returns its report. ctx cancels it (the
// report then covers what was measured).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	total := cfg.Rooms * (cfg.Publishers + cfg.Subscribers)
	if cfg.JoinTimeout <= 0 {
		cfg.JoinTimeout = 60*time.Second + time.Duration(total)*100*time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	u, _ := url.Parse(cfg.URL)
	api, err := rtcclient.NewAPI(rtcclient.APIOptions{LoopbackOnly: isLoopbackHost(u.Hostname())})
	if err != nil {
		return nil, err
	}
	r := &run{
		cfg: cfg, log: cfg.Logger, api: api, self: os.Getpid(),
		hc:      &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency}},
		tag:     "loadtest_" + core.NewSecret(6),
		streams: make([][]rtcclient.Stream, cfg.Rooms),
	}
	defer r.hc.CloseIdleConnections()
	defer api.Close() // after teardown (deferred later, runs first)
	r.pid = cfg.ServerPID
	if r.pid == 0 && isLoopbackHost(u.Hostname()) {
		port, _ := strconv.Atoi(u.Port())
		if port == 0 {
			port = map[string]int{"http": 80, "https": 443}[u.Scheme]
		}
		if pid, err := findListener(port); err == nil {
			r.pid = pid
		} else {
			r.log.Info("server process not found: no CPU/RSS figures", "err", err)
		}
	}
	defer r.teardown()
	return r.execute(ctx)
}

func (r *run) fail(what string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errCount++
	if len(r.errs) < 20 {
		r.errs = append(r.errs, what+": "+err.Error())
	}
}

func (r *run) execute(ctx context.Context) (*Report, error) {
	rep := &Report{Config: reportConfig(r.cfg), Started: time.Now()}
	var baseline procSample
	if r.pid != 0 {
		baseline, _ = readProc(r.pid)
	}
	joinCtx, cancel := context.WithTimeout(ctx, r.cfg.JoinTimeout)
	defer cancel()
	rampStart := time.Now()
	stopProgress := r.progress(joinCtx, "joining", rampStart, 0)

	// Phase 1: publishers join and publish; phase 2: everyone else joins;
	// phase 3: subscriptions. Each phase runs Concurrency setups at once.
	var pubs, others []*participant
	for room := 0; room < r.cfg.Rooms; room++ {
		for i := 0; i < r.cfg.Publishers; i++ {
			pubs = append(pubs, &participant{room: room, index: i, publisher: true})
		}
		for i := 0; i < r.cfg.Subscribers; i++ {
			others = append(others, &participant{room: room, index: r.cfg.Publishers + i})
		}
	}
	r.parallel(joinCtx, pubs, r.joinAndPublish)
	r.parallel(joinCtx, others, r.join)
	r.mu.Lock()
	all := append([]*participant(nil), r.parts...)
	r.mu.Unlock()
	r.parallel(joinCtx, all, r.subscribeAll)
	r.waitFirstFrames(joinCtx, all)
	stopProgress()
	rep.RampSeconds = time.Since(rampStart).Seconds()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The steady window.
	before := r.snapshot(ctx, all)
	for _, p := range all {
		for _, s := range p.subs {
			s.ResetLatency()
		}
	}
	winCtx, cancelWin := context.WithTimeout(ctx, r.cfg.Duration)
	stopProgress = r.progress(winCtx, "steady", time.Now(), r.cfg.Duration)
	<-winCtx.Done()
	cancelWin()
	stopProgress()
	after := r.snapshot(context.Background(), all)
	r.fill(rep, all, before, after, baseline)
	return rep, nil
}

// parallel runs f for every participant, Concurrency at a time, until ctx ends.
func (r *run) parallel(ctx context.Context, ps []*participant, f func(context.Context, *participant) error) {
	sem := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, p := range ps {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(ctx, p); err != nil {
				r.fail(fmt.Sprintf("room %d participant %d", p.room, p.index), err)
			}
		})
	}
	wg.Wait()
}

func (r *run) sessionID(room int) string { return fmt.Sprintf("%s_r%d", r.tag, room) }

// join gets a token (the application server's part, not timed as a join)
// and joins: the join latency runs from the WebSocket dial to the
// joinRoom result, as a browser's connect() does.
func (r *run) join(ctx context.Context, p *participant) error {
	role := "SUBSCRIBER"
	if p.publisher {
		role = "PUBLISHER"
	}
	t0 := time.Now()
	token, err := rtcclient.GetToken(ctx, r.hc, r.cfg.URL, r.cfg.Secret, rtcclient.TokenRequest{SessionID: r.sessionID(p.room), Role: role})
	if err != nil {
		return err
	}
	t1 := time.Now()
	u, _ := url.Parse(r.cfg.URL)
	ws := "ws://" + u.Host
	if u.Scheme == "https" {
		ws = "wss://" + u.Host
	}
	opts := rtcclient.Options{API: r.api, WSURL: ws, HTTPClient: r.hc, Metadata: fmt.Sprintf(`{"clientData":"load-%d-%d"}`, p.room, p.index),
		Logger: r.log, EventBuffer: 4096}
	if r.cfg.Relay {
		opts.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	} else {
		// Host candidates only: a browser would also allocate TURN relays
		// from customIceServers, which never win on loopback and only make
		// the ramp of a thousand PeerConnections slower.
		opts.ICEServers = []webrtc.ICEServer{}
	}
	c, err := rtcclient.Join(ctx, token, opts)
	if err != nil {
		return err
	}
	joined := time.Since(t1)
	p.client = c
	go drain(c)
	r.mu.Lock()
	r.tokens = append(r.tokens, t1.Sub(t0))
	r.joins = append(r.joins, joined)
	r.parts = append(r.parts, p)
	r.mu.Unlock()
	return nil
}

// drain discards notifications (the client closes the channel on Close).
func drain(c *rtcclient.Client) {
	for range c.Events() {
	}
}

func (r *run) joinAndPublish(ctx context.Context, p *participant) error {
	if err := r.join(ctx, p); err != nil {
		return err
	}
	opts := rtcclient.PublishOptions{Audio: true, Video: !r.cfg.AudioOnly}
	if opts.Video {
		opts.Fixture = rtcclient.VideoFixtureFor(r.cfg.VideoBitrate)
	}
	t0 := time.Now()
	pub, err := p.client.Publish(ctx, opts)
	if err != nil {
		return err
	}
	if err := pub.WaitConnected(ctx); err != nil {
		return err
	}
	p.pub = pub
	r.mu.Lock()
	r.publishes = append(r.publishes, time.Since(t0))
	r.streams[p.room] = append(r.streams[p.room], rtcclient.Stream{
		ID: pub.StreamID(), ConnectionID: p.client.ConnectionID(), HasAudio: true, HasVideo: opts.Video,
	})
	r.mu.Unlock()
	return nil
}

// subscribeAll subscribes p to its room's streams: all but its own, or
// SubscribeTo of them starting after its own index (spreading the load).
func (r *run) subscribeAll(ctx context.Context, p *participant) error {
	if p.publisher && r.cfg.PublishersOnlyPublish {
		return nil
	}
	r.mu.Lock()
	streams := append([]rtcclient.Stream(nil), r.streams[p.room]...)
	r.mu.Unlock()
	var mine []rtcclient.Stream
	for i := range streams {
		st := streams[(p.index+1+i)%len(streams)]
		if st.ConnectionID == p.client.ConnectionID() {
			continue
		}
		if r.cfg.SubscribeTo > 0 && len(mine) >= r.cfg.SubscribeTo {
			break
		}
		mine = append(mine, st)
	}
	var errs []error
	for _, st := range mine {
		t0 := time.Now()
		s, err := p.client.Subscribe(ctx, st)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.mu.Lock()
		r.subLat = append(r.subLat, time.Since(t0))
		p.subs = append(p.subs, s)
		r.mu.Unlock()
	}
	return errors.Join(errs...)
}

// waitFirstFrames waits until every subscription decoded its first
// keyframe (audio-only: got its first packet), or ctx ends.
func (r *run) waitFirstFrames(ctx context.Context, all []*participant) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		waiting := 0
		for _, p := range all {
			r.mu.Lock()
			subs := p.subs
			r.mu.Unlock()
			for _, s := range subs {
				if !firstFrame(s) {
					waiting++
				}
			}
		}
		if waiting == 0 {
			return
		}
		select {
		case <-ctx.Done():
			r.fail("first frames", fmt.Errorf("%d subscriptions got no keyframe in time", waiting))
			return
		case <-t.C:
		}
	}
}

func firstFrame(s *rtcclient.Subscription) bool {
	st := s.Stats()
	if s.Stream().HasVideo {
		return st.Video != nil && st.Video.FirstKeyframe > 0
	}
	return st.Audio != nil && st.Audio.Packets > 0
}

// teardown leaves every participant, Concurrency at a time.
func (r *run) teardown() {
	r.mu.Lock()
	parts := r.parts
	r.parts = nil
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sem := make(chan struct{}, r.cfg.Concurrency*2)
	var wg sync.WaitGroup
	for _, p := range parts {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if p.client != nil {
				_ = p.client.Leave(ctx)
			}
		})
	}
	wg.Wait()
}

// progress prints a live line every second until stopped.
func (r *run) progress(ctx context.Context, phase string, start time.Time, total time.Duration) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var prevPkts uint64
		var prevCPU procSample
		if r.pid != 0 {
			prevCPU, _ = readProc(r.pid)
		}
		for {
			select {
			case <-ctx.Done():
				fmt.Fprint(r.cfg.Progress, "\r\033[K")
				return
			case <-t.C:
			}
			line := r.progressLine(phase, start, total, &prevPkts, &prevCPU)
			fmt.Fprint(r.cfg.Progress, "\r\033[K"+line)
		}
	}()
	return func() { cancel(); <-done }
}

func (r *run) progressLine(phase string, start time.Time, total time.Duration, prevPkts *uint64, prevCPU *procSample) string {
	r.mu.Lock()
	parts := append([]*participant(nil), r.parts...)
	nsubs, errs := 0, r.errCount
	for _, p := range parts {
		nsubs += len(p.subs)
	}
	r.mu.Unlock()
	var pkts, lost uint64
	for _, p := range parts {
		r.mu.Lock()
		subs := p.subs
		r.mu.Unlock()
		for _, s := range subs {
			st := s.Stats()
			for _, t := range []*rtcclient.TrackStats{st.Audio, st.Video} {
				if t != nil {
					pkts += t.Packets
					lost += t.Lost
				}
			}
		}
	}
	rate := pkts - *prevPkts
	*prevPkts = pkts
	elapsed := time.Since(start).Truncate(time.Second)
	var b strings.Builder
	if total > 0 {
		fmt.Fprintf(&b, "[%s %v/%v]", phase, elapsed, total)
	} else {
		fmt.Fprintf(&b, "[%s %v]", phase, elapsed)
	}
	fmt.Fprintf(&b, " participants %d/%d subs %d rx %d pkt/s lost %d errors %d",
		len(parts), r.cfg.Rooms*(r.cfg.Publishers+r.cfg.Subscribers), nsubs, rate, lost, errs)
	if r.pid != 0 {
		if s, err := readProc(r.pid); err == nil {
			if !prevCPU.at.IsZero() {
				cpu := float64(s.cpu-prevCPU.cpu) / float64(s.at.Sub(prevCPU.at)) * 100
				fmt.Fprintf(&b, " server cpu %.0f%% rss %d MB", cpu, s.rssBytes>>20)
			}
			*prevCPU = s
		}
	}
	return b.String()
}
