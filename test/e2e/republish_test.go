package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestUpstreamRepublish: what apps do besides join and leave. A late joiner
// sees a muted camera as muted; a participant unpublishes and publishes
// again (new stream id, the others resubscribe, media flows again); one
// unsubscribes; a signal goes to one connection only.
func TestUpstreamRepublish(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher: light enough to run beside another such test
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := createSession(t, srv, "e2eRepublish")
	b := sharedBrowser(t, env) // one publisher: the default fake camera will do
	pub := b.newPage(t, "publisher", app, sdkUpstream)
	early := b.newPage(t, "early", app, sdkUpstream)
	late := b.newPage(t, "late", app, sdkUpstream)
	pubToken, pubCid := createConnection(t, srv, sid, "pub")
	earlyToken, earlyCid := createConnection(t, srv, sid, "early")
	lateToken, lateCid := createConnection(t, srv, sid, "late")
	for _, p := range []*page{pub, early, late} {
		p.waitLibrary()
	}

	subscribed := func(t *testing.T, p *page, streamID string) {
		t.Helper()
		p.in(t).waitFor(30*time.Second, "a subscription to "+streamID,
			fmt.Sprintf(`(app.state.remoteStreams[%s] || {}).subscribed`, js(streamID)))
	}
	media := func(t *testing.T, p *page) {
		t.Helper()
		if r := checkMedia(p, map[string]fakeColor{pubCid: {}}, 25*time.Second); r.err != "" {
			t.Errorf("[%s] media: %s\n  stats: %s\n  recent log:\n%s", p.label(), r.err, r.last, p.logTail(25))
		}
	}

	pub.join(pubToken, "pub", true)
	first := pub.waitPublished()
	early.join(earlyToken, "early", false)
	subscribed(t, early, first)

	t.Run("late_joiner_sees_muted_video", func(t *testing.T) {
		eval[bool](pub.in(t), `app.mute('video', true)`)
		early.in(t).waitFor(10*time.Second, "videoActive=false", fmt.Sprintf(`(app.state.remoteActive[%s] || {}).videoActive === false`, js(first)))
		late.in(t).join(lateToken, "late", false)
		subscribed(t, late, first)
		st := late.in(t).state()
		if v := st.RemoteStreams[first].VideoActive; v == nil || *v {
			t.Errorf("[late] the stream in joinRoom's answer has videoActive %v, want false (muted before the join)", ptrText(v))
		}
		eval[bool](pub.in(t), `app.mute('video', false)`)
		late.in(t).waitFor(10*time.Second, "videoActive=true", fmt.Sprintf(`(app.state.remoteActive[%s] || {}).videoActive === true`, js(first)))
		media(t, late.in(t))
	})

	var second string
	t.Run("unpublish_and_publish_again", func(t *testing.T) {
		eval[bool](pub.in(t), `app.unpublish()`)
		for _, p := range []*page{early, late} {
			p.in(t).waitFor(10*time.Second, "streamDestroyed", fmt.Sprintf(`app.state.streamDestroyed.some(e => e.streamId === %s)`, js(first)))
			for _, e := range p.in(t).state().StreamDestroyed {
				if e.StreamID == first && e.Reason != "unpublish" {
					t.Errorf("[%s] streamDestroyed reason %q, want unpublish", p.label(), e.Reason)
				}
			}
		}
		// The others never call unsubscribeFromVideo: the server has to let
		// go of their subscriptions by itself.
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			for _, c := range s.Connections.Content {
				if len(c.Publishers) != 0 || len(c.Subscribers) != 0 {
					return fmt.Sprintf("%s still has publishers %+v subscribers %+v after unpublish", c.ID, c.Publishers, c.Subscribers)
				}
			}
			return ""
		})

		eval[bool](pub.in(t), `app.publish()`)
		pub.in(t).waitFor(25*time.Second, "the new stream", fmt.Sprintf(`app.state.publisher && app.state.publisher.streamId && app.state.publisher.streamId !== %s`, js(first)))
		second = pub.in(t).state().Publisher.StreamID
		for _, p := range []*page{early, late} {
			subscribed(t, p, second)
			media(t, p.in(t))
		}
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if c := s.connection(pubCid); c == nil || len(c.Publishers) != 1 || c.Publishers[0].StreamID != second {
				return fmt.Sprintf("publisher's publishers %+v, want [%s]", c, second)
			}
			for _, cid := range []string{earlyCid, lateCid} {
				if c := s.connection(cid); c == nil || len(c.Subscribers) != 1 || c.Subscribers[0].StreamID != second {
					return fmt.Sprintf("%s subscribers %+v, want [%s]", cid, c, second)
				}
			}
			return ""
		})
	})

	t.Run("unsubscribe", func(t *testing.T) {
		eval[bool](early.in(t), fmt.Sprintf(`app.unsubscribe(%s)`, js(pubCid)))
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if c := s.connection(earlyCid); c == nil || len(c.Subscribers) != 0 {
				return fmt.Sprintf("early still subscribes: %+v", c)
			}
			if c := s.connection(lateCid); c == nil || len(c.Subscribers) != 1 {
				return fmt.Sprintf("late lost its subscription: %+v", c)
			}
			return ""
		})
		media(t, late.in(t)) // the others are unaffected
	})

	t.Run("signal_to_one", func(t *testing.T) {
		// To late only, then to everybody: once the broadcast is in, the
		// targeted one would have arrived before it, if at all.
		eval[bool](pub.in(t), fmt.Sprintf(`app.signal('whisper', 'psst', [%s])`, js(lateCid)))
		late.in(t).waitSignal("signal:whisper", "psst")
		eval[bool](pub.in(t), `app.signal('shout', 'hey')`)
		for _, p := range []*page{pub, early} {
			p.in(t).waitSignal("signal:shout", "hey")
			for _, s := range p.in(t).state().Signals {
				if s.Type == "signal:whisper" {
					t.Errorf("[%s] got the signal sent to late only", p.label())
				}
			}
		}
	})
}
