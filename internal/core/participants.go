package core

import (
	"net/url"
	"strings"
	"time"
)

// CreateConnection creates a pending WEBRTC connection (an invitation with a
// single-use token), or publishes an IP camera (type IPCAM, see ipcam.go).
func (svc *Service) CreateConnection(sessionID string, props ConnectionProperties) (ConnectionView, error) {
	if props.Type == "" {
		props.Type = ConnectionWebRTC
	}
	if props.Role == "" {
		props.Role = RolePublisher
	}
	for i, ice := range props.CustomIceServers {
		if err := ice.Validate(); err != nil {
			return ConnectionView{}, err
		}
		props.CustomIceServers[i] = ice
	}
	if props.Type == ConnectionIPCam {
		return svc.createIPCam(sessionID, props)
	}
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return ConnectionView{}, err
	}
	defer s.opMu.Unlock()
	now := svc.now()
	if len(props.CustomIceServers) == 0 {
		props.CustomIceServers = append([]IceServer(nil), svc.opts.DefaultIceServers...)
	}
	for i, ice := range props.CustomIceServers {
		props.CustomIceServers[i] = ice.Resolve(now)
	}
	c := &Connection{
		id:        newConnectionID(),
		session:   s,
		createdAt: now,
		props:     props,
		status:    StatusPending,
	}
	c.tokenKey = newTokenValue()
	c.token = svc.opts.TokenURL + "?sessionId=" + s.id + "&token=" + c.tokenKey
	s.mu.Lock()
	s.conns = append(s.conns, c)
	v := c.view()
	s.mu.Unlock()
	return v, nil
}

// Connection returns a snapshot of one connection (pending or active).
func (svc *Service) Connection(sessionID, connectionID string) (ConnectionView, error) {
	s, err := svc.Session(sessionID)
	if err != nil {
		return ConnectionView{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.connection(connectionID)
	if c == nil || c.hidden {
		return ConnectionView{}, ErrConnectionNotFound.Withf("connection %s not found in session %s", connectionID, sessionID)
	}
	return c.view(), nil
}

// JoinRequest is what a browser presents in joinRoom.
type JoinRequest struct {
	SessionID  string // may be empty: then taken from the token
	Token      string
	ClientData string
	Platform   string
	IP         string
	Notifier   Notifier
}

// JoinResult is what joinRoom answers with.
type JoinResult struct {
	Session    SessionRef
	Connection ConnectionView
	Existing   []ConnectionView // other joined, visible participants, join order
	// The recording in progress, announced to the joiner (recordingStarted
	// right after connecting); empty when none is.
	RecordingID, RecordingName string
}

// SessionIDFromToken extracts the sessionId query parameter of a token URL.
func SessionIDFromToken(token string) string {
	_, q, ok := strings.Cut(token, "?")
	if !ok {
		return ""
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	return vals.Get("sessionId")
}

func tokenValue(token string) string {
	_, q, ok := strings.Cut(token, "?")
	if !ok {
		return ""
	}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	return vals.Get("token")
}

// Join consumes a token and makes its connection an active participant. The
// existing participants get ParticipantJoined before Join returns; events
// for the joiner go to req.Notifier, which must hold them until the joinRoom
// result is on the wire.
func (svc *Service) Join(req JoinRequest) (JoinResult, error) {
	sid := req.SessionID
	if sid == "" {
		sid = SessionIDFromToken(req.Token)
	}
	s, err := svc.lockSession(sid)
	if err != nil {
		return JoinResult{}, ErrSessionNotFound.Withf("Unable to join session %s. Session %s cannot be found", sid, sid)
	}
	defer s.opMu.Unlock()
	now := svc.now()
	key := tokenValue(req.Token)
	s.mu.Lock()
	var c *Connection
	for _, x := range s.conns {
		if x.status == StatusPending && x.token != "" && (x.token == req.Token || (key != "" && x.tokenKey == key)) {
			c = x
			break
		}
	}
	if c == nil {
		s.mu.Unlock()
		return JoinResult{}, ErrInvalidToken.Withf("Unable to join session %s. Token %s is not valid", sid, req.Token)
	}
	var existing []ConnectionView
	for _, x := range s.activeVisible() {
		existing = append(existing, x.view())
	}
	others := s.notifiersExcept(nil)
	c.status = StatusActive
	c.activeAt = now
	c.clientData = req.ClientData
	c.platform = req.Platform
	c.ip = req.IP
	c.location = "unknown"
	c.notifier = req.Notifier
	s.active = true
	res := JoinResult{Session: s.Ref(), Connection: c.view(), Existing: existing}
	if s.recording && s.recordingAnnounced {
		res.RecordingID, res.RecordingName = s.recordingID, s.recordingName
	}
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ParticipantJoined{EventBase: s.base(now), Connection: res.Connection}, to: others}})
	svc.log.Info("participant joined", "sessionId", s.id, "connectionId", c.id)
	return res, nil
}

