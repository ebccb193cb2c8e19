package openvidu

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"time"
)

// SessionProperties configure a new Session. Zero values take the server's
// defaults (ROUTED, MANUAL, a random id, the configured codec…).
type SessionProperties struct {
	MediaMode     MediaMode
	RecordingMode RecordingMode
	// CustomSessionID names the session ([a-zA-Z0-9_-]+); "" lets the server
	// pick a random "ses_…" id.
	CustomSessionID  string
	ForcedVideoCodec VideoCodec
	AllowTranscoding *bool
	// DefaultRecordingProperties apply to recordings of this session that do
	// not say otherwise.
	DefaultRecordingProperties *RecordingProperties
	MediaNode                  string // OpenVidu Pro media node id
}

// Session is a snapshot of an OpenVidu session.
type Session struct {
	ID           string
	CreatedAt    time.Time
	Recording    bool // a recording is starting or running
	Broadcasting bool
	// Properties as the server applied them (defaults filled in).
	Properties SessionProperties
	// Connections holds the active and the pending Connections, in creation order.
	Connections []*Connection

	client *Client
}

// ActiveConnections returns the Connections of participants that have joined.
func (s *Session) ActiveConnections() []*Connection {
	var out []*Connection
	for _, c := range s.Connections {
		if c.Status == ConnectionActive {
			out = append(out, c)
		}
	}
	return out
}

// CreateSession creates a session. When props.CustomSessionID names a
// session that already exists, that session is fetched and returned instead,
// as the official clients do. Expect ErrBadRequest for invalid properties.
func (c *Client) CreateSession(ctx context.Context, props SessionProperties) (*Session, error) {
	var w sessionWire
	err := c.do(ctx, call{method: http.MethodPost, path: "/sessions", body: sessionRequest(props), want: http.StatusOK, out: &w})
	if errors.Is(err, ErrConflict) && props.CustomSessionID != "" {
		return c.Session(ctx, props.CustomSessionID)
	}
	if err != nil {
		return nil, err
	}
	// The creation answer lists no connections; say so explicitly.
	s := w.session(c)
	if s.Connections == nil {
		s.Connections = []*Connection{}
	}
	return s, nil
}

// FetchOption changes what Session and Sessions ask the server for.
type FetchOption func(*fetchOptions)

type fetchOptions struct {
	webRTCStats bool
}

// WithWebRTCStats adds the WebRTC endpoint details (SDPs, candidates) of
// every publisher and subscriber (Publisher.WebRTC, Subscriber.WebRTC).
func WithWebRTCStats() FetchOption {
	return func(o *fetchOptions) { o.webRTCStats = true }
}

func fetchQuery(opts []FetchOption) url.Values {
	var o fetchOptions
	for _, apply := range opts {
		apply(&o)
	}
	q := url.Values{"pendingConnections": {"true"}}
	if o.webRTCStats {
		q.Set("webRtcStats", "true")
	}
	return q
}

// Session fetches one session, pending connections included. ErrNotFound
// if there is no such session.
func (c *Client) Session(ctx context.Context, id string, opts ...FetchOption) (*Session, error) {
	var w sessionWire
	err := c.do(ctx, call{method: http.MethodGet, path: "/sessions/" + seg(id), query: fetchQuery(opts), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.session(c), nil
}

// Sessions fetches every session of the server, pending connections included.
func (c *Client) Sessions(ctx context.Context, opts ...FetchOption) ([]*Session, error) {
	var w listWire[sessionWire]
	err := c.do(ctx, call{method: http.MethodGet, path: "/sessions", query: fetchQuery(opts), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	out := make([]*Session, 0, len(w.Content))
	for i := range w.Content {
		out = append(out, w.Content[i].session(c))
	}
	return out, nil
}

// Close closes the session: every participant is evicted and every pending
// Connection invalidated. ErrNotFound if there is no such session.
func (c *Client) Close(ctx context.Context, sessionID string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/sessions/" + seg(sessionID), want: http.StatusNoContent})
}

// Close closes this session (see Client.Close).
func (s *Session) Close(ctx context.Context) error {
	return s.client.Close(ctx, s.ID)
}

// Fetch refreshes s from the server and reports whether anything changed
// since s was read. ErrNotFound once the session is closed.
func (s *Session) Fetch(ctx context.Context) (changed bool, err error) {
	fresh, err := s.client.Session(ctx, s.ID)
	if err != nil {
		return false, err
	}
	changed = !reflect.DeepEqual(s, fresh)
	*s = *fresh
	return changed, nil
}
