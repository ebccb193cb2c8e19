package core

import (
	"strconv"
	"sync"
	"time"
)

// Session is one OpenVidu session.
//
// Locks (order: Service.mu → Session.opMu → Session.mu):
//   - opMu serialises every operation that changes the session *and* the
//     delivery of the events it produces, so that every participant sees
//     notifications in the order the changes happened (a joiner's existing
//     list and the others' participantJoined never overlap). Readers do not
//     take it.
//   - mu guards the fields below and those of the session's Connections and
//     Streams. Nothing calls out (notifiers, listeners, media, network) while
//     holding mu.
type Session struct {
	id        string
	uniqueID  string
	createdAt time.Time
	props     SessionProperties

	opMu sync.Mutex
	mu   sync.Mutex

	active    bool // a participant has joined at least once
	closed    bool
	recording bool          // a recording is starting or started
	conns     []*Connection // creation order

	recordingID, recordingName string
	recordingAnnounced         bool        // recordingStarted was sent: joinRoom announces it
	recordingManuallyStopped   bool        // RecordingMode ALWAYS does not restart
	countdown                  *time.Timer // autostop countdown (spec §6), nil when not counting
	countdownGen               uint64      // invalidates a timer that fired while being stopped
}

// Ref identifies this life of the session.
func (s *Session) Ref() SessionRef {
	return SessionRef{ID: s.id, UniqueID: s.uniqueID, CreatedAt: s.createdAt}
}

func newSession(id string, props SessionProperties, now time.Time) *Session {
	return &Session{
		id:        id,
		uniqueID:  id + "_" + strconv.FormatInt(now.UnixMilli(), 10),
		createdAt: now,
		props:     props,
	}
}

// SessionView is an immutable copy of a Session.
type SessionView struct {
	SessionRef
	Properties  SessionProperties
	Active      bool
	Recording   bool
	Connections []ConnectionView // active and pending, creation order; hidden ones excluded
}

// ActiveConnections returns the connections that have joined.
func (v SessionView) ActiveConnections() []ConnectionView {
	var out []ConnectionView
	for _, c := range v.Connections {
		if c.Status == StatusActive {
			out = append(out, c)
		}
	}
	return out
}

func (s *Session) view() SessionView {
	v := SessionView{SessionRef: s.Ref(), Properties: s.props, Active: s.active, Recording: s.recording}
	for _, c := range s.conns {
		if !c.hidden {
			v.Connections = append(v.Connections, c.view())
		}
	}
	return v
}

// View returns a consistent snapshot of the session.
func (s *Session) View() SessionView {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.view()
}

func (s *Session) connection(id string) *Connection {
	for _, c := range s.conns {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (s *Session) removeConnection(c *Connection) {
	for i, x := range s.conns {
		if x == c {
			s.conns = append(s.conns[:i:i], s.conns[i+1:]...)
			return
		}
	}
}

// activeVisible returns the joined, non-hidden connections.
func (s *Session) activeVisible() []*Connection {
	var out []*Connection
	for _, c := range s.conns {
		if c.active() && !c.hidden {
			out = append(out, c)
		}
	}
	return out
}

// notifiersExcept returns the notifiers of joined participants other than skip.
func (s *Session) notifiersExcept(skip *Connection) []Notifier {
	var out []Notifier
	for _, c := range s.conns {
		if c != skip && c.active() && c.notifier != nil {
			out = append(out, c.notifier)
		}
	}
	return out
}

func (s *Session) streamByID(id string) *Stream {
	for _, c := range s.conns {
		if c.publisher != nil && c.publisher.id == id && c.publisher.live {
			return c.publisher
		}
	}
	return nil
}

func (s *Session) base(now time.Time) EventBase {
	return EventBase{Session: s.Ref(), Timestamp: now}
}
