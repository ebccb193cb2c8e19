package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/govidu/govidu/internal/signaling/jsonrpc"
)

// Causes a socket ends with (the context's cause; logged).
var (
	errPingTimeout    = errors.New("no ping within 3 intervals")
	errQueueOverflow  = errors.New("write queue overflow: client too slow")
	errTooManyPending = errors.New("too many requests waiting")
	errClosedByServer = errors.New("closed by the server")
	errReplaced       = errors.New("replaced by a reconnection")
)

// socket is one WebSocket. Goroutines, each owned by the socket and counted
// in the Server's WaitGroup:
//   - the reader (the HTTP handler's goroutine): decodes frames, answers
//     ping and echo itself, queues every other request for the worker;
//   - the worker: runs requests one at a time, in order, then reports the
//     socket's end to its participant;
//   - the writer: the only goroutine that writes; drains out, a bounded
//     queue. A full queue disconnects the client (a socket loss) instead of
//     blocking whoever produced the frame.
type socket struct {
	srv  *Server
	conn *websocket.Conn
	ip   string
	log  *slog.Logger

	ctx    context.Context // cancelled when the socket is dead
	cancel context.CancelCauseFunc

	out      chan []byte
	work     chan *jsonrpc.Request
	closeReq chan closeRequest // graceful close: flush out, then close handshake
	closing  atomic.Bool

	wdMu      sync.Mutex // guards the watchdog
	wdTimer   *time.Timer
	wdTimeout time.Duration

	timersMu sync.Mutex
	timers   []*time.Timer // delayed closes (after leaveRoom / eviction)

	// part is the participant this socket carries; only the worker touches it.
	part *participant
}

type closeRequest struct {
	code   websocket.StatusCode
	reason string
}

func newSocket(srv *Server, conn *websocket.Conn, ip string) *socket {
	ctx, cancel := context.WithCancelCause(context.Background())
	s := &socket{
		srv:      srv,
		conn:     conn,
		ip:       ip,
		log:      srv.log.With("remote", ip),
		ctx:      ctx,
		cancel:   cancel,
		out:      make(chan []byte, srv.opts.WriteQueue),
		work:     make(chan *jsonrpc.Request, srv.opts.RequestQueue),
		closeReq: make(chan closeRequest, 1),
	}
	s.wdTimeout = 3 * srv.opts.DefaultPingInterval
	s.wdTimer = time.AfterFunc(s.wdTimeout, func() { s.kill(errPingTimeout) })
	return s
}

// send queues a frame without blocking. It reports false when the frame
// will not be written: the socket is dead or closing, or its queue was full
// (then the socket is killed).
func (s *socket) send(frame []byte) bool {
	if s.ctx.Err() != nil || s.closing.Load() {
		return false
	}
	select {
	case s.out <- frame:
		return true
	default:
		s.log.Warn("signaling: client cannot keep up, disconnecting", "queue", cap(s.out))
		s.kill(errQueueOverflow)
		return false
	}
}

func (s *socket) respond(id json.RawMessage, result any) {
	frame, err := jsonrpc.EncodeResult(id, result)
	if err != nil {
		s.log.Error("signaling: cannot encode result", "err", err)
		frame = jsonrpc.EncodeError(id, jsonrpc.NewError(-32603, "internal error: %v", err))
	}
	s.send(frame)
}

func (s *socket) respondError(id json.RawMessage, e *jsonrpc.Error) {
	s.send(jsonrpc.EncodeError(id, e))
}

// kill ends the socket at once; queued frames are dropped.
func (s *socket) kill(cause error) {
	s.cancel(cause)
}

// close ends the socket after writing what is already queued, with a close
// handshake.
func (s *socket) close(code websocket.StatusCode, reason string) {
	if s.closing.Swap(true) {
		return
	}
	s.closeReq <- closeRequest{code, reason}
}

// closeAfter closes the socket after d unless the client closes it first
// (after leaveRoom and eviction the client closes it itself).
func (s *socket) closeAfter(d time.Duration, code websocket.StatusCode, reason string) {
	s.timersMu.Lock()
	defer s.timersMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.timers = append(s.timers, time.AfterFunc(d, func() { s.close(code, reason) }))
}

func (s *socket) stopTimers() {
	s.wdMu.Lock()
	s.wdTimer.Stop()
	s.wdMu.Unlock()
	s.timersMu.Lock()
	for _, t := range s.timers {
		t.Stop()
	}
	s.timersMu.Unlock()
}

// pinged records a ping and re-arms the watchdog: the deadline is three
// of the intervals (ms) the client announces.
func (s *socket) pinged(req *jsonrpc.Request) {
	s.wdMu.Lock()
	defer s.wdMu.Unlock()
	// The client states its interval in the first ping of each socket
	// session; honour it whenever it is given.
	if p, err := parseParams(req.Method, req.Params); err == nil {
		if ms, err := p.optInt("interval", 0); err == nil && ms > 0 {
			s.wdTimeout = 3 * min(time.Duration(ms)*time.Millisecond, s.srv.opts.MaxPingInterval)
		}
	}
	s.wdTimer.Reset(s.wdTimeout)
}

func (s *socket) readLoop() {
	defer s.srv.wg.Done()
	defer close(s.work)
	for {
		_, frame, err := s.conn.Read(s.ctx)
		if err != nil {
			if s.ctx.Err() == nil {
				s.log.Debug("signaling: socket closed", "err", err, "status", websocket.CloseStatus(err))
			}
			s.cancel(err)
			return
		}
		s.handleFrame(frame)
	}
}

func (s *socket) handleFrame(frame []byte) {
	req, errID, rpcErr := jsonrpc.Decode(frame)
	if rpcErr != nil {
		s.log.Debug("signaling: bad frame", "err", rpcErr.Message)
		s.respondError(errID, rpcErr)
		return
	}
	if req.IsNotification() {
		return // the client never sends any; nothing to answer
	}
	// Answered here, never queued behind slow work, and never with an error:
	// any ping failure makes the client drop the socket (pitfalls 11 and 32).
	switch req.Method {
	case "ping":
		s.pinged(req)
		s.respond(req.ID, map[string]string{"value": "pong"})
		return
	case "echo":
		s.respond(req.ID, struct{}{})
		return
	}
	select {
	case s.work <- req:
	default:
		s.log.Warn("signaling: too many requests waiting, disconnecting", "queue", cap(s.work))
		s.kill(errTooManyPending)
	}
}

func (s *socket) workLoop() {
	defer s.srv.wg.Done()
	for req := range s.work {
		if s.ctx.Err() != nil {
			continue // the client cancels its pending calls when a socket drops
		}
		s.srv.dispatch(s, req)
	}
	s.stopTimers()
	s.srv.socketEnded(s)
}

func (s *socket) writeLoop() {
	defer s.srv.wg.Done()
	defer func() { _ = s.conn.CloseNow() }()
	for {
		select {
		case frame := <-s.out:
			if err := s.write(frame); err != nil {
				s.cancel(err)
				return
			}
		case req := <-s.closeReq:
			for flushed := false; !flushed; {
				select {
				case frame := <-s.out:
					if err := s.write(frame); err != nil {
						s.cancel(err)
						return
					}
				default:
					flushed = true
				}
			}
			_ = s.conn.Close(req.code, req.reason)
			s.cancel(errClosedByServer)
			return
		case <-s.ctx.Done():
			return
		}
	}
}

func (s *socket) write(frame []byte) error {
	ctx, cancel := context.WithTimeout(s.ctx, s.srv.opts.WriteTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, frame)
}
