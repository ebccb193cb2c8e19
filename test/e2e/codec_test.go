package e2e

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestForcedCodecs: a session's forcedVideoCodec decides what Chromium
// publishes and what its subscriber decodes, for each codec the SFU
// forwards (upstream openvidu-browser 2.32.2 on both sides).
func TestForcedCodecs(t *testing.T) {
	env := requireE2E(t)
	t.Parallel() // one publisher per row
	for _, codec := range []string{"VP8", "VP9", "H264"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			testForcedCodec(t, env, codec)
		})
	}
}

func testForcedCodec(t *testing.T, env *e2eEnv, codec string) {
	b := sharedBrowser(t, env)
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := "e2eCodec" + codec
	restCall(t, srv, http.MethodPost, "/openvidu/api/sessions",
		fmt.Sprintf(`{"customSessionId":%q,"forcedVideoCodec":%q}`, sid, codec), http.StatusOK)
	_, pubCid := joinedPage(t, b, app, srv, sdkUpstream, sid, "PUBLISHER", "publisher", true)
	sub, _ := joinedPage(t, b, app, srv, sdkUpstream, sid, "SUBSCRIBER", "subscriber", false)
	r := checkMedia(sub, map[string]fakeColor{pubCid: {}}, 30*time.Second)
	if r.err != "" {
		t.Fatalf("[%s] media: %s\n  stats: %s\n  recent log:\n%s", sub.label(), r.err, r.last, sub.logTail(25))
	}
	v := r.last.Remotes[pubCid].PC.Video
	if got, _ := v["codec"].(string); got != "video/"+codec {
		t.Errorf("the subscriber decodes %q, want video/%s (stats %v)", got, codec, v)
	}
	t.Logf("%s: %s, decoder %v", codec, r.last.describe(), v["decoderImplementation"])
}
