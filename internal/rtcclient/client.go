// Package rtcclient is a Go client of govidu's signaling protocol: what a
// browser running openvidu-browser 2.32 does, without the browser. It gets
// tokens over REST, speaks the WebSocket JSON-RPC (ping, joinRoom,
// publishVideo, receiveVideoFrom, onIceCandidate both ways, signals,
// unpublish, leaveRoom), publishes real VP8 and Opus from embedded
// fixtures through Pion, and measures what it receives: packets, bytes,
// loss, jitter, the first decoded keyframe, and end-to-end latency from a
// send-time trailer (see AppendTrailer). It is the engine of
// `govidu loadtest` and of media tests against a real server.
//
// One API (NewAPI) per process; any number of Clients share it. All
// methods are safe for concurrent use.
package rtcclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"
)

// Options configure a Client.
type Options struct {
	API *API // required: the process's shared Pion API

	// WSURL overrides where the WebSocket goes (ws[s]://host:port); by
	// default the token's scheme and host, as the browser does.
	WSURL      string
	HTTPClient *http.Client // WebSocket dialing (TLS settings)

	// ICEServers replaces the joinRoom customIceServers (the server's
	// embedded TURN) when not nil.
	ICEServers []webrtc.ICEServer
	// ICETransportPolicy relay uses TURN relay candidates only: it needs
	// ICE servers, normally the customIceServers of joinRoom.
	ICETransportPolicy webrtc.ICETransportPolicy

	Metadata       string        // clientData sent in joinRoom
	PingInterval   time.Duration // default 5 s, as openvidu-browser
	RequestTimeout time.Duration // default 10 s, as openvidu-browser
	EventBuffer    int           // capacity of Events(); default 256 (events beyond are counted and dropped)
	Logger         *slog.Logger
}

// Stream is a published stream as the protocol describes it.
type Stream struct {
	ID              string `json:"id"`
	ConnectionID    string `json:"-"`
	HasAudio        bool   `json:"hasAudio"`
	HasVideo        bool   `json:"hasVideo"`
	AudioActive     bool   `json:"audioActive"`
	VideoActive     bool   `json:"videoActive"`
	TypeOfVideo     string `json:"typeOfVideo"`
	VideoDimensions string `json:"videoDimensions"`
}

// Participant is a remote Connection.
type Participant struct {
	ID       string   `json:"id"`
	Metadata string   `json:"metadata"`
	Streams  []Stream `json:"streams"`
}

// JoinResult is what joinRoom returned.
type JoinResult struct {
	ConnectionID string
	Session      string
	Role         string
	RPCSession   string
	Participants []Participant
	IceServers   []webrtc.ICEServer // customIceServers
}

// Event is a server notification (all but iceCandidate, which the client
// routes itself). ConnectionID is the connection the event is about.
type Event struct {
	Method       string
	ConnectionID string
	Reason       string
	Participant  *Participant // participantJoined, participantPublished
	Signal       *Signal      // sendMessage
	Params       json.RawMessage
}

// Signal is a received sendMessage.
type Signal struct {
	From string `json:"from"`
	Type string `json:"type"`
	Data string `json:"data"`
}

// Client is one participant: one WebSocket, at most one publication and
// any number of subscriptions.
type Client struct {
	opts   Options
	log    *slog.Logger
	rpc    *rpcConn
	joined JoinResult

	events     chan Event
	eventDrops atomic.Uint64
	pingFails  atomic.Uint64

	mu      sync.Mutex
	pub     *Publication
	subs    map[string]*Subscription // by the publisher's connection id
	closed  bool
	evicted bool

	stopPing context.CancelFunc
	wg       sync.WaitGroup
}

