package signaling

import (
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"

	"github.com/coder/websocket"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/signaling/jsonrpc"
)

// call is one request being served by a socket's worker.
type call struct {
	ctx      context.Context
	srv      *Server
	sock     *socket
	req      *jsonrpc.Request
	params   params
	part     *participant // nil before joinRoom/connect
	answered bool         // the handler queued the response itself
}

type method struct {
	fn func(*call) (any, error)
	// joined: the method needs a participant (803 otherwise).
	joined bool
}

// methods is the table of protocol §3. ping and echo never get here: the
// reader answers them.
var methods map[string]method

func init() {
	filter := method{fn: filterMethod, joined: true}
	stt := method{fn: speechToText, joined: true}
	methods = map[string]method{
		"joinRoom":                    {fn: joinRoom},
		"connect":                     {fn: reconnect},
		"leaveRoom":                   {fn: leaveRoom, joined: true},
		"publishVideo":                {fn: publishVideo, joined: true},
		"unpublishVideo":              {fn: unpublishVideo, joined: true},
		"receiveVideoFrom":            {fn: receiveVideoFrom, joined: true},
		"unsubscribeFromVideo":        {fn: unsubscribeFromVideo, joined: true},
		"onIceCandidate":              {fn: onIceCandidate, joined: true},
		"sendMessage":                 {fn: sendMessage, joined: true},
		"streamPropertyChanged":       {fn: streamPropertyChanged, joined: true},
		"videoData":                   {fn: videoData, joined: true},
		"forceDisconnect":             {fn: forceDisconnect, joined: true},
		"forceUnpublish":              {fn: forceUnpublish, joined: true},
		"reconnectStream":             {fn: reconnectStream, joined: true},
		"prepareReceiveVideoFrom":     {fn: prepareReceiveVideoFrom, joined: true},
		"applyFilter":                 filter,
		"removeFilter":                filter,
		"execFilterMethod":            filter,
		"addFilterEventListener":      filter,
		"removeFilterEventListener":   filter,
		"subscribeToSpeechToText":     stt,
		"unsubscribeFromSpeechToText": stt,
	}
}

// dispatch runs one request on the socket's worker and answers it.
func (srv *Server) dispatch(s *socket, req *jsonrpc.Request) {
	m, ok := methods[req.Method]
	if !ok {
		s.respondError(req.ID, jsonrpc.NewError(jsonrpc.CodeMethodNotFound, "Method not found: %s", req.Method))
		return
	}
	if s.part != nil && s.part.isGone() {
		s.part = nil // left or evicted: the socket carries no participant any more
	}
	if m.joined && s.part == nil {
		s.respondError(req.ID, rpcError(core.ErrNotJoined.Withf("%s requires a joined session: call joinRoom first", req.Method)))
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, srv.opts.RequestTimeout)
	defer cancel()
	c := &call{ctx: ctx, srv: srv, sock: s, req: req, part: s.part}
	result, err := srv.run(c, m)
	switch {
	case c.answered:
	case err != nil:
		e := rpcError(err)
		if e.Code == core.ErrInternal.RPCCode {
			s.log.Warn("signaling: request failed", "method", req.Method, "err", err)
		}
		s.respondError(req.ID, e)
	default:
		s.respond(req.ID, result)
	}
}

// run calls the handler. A panic is a bug: it is logged and answered as an
// internal error instead of taking every session of the server down.
func (srv *Server) run(c *call, m method) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.sock.log.Error("signaling: handler panic", "method", c.req.Method, "panic", r, "stack", string(debug.Stack()))
			c.answered = false
			result, err = nil, core.ErrInternal.Withf("internal error in %s", c.req.Method)
		}
	}()
	if c.params, err = parseParams(c.req.Method, c.req.Params); err != nil {
		return nil, err
	}
	return m.fn(c)
}

// rpcError translates an error to the wire: catalogue entries carry their
// JSON-RPC code (handlers translate, never invent).
func rpcError(err error) *jsonrpc.Error {
	var je *jsonrpc.Error
	if errors.As(err, &je) {
		return je
	}
	e := core.AsError(err)
	return &jsonrpc.Error{Code: e.RPCCode, Message: e.Message}
}

func (c *call) ids() (string, string) { return c.part.ids() }

func joinRoom(c *call) (any, error) {
	if c.part != nil {
		sid, cid := c.ids()
		return nil, core.ErrBadRequest.Withf("this socket already joined session %s as %s", sid, cid)
	}
	token, err := c.params.str("token")
	if err != nil {
		return nil, err
	}
	sessionID, err := c.params.optStr("session")
	if err != nil {
		return nil, err
	}
	p := newParticipant(c.srv)
	res, err := c.srv.svc.Join(core.JoinRequest{
		SessionID:  sessionID,
		Token:      token,
		ClientData: c.params.text("metadata"),
		Platform:   c.params.text("platform"),
		IP:         c.sock.ip,
		Notifier:   p,
	})
	if err != nil {
		return nil, err // the socket stays open and keeps pinging (pitfall 30)
	}
	p.mu.Lock()
	p.sessionID, p.connID = res.Session.ID, res.Connection.ID
	p.mu.Unlock()
	c.srv.register(p)
	if len(res.Connection.Properties.CustomIceServers) == 0 && c.srv.opts.IceServers != nil {
		res.Connection.Properties.CustomIceServers = c.srv.opts.IceServers(res.Connection.ID)
	}
	frame, err := jsonrpc.EncodeResult(c.req.ID, joinResult(res, p.rpcID))
	if err != nil {
		return nil, err
	}
	c.sock.part = p
	c.answered = true
	p.attach(c.sock, frame)
	return nil, nil
}

