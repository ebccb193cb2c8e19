// Package signaling is the WebSocket JSON-RPC endpoint (/openvidu) that
// unmodified openvidu-browser 2.32 clients talk to. It turns requests into
// core.Service calls and media negotiations, and core events into
// notifications, with the shapes and orderings of
// shared/spec/protocol.md.
package signaling

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/waitctx"
)

// Options tune the endpoint; zero values take the defaults shown.
type Options struct {
	// ReconnectGrace keeps a participant whose socket dropped, waiting for
	// connect (upstream ws.sessionReconnectionTime). Default 10 s.
	ReconnectGrace time.Duration
	// EvictCloseDelay and LeaveCloseDelay close the socket of an evicted or
	// departed participant if the browser did not close it itself. Default 10 s.
	EvictCloseDelay time.Duration
	LeaveCloseDelay time.Duration
	// WriteQueue bounds the frames waiting for one socket's writer; a client
	// that lets it fill is disconnected. Default 256.
	WriteQueue int
	// RequestQueue bounds the requests waiting for one socket's worker. Default 256.
	RequestQueue int
	// PendingLimit bounds the notifications kept for a participant whose
	// socket is lost; past it a reconnection is refused. Default 1024.
	PendingLimit int
	// ReadLimit is the largest frame accepted (offers, metadata, signals). Default 4 MiB.
	ReadLimit int64
	// DefaultPingInterval is assumed until the client states its own; the
	// socket dies after 3 intervals without ping. MaxPingInterval caps
	// what a client may state. Defaults 5 s and 60 s.
	DefaultPingInterval time.Duration
	MaxPingInterval     time.Duration
	// WriteTimeout bounds one frame write. Default 10 s.
	WriteTimeout time.Duration
	// RequestTimeout bounds media negotiation in one request, below the
	// client's 10 s request timeout. Default 8 s.
	RequestTimeout time.Duration
	// IceServers, when set, gives the ICE servers (the embedded TURN with
	// fresh credentials) announced in joinRoom to connections that have no
	// customIceServers of their own, as upstream does with its coturn.
	IceServers func(connectionID string) []core.IceServer
	Logger     *slog.Logger
}

func (o *Options) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ReconnectGrace, 10*time.Second)
	def(&o.EvictCloseDelay, 10*time.Second)
	def(&o.LeaveCloseDelay, 10*time.Second)
	def(&o.DefaultPingInterval, 5*time.Second)
	def(&o.MaxPingInterval, 60*time.Second)
	def(&o.WriteTimeout, 10*time.Second)
	def(&o.RequestTimeout, 8*time.Second)
	if o.WriteQueue <= 0 {
		o.WriteQueue = 256
	}
	if o.RequestQueue <= 0 {
		o.RequestQueue = 256
	}
	if o.PendingLimit <= 0 {
		o.PendingLimit = 1024
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = 4 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Server is the /openvidu WebSocket handler.
type Server struct {
	svc   *core.Service
	media mediaEngine
	opts  Options
	log   *slog.Logger

	mu      sync.Mutex // leaf lock: nothing is called while holding it
	closed  bool
	sockets map[*socket]struct{}
	byRPC   map[string]*participant // RPC session id → participant (for connect)
	byConn  map[connKey]*participant
	wg      sync.WaitGroup // every goroutine the Server owns, timers' callbacks included

	reaper *reaper
}

type connKey struct{ sessionID, connID string }

func newServer(svc *core.Service, engine mediaEngine, opts Options) *Server {
	opts.setDefaults()
	srv := &Server{
		svc:     svc,
		media:   engine,
		opts:    opts,
		log:     opts.Logger,
		sockets: map[*socket]struct{}{},
		byRPC:   map[string]*participant{},
		byConn:  map[connKey]*participant{},
		reaper:  newReaper(),
	}
	svc.AddListener(core.ListenerFunc(srv.onEvent))
	return srv
}

// ServeHTTP upgrades the request and serves the socket until it ends.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	srv.mu.Lock()
	closed := srv.closed
	srv.mu.Unlock()
	if closed {
		http.Error(w, "server is shutting down", http.StatusServiceUnavailable)
		return
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // any Origin, as upstream (pitfall 34)
	})
	if err != nil {
		srv.log.Debug("signaling: upgrade failed", "err", err)
		return
	}
	conn.SetReadLimit(srv.opts.ReadLimit)
	s := newSocket(srv, conn, clientIP(r))
	if !srv.track(s) {
		s.stopTimers()
		_ = conn.Close(websocket.StatusGoingAway, "server is shutting down")
		return
	}
	go s.writeLoop()
	go s.workLoop()
	s.readLoop()
}

// clientIP is X-Real-IP (set by reverse proxies) or the peer's address.
func clientIP(r *http.Request) string {
	if ip := strings.TrimSpace(r.Header.Get("X-Real-IP")); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// track registers a new socket and its three goroutines.
func (srv *Server) track(s *socket) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.sockets[s] = struct{}{}
	srv.wg.Add(3)
	return true
}

// enter counts a timer callback as a Server goroutine; false after Close.
func (srv *Server) enter() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.closed {
		return false
	}
	srv.wg.Add(1)
	return true
}

// socketEnded runs on the socket's worker once nothing else will run for
// it: a joined participant enters its grace period.
func (srv *Server) socketEnded(s *socket) {
	srv.mu.Lock()
	delete(srv.sockets, s)
	closed := srv.closed
	srv.mu.Unlock()
	if s.part != nil && !closed {
		s.part.socketLost(s)
	}
}

