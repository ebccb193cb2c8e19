package server_test

import (
	"net/http"
	"testing"

	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/testkit"
)

// TestNoGoroutineLeaks runs a server through a session's life and checks that
// shutdown leaves nothing running.
func TestNoGoroutineLeaks(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("server", func(t *testing.T) {
		srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"OPENVIDU_SESSIONS_GARBAGE_INTERVAL": "1"}})
		if r := srv.Do(t, "POST", "/openvidu/api/sessions", `{"customSessionId":"leak"}`); r.Status != 200 {
			t.Fatalf("create: %d", r.Status)
		}
		if r := srv.Do(t, "POST", "/openvidu/api/sessions/leak/connection", nil); r.Status != 200 {
			t.Fatalf("connection: %d", r.Status)
		}
	})
	http.DefaultClient.CloseIdleConnections()
}
