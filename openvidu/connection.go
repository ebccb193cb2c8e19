package openvidu

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// ConnectionProperties configure a new Connection. Zero values take the
// server's defaults: a WEBRTC PUBLISHER that is recorded.
type ConnectionProperties struct {
	Type ConnectionType
	// Data is handed to every participant as the connection's server data.
	Data   string
	Record *bool // nil = true
	Role   Role
	// KurentoOptions override the server's bandwidth limits for this connection.
	KurentoOptions *KurentoOptions
	// CustomIceServers replace the server's STUN/TURN list for this connection.
	CustomIceServers []IceServer

	// IPCAM connections only.
	RTSPURI                 string
	AdaptativeBitrate       *bool // nil = true
	OnlyPlayWithSubscribers *bool // nil = true
	NetworkCache            *int  // ms; nil = 2000
}

// KurentoOptions limit a connection's video bandwidth in kbps (0 = unlimited).
// Nil fields keep the server's configuration.
type KurentoOptions struct {
	VideoMaxRecvBandwidth *int     `json:"videoMaxRecvBandwidth,omitempty"`
	VideoMinRecvBandwidth *int     `json:"videoMinRecvBandwidth,omitempty"`
	VideoMaxSendBandwidth *int     `json:"videoMaxSendBandwidth,omitempty"`
	VideoMinSendBandwidth *int     `json:"videoMinSendBandwidth,omitempty"`
	AllowedFilters        []string `json:"allowedFilters,omitempty"`
}

// IceServer is a STUN or TURN server for a connection's browser. Give TURN
// servers a Username and Credential, or a StaticAuthSecret from which the
// server derives time-limited credentials (the secret is never echoed).
type IceServer struct {
	URL              string `json:"url"`
	Username         string `json:"username,omitempty"`
	Credential       string `json:"credential,omitempty"`
	StaticAuthSecret string `json:"staticAuthSecret,omitempty"`
}

// Connection is a snapshot of a participant of a session, or of an
// invitation to become one (Status pending) that a browser redeems with Token.
type Connection struct {
	ID        string
	SessionID string
	Status    ConnectionStatus
	Type      ConnectionType
	// Token is what the browser passes to openvidu-browser's Session.connect:
	// "ws[s]://host[:port]?sessionId=…&token=tok_…". Empty for IP cameras.
	Token      string
	Role       Role // empty for IP cameras
	Record     bool
	ServerData string // ConnectionProperties.Data
	ClientData string // metadata the browser sent when joining

	KurentoOptions   *KurentoOptions
	CustomIceServers []IceServer

	CreatedAt time.Time
	ActiveAt  time.Time // zero while pending
	Location  string    // set once active
	IP        string
	Platform  string

	// IPCAM connections only.
	RTSPURI                 string
	AdaptativeBitrate       bool
	OnlyPlayWithSubscribers bool
	NetworkCache            int

	// Publishers holds the connection's published stream (at most one);
	// Subscribers the streams it receives. Both are nil while pending.
	Publishers  []Publisher
	Subscribers []Subscriber
}

// Publisher is a stream a connection publishes.
type Publisher struct {
	CreatedAt    time.Time
	StreamID     string
	RTSPURI      string // IP cameras only
	MediaOptions MediaOptions
	WebRTC       *EndpointStats // only when fetched WithWebRTCStats
}

// MediaOptions describe a published stream.
type MediaOptions struct {
	HasAudio        bool
	AudioActive     bool
	HasVideo        bool
	VideoActive     bool
	TypeOfVideo     TypeOfVideo
	FrameRate       int // 0 when unknown
	VideoDimensions VideoDimensions
	Filter          json.RawMessage // the applied filter; {} when none

	// IP cameras only.
	AdaptativeBitrate       bool
	OnlyPlayWithSubscribers bool
	NetworkCache            int
}

// VideoDimensions of a published video; zero when unknown.
type VideoDimensions struct {
	Width  int `json:"width"`
	Height int `json:"height"`
}