func (srv *Server) graceExpired(p *participant) {
	if !srv.enter() {
		return
	}
	defer srv.wg.Done()
	if !p.expire() {
		return
	}
	srv.dropParticipant(p, core.ReasonNetworkDisconnect)
}

// dropParticipant takes p out of its session (grace expired, or a
// reconnection that cannot be honoured).
func (srv *Server) dropParticipant(p *participant, reason core.Reason) {
	sid, cid := p.ids()
	srv.log.Info("signaling: participant dropped", "sessionId", sid, "connectionId", cid, "reason", reason)
	if err := srv.svc.Leave(sid, cid, reason); err != nil {
		srv.log.Debug("signaling: leave after socket loss", "err", err)
	}
	// The listener has released the media if core still knew the
	// participant; otherwise free what is left here.
	srv.forget(p)
	srv.releaseAll(p)
}

func (srv *Server) register(p *participant) {
	sid, cid := p.ids()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.byRPC[p.rpcID] = p
	srv.byConn[connKey{sid, cid}] = p
}

func (srv *Server) forget(p *participant) {
	sid, cid := p.ids()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.byRPC[p.rpcID] == p {
		delete(srv.byRPC, p.rpcID)
	}
	if k := (connKey{sid, cid}); srv.byConn[k] == p {
		delete(srv.byConn, k)
	}
}

func (srv *Server) byRPCID(id string) *participant {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.byRPC[id]
}

func (srv *Server) participant(sessionID, connID string) *participant {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.byConn[connKey{sessionID, connID}]
}

// onEvent is the core.Listener that frees media when core says a stream, a
// subscription or a participant ended, whoever ended it (REST, a moderator,
// the client, grace expiry). It must not block: Close calls go to the reaper.
func (srv *Server) onEvent(e core.Event) {
	sid := e.Ref().ID
	switch e := e.(type) {
	case core.StreamUnsubscribed:
		if p := srv.participant(sid, e.Subscriber.ID); p != nil {
			if sub := p.takeSubscription(e.Stream.ID); sub != nil {
				srv.releaseSubscription(sub)
			}
		}
	case core.StreamUnpublished:
		if p := srv.participant(sid, e.Connection.ID); p != nil {
			if pub := p.takePublication(e.Stream.ID); pub != nil {
				srv.releasePublication(pub)
			}
		}
	case core.ParticipantLeft:
		if p := srv.participant(sid, e.Connection.ID); p != nil {
			p.mu.Lock()
			p.goneLocked()
			p.mu.Unlock()
			srv.forget(p)
			srv.releaseAll(p)
		}
	}
}

func (srv *Server) releaseAll(p *participant) {
	pub, subs := p.takeMedia()
	for _, sub := range subs {
		srv.releaseSubscription(sub)
	}
	if pub != nil {
		srv.releasePublication(pub)
	}
}

func (srv *Server) releasePublication(pub *publication) {
	pub.gate.stop()
	srv.reaper.do(pub.peer.Close)
}

func (srv *Server) releaseSubscription(sub *subscription) {
	sub.gate.stop()
	srv.reaper.do(sub.peer.Close)
}

// Close ends every socket and goroutine of the endpoint. Call it after
// core.Service.Close, so that participantEvicted (openviduServerStopped)
// is already queued: each socket's queue is flushed before it closes.
func (srv *Server) Close(ctx context.Context) error {
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return nil
	}
	srv.closed = true
	socks := make([]*socket, 0, len(srv.sockets))
	for s := range srv.sockets {
		socks = append(socks, s)
	}
	parts := make(map[*participant]struct{}, len(srv.byRPC))
	for _, p := range srv.byRPC {
		parts[p] = struct{}{}
	}
	for _, p := range srv.byConn {
		parts[p] = struct{}{}
	}
	srv.mu.Unlock()

	for p := range parts {
		p.stopGrace()
	}
	for _, s := range socks {
		s.close(websocket.StatusGoingAway, "server stopping")
	}
	err := waitctx.Wait(ctx, &srv.wg)
	if err != nil {
		for _, s := range socks {
			s.kill(errClosedByServer)
		}
		srv.wg.Wait() // killed sockets end at once
	}
	for p := range parts {
		srv.releaseAll(p)
	}
	srv.reaper.close()
	return err
}

// reaper runs media Close calls (which may block on Pion) off the callers'
// goroutines, in order. Its goroutine stops in close, after the queue is empty.
type reaper struct {
	mu      sync.Mutex
	queue   []func()
	stopped bool
	wake    chan struct{}
	done    chan struct{}
}

func newReaper() *reaper {
	r := &reaper{wake: make(chan struct{}, 1), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *reaper) do(fn func()) {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		fn() // after shutdown nobody is waiting on the caller
		return
	}
	r.queue = append(r.queue, fn)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *reaper) run() {
	defer close(r.done)
	for {
		r.mu.Lock()
		q := r.queue
		r.queue = nil
		stopped := r.stopped
		r.mu.Unlock()
		for _, fn := range q {
			fn()
		}
		if stopped && len(q) == 0 {
			return
		}
		if len(q) == 0 {
			<-r.wake
		}
	}
}

func (r *reaper) close() {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
	<-r.done
}
