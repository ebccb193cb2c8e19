package callapp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
)

type nopNotifier struct{}

func (nopNotifier) Notify(core.Event) {}

func newServer(t *testing.T, opts config.CallApp) (*httptest.Server, *core.Service) {
	t.Helper()
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443"})
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	mux := http.NewServeMux()
	New(svc, opts, nil).Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, svc
}

type reply struct {
	status int
	body   map[string]any
	raw    string
}

func do(t *testing.T, srv *httptest.Server, method, path, body, user, pass string) reply {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

func TestTokensOpenAccess(t *testing.T) {
	srv, svc := newServer(t, config.CallApp{Enabled: true, User: "admin", Secret: "MY_SECRET"})

	if r := do(t, srv, "GET", ConfigPath, "", "", ""); r.status != 200 || r.body["privateAccess"] != false {
		t.Fatalf("config: %d %s", r.status, r.raw)
	}
	first := do(t, srv, "POST", SessionsPath, `{"sessionId":"daily-standup","nickname":"Ada"}`, "", "")
	if first.status != 200 {
		t.Fatalf("POST sessions: %d %s", first.status, first.raw)
	}
	cam, _ := first.body["cameraToken"].(string)
	screen, _ := first.body["screenToken"].(string)
	if !strings.HasPrefix(cam, "ws://localhost:4443?sessionId=daily-standup&token=tok_") || !strings.Contains(screen, "sessionId=daily-standup") || cam == screen {
		t.Fatalf("tokens: %s", first.raw)
	}
	if first.body["role"] != "MODERATOR" || first.body["sessionId"] != "daily-standup" || first.body["recordingEnabled"] != false {
		t.Fatalf("first participant: %s", first.raw)
	}
	// Ada joins: whoever comes next publishes but does not moderate.
	if _, err := svc.Join(core.JoinRequest{Token: cam, ClientData: "{}", Notifier: nopNotifier{}}); err != nil {
		t.Fatal(err)
	}
	second := do(t, srv, "POST", SessionsPath, `{"roomName":"daily-standup","participantName":"Bob"}`, "", "")
	if second.status != 200 || second.body["role"] != "PUBLISHER" {
		t.Fatalf("second participant: %d %s", second.status, second.raw)
	}
	s, err := svc.Session("daily-standup")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.View().Connections); n != 4 {
		t.Fatalf("session has %d connections, want 4 (camera + screen for each)", n)
	}
}

func TestTokensBadInput(t *testing.T) {
	srv, _ := newServer(t, config.CallApp{Enabled: true})
	for _, c := range []struct{ body, want string }{
		{`{"sessionId":"a b","nickname":"x"}`, "room name"},
		{`{"sessionId":"","nickname":"x"}`, "room name"},
		{`{"sessionId":"ok","nickname":""}`, "participant name"},
		{`{"sessionId":"ok","nickname":"` + strings.Repeat("n", 51) + `"}`, "participant name"},
		{`not json`, "JSON"},
	} {
		r := do(t, srv, "POST", SessionsPath, c.body, "", "")
		if r.status != 400 || !strings.Contains(r.body["message"].(string), c.want) {
			t.Errorf("%s: %d %s", c.body, r.status, r.raw)
		}
	}
}

func TestPrivateAccess(t *testing.T) {
	srv, _ := newServer(t, config.CallApp{Enabled: true, PrivateAccess: true, User: "admin", Secret: "s3cret"})
	body := `{"sessionId":"team","nickname":"Ada"}`

	if r := do(t, srv, "GET", ConfigPath, "", "", ""); r.body["privateAccess"] != true {
		t.Fatalf("config: %s", r.raw)
	}
	for _, creds := range [][2]string{{"", ""}, {"admin", "wrong"}, {"root", "s3cret"}} {
		r := do(t, srv, "POST", SessionsPath, body, creds[0], creds[1])
		if r.status != 401 || !strings.Contains(r.raw, "CALL_USER") {
			t.Errorf("credentials %v: %d %s", creds, r.status, r.raw)
		}
	}
	if r := do(t, srv, "POST", SessionsPath, body, "admin", "s3cret"); r.status != 200 || r.body["cameraToken"] == "" {
		t.Fatalf("with credentials: %d %s", r.status, r.raw)
	}

	// The login check of the app: JSON body (as OpenVidu Call) or Basic header.
	if r := do(t, srv, "POST", LoginPath, `{"username":"admin","password":"s3cret"}`, "", ""); r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	if r := do(t, srv, "POST", LoginPath, `{"username":"admin","password":"nope"}`, "", ""); r.status != 401 {
		t.Fatalf("bad login: %d %s", r.status, r.raw)
	}
	if r := do(t, srv, "POST", LoginPath, `{}`, "admin", "s3cret"); r.status != 200 {
		t.Fatalf("login with Basic: %d %s", r.status, r.raw)
	}
	// No WWW-Authenticate: the browser must not pop up its own dialog.
	req, _ := http.NewRequest("POST", srv.URL+SessionsPath, strings.NewReader(body))
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("admin:bad")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != "" {
		t.Fatalf("401 with WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
	}
}

func TestDisabledAppServesNothing(t *testing.T) {
	srv, _ := newServer(t, config.CallApp{Enabled: false})
	for _, p := range []string{"/", "/room/x", ConfigPath} {
		if r := do(t, srv, "GET", p, "", "", ""); r.status != 404 {
			t.Errorf("GET %s: %d, want 404", p, r.status)
		}
	}
	if r := do(t, srv, "POST", SessionsPath, `{"sessionId":"a","nickname":"b"}`, "", ""); r.status != 404 {
		t.Errorf("POST sessions: %d, want 404", r.status)
	}
}

func TestAppPages(t *testing.T) {
	srv, _ := newServer(t, config.CallApp{Enabled: true})
	for _, p := range []string{"/", "/room/daily-standup", "/?room=x"} {
		r := do(t, srv, "GET", p, "", "", "")
		if r.status != 200 || !strings.Contains(r.raw, `<script src="/call-app.js"`) {
			t.Errorf("GET %s: %d %.80s", p, r.status, r.raw)
		}
	}
	if r := do(t, srv, "GET", "/call-app.js", "", "", ""); r.status != 200 || !strings.HasPrefix(r.raw, "/* govidu call app") {
		t.Errorf("GET /call-app.js: %d %.60s", r.status, r.raw)
	}
	if r := do(t, srv, "GET", "/elsewhere", "", "", ""); r.status != 404 {
		t.Errorf("GET /elsewhere: %d", r.status)
	}
}

func TestShuttingDown(t *testing.T) {
	srv, svc := newServer(t, config.CallApp{Enabled: true})
	_ = svc.Close(context.Background())
	r := do(t, srv, "POST", SessionsPath, `{"sessionId":"late","nickname":"x"}`, "", "")
	if r.status != 503 {
		t.Fatalf("after shutdown: %d %s", r.status, r.raw)
	}
}