// Join dials the server named by the token, pings and joins the session.
func Join(ctx context.Context, token string, opts Options) (*Client, error) {
	if opts.API == nil {
		return nil, errors.New("rtcclient: Options.API is required")
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 5 * time.Second
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	if opts.EventBuffer <= 0 {
		opts.EventBuffer = 256
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	wsURL, sessionID, err := socketURL(token, opts.WSURL)
	if err != nil {
		return nil, err
	}
	c := &Client{opts: opts, log: opts.Logger, subs: map[string]*Subscription{},
		events: make(chan Event, opts.EventBuffer)}
	ws, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: opts.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("rtcclient: dial %s: %w", wsURL, err)
	}
	c.rpc = newRPCConn(ws, c.onNotification)
	fail := func(err error) (*Client, error) {
		c.rpc.close()
		return nil, err
	}
	if _, err := c.call(ctx, "ping", map[string]any{"interval": opts.PingInterval.Milliseconds()}); err != nil {
		return fail(err)
	}
	params := map[string]any{
		"token": token, "platform": "govidu rtcclient (Go)", "sdkVersion": "2.32.2",
		"metadata": opts.Metadata, "secret": "", "recorder": false, "stt": false,
	}
	if sessionID != "" {
		params["session"] = sessionID
	}
	raw, err := c.call(ctx, "joinRoom", params)
	if err != nil {
		return fail(err)
	}
	if err := c.parseJoin(raw); err != nil {
		return fail(err)
	}
	pctx, cancel := context.WithCancel(context.Background())
	c.stopPing = cancel
	c.wg.Go(func() { c.pingLoop(pctx) })
	return c, nil
}

// socketURL is where openvidu-browser connects for a token: the token's
// scheme and host (or override), path /openvidu, the sessionId query.
func socketURL(token, override string) (wsURL, sessionID string, err error) {
	u, err := url.Parse(token)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return "", "", fmt.Errorf("rtcclient: token %q is not a ws[s]:// URL", token)
	}
	sessionID = u.Query().Get("sessionId")
	base := u.Scheme + "://" + u.Host
	if override != "" {
		base = strings.TrimRight(override, "/")
	}
	wsURL = base + "/openvidu"
	if sessionID != "" {
		wsURL += "?sessionId=" + url.QueryEscape(sessionID)
	}
	return wsURL, sessionID, nil
}

func (c *Client) parseJoin(raw json.RawMessage) error {
	var r struct {
		ID               string        `json:"id"`
		Session          string        `json:"session"`
		Role             string        `json:"role"`
		SessionID        string        `json:"sessionId"`
		Value            []Participant `json:"value"`
		CustomIceServers []struct {
			URL        string `json:"url"`
			Username   string `json:"username"`
			Credential string `json:"credential"`
		} `json:"customIceServers"`
	}
	if err := json.Unmarshal(raw, &r); err != nil || r.ID == "" {
		return fmt.Errorf("rtcclient: joinRoom result: %s", raw)
	}
	for i := range r.Value {
		for j := range r.Value[i].Streams {
			r.Value[i].Streams[j].ConnectionID = r.Value[i].ID
		}
	}
	c.joined = JoinResult{ConnectionID: r.ID, Session: r.Session, Role: r.Role, RPCSession: r.SessionID, Participants: r.Value}
	for _, s := range r.CustomIceServers {
		c.joined.IceServers = append(c.joined.IceServers, webrtc.ICEServer{
			URLs: []string{s.URL}, Username: s.Username, Credential: s.Credential})
	}
	return nil
}

// Joined is the joinRoom result.
func (c *Client) Joined() JoinResult { return c.joined }

// ConnectionID is our connection id.
func (c *Client) ConnectionID() string { return c.joined.ConnectionID }

// Events delivers the server's notifications in order; closed by Close.
func (c *Client) Events() <-chan Event { return c.events }

// DroppedEvents counts notifications lost because Events() was not read.
func (c *Client) DroppedEvents() uint64 { return c.eventDrops.Load() }

// PingFailures counts pings that failed (openvidu-browser would re-dial).
func (c *Client) PingFailures() uint64 { return c.pingFails.Load() }

func (c *Client) iceServers() []webrtc.ICEServer {
	if c.opts.ICEServers != nil {
		return c.opts.ICEServers
	}
	return c.joined.IceServers
}

func (c *Client) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	return c.rpc.call(ctx, method, params)
}

func (c *Client) pingLoop(ctx context.Context) {
	t := time.NewTicker(c.opts.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.rpc.ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.call(ctx, "ping", nil); err != nil && ctx.Err() == nil {
			c.pingFails.Add(1)
		}
	}
}