// reconnect is connect: a re-dialed socket takes over the RPC session
// within its grace period; queued notifications follow the result.
func reconnect(c *call) (any, error) {
	rpcID, err := c.params.str("sessionId")
	if err != nil {
		return nil, err
	}
	p := c.srv.byRPCID(rpcID)
	if p == nil || (c.part != nil && c.part != p) {
		return nil, core.ErrReconnection
	}
	frame, err := jsonrpc.EncodeResult(c.req.ID, struct {
		Value     string `json:"value"`
		SessionID string `json:"sessionId"`
	}{"reconnection successful", rpcID})
	if err != nil {
		return nil, err
	}
	previous, ok := p.attach(c.sock, frame)
	if !ok {
		if !p.isGone() { // notifications were lost: its view cannot be repaired
			p.mu.Lock()
			p.goneLocked()
			p.mu.Unlock()
			c.srv.dropParticipant(p, core.ReasonNetworkDisconnect)
		}
		return nil, core.ErrReconnection
	}
	c.sock.part = p
	c.answered = true
	if previous != nil && previous != c.sock {
		previous.close(websocket.StatusNormalClosure, "replaced by a reconnection")
	}
	return nil, nil
}

func leaveRoom(c *call) (any, error) {
	sid, cid := c.ids()
	err := c.srv.svc.Leave(sid, cid, core.ReasonDisconnect)
	if err != nil && !errors.Is(err, core.ErrConnectionNotFound) && !errors.Is(err, core.ErrSessionNotFound) {
		return nil, err
	}
	p := c.part
	p.mu.Lock()
	p.goneLocked()
	p.mu.Unlock()
	c.srv.forget(p)
	c.srv.releaseAll(p)
	c.sock.part = nil
	// Answer first; the browser closes the socket when it has the answer (pitfall 28).
	c.sock.respond(c.req.ID, struct{}{})
	c.answered = true
	c.sock.closeAfter(c.srv.opts.LeaveCloseDelay, websocket.StatusNormalClosure, "left the session")
	return nil, nil
}

func sendMessage(c *call) (any, error) {
	text, err := c.params.str("message")
	if err != nil {
		return nil, err
	}
	var msg map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &msg); err != nil || msg == nil {
		return nil, core.ErrSignalFormat.Withf("signal message is not a JSON object: %s", truncate(text, 200))
	}
	var to []string
	if raw, ok := msg["to"]; ok && !isNull(raw) {
		var entries []*string
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil, core.ErrSignalFormat.Withf(`signal "to" must be an array of connection ids`)
		}
		for _, e := range entries {
			if e == nil {
				return nil, core.ErrSignalTo.Withf("signal recipient null is not a participant")
			}
			to = append(to, *e)
		}
	}
	sp := params{method: "sendMessage", members: msg}
	typ := sp.text("type")
	data := sp.text("data")
	sid, cid := c.ids()
	return struct{}{}, c.srv.svc.Signal(sid, cid, to, typ, data)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func streamPropertyChanged(c *call) (any, error) {
	property, err := c.params.str("property")
	if err != nil {
		return nil, err
	}
	newValue, err := c.params.raw("newValue")
	if err != nil {
		return nil, err
	}
	reason := c.params.text("reason")
	sid, cid := c.ids()
	// Core relays to the others before we answer; the sender is answered,
	// never echoed (pitfall 26).
	return struct{}{}, c.srv.svc.ChangeStreamProperty(sid, cid, property, newValue, reason)
}

func videoData(c *call) (any, error) {
	for _, name := range []string{"height", "width"} {
		if _, err := c.params.optNumber(name); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{"videoActive", "audioActive"} {
		if _, err := c.params.optBool(name, false); err != nil {
			return nil, err
		}
	}
	return struct{}{}, nil
}

// requireModerator checks the caller's current role (it may change through REST).
func (c *call) requireModerator(action string) error {
	sid, cid := c.ids()
	v, err := c.srv.svc.Connection(sid, cid)
	if err != nil {
		return err
	}
	if v.Properties.Role != core.RoleModerator {
		return core.ErrPermissionDenied.Withf("connection %s has role %s: only a MODERATOR can %s", cid, v.Properties.Role, action)
	}
	return nil
}

func forceDisconnect(c *call) (any, error) {
	target, err := c.params.str("connectionId")
	if err != nil {
		return nil, err
	}
	if err := c.requireModerator("force a disconnection"); err != nil {
		return nil, err
	}
	sid, _ := c.ids()
	return struct{}{}, c.srv.svc.Disconnect(sid, target, core.ReasonForceDisconnectByUser)
}

func forceUnpublish(c *call) (any, error) {
	streamID, err := c.params.str("streamId")
	if err != nil {
		return nil, err
	}
	if err := c.requireModerator("force an unpublish"); err != nil {
		return nil, err
	}
	sid, _ := c.ids()
	return struct{}{}, c.srv.svc.UnpublishStream(sid, streamID, core.ReasonForceUnpublishByUser)
}

// errServerOffer answers the server-offer (mediasoup) forms of the protocol.
func errServerOffer(method string) *jsonrpc.Error {
	return &jsonrpc.Error{Code: core.ErrFilterUnsupported.RPCCode, Message: method +
		": server-offered subscriptions are not supported; this server runs in kurento mode (the browser sends the SDP offer)"}
}

func prepareReceiveVideoFrom(c *call) (any, error) {
	return nil, errServerOffer("prepareReceiveVideoFrom")
}

func filterMethod(c *call) (any, error) {
	return nil, core.ErrFilterUnsupported.Withf("%s: server-side filters are not supported", c.req.Method)
}

func speechToText(c *call) (any, error) {
	return nil, core.ErrProOnly.Withf("%s: Speech To Text requires OpenVidu Pro/Enterprise edition", c.req.Method)
}
