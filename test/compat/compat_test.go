// Package compat runs upstream OpenVidu client libraries, unchanged, against
// a live govidu. The npm packages are pinned in package-lock.json; install
// them with `npm ci --prefix test/compat` from the repository root.
package compat

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

const installCommand = "npm ci --prefix test/compat"

// requireDeps says whether missing tools or packages fail the test (CI,
// make test) instead of skipping it (a quick go test on a laptop).
func requireDeps() bool {
	return os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_COMPAT") != ""
}

func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if requireDeps() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// TestNodeClient runs node_client_test.mjs (openvidu-node-client 2.32.2 under
// node's test runner) against a fresh server.
func TestNodeClient(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	live := stageLiveSession(t, srv)
	runNodeTests(t, srv, live.env())
	live.checkSignals(t)
}

// TestNodeClientRecording runs the file's recording tests against a server
// with OPENVIDU_RECORDING=true, where a Pion participant publishes real
// media through the signaling protocol.
func TestNodeClientRecording(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": t.TempDir(),
	}})
	env := stageRecordingSessions(t, srv)
	runNodeTests(t, srv, env, "--test-name-pattern=^recording enabled")
}

func runNodeTests(t *testing.T, srv *testkit.Server, env []string, args ...string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node is not installed (Node 20+ is needed for the compatibility tests)")
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "node_modules", "openvidu-node-client", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		missing(t, "openvidu-node-client is not installed; from the repository root run: %s", installCommand)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, node, append(append([]string{"--test", "--test-reporter=spec"}, args...), "node_client_test.mjs")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GOVIDU_URL="+srv.URL,
		"GOVIDU_SECRET="+srv.Secret,
		"NO_COLOR=1",
		"FORCE_COLOR=0",
	)
	cmd.Env = append(cmd.Env, env...)
	if hasFFmpeg() {
		cmd.Env = append(cmd.Env, "GOVIDU_IPCAM=1") // the server can publish IP cameras
	} else if requireDeps() {
		t.Fatal("ffmpeg and ffprobe are needed (IP cameras); make test installs them")
	}
	cmd.WaitDelay = 5 * time.Second // do not hang on pipes if node leaves children behind
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // one stream, in order
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting node: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		logLines(t, out)
	}()
	wg.Wait() // all output read before Wait closes the pipe
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("node --test did not finish within the timeout: %v", ctx.Err())
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		t.Fatalf("node --test failed (exit code %d) after %v; see the log above", exit.ExitCode(), time.Since(start).Round(time.Millisecond))
	}
	if err != nil {
		t.Fatalf("node --test: %v", err)
	}
	t.Logf("node --test passed in %v", time.Since(start).Round(time.Millisecond))
}

func hasFFmpeg() bool {
	_, err1 := exec.LookPath("ffmpeg")
	_, err2 := exec.LookPath("ffprobe")
	return err1 == nil && err2 == nil
}

func logLines(t *testing.T, r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		t.Log(sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Errorf("reading node output: %v", err)
	}
}