// onNotification runs on the read goroutine: it must not block.
func (c *Client) onNotification(method string, params json.RawMessage) {
	if method == "iceCandidate" {
		c.routeCandidate(params)
		return
	}
	ev := Event{Method: method, Params: params}
	var p struct {
		ID           string   `json:"id"`
		ConnectionID string   `json:"connectionId"`
		Reason       string   `json:"reason"`
		Metadata     string   `json:"metadata"`
		Streams      []Stream `json:"streams"`
		From         string   `json:"from"`
		Type         string   `json:"type"`
		Data         string   `json:"data"`
	}
	_ = json.Unmarshal(params, &p)
	ev.ConnectionID, ev.Reason = p.ConnectionID, p.Reason
	switch method {
	case "participantJoined", "participantPublished":
		ev.ConnectionID = p.ID
		for i := range p.Streams {
			p.Streams[i].ConnectionID = p.ID
		}
		ev.Participant = &Participant{ID: p.ID, Metadata: p.Metadata, Streams: p.Streams}
	case "sendMessage":
		ev.ConnectionID = p.From
		ev.Signal = &Signal{From: p.From, Type: p.Type, Data: p.Data}
	case "participantUnpublished", "participantLeft":
		// Remote clients release their subscriber PeerConnections themselves.
		if p.ConnectionID == c.joined.ConnectionID && method == "participantUnpublished" {
			c.dropPublication()
		} else {
			c.dropSubscription(p.ConnectionID)
		}
	case "participantEvicted":
		if p.ConnectionID == c.joined.ConnectionID {
			c.mu.Lock()
			c.evicted = true
			c.mu.Unlock()
		}
	}
	select {
	case c.events <- ev:
	default:
		c.eventDrops.Add(1)
	}
}

// routeCandidate: senderConnectionId is the owner of the stream the
// PeerConnection carries (protocol §5.4, pitfall 16).
func (c *Client) routeCandidate(params json.RawMessage) {
	var p struct {
		Sender        string  `json:"senderConnectionId"`
		Candidate     string  `json:"candidate"`
		SDPMid        *string `json:"sdpMid"`
		SDPMLineIndex *uint16 `json:"sdpMLineIndex"`
	}
	if json.Unmarshal(params, &p) != nil || p.Candidate == "" {
		return
	}
	var pc *peerConn
	c.mu.Lock()
	if p.Sender == c.joined.ConnectionID {
		if c.pub != nil {
			pc = c.pub.peer
		}
	} else if s := c.subs[p.Sender]; s != nil {
		pc = s.peer
	}
	c.mu.Unlock()
	if pc == nil {
		c.log.Debug("rtcclient: candidate for no PeerConnection", "sender", p.Sender)
		return
	}
	// Not on the read goroutine: Pion's AddICECandidate waits for the ICE
	// agent, and a read loop stuck behind it stops answering pings and lets
	// the server's write queue for this socket overflow.
	init := webrtc.ICECandidateInit{Candidate: p.Candidate, SDPMid: p.SDPMid, SDPMLineIndex: p.SDPMLineIndex}
	pc.goTracked(func() { pc.addRemote(init) })
}

// SendSignal sends a signal (sendMessage) to connections (none = everyone).
func (c *Client) SendSignal(ctx context.Context, to []string, typ, data string) error {
	if to == nil {
		to = []string{}
	}
	if !strings.HasPrefix(typ, "signal:") {
		typ = "signal:" + typ
	}
	msg, _ := json.Marshal(map[string]any{"to": to, "data": data, "type": typ})
	_, err := c.call(ctx, "sendMessage", map[string]any{"message": string(msg)})
	return err
}

// dropPublication stops our publication after the server ended it.
func (c *Client) dropPublication() {
	c.mu.Lock()
	p := c.pub
	c.pub = nil
	c.mu.Unlock()
	if p != nil {
		c.goClose(p.stop)
	}
}

func (c *Client) dropSubscription(owner string) {
	c.mu.Lock()
	s := c.subs[owner]
	delete(c.subs, owner)
	c.mu.Unlock()
	if s != nil {
		c.goClose(s.close)
	}
}

// goClose closes something off the read goroutine (closing a
// PeerConnection takes a while); Close waits for it.
func (c *Client) goClose(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return // Close closes everything itself
	}
	c.wg.Go(f)
}

// Leave sends leaveRoom, then closes the client.
func (c *Client) Leave(ctx context.Context) error {
	_, err := c.call(ctx, "leaveRoom", struct{}{})
	c.Close()
	return err
}

// Close closes every PeerConnection and the WebSocket (code 4102) without
// leaving: the server sees a socket loss. Idempotent.
func (c *Client) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	pub := c.pub
	c.pub = nil
	subs := make([]*Subscription, 0, len(c.subs))
	for _, s := range c.subs {
		subs = append(subs, s)
	}
	clear(c.subs)
	c.mu.Unlock()
	var wg sync.WaitGroup
	if pub != nil {
		wg.Go(pub.stop)
	}
	for _, s := range subs {
		wg.Go(s.close)
	}
	wg.Wait()
	if c.stopPing != nil {
		c.stopPing()
	}
	c.rpc.close()
	c.wg.Wait()
	close(c.events) // the read loop, the only sender, has ended
}
