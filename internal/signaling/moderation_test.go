package signaling

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// publishParams are publishVideo's params as openvidu-browser sends them
// for a camera with audio.
func publishParams(offer string) map[string]any {
	return map[string]any{
		"doLoopback": false, "hasAudio": true, "hasVideo": true, "audioActive": true, "videoActive": true,
		"typeOfVideo": "CAMERA", "frameRate": 30, "videoDimensions": `{"width":640,"height":480}`, "sdpOffer": offer,
	}
}

const fakeOffer = "v=0\r\nfake-offer\r\n"

// publish publishes with the fake engine and returns the stream id.
func (c *client) publish() string {
	c.t.Helper()
	res := decode[map[string]any](c.t, c.call("publishVideo", publishParams(fakeOffer)))
	id, _ := res["id"].(string)
	if id == "" || res["createdAt"] == nil || res["sdpAnswer"] == "" {
		c.t.Fatalf("publishVideo result %v (pitfall 21)", res)
	}
	return id
}

func TestEvictGolden(t *testing.T) {
	e := newEnv(t, nil, func(o *Options) { o.EvictCloseDelay = 200 * time.Millisecond })
	sid := e.session("ses_Evict")
	mod, b, c := e.dial("M"), e.dial("B"), e.dial("C")
	mod.join(e.token(sid, core.RoleModerator, ""), "Moderator")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	mod.expect("participantJoined")
	c.join(e.token(sid, core.RolePublisher, ""), "Carol")
	mod.expect("participantJoined")
	b.expect("participantJoined")

	e.trans.note("a PUBLISHER may not evict")
	if err := c.callErr("forceDisconnect", map[string]any{"connectionId": b.connID}); err.Code != 401 {
		t.Fatalf("non-moderator forceDisconnect: %d %s", err.Code, err.Message)
	}
	if err := mod.callErr("forceDisconnect", map[string]any{"connectionId": "con_Nobody0000"}); err.Code != 102 {
		t.Fatalf("unknown connection: %d %s", err.Code, err.Message)
	}

	e.trans.note("the moderator evicts B")
	mod.call("forceDisconnect", map[string]any{"connectionId": b.connID})
	ev := decode[map[string]string](t, b.expect("participantEvicted"))
	if ev["connectionId"] != b.connID || ev["reason"] != "forceDisconnectByUser" {
		t.Fatalf("participantEvicted = %v", ev)
	}
	c.expect("participantLeft")
	c.expect("participantEvicted")
	mod.expect("participantLeft")
	mod.expect("participantEvicted")
	e.trans.note("B keeps its socket open: the server closes it after EvictCloseDelay")
	if code := b.waitClosed(); code != 1000 {
		t.Fatalf("close status %d", code)
	}
	mod.quiet()
	c.quiet()
	e.golden("evict")
}

func TestForceUnpublishGolden(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_ForceUnpublish")
	mod, b := e.dial("M"), e.dial("B")
	mod.join(e.token(sid, core.RoleModerator, ""), "Moderator")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	mod.expect("participantJoined")
	stream := b.publish()
	pub := decode[map[string]json.RawMessage](t, mod.expect("participantPublished"))
	streams := decode[[]map[string]json.RawMessage](t, pub["streams"])
	if len(streams) != 1 || string(streams[0]["id"]) != `"`+stream+`"` {
		t.Fatalf("participantPublished = %v", pub)
	}
	b.quiet() // never told about its own stream (pitfall 22)

	if err := b.callErr("forceUnpublish", map[string]any{"streamId": stream}); err.Code != 401 {
		t.Fatalf("non-moderator forceUnpublish: %d %s", err.Code, err.Message)
	}
	if err := mod.callErr("forceUnpublish", map[string]any{"streamId": "str_CAM_Xxxx_con_Nobody0000"}); err.Code != 105 {
		t.Fatalf("unknown stream: %d %s", err.Code, err.Message)
	}
	mod.call("forceUnpublish", map[string]any{"streamId": stream})
	un := decode[map[string]string](t, mod.expect("participantUnpublished"))
	if un["connectionId"] != b.connID || un["reason"] != "forceUnpublishByUser" {
		t.Fatalf("participantUnpublished = %v", un)
	}
	b.expect("participantUnpublished") // the owner too: its Publisher stops
	pubs, _ := e.fake.snapshot()
	eventually(t, "publisher media closed", pubs[0].isClosed)
	mod.quiet()
	b.quiet()

	e.trans.note("the owner may publish again, with a new stream id")
	again := b.publish()
	if again == stream {
		t.Fatal("same stream id after republishing")
	}
	mod.expect("participantPublished")
	e.golden("forceUnpublish")
}
