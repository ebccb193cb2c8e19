package openvidu_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/openvidu"
)

func TestWrongSecret(t *testing.T) {
	_, srv := startServer(t)
	ctx := testContext(t)
	ov := openvidu.New(srv.URL, "WRONG_SECRET")
	calls := map[string]func() error{
		"CreateSession": func() error { _, err := ov.CreateSession(ctx, openvidu.SessionProperties{}); return err },
		"Sessions":      func() error { _, err := ov.Sessions(ctx); return err },
		"Config":        func() error { _, err := ov.Config(ctx); return err },
		"Close":         func() error { return ov.Close(ctx, "any") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, call(), http.StatusUnauthorized, openvidu.ErrUnauthorized)
		})
	}
}

// With OPENVIDU_RECORDING=false every recording operation answers 501.
func TestRecordingDisabled(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	calls := map[string]func() error{
		"StartRecording": func() error {
			_, err := ov.StartRecording(ctx, s.ID, openvidu.RecordingProperties{Name: "r"})
			return err
		},
		"StopRecording":   func() error { _, err := ov.StopRecording(ctx, s.ID); return err },
		"Recording":       func() error { _, err := ov.Recording(ctx, s.ID); return err },
		"Recordings":      func() error { _, err := ov.Recordings(ctx); return err },
		"DeleteRecording": func() error { return ov.DeleteRecording(ctx, s.ID) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, call(), http.StatusNotImplemented, openvidu.ErrRecordingDisabled)
		})
	}
}

func TestHTTPError(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	_, err := ov.Session(ctx, "missing")
	var he *openvidu.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("err = %T %v", err, err)
	}
	if he.Method != http.MethodGet || he.Path != "/openvidu/api/sessions/missing" || he.Message == "" {
		t.Errorf("HTTPError = %+v", he)
	}
	if msg := err.Error(); !strings.Contains(msg, "GET /openvidu/api/sessions/missing: 404") {
		t.Errorf("Error() = %q", msg)
	}
	for _, other := range []error{openvidu.ErrBadRequest, openvidu.ErrConflict, openvidu.ErrUnauthorized, openvidu.ErrRecordingDisabled} {
		if errors.Is(err, other) {
			t.Errorf("a 404 matches %v", other)
		}
	}
}

func TestTransportErrors(t *testing.T) {
	_, srv := startServer(t)

	t.Run("cancelled context", func(t *testing.T) {
		ov := openvidu.New(srv.URL, srv.Secret)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := ov.Sessions(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("WithHTTPClient", func(t *testing.T) {
		var used bool
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			used = true
			return http.DefaultTransport.RoundTrip(r)
		})}
		ov := openvidu.New(srv.URL+"/", srv.Secret, openvidu.WithHTTPClient(hc))
		if _, err := ov.Sessions(testContext(t)); err != nil || !used {
			t.Errorf("Sessions via custom client: err=%v used=%v", err, used)
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		ov := openvidu.New("http://127.0.0.1:1", "x", openvidu.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
		_, err := ov.Sessions(testContext(t))
		var he *openvidu.HTTPError
		if err == nil || errors.As(err, &he) {
			t.Errorf("err = %v, want a transport error", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
