package core

import (
	"encoding/json"
	"strings"
	"time"
)

// BeginPublish reserves a stream id for connectionID. Media negotiation runs
// afterwards, outside any lock; then CompletePublish announces the stream, or
// AbortPublish forgets it silently.
func (svc *Service) BeginPublish(sessionID, connectionID string, opts MediaOptions) (StreamView, error) {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return StreamView{}, err
	}
	defer s.opMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.connection(connectionID)
	if c == nil || !c.active() {
		return StreamView{}, ErrConnectionNotFound.Withf("connection %s not found in session %s", connectionID, sessionID)
	}
	if c.props.Role == RoleSubscriber {
		return StreamView{}, ErrPermissionDenied.Withf("connection %s has role SUBSCRIBER and cannot publish", connectionID)
	}
	if c.publisher != nil {
		return StreamView{}, ErrAlreadyPublishing.Withf("connection %s is already publishing stream %s", connectionID, c.publisher.id)
	}
	if !opts.HasAudio && !opts.HasVideo {
		return StreamView{}, ErrBadRequest.Withf("a stream needs audio or video")
	}
	if opts.HasVideo && opts.TypeOfVideo == "" {
		opts.TypeOfVideo = VideoCamera
	}
	c.publisher = &Stream{id: newStreamID(c.id, opts), owner: c, createdAt: svc.now(), media: opts}
	return c.publisher.view(), nil
}

// CompletePublish makes a reserved stream visible and tells the others.
func (svc *Service) CompletePublish(sessionID, connectionID, streamID string) (StreamView, error) {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return StreamView{}, err
	}
	defer s.opMu.Unlock()
	s.mu.Lock()
	c := s.connection(connectionID)
	if c == nil || c.publisher == nil || c.publisher.id != streamID {
		s.mu.Unlock()
		return StreamView{}, ErrStreamNotFound.Withf("stream %s is no longer being published", streamID)
	}
	now := svc.now()
	c.publisher.live = true
	ev := StreamPublished{EventBase: s.base(now), Connection: c.view(), Stream: c.publisher.view()}
	to := s.notifiersExcept(c)
	autostart := svc.afterPublishLocked(s)
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ev, to: to}})
	if autostart != nil {
		autostart()
	}
	return ev.Stream, nil
}

// AbortPublish drops a reserved stream whose negotiation failed.
func (svc *Service) AbortPublish(sessionID, connectionID, streamID string) {
	s, err := svc.Session(sessionID)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.connection(connectionID); c != nil && c.publisher != nil && c.publisher.id == streamID && !c.publisher.live {
		c.publisher = nil
	}
}

// Unpublish ends connectionID's stream: reason unpublish (by itself).
func (svc *Service) Unpublish(sessionID, connectionID string, reason Reason) error {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	c := s.connection(connectionID)
	if c == nil || !c.active() || c.publisher == nil || !c.publisher.live {
		s.mu.Unlock()
		s.opMu.Unlock()
		return ErrNotPublishing.Withf("connection %s is not publishing", connectionID)
	}
	ds := svc.unpublishLocked(s, c, reason, svc.now(), true)
	s.mu.Unlock()
	svc.dispatch(ds)
	s.opMu.Unlock()
	return nil
}

// UnpublishStream is forceUnpublish of a stream by id (moderator or REST).
func (svc *Service) UnpublishStream(sessionID, streamID string, reason Reason) error {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return err
	}
	s.mu.Lock()
	st := s.streamByID(streamID)
	if st == nil {
		s.mu.Unlock()
		s.opMu.Unlock()
		return ErrStreamNotFound.Withf("stream %s not found in session %s", streamID, sessionID)
	}
	if st.owner.props.Type == ConnectionIPCam {
		s.mu.Unlock()
		s.opMu.Unlock()
		return ErrIPCamStream
	}
	ds := svc.unpublishLocked(s, st.owner, reason, svc.now(), true)
	s.mu.Unlock()
	svc.dispatch(ds)
	s.opMu.Unlock()
	return nil
}

// unpublishLocked ends c's stream and everyone's subscriptions to it.
// announce=false is used when the owner leaves: participantLeft covers it.
func (svc *Service) unpublishLocked(s *Session, c *Connection, reason Reason, now time.Time, announce bool) []delivery {
	st := c.publisher
	c.publisher = nil
	if st == nil || !st.live {
		return nil
	}
	var ds []delivery
	for _, other := range s.conns {
		if i := other.subscriptionTo(st.id); i >= 0 {
			sub := other.subs[i]
			other.subs = append(other.subs[:i:i], other.subs[i+1:]...)
			ds = append(ds, delivery{event: StreamUnsubscribed{
				EventBase: s.base(now), Subscriber: other.view(), Stream: st.view(), Since: sub.createdAt, Reason: reason,
			}})
		}
	}
	ev := StreamUnpublished{EventBase: s.base(now), Connection: c.view(), Stream: st.view(), Reason: reason}
	svc.afterUnpublishLocked(s)
	var to []Notifier
	if announce {
		skip := c
		if reason.forcesUnpublish() {
			skip = nil // the owner's browser must stop its Publisher too
		}
		to = s.notifiersExcept(skip)
	}
	return append(ds, delivery{event: ev, to: to})
}

