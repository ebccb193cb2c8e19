package openvidu

import (
	"context"
	"net/http"
	"time"
)

// TokenOptions configure a token made with the legacy GenerateToken.
type TokenOptions struct {
	Role           Role   // "" = PUBLISHER
	Data           string // becomes the connection's server data
	KurentoOptions *KurentoOptions
}

// Token is a pending connection as the legacy /tokens endpoint describes it.
type Token struct {
	Token          string // "ws[s]://host[:port]?sessionId=…&token=tok_…"
	ConnectionID   string
	SessionID      string
	CreatedAt      time.Time
	Data           string
	Role           Role
	KurentoOptions *KurentoOptions
}

// GenerateToken creates a pending connection through OpenVidu's deprecated
// POST /tokens endpoint, which both official clients still use for
// Session.generateToken. Prefer CreateConnection. ErrNotFound if there is no
// such session.
func (c *Client) GenerateToken(ctx context.Context, sessionID string, opts TokenOptions) (*Token, error) {
	body := struct {
		Session        string          `json:"session"`
		Role           Role            `json:"role,omitempty"`
		Data           string          `json:"data,omitempty"`
		KurentoOptions *KurentoOptions `json:"kurentoOptions,omitempty"`
	}{sessionID, opts.Role, opts.Data, opts.KurentoOptions}
	var w tokenWire
	if err := c.do(ctx, call{method: http.MethodPost, path: "/tokens", body: body, want: http.StatusOK, out: &w}); err != nil {
		return nil, err
	}
	return w.token(), nil
}

// GenerateToken creates a token for this session (see Client.GenerateToken).
func (s *Session) GenerateToken(ctx context.Context, opts TokenOptions) (*Token, error) {
	return s.client.GenerateToken(ctx, s.ID, opts)
}