// Subscriber is a stream a connection receives; StreamID is the publisher's stream.
type Subscriber struct {
	CreatedAt time.Time
	StreamID  string
	WebRTC    *EndpointStats // only when fetched WithWebRTCStats
}

// EndpointStats describe the server's side of one WebRTC PeerConnection.
type EndpointStats struct {
	WebRTCEndpointName  string
	LocalSDP            string
	RemoteSDP           string
	ClientIceCandidates []json.RawMessage
	ServerIceCandidates []json.RawMessage
	LocalCandidate      string
	RemoteCandidate     string
	Events              []json.RawMessage
}

// ConnectionPatch changes a Connection; nil/empty fields stay as they are.
type ConnectionPatch struct {
	Role   Role  `json:"role,omitempty"`
	Record *bool `json:"record,omitempty"`
}

// CreateConnection creates a pending Connection in the session; hand its
// Token to the browser. ErrNotFound if there is no such session,
// ErrBadRequest for invalid properties.
func (c *Client) CreateConnection(ctx context.Context, sessionID string, props ConnectionProperties) (*Connection, error) {
	var w connectionWire
	err := c.do(ctx, call{method: http.MethodPost, path: "/sessions/" + seg(sessionID) + "/connection", body: connectionRequest(props), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.connection(), nil
}

// CreateConnection creates a pending Connection in this session and adds it
// to s.Connections.
func (s *Session) CreateConnection(ctx context.Context, props ConnectionProperties) (*Connection, error) {
	conn, err := s.client.CreateConnection(ctx, s.ID, props)
	if err == nil {
		s.Connections = append(s.Connections, conn)
	}
	return conn, err
}

// Connection fetches one connection, pending or active. Note OpenVidu's
// codes: ErrBadRequest if there is no such session, ErrNotFound if there is
// no such connection.
func (c *Client) Connection(ctx context.Context, sessionID, connectionID string) (*Connection, error) {
	var w connectionWire
	err := c.do(ctx, call{method: http.MethodGet, path: "/sessions/" + seg(sessionID) + "/connection/" + seg(connectionID), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.connection(), nil
}

// Connection fetches one connection of this session (see Client.Connection).
func (s *Session) Connection(ctx context.Context, connectionID string) (*Connection, error) {
	return s.client.Connection(ctx, s.ID, connectionID)
}

// Connections fetches the connections of a session, pending ones included.
// ErrNotFound if there is no such session.
func (c *Client) Connections(ctx context.Context, sessionID string) ([]*Connection, error) {
	var w listWire[connectionWire]
	err := c.do(ctx, call{method: http.MethodGet, path: "/sessions/" + seg(sessionID) + "/connection", want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	out := make([]*Connection, 0, len(w.Content))
	for i := range w.Content {
		out = append(out, w.Content[i].connection())
	}
	return out, nil
}

// UpdateConnection changes the role or the record flag of a pending or
// active connection and returns it as updated. ErrNotFound if there is no
// such session or connection.
func (c *Client) UpdateConnection(ctx context.Context, sessionID, connectionID string, patch ConnectionPatch) (*Connection, error) {
	var w connectionWire
	err := c.do(ctx, call{method: http.MethodPatch, path: "/sessions/" + seg(sessionID) + "/connection/" + seg(connectionID), body: patch, want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.connection(), nil
}

// ForceDisconnect evicts a participant, or invalidates the token of a
// pending connection. Evicting the last participant closes the session.
// ErrBadRequest if there is no such session, ErrNotFound if there is no such
// connection.
func (c *Client) ForceDisconnect(ctx context.Context, sessionID, connectionID string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/sessions/" + seg(sessionID) + "/connection/" + seg(connectionID), want: http.StatusNoContent})
}

// ForceUnpublish stops a published stream; its subscribers lose it.
// ErrBadRequest if there is no such session, ErrNotFound if there is no such
// stream, ErrMethodNotAllowed for an IP camera's stream.
func (c *Client) ForceUnpublish(ctx context.Context, sessionID, streamID string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/sessions/" + seg(sessionID) + "/stream/" + seg(streamID), want: http.StatusNoContent})
}