// dropSubscriptionsLocked ends every subscription c holds.
func (svc *Service) dropSubscriptionsLocked(s *Session, c *Connection, reason Reason, now time.Time) []delivery {
	var ds []delivery
	subs := c.subs
	c.subs = nil
	for _, sub := range subs {
		ds = append(ds, delivery{event: StreamUnsubscribed{
			EventBase: s.base(now), Subscriber: c.view(), Stream: sub.stream.view(), Since: sub.createdAt, Reason: reason,
		}})
	}
	return ds
}

// Stream returns a published stream by id.
func (svc *Service) Stream(sessionID, streamID string) (StreamView, error) {
	s, err := svc.Session(sessionID)
	if err != nil {
		return StreamView{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streamByID(streamID)
	if st == nil {
		return StreamView{}, ErrStreamNotFound.Withf("stream %s not found in session %s", streamID, sessionID)
	}
	return st.view(), nil
}

// StreamOf returns the stream a connection publishes.
func (svc *Service) StreamOf(sessionID, connectionID string) (StreamView, error) {
	s, err := svc.Session(sessionID)
	if err != nil {
		return StreamView{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.connection(connectionID)
	if c == nil || !c.active() {
		return StreamView{}, ErrConnectionNotFound.Withf("connection %s not found in session %s", connectionID, sessionID)
	}
	if c.publisher == nil || !c.publisher.live {
		return StreamView{}, ErrNotPublishing.Withf("connection %s is not publishing", connectionID)
	}
	return c.publisher.view(), nil
}

// Subscribe records that subscriberID receives streamID (after media
// negotiation succeeded).
func (svc *Service) Subscribe(sessionID, subscriberID, streamID string) error {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return err
	}
	defer s.opMu.Unlock()
	now := svc.now()
	s.mu.Lock()
	c := s.connection(subscriberID)
	st := s.streamByID(streamID)
	switch {
	case c == nil || !c.active():
		s.mu.Unlock()
		return ErrConnectionNotFound.Withf("connection %s not found in session %s", subscriberID, sessionID)
	case st == nil:
		s.mu.Unlock()
		return ErrStreamNotFound.Withf("stream %s not found in session %s", streamID, sessionID)
	case c.subscriptionTo(streamID) >= 0:
		s.mu.Unlock()
		return ErrAlreadySubscribed.Withf("connection %s already receives stream %s", subscriberID, streamID)
	}
	c.subs = append(c.subs, &subscription{stream: st, createdAt: now})
	ev := StreamSubscribed{EventBase: s.base(now), Subscriber: c.view(), Stream: st.view(), CreatedAt: now}
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ev}})
	return nil
}

// Unsubscribe ends subscriberID's subscription to the stream published by
// publisherConnectionID (unsubscribeFromVideo names the connection).
func (svc *Service) Unsubscribe(sessionID, subscriberID, publisherConnectionID string) (StreamView, error) {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return StreamView{}, err
	}
	defer s.opMu.Unlock()
	s.mu.Lock()
	c := s.connection(subscriberID)
	if c == nil || !c.active() {
		s.mu.Unlock()
		return StreamView{}, ErrConnectionNotFound.Withf("connection %s not found", subscriberID)
	}
	idx := -1
	for i, sub := range c.subs {
		if sub.stream.owner.id == publisherConnectionID || sub.stream.id == publisherConnectionID {
			idx = i
			break
		}
	}
	if idx < 0 {
		s.mu.Unlock()
		return StreamView{}, ErrConnectionNotFound.Withf("connection %s does not receive media from %s", subscriberID, publisherConnectionID)
	}
	sub := c.subs[idx]
	c.subs = append(c.subs[:idx:idx], c.subs[idx+1:]...)
	now := svc.now()
	ev := StreamUnsubscribed{EventBase: s.base(now), Subscriber: c.view(), Stream: sub.stream.view(), Since: sub.createdAt, Reason: ReasonUnsubscribe}
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ev}})
	return ev.Stream, nil
}

// ChangeStreamProperty stores a publisher's property change (for later
// joiners) and relays it to the others. Upstream uses the caller's current
// stream whatever streamId the request names.
func (svc *Service) ChangeStreamProperty(sessionID, connectionID, property string, newValue json.RawMessage, reason string) error {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return err
	}
	defer s.opMu.Unlock()
	s.mu.Lock()
	c := s.connection(connectionID)
	if c == nil || !c.active() || c.publisher == nil || !c.publisher.live {
		s.mu.Unlock()
		return ErrNotPublishing.Withf("connection %s is not publishing", connectionID)
	}
	if err := c.publisher.media.applyProperty(property, newValue); err != nil {
		s.mu.Unlock()
		return err
	}
	ev := StreamPropertyChanged{
		EventBase: s.base(svc.now()), ConnectionID: c.id, StreamID: c.publisher.id,
		Property: property, NewValue: append(json.RawMessage(nil), newValue...), Reason: reason,
	}
	to := s.notifiersExcept(c)
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ev, to: to}})
	return nil
}

// OwnerOfStreamID parses the owner connection id out of a stream id, as upstream does.
func OwnerOfStreamID(streamID string) string {
	if i := strings.LastIndex(streamID, "con_"); i >= 0 {
		return streamID[i:]
	}
	return ""
}
