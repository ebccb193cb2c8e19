// Package e2e runs unmodified upstream openvidu-browser 2.32.2 in headless
// Chromium against a real govidu: the test app calls, publishes and
// subscribes; the tests check media, REST and signals from the browsers'
// side. See README.md for installing Chromium and the npm package.
package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

const (
	// bundlePath is the browserify bundle that openvidu-browser ships; it
	// sets globalThis.OpenVidu, like the script tag of the tutorials.
	bundlePath = "node_modules/openvidu-browser/static/js/openvidu-browser-2.32.2.js"

	defaultChromium = "/usr/bin/chromium"

	installHelp = `install the browser and the upstream client library:
    apt-get update && apt-get install -y chromium        # as root; gives /usr/bin/chromium
    npm ci --prefix test/e2e                             # from the repository root; openvidu-browser@2.32.2
(set GOVIDU_CHROMIUM to use another Chromium binary)`
)

// e2eEnv is what the browser tests need from the machine.
type e2eEnv struct {
	chromium string
	bundle   string
}

// requireE2E returns the environment, or skips the test when Chromium or the
// npm package is missing. Under CI or GOVIDU_REQUIRE_E2E a missing piece is a
// failure, so that a broken setup cannot pass as "skipped".
func requireE2E(t *testing.T) *e2eEnv {
	t.Helper()
	env := &e2eEnv{chromium: defaultChromium, bundle: bundlePath}
	if c := os.Getenv("GOVIDU_CHROMIUM"); c != "" {
		env.chromium = c
	}
	var missing []string
	if st, err := os.Stat(env.chromium); err != nil || st.IsDir() {
		missing = append(missing, "Chromium ("+env.chromium+")")
	}
	if _, err := os.Stat(env.bundle); err != nil {
		missing = append(missing, "openvidu-browser bundle (test/e2e/"+env.bundle+")")
	}
	if len(missing) == 0 {
		return env
	}
	if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
		t.Fatalf("browser tests required (CI or GOVIDU_REQUIRE_E2E set) but missing: %v\n%s", missing, installHelp)
	}
	t.Skipf("browser tests skipped, missing: %v\n%s\n(set GOVIDU_REQUIRE_E2E=1 to make this a failure)", missing, installHelp)
	return nil
}

// startApp serves the test app and the upstream bundle on 127.0.0.1. The
// page's origin is http://127.0.0.1:PORT, a secure context, so getUserMedia
// works without TLS.
func startApp(t *testing.T, env *e2eEnv) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	file := func(path, ctype string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := os.ReadFile(path)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(b)
		}
	}
	mux.HandleFunc("GET /{$}", file("testdata/app.html", "text/html; charset=utf-8"))
	mux.HandleFunc("GET /app.js", file("testdata/app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /openvidu-browser.js", file(env.bundle, "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

var (
	artifactMu   sync.Mutex
	unsafeInName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
)

// artifactDir is test/artifacts/<TopLevelTestName> (subtests share their
// parent's), created on first use and emptied once per run; it is
// git-ignored and kept after the test so that screenshots and logs can be
// looked at.
func artifactDir(t *testing.T) string {
	t.Helper()
	name, _, _ := strings.Cut(t.Name(), "/")
	dir := filepath.Join("..", "artifacts", unsafeInName.ReplaceAllString(name, "_"))
	artifactMu.Lock()
	defer artifactMu.Unlock()
	if !cleanedArtifacts[dir] {
		_ = os.RemoveAll(dir)
		cleanedArtifacts[dir] = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	return dir
}

var cleanedArtifacts = map[string]bool{}
