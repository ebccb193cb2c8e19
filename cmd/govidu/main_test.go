package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if code := run([]string{"version"}, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "2.32.2") {
		t.Fatalf("version: %d %q", code, out.String())
	}
}

func TestBadConfigStopsStartup(t *testing.T) {
	t.Setenv("OPENVIDU_SECRET", "not valid!")
	var errOut bytes.Buffer
	if code := run(nil, io.Discard, &errOut); code != 2 || !strings.Contains(errOut.String(), "OPENVIDU_SECRET") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

// TestGracefulShutdown runs the real binary, creates a session, sends
// SIGTERM and expects a clean exit that closed the session as upstream does.
func TestGracefulShutdown(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "govidu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--port", "0")
	cmd.Env = append(os.Environ(), "GOVIDU_LISTEN_ADDRESS=127.0.0.1", "GOVIDU_RTC_UDP_PORT=0", "GOVIDU_RTC_TCP_PORT=0", "COTURN_PORT=0", "GOVIDU_TURN_TLS_PORT=0", "DOMAIN_OR_PUBLIC_IP=127.0.0.1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	addrRe := regexp.MustCompile(`address=(127\.0\.0\.1:\d+)`)
	var addr string
	for addr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("server exited before listening")
			}
			if m := addrRe.FindStringSubmatch(l); m != nil {
				addr = m[1]
			}
		case <-ctx.Done():
			t.Fatal("server did not start")
		}
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/openvidu/api/sessions", strings.NewReader(`{"customSessionId":"bye"}`))
	req.SetBasicAuth("OPENVIDUAPP", "MY_SECRET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("create session: %v %v", err, resp)
	}
	resp.Body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var log []string
	for l := range lines {
		log = append(log, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\n%s", err, strings.Join(log, "\n"))
	}
	all := strings.Join(log, "\n")
	if !strings.Contains(all, "sessionId=bye reason=openviduServerStopped") {
		t.Fatalf("session not closed on shutdown:\n%s", all)
	}
}