// Leave removes an active participant: reason disconnect (leaveRoom) or
// networkDisconnect (socket lost). A session whose last participant leaves is closed.
func (svc *Service) Leave(sessionID, connectionID string, reason Reason) error {
	return svc.removeParticipant(sessionID, connectionID, reason)
}

// Disconnect is forceDisconnect: by a moderator (forceDisconnectByUser) or
// the REST API (forceDisconnectByServer). A pending connection just loses its token.
func (svc *Service) Disconnect(sessionID, connectionID string, reason Reason) error {
	return svc.removeParticipant(sessionID, connectionID, reason)
}

func (svc *Service) removeParticipant(sessionID, connectionID string, reason Reason) error {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	c := s.connection(connectionID)
	if c == nil || c.hidden {
		s.mu.Unlock()
		s.opMu.Unlock()
		return ErrConnectionNotFound.Withf("connection %s not found in session %s", connectionID, sessionID)
	}
	if !c.active() {
		s.removeConnection(c)
		s.mu.Unlock()
		s.opMu.Unlock()
		return nil
	}
	now := svc.now()
	ds := svc.removeParticipantLocked(s, c, reason, now)
	closing := len(s.activeVisible()) == 0
	if closing && s.recording {
		// The recording keeps the session: it stops (and the session
		// closes) when the autostop countdown ends (spec §6).
		closing = false
		svc.startCountdownLocked(s)
	}
	if closing {
		ds = append(ds, svc.closeLocked(s, ReasonLastParticipantLeft)...)
	}
	s.mu.Unlock()
	svc.dispatch(ds)
	s.opMu.Unlock()
	if closing {
		svc.unregister(s)
	}
	return nil
}

// removeParticipantLocked takes c out of s and returns the events. Caller
// holds opMu and mu.
func (svc *Service) removeParticipantLocked(s *Session, c *Connection, reason Reason, now time.Time) []delivery {
	var ds []delivery
	// Its subscriptions end, then its stream (and the others' subscriptions to it).
	ds = append(ds, svc.dropSubscriptionsLocked(s, c, reason, now)...)
	if c.publisher != nil {
		ds = append(ds, svc.unpublishLocked(s, c, reason, now, false)...)
	}
	before := c.view()
	evicted := c.notifier
	s.removeConnection(c)
	c.status = StatusPending // no longer a participant; never reusable (token consumed)
	c.notifier = nil
	ds = append(ds, delivery{
		event: ParticipantLeft{EventBase: s.base(now), Connection: before, Reason: reason},
		to:    s.notifiersExcept(nil),
	})
	if reason.evicts() {
		to := s.notifiersExcept(nil)
		if evicted != nil {
			to = append(to, evicted)
		}
		ds = append(ds, delivery{event: ParticipantEvicted{EventBase: s.base(now), ConnectionID: c.id, Reason: reason}, to: to})
	}
	svc.log.Info("participant left", "sessionId", s.id, "connectionId", c.id, "reason", reason)
	return ds
}

// UpdateConnection changes role and/or record. Active connections are told
// with connectionPropertyChanged.
func (svc *Service) UpdateConnection(sessionID, connectionID string, patch ConnectionPatch) (ConnectionView, error) {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return ConnectionView{}, err
	}
	defer s.opMu.Unlock()
	now := svc.now()
	s.mu.Lock()
	c := s.connection(connectionID)
	if c == nil || c.hidden {
		s.mu.Unlock()
		return ConnectionView{}, ErrConnectionNotFound.Withf("connection %s not found in session %s", connectionID, sessionID)
	}
	var ds []delivery
	notify := func(prop, val string) {
		if !c.active() {
			return
		}
		// Listeners see every change (a recording follows record); the
		// connection itself is told when it has a socket.
		d := delivery{event: ConnectionPropertyChanged{EventBase: s.base(now), ConnectionID: c.id, Property: prop, NewValue: val}}
		if c.notifier != nil {
			d.to = []Notifier{c.notifier}
		}
		ds = append(ds, d)
	}
	if patch.Role != nil && *patch.Role != c.props.Role && c.props.Type == ConnectionWebRTC {
		c.props.Role = *patch.Role
		notify("role", string(*patch.Role))
	}
	if patch.Record != nil && *patch.Record != c.props.Record {
		c.props.Record = *patch.Record
		if *patch.Record {
			notify("record", "true")
		} else {
			notify("record", "false")
		}
	}
	v := c.view()
	s.mu.Unlock()
	svc.dispatch(ds)
	return v, nil
}
