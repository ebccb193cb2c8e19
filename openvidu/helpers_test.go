package openvidu_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/openvidu"
)

// startServer runs a real govidu and returns a Client for it.
func startServer(t *testing.T) (*openvidu.Client, *testkit.Server) {
	t.Helper()
	srv := testkit.StartServer(t, testkit.Options{})
	return openvidu.New(srv.URL, srv.Secret), srv
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var (
	randomSessionID    = regexp.MustCompile(`^ses_[A-Z][0-9A-Za-z]{9}$`)
	randomConnectionID = regexp.MustCompile(`^con_[A-Z][0-9A-Za-z]{9}$`)
)

// tokenPattern is the exact token format for a session of srv (spec §2).
func tokenPattern(srv *testkit.Server, sessionID string) *regexp.Regexp {
	host := strings.TrimPrefix(srv.URL, "http://")
	return regexp.MustCompile(`^ws://` + regexp.QuoteMeta(host) + `\?sessionId=` + regexp.QuoteMeta(sessionID) + `&token=tok_[A-Z][0-9A-Za-z]{15}$`)
}

// wantStatus checks err is the *HTTPError for status and matches sentinel.
func wantStatus(t *testing.T, err error, status int, sentinel error) {
	t.Helper()
	var he *openvidu.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error = %v (%T), want *openvidu.HTTPError %d", err, err, status)
	}
	if he.Status != status {
		t.Fatalf("status = %d (%v), want %d", he.Status, err, status)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Fatalf("errors.Is(%v, %v) = false", err, sentinel)
	}
}

func mustCreateSession(t *testing.T, ctx context.Context, ov *openvidu.Client, props openvidu.SessionProperties) *openvidu.Session {
	t.Helper()
	s, err := ov.CreateSession(ctx, props)
	if err != nil {
		t.Fatalf("CreateSession(%+v): %v", props, err)
	}
	return s
}

func uniqueID(t *testing.T) string {
	return fmt.Sprintf("%s-%d", strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()), time.Now().UnixNano())
}
