package core

import (
	"time"
)

// Connection is one participant (or pending invitation) of a Session. Its
// mutable fields are guarded by the owning Session's mu.
type Connection struct {
	id        string
	session   *Session
	token     string // full token URL; "" for IPCAM and hidden connections
	tokenKey  string // the tok_… value, for forgiving lookups
	createdAt time.Time
	props     ConnectionProperties
	hidden    bool // RECORDER and similar: never listed, never announced

	status     ConnectionStatus
	activeAt   time.Time
	clientData string
	platform   string
	ip         string
	location   string
	publisher  *Stream
	subs       []*subscription // in subscription order
	notifier   Notifier
}

// ConnectionView is an immutable copy of a Connection, safe to read without locks.
type ConnectionView struct {
	ID          string
	SessionID   string
	Token       string
	Status      ConnectionStatus
	CreatedAt   time.Time
	ActiveAt    time.Time // zero while pending
	Location    string
	IP          string
	Platform    string
	ClientData  string
	Properties  ConnectionProperties
	Publisher   *StreamView
	Subscribers []SubscriptionView
	Hidden      bool
}

// FullMetadata is upstream's participant metadata: client data and server
// data joined by "%/%", the separator only when both are present.
func (c ConnectionView) FullMetadata() string {
	switch {
	case c.ClientData != "" && c.Properties.Data != "":
		return c.ClientData + "%/%" + c.Properties.Data
	case c.ClientData != "":
		return c.ClientData
	default:
		return c.Properties.Data
	}
}

func (c *Connection) view() ConnectionView {
	v := ConnectionView{
		ID:         c.id,
		SessionID:  c.session.id,
		Token:      c.token,
		Status:     c.status,
		CreatedAt:  c.createdAt,
		ActiveAt:   c.activeAt,
		Location:   c.location,
		IP:         c.ip,
		Platform:   c.platform,
		ClientData: c.clientData,
		Properties: c.props,
		Hidden:     c.hidden,
	}
	v.Properties.CustomIceServers = append([]IceServer(nil), c.props.CustomIceServers...)
	if c.publisher != nil && c.publisher.live {
		sv := c.publisher.view()
		v.Publisher = &sv
	}
	for _, s := range c.subs {
		v.Subscribers = append(v.Subscribers, SubscriptionView{StreamID: s.stream.id, CreatedAt: s.createdAt})
	}
	return v
}

func (c *Connection) active() bool { return c.status == StatusActive }

func (c *Connection) subscriptionTo(streamID string) int {
	for i, s := range c.subs {
		if s.stream.id == streamID {
			return i
		}
	}
	return -1
}
