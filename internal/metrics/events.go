package metrics

import "github.com/govidu/govidu/internal/core"

// OnEvent implements core.Listener: it moves the session gauges. Hidden
// connections (the recorder) are not participants and are not counted.
// Sessions dropped by the garbage collector count down too (they were never
// joined, so the participant gauges are unaffected).
func (r *Registry) OnEvent(e core.Event) {
	switch e := e.(type) {
	case core.SessionCreated:
		r.Sessions.Inc()
		r.SessionsCreated.Inc()
	case core.SessionDestroyed, core.SessionGarbageCollected:
		r.Sessions.Dec()
	case core.ParticipantJoined:
		if !e.Connection.Hidden {
			r.Connections.Inc()
			r.ParticipantsSeen.Inc()
		}
	case core.ParticipantLeft:
		if !e.Connection.Hidden {
			r.Connections.Dec()
		}
	case core.StreamPublished:
		r.Publishers.Inc()
	case core.StreamUnpublished:
		r.Publishers.Dec()
	case core.StreamSubscribed:
		if !e.Subscriber.Hidden {
			r.Subscribers.Inc()
		}
	case core.StreamUnsubscribed:
		if !e.Subscriber.Hidden {
			r.Subscribers.Dec()
		}
	}
}
