package compat

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/recording/recordingtest"
	"github.com/govidu/govidu/internal/testkit"
)

// stageRecordingSessions makes what the node script's recording tests
// record: "compat-rec", where a Pion participant publishes a camera and a
// microphone through the real signaling protocol, and "compat-idle", never
// activated.
func stageRecordingSessions(t *testing.T, srv *testkit.Server) []string {
	t.Helper()
	for _, id := range []string{"compat-rec", "compat-idle"} {
		if r := srv.Do(t, "POST", "/openvidu/api/sessions", `{"customSessionId":"`+id+`"}`); r.Status != 200 {
			t.Fatalf("create %s: %d %s", id, r.Status, r.Body)
		}
	}
	r := srv.Do(t, "POST", "/openvidu/api/sessions/compat-rec/connection", `{"data":"publisher"}`)
	var conn struct{ Token string }
	if r.Status != 200 || json.Unmarshal(r.Body, &conn) != nil {
		t.Fatalf("connection: %d %s", r.Status, r.Body)
	}
	p := recordingtest.Join(t, conn.Token, recordingtest.Options{Colour: recordingtest.Green, Audio: true})
	if err := p.WaitConnected(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	return []string{"GOVIDU_REC_SESSION=compat-rec", "GOVIDU_REC_IDLE=compat-idle"}
}
