package rtcclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// TokenRequest describes the Connection to create for a token.
type TokenRequest struct {
	SessionID string // customSessionId; the session is created unless it exists (409 is fine)
	Role      string // "PUBLISHER" (default), "SUBSCRIBER" or "MODERATOR"
	Data      string // serverData
}

// GetToken does what an application server does for a browser: create the
// session (an existing one is fine) and a Connection in it, over the REST
// API at baseURL (http[s]://host:port) with the secret. It returns the
// Connection's token.
func GetToken(ctx context.Context, hc *http.Client, baseURL, secret string, req TokenRequest) (string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	base := strings.TrimRight(baseURL, "/") + "/openvidu/api"
	status, _, err := restCall(ctx, hc, base+"/sessions", secret, map[string]any{"customSessionId": req.SessionID})
	if err != nil {
		return "", err
	}
	if status != http.StatusOK && status != http.StatusConflict {
		return "", fmt.Errorf("rtcclient: create session %s: HTTP %d", req.SessionID, status)
	}
	body := map[string]any{"type": "WEBRTC", "data": req.Data}
	if req.Role != "" {
		body["role"] = req.Role
	}
	status, resp, err := restCall(ctx, hc, base+"/sessions/"+req.SessionID+"/connection", secret, body)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("rtcclient: create connection in %s: HTTP %d: %s", req.SessionID, status, bytes.TrimSpace(resp))
	}
	var conn struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(resp, &conn); err != nil || conn.Token == "" {
		return "", fmt.Errorf("rtcclient: connection without a token: %s", resp)
	}
	return conn.Token, nil
}

func restCall(ctx context.Context, hc *http.Client, url, secret string, body any) (int, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.SetBasicAuth("OPENVIDUAPP", secret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("rtcclient: POST %s: %w", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data, err
}
