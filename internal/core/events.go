package core

import (
	"encoding/json"
	"time"
)

// Event is something that happened in a Session. Events carrying a CDR name
// (sessionCreated, participantJoined, …) feed webhooks and the CDR; every
// event may also be routed to participants' Notifiers as a signaling
// notification.
type Event interface {
	// CDRName is the upstream CDR/webhook event name, or "" for events that
	// only exist on the signaling side.
	CDRName() string
	Ref() SessionRef
	At() time.Time
}

// SessionRef identifies one life of a Session (a custom id may be reused).
type SessionRef struct {
	ID        string
	UniqueID  string // <id>_<createdAt ms>
	CreatedAt time.Time
}

// EventBase holds the fields every event has.
type EventBase struct {
	Session   SessionRef
	Timestamp time.Time
}

func (b EventBase) Ref() SessionRef { return b.Session }
func (b EventBase) At() time.Time   { return b.Timestamp }

type SessionCreated struct{ EventBase }

// SessionGarbageCollected reports a never-used session dropped by the
// garbage collector. Upstream emits no webhook for it, so it has no CDR
// name; gauges use it to stay exact.
type SessionGarbageCollected struct{ EventBase }

type SessionDestroyed struct {
	EventBase
	Reason Reason
}

type ParticipantJoined struct {
	EventBase
	Connection ConnectionView
}

type ParticipantLeft struct {
	EventBase
	Connection ConnectionView
	Reason     Reason
}

// ParticipantEvicted tells everyone (the evicted browser included) that a
// participant was removed by someone else. Signaling only.
type ParticipantEvicted struct {
	EventBase
	ConnectionID string
	Reason       Reason
}

// StreamPublished is webrtcConnectionCreated for the OUTBOUND (publisher) side.
type StreamPublished struct {
	EventBase
	Connection ConnectionView
	Stream     StreamView
}

// StreamUnpublished is webrtcConnectionDestroyed for the publisher side.
type StreamUnpublished struct {
	EventBase
	Connection ConnectionView
	Stream     StreamView
	Reason     Reason
}

// StreamSubscribed is webrtcConnectionCreated for an INBOUND (subscriber) side.
type StreamSubscribed struct {
	EventBase
	Subscriber ConnectionView
	Stream     StreamView
	CreatedAt  time.Time
}

// StreamUnsubscribed is webrtcConnectionDestroyed for an INBOUND side.
type StreamUnsubscribed struct {
	EventBase
	Subscriber ConnectionView
	Stream     StreamView
	Since      time.Time
	Reason     Reason
}

// SignalSent is a signal delivered to To. From is "" for signals sent by the REST API.
type SignalSent struct {
	EventBase
	From string
	To   []string
	Type string
	Data string
}

// StreamPropertyChanged relays a publisher's change to the others. NewValue
// is the raw JSON the browser sent. Signaling only.
type StreamPropertyChanged struct {
	EventBase
	ConnectionID string
	StreamID     string
	Property     string
	NewValue     json.RawMessage
	Reason       string
}

// ConnectionPropertyChanged tells a connection its role or record flag changed. Signaling only.
type ConnectionPropertyChanged struct {
	EventBase
	ConnectionID string
	Property     string // "role" or "record"
	NewValue     string
}

func (SessionCreated) CDRName() string            { return "sessionCreated" }
func (SessionDestroyed) CDRName() string          { return "sessionDestroyed" }
func (SessionGarbageCollected) CDRName() string   { return "" }
func (ParticipantJoined) CDRName() string         { return "participantJoined" }
func (ParticipantLeft) CDRName() string           { return "participantLeft" }
func (ParticipantEvicted) CDRName() string        { return "" }
func (StreamPublished) CDRName() string           { return "webrtcConnectionCreated" }
func (StreamUnpublished) CDRName() string         { return "webrtcConnectionDestroyed" }
func (StreamSubscribed) CDRName() string          { return "webrtcConnectionCreated" }
func (StreamUnsubscribed) CDRName() string        { return "webrtcConnectionDestroyed" }
func (SignalSent) CDRName() string                { return "signalSent" }
func (StreamPropertyChanged) CDRName() string     { return "" }
func (ConnectionPropertyChanged) CDRName() string { return "" }

// Notifier receives the events one participant must see. Implementations
// must not block and must not call back into the Service: they are called
// while the Session's event order is being kept (see Session.opMu).
type Notifier interface {
	Notify(Event)
}

// Listener receives every event of every session, in order per session,
// under the same rules as Notifier.
type Listener interface {
	OnEvent(Event)
}

// ListenerFunc adapts a function to Listener.
type ListenerFunc func(Event)

func (f ListenerFunc) OnEvent(e Event) { f(e) }

// delivery is one event with its participant recipients, collected under the
// Session's lock and dispatched after it is released.
type delivery struct {
	event Event
	to    []Notifier
}
