package signaling

import (
	"encoding/json"
	"testing"

	"github.com/govidu/govidu/internal/core"
)

// TestStreamPropertyChangedGolden checks the newValue encodings the client
// decodes (pitfalls 7, 8, 26).
func TestStreamPropertyChangedGolden(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Props")
	a, b := e.dial("A"), e.dial("B")
	a.join(e.token(sid, core.RolePublisher, ""), "Alice")
	b.join(e.token(sid, core.RolePublisher, ""), "Bob")
	a.expect("participantJoined")
	stream := a.publish()
	b.expect("participantPublished")

	change := func(property string, newValue any, reason string) map[string]string {
		t.Helper()
		a.call("streamPropertyChanged", map[string]any{"streamId": stream, "property": property, "newValue": newValue, "reason": reason})
		got := decode[map[string]string](t, b.expect("streamPropertyChanged"))
		if got["connectionId"] != a.connID || got["streamId"] != stream || got["property"] != property || got["reason"] != reason {
			t.Fatalf("streamPropertyChanged %v", got)
		}
		return got
	}
	if got := change("audioActive", false, "publishAudio"); got["newValue"] != "false" {
		t.Fatalf("audioActive newValue %q, want the string \"false\"", got["newValue"])
	}
	if got := change("videoActive", true, "publishVideo"); got["newValue"] != "true" {
		t.Fatalf("videoActive newValue %q", got["newValue"])
	}
	dims := `{"width":1280,"height":720}`
	got := change("videoDimensions", dims, "screenResized")
	var once string
	if err := json.Unmarshal([]byte(got["newValue"]), &once); err != nil || once != dims {
		t.Fatalf("videoDimensions newValue %q must parse twice to the dimensions", got["newValue"])
	}
	if got := change("videoTrack", map[string]string{"label": "cam 2"}, "trackReplaced"); got["newValue"] != `{"label":"cam 2"}` {
		t.Fatalf("videoTrack newValue %q", got["newValue"])
	}
	a.quiet() // the sender gets its answer, never an echo

	e.trans.note("a later joiner sees the stored state")
	c := e.dial("C")
	res := c.join(e.token(sid, core.RolePublisher, ""), "Carol")
	value := decode[[]participantJSON](t, res["value"])
	st := value[0].Streams[0]
	if *st.AudioActive || !*st.VideoActive || st.VideoDimensions != dims {
		t.Fatalf("stored stream state %+v", st)
	}
	a.expect("participantJoined")
	b.expect("participantJoined")

	e.trans.note("only the publisher may change its stream")
	if err := c.callErr("streamPropertyChanged", map[string]any{"streamId": stream, "property": "audioActive", "newValue": true, "reason": "publishAudio"}); err.Code != 105 {
		t.Fatalf("non-publisher: %d %s", err.Code, err.Message)
	}
	b.quiet()
	e.golden("streamPropertyChanged")
}
