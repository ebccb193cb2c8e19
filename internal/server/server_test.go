package server_test

import (
	"net/http"
	"strings"
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

func TestSelfSignedTLS(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"CERTIFICATE_TYPE": "selfsigned", "GOVIDU_DATA_DIR": t.TempDir()}})
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("public URL %s", srv.URL)
	}
	r := srv.Do(t, "POST", "/openvidu/api/sessions/", nil)
	if r.Status != 404 {
		t.Fatalf("status %d", r.Status)
	}
	c := srv.Do(t, "POST", "/openvidu/api/sessions", `{"customSessionId":"tls"}`)
	tok := srv.Do(t, "POST", "/openvidu/api/sessions/tls/connection", nil)
	if c.Status != 200 || !strings.Contains(string(tok.Body), `"token":"wss://127.0.0.1:`) {
		t.Fatalf("over TLS: %d %s", c.Status, tok.Body)
	}
	// Plain HTTP to the TLS port is refused.
	resp, err := http.Get(strings.Replace(srv.URL, "https://", "http://", 1) + "/openvidu/api/config/openvidu-publicurl")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("plain HTTP served on the TLS port")
		}
	}
}
