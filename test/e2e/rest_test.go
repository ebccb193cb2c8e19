package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// REST helpers: the test plays the application server, creating sessions
// and tokens the way openvidu-node-client does.

type restSession struct {
	ID          string `json:"id"`
	Connections struct {
		NumberOfElements int              `json:"numberOfElements"`
		Content          []restConnection `json:"content"`
	} `json:"connections"`
}

type restConnection struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Token      string `json:"token"`
	ServerData string `json:"serverData"`
	ClientData string `json:"clientData"`
	Platform   string `json:"platform"`
	Publishers []struct {
		StreamID     string `json:"streamId"`
		MediaOptions struct {
			AudioActive *bool `json:"audioActive"`
			VideoActive *bool `json:"videoActive"`
		} `json:"mediaOptions"`
	} `json:"publishers"`
	Subscribers []struct {
		StreamID string `json:"streamId"`
	} `json:"subscribers"`
}

func restCall(t *testing.T, srv *testkit.Server, method, path string, body any, want int) []byte {
	t.Helper()
	resp := srv.Do(t, method, path, body)
	if resp.Status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.Status, want, resp.Body)
	}
	return resp.Body
}

func createSession(t *testing.T, srv *testkit.Server, customID string) string {
	t.Helper()
	b := restCall(t, srv, http.MethodPost, "/openvidu/api/sessions", fmt.Sprintf(`{"customSessionId":%q}`, customID), http.StatusOK)
	var s restSession
	if err := json.Unmarshal(b, &s); err != nil || s.ID == "" {
		t.Fatalf("create session: %v; body %s", err, b)
	}
	return s.ID
}

// createConnection returns the token and the connection id of a new
// PUBLISHER connection carrying serverData.
func createConnection(t *testing.T, srv *testkit.Server, sessionID, serverData string) (token, connectionID string) {
	t.Helper()
	return createConnectionRole(t, srv, sessionID, "PUBLISHER", serverData)
}

// createConnectionRole is createConnection with a role (SUBSCRIBER,
// PUBLISHER, MODERATOR).
func createConnectionRole(t *testing.T, srv *testkit.Server, sessionID, role, serverData string) (token, connectionID string) {
	t.Helper()
	body := fmt.Sprintf(`{"type":"WEBRTC","role":%q,"data":%q}`, role, serverData)
	b := restCall(t, srv, http.MethodPost, "/openvidu/api/sessions/"+sessionID+"/connection", body, http.StatusOK)
	var c restConnection
	if err := json.Unmarshal(b, &c); err != nil || c.Token == "" || c.ID == "" {
		t.Fatalf("create connection: %v; body %s", err, b)
	}
	return c.Token, c.ID
}

func getSession(t *testing.T, srv *testkit.Server, sessionID string) restSession {
	t.Helper()
	b := restCall(t, srv, http.MethodGet, "/openvidu/api/sessions/"+sessionID, nil, http.StatusOK)
	var s restSession
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("get session: %v; body %s", err, b)
	}
	return s
}

// waitSession polls GET /sessions/{id} until check returns "" (no
// complaint) or the timeout passes; the last complaint is the failure.
func waitSession(t *testing.T, srv *testkit.Server, sessionID string, timeout time.Duration, check func(restSession) string) restSession {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := getSession(t, srv, sessionID)
		complaint := check(s)
		if complaint == "" {
			return s
		}
		if time.Now().After(deadline) {
			b, _ := json.MarshalIndent(s, "  ", "  ")
			t.Fatalf("REST session %s after %v: %s\n  session: %s", sessionID, timeout, complaint, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s restSession) connection(id string) *restConnection {
	for i := range s.Connections.Content {
		if s.Connections.Content[i].ID == id {
			return &s.Connections.Content[i]
		}
	}
	return nil
}
