package openvidu_test

import (
	"net/http"
	"testing"

	"github.com/govidu/govidu/openvidu"
)

func TestSignal(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	pending, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		opts   openvidu.SignalOptions
		status int
		is     error
	}{
		// Nobody joined yet: 406 whether or not recipients are named (spec §4.5).
		{"never activated", openvidu.SignalOptions{Session: s.ID, Type: "chat", Data: "hi"}, http.StatusNotAcceptable, openvidu.ErrNotAcceptable},
		{"never activated, to a pending connection", openvidu.SignalOptions{Session: s.ID, To: []string{pending.ID}}, http.StatusNotAcceptable, openvidu.ErrNotAcceptable},
		{"unknown session", openvidu.SignalOptions{Session: "nope", Data: "hi"}, http.StatusNotFound, openvidu.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, ov.Signal(ctx, tt.opts), tt.status, tt.is)
		})
	}
}
