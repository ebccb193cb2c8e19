package signaling

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// TestRecordingNotifications: recordingStarted/recordingStopped reach the
// roles OPENVIDU_RECORDING_NOTIFICATION selects (default PUBLISHER and
// MODERATOR), and a joiner during a recording is told in joinRoom.
func TestRecordingNotifications(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("rec")
	pub := e.dial("publisher")
	pub.join(e.token(sid, core.RolePublisher, ""), "{}")
	sub := e.dial("subscriber")
	sub.join(e.token(sid, core.RoleSubscriber, ""), "{}")
	pub.expect("participantJoined")

	v, err := e.svc.BeginRecording(sid, "rec~1", "meeting")
	if err != nil {
		t.Fatal(err)
	}
	e.svc.EmitRecordingStatus(v.SessionRef, core.RecordingInfo{ID: "rec~1", Name: "meeting", Status: core.RecordingStarted}, "", time.Now())
	if got := string(pub.expect("recordingStarted")); got != `{"id":"rec~1","name":"meeting"}` {
		t.Errorf("recordingStarted params %s", got)
	}
	sub.quiet()

	late := e.dial("late")
	res := late.join(e.token(sid, core.RoleModerator, ""), "{}")
	var id, name string
	_ = json.Unmarshal(res["recordingId"], &id)
	_ = json.Unmarshal(res["recordingName"], &name)
	if id != "rec~1" || name != "meeting" {
		t.Errorf("joinRoom during a recording: recordingId %q recordingName %q", id, name)
	}
	pub.expect("participantJoined")
	sub.expect("participantJoined")

	e.svc.EndRecording(sid, "rec~1", true)
	e.svc.EmitRecordingStatus(v.SessionRef, core.RecordingInfo{ID: "rec~1", Name: "meeting", Status: core.RecordingStopped}, core.ReasonRecordingStoppedByServer, time.Now())
	e.svc.EmitRecordingStatus(v.SessionRef, core.RecordingInfo{ID: "rec~1", Name: "meeting", Status: core.RecordingReady}, core.ReasonRecordingStoppedByServer, time.Now())
	for _, c := range []*client{pub, late} {
		if got := string(c.expect("recordingStopped")); got != `{"id":"rec~1","name":"meeting","reason":"recordingStoppedByServer"}` {
			t.Errorf("%s: recordingStopped params %s", c.name, got)
		}
		c.quiet() // ready has no wire form
	}
	sub.quiet()

	after := e.dial("after")
	res = after.join(e.token(sid, core.RolePublisher, ""), "{}")
	if _, ok := res["recordingId"]; ok {
		t.Errorf("joinRoom announces a stopped recording: %v", res)
	}
}
