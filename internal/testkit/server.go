// Package testkit starts real govidu servers on random loopback ports for
// tests, and offers small clients to talk to them.
package testkit

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/server"
)

// Server is a running test server.
type Server struct {
	URL    string // e.g. http://127.0.0.1:41234 (https:// with CERTIFICATE_TYPE)
	Secret string
	Config *config.Config
	Client *http.Client // trusts the server's self-signed certificate
	*server.Server
}

// Options tune StartServer.
type Options struct {
	Env map[string]string // extra environment (OpenVidu variable names)
}

// StartServer runs govidu on 127.0.0.1 with a random port; it stops when the test ends.
func StartServer(t testing.TB, opts Options) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	env := map[string]string{
		"SERVER_PORT":           strconv.Itoa(port),
		"DOMAIN_OR_PUBLIC_IP":   "127.0.0.1",
		"GOVIDU_RTC_UDP_PORT":   "0",
		"GOVIDU_RTC_TCP_PORT":   "0",
		"COTURN_PORT":           "0",
		"GOVIDU_TURN_TLS_PORT":  "0",
		"GOVIDU_LISTEN_ADDRESS": "127.0.0.1",
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, nil, io.Discard)
	if err != nil {
		ln.Close()
		t.Fatalf("config: %v", err)
	}
	level := slog.LevelWarn
	if os.Getenv("GOVIDU_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: level}))
	srv, err := server.New(cfg, log)
	if err != nil {
		ln.Close()
		t.Fatalf("server: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
	})
	client := http.DefaultClient
	if cfg.CertificateType != "" {
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		t.Cleanup(client.CloseIdleConnections)
	}
	return &Server{URL: cfg.PublicURL(), Secret: cfg.Secret, Config: cfg, Client: client, Server: srv}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(b, "\n"))
	return len(b), nil
}

// Response is a captured HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a REST request with the server's credentials. body may be nil, a
// string (sent verbatim) or []byte.
func (s *Server) Do(t testing.TB, method, path string, body any) Response {
	t.Helper()
	return s.DoAuth(t, method, path, body, "OPENVIDUAPP", s.Secret, nil)
}

// DoAuth sends a request with the given credentials (user "" = none) and extra headers.
func (s *Server) DoAuth(t testing.TB, method, path string, body any, user, pass string, hdr map[string]string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		t.Fatalf("unsupported body type %T", body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Eventually polls cond until it is true or the deadline passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for delay := time.Millisecond; ; delay = min(delay*2, 50*time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(delay)
	}
}
