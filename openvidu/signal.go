package openvidu

import (
	"context"
	"net/http"
)

// SignalOptions describe a signal sent by the server to participants.
type SignalOptions struct {
	Session string   // session id (required)
	To      []string // connection ids; empty = every participant
	// Type is delivered verbatim: openvidu-browser fires the generic "signal"
	// event and one named exactly Type, so use "signal:chat" to reach
	// session.on("signal:chat").
	Type string
	Data string
}

// Signal sends a message to participants of a session. ErrNotFound if there
// is no such session; ErrNotAcceptable if nobody has joined it yet or if a
// recipient in To is not a participant (then nobody receives it).
func (c *Client) Signal(ctx context.Context, opts SignalOptions) error {
	body := struct {
		Session string   `json:"session"`
		To      []string `json:"to,omitempty"`
		Type    string   `json:"type,omitempty"`
		Data    string   `json:"data,omitempty"`
	}{opts.Session, opts.To, opts.Type, opts.Data}
	return c.do(ctx, call{method: http.MethodPost, path: "/signal", body: body, want: http.StatusOK})
}
