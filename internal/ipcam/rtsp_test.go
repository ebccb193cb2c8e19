package ipcam_test

import (
	"testing"
	"time"

	"github.com/govidu/govidu/internal/rtcclient"
	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/internal/testkit/rtspcam"
)

// cameraStream creates an IPCAM connection for props in session sid and
// returns it as the participant sees it announced.
func (c *call) cameraStream(viewer *rtcclient.Client, sid string, props map[string]any) (string, rtcclient.Stream) {
	c.t.Helper()
	props["type"] = "IPCAM"
	cam := c.rest("POST", api+"/sessions/"+sid+"/connection", props, 200)
	id := cam["connectionId"].(string)
	ev := waitEvent(c.t, viewer, "participantPublished", id)
	if ev.Participant == nil || len(ev.Participant.Streams) != 1 {
		c.t.Fatalf("participantPublished: %+v", ev.Participant)
	}
	st := ev.Participant.Streams[0]
	st.ConnectionID = id
	return id, st
}

// stays fails unless cond holds for the whole of d (a bounded watch, for
// things that must not happen).
func stays(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !cond() {
			t.Fatalf("%s stopped holding", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestRTSPCameraOnlyWithSubscribers: with onlyPlayWithSubscribers (the
// default) govidu does not contact the camera until someone subscribes,
// closes the RTSP session when the last subscriber leaves and opens it
// again for the next one. The H.264 camera is re-encoded to VP8
// (adaptativeBitrate) and the subscriber decodes its 320×240 picture.
func TestRTSPCameraOnlyWithSubscribers(t *testing.T) {
	c := newCall(t, nil)
	cam := rtspcam.Start(t, rtspcam.Options{Audio: true})
	c.rest("POST", api+"/sessions", `{"customSessionId":"lobby"}`, 200)
	viewer := c.join("lobby")
	id, st := c.cameraStream(viewer, "lobby", map[string]any{"rtspUri": cam.URL(), "data": "Lobby"})

	stays(t, 1500*time.Millisecond, "nobody watches: the camera is not contacted", func() bool { return len(cam.Requests()) == 0 })

	watch := func(round int) *rtcclient.Subscription {
		t.Helper()
		sub, err := viewer.Subscribe(c.ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if err := sub.WaitKeyframe(c.ctx); err != nil {
			t.Fatalf("round %d: no keyframe: %v (camera saw %v)", round, err, cam.Requests())
		}
		testkit.Eventually(t, 20*time.Second, "audio from the camera", func() bool {
			s := sub.Stats()
			return s.Audio != nil && s.Audio.Packets > 25
		})
		s := sub.Stats()
		if s.Video.Width != 320 || s.Video.Height != 240 {
			t.Errorf("round %d: decoded %dx%d", round, s.Video.Width, s.Video.Height)
		}
		t.Logf("round %d: first keyframe %v after subscribing (RTSP connect, probe the first time, ffmpeg start)", round, s.Video.FirstKeyframe.Round(time.Millisecond))
		cam.WaitPlaying(t, 1, 10*time.Second)
		return sub
	}
	sub := watch(1)
	if err := sub.Unsubscribe(c.ctx); err != nil {
		t.Fatal(err)
	}
	cam.WaitPlaying(t, 0, 10*time.Second) // the last subscriber left: RTSP closed

	plays := cam.Plays()
	sub = watch(2)
	if cam.Plays() <= plays {
		t.Errorf("the second subscriber did not reopen the camera (%d plays)", cam.Plays())
	}
	c.rest("DELETE", api+"/sessions/lobby/connection/"+id, nil, 204)
	cam.WaitPlaying(t, 0, 10*time.Second)
	_ = sub
}

// TestRTSPCameraPassThrough: adaptativeBitrate=false with an H.264
// camera: no re-encoding, subscribers negotiate H.264 and receive the
// camera's own packets (SPS/PPS before each keyframe).
func TestRTSPCameraPassThrough(t *testing.T) {
	c := newCall(t, nil)
	cam := rtspcam.Start(t, rtspcam.Options{})
	c.rest("POST", api+"/sessions", `{"customSessionId":"gate"}`, 200)
	viewer := c.join("gate")
	_, st := c.cameraStream(viewer, "gate", map[string]any{"rtspUri": cam.URL(), "adaptativeBitrate": false, "onlyPlayWithSubscribers": false})
	cam.WaitPlaying(t, 1, 20*time.Second) // not waiting for a subscriber
	sub, err := viewer.Subscribe(c.ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 20*time.Second, "video from the camera", func() bool {
		s := sub.Stats()
		return s.Video != nil && s.Video.Packets > 40
	})
	if err := sub.WaitKeyframe(c.ctx); err != nil {
		t.Fatalf("no H.264 keyframe: %+v", sub.Stats())
	}
	if v := sub.Stats().Video; v.Codec != "video/H264" {
		t.Errorf("the subscriber receives %s, want the camera's H.264", v.Codec)
	}
}

// TestRTSPCameraReboots: the camera goes away and comes back on the same
// address; govidu reconnects by itself (backoff) and the subscriber's
// track continues: same track, no sequence gap, frames again.
func TestRTSPCameraReboots(t *testing.T) {
	c := newCall(t, nil)
	first := rtspcam.Start(t, rtspcam.Options{})
	c.rest("POST", api+"/sessions", `{"customSessionId":"yard"}`, 200)
	viewer := c.join("yard")
	_, st := c.cameraStream(viewer, "yard", map[string]any{"rtspUri": first.URL(), "onlyPlayWithSubscribers": false})
	sub, err := viewer.Subscribe(c.ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.WaitKeyframe(c.ctx); err != nil {
		t.Fatal(err)
	}
	addr := first.Addr()
	first.Close()
	rebooted := time.Now()
	before := sub.Stats().Video.Packets
	second := rtspcam.Start(t, rtspcam.Options{Addr: addr})
	testkit.Eventually(t, 40*time.Second, "video from the rebooted camera", func() bool {
		return second.Plays() > 0 && sub.Stats().Video.Packets > before+60
	})
	v := sub.Stats().Video
	if v.Lost != 0 || v.DecodeErrors != 0 {
		t.Errorf("across the reboot: %d lost, %d decode errors", v.Lost, v.DecodeErrors)
	}
	t.Logf("video again %v after the camera went away (%d packets before, %d now)",
		time.Since(rebooted).Round(100*time.Millisecond), before, v.Packets)
}
