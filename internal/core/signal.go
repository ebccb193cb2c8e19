package core

// Signal delivers a signal. from is "" for the REST API. An empty to means
// every participant, the sender included (chat UIs rely on the echo).
// Recipients are all-or-nothing: one unknown id fails the whole signal.
func (svc *Service) Signal(sessionID, from string, to []string, typ, data string) error {
	s, err := svc.lockSession(sessionID)
	if err != nil {
		return err
	}
	defer s.opMu.Unlock()
	s.mu.Lock()
	if !s.active {
		s.mu.Unlock()
		return ErrSessionNotActive.Withf("session %s has no participants yet", sessionID)
	}
	if from != "" {
		if c := s.connection(from); c == nil || !c.active() {
			s.mu.Unlock()
			return ErrConnectionNotFound.Withf("connection %s not found", from)
		}
	}
	var targets []*Connection
	if len(to) == 0 {
		targets = s.activeVisible()
	} else {
		for _, id := range to {
			c := s.connection(id)
			if c == nil || !c.active() || c.hidden {
				s.mu.Unlock()
				return ErrSignalTo.Withf("signal recipient %q is not a participant of session %s", id, sessionID)
			}
			targets = append(targets, c)
		}
	}
	ev := SignalSent{EventBase: s.base(svc.now()), From: from, Type: typ, Data: data}
	var notifiers []Notifier
	for _, c := range targets {
		ev.To = append(ev.To, c.id)
		if c.notifier != nil {
			notifiers = append(notifiers, c.notifier)
		}
	}
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: ev, to: notifiers}})
	return nil
}
