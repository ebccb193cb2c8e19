// Package e2e runs browser clients in headless Chromium against a real
// govidu: unmodified upstream openvidu-browser 2.32.2 and govidu's own SDK
// (served by the server under test at /openvidu-browser.js), alone or mixed
// in one session. The test app calls, publishes and subscribes; the tests
// check media, REST and signals from the browsers' side. See README.md for
// installing Chromium and the npm package.
package e2e

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/govidu/govidu/internal/testkit"
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

func TestMain(m *testing.M) {
	code := m.Run()
	stopSharedBrowser()
	os.Exit(code)
}

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

// sdkKind is the client library a page loads: both define the global
// OpenVidu with the same public API.
type sdkKind string

const (
	// sdkUpstream is openvidu-browser 2.32.2 from npm, unmodified, served
	// by the test's app server (as an app bundles it).
	sdkUpstream sdkKind = "upstream"
	// sdkGovidu is govidu's own SDK, loaded from the server under test at
	// /openvidu-browser.js (as an app that swaps the script tag does).
	sdkGovidu sdkKind = "govidu"
)

// bothSDKs are the rows of the tests that run once per SDK.
var bothSDKs = []sdkKind{sdkUpstream, sdkGovidu}

// testApp is the test app's own web server (another origin than govidu's).
type testApp struct {
	*httptest.Server
	govidu string // base URL of the server under test, for sdkGovidu pages
}

// pageURL is the app's page with the SDK given.
func (a *testApp) pageURL(sdk sdkKind) string {
	return a.URL + "/?sdk=" + string(sdk)
}

// startApp serves the test app and the upstream bundle on 127.0.0.1. The
// page's origin is http://127.0.0.1:PORT, a secure context, so getUserMedia
// works without TLS. srv is the server under test (nil: no govidu, so no
// sdkGovidu pages); a page with ?sdk=govidu loads srv's /openvidu-browser.js.
func startApp(t *testing.T, env *e2eEnv, srv *testkit.Server) *testApp {
	t.Helper()
	a := &testApp{}
	if srv != nil {
		a.govidu = srv.URL
	}
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
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// app.html is a template: the SDK's <script> tag is the only part
		// that changes.
		tpl, err := template.ParseFiles("testdata/app.html")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		sdk := sdkKind(r.URL.Query().Get("sdk"))
		var src string
		switch {
		case sdk == sdkUpstream:
			src = "/openvidu-browser.js"
		case sdk == sdkGovidu && a.govidu != "":
			src = a.govidu + "/openvidu-browser.js"
		default:
			http.Error(w, fmt.Sprintf("sdk=%q: want %q, or %q with a server under test", sdk, sdkUpstream, sdkGovidu), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := tpl.Execute(w, map[string]string{"SDK": string(sdk), "Src": src}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /app.js", file("testdata/app.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /openvidu-browser.js", file(env.bundle, "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	a.Server = httptest.NewServer(mux)
	t.Cleanup(a.Close)
	return a
}

var (
	artifactMu   sync.Mutex
	unsafeInName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)
)

// artifactDir is test/artifacts/<TestName>[/<row>…] for the test that
// opens browsers and pages (a table row has its own; pages keep theirs for
// the subtests that use them), created on first use and emptied once per
// run; it is git-ignored and kept after the test so that screenshots and
// logs can be looked at.
func artifactDir(t *testing.T) string {
	t.Helper()
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = unsafeInName.ReplaceAllString(p, "_")
	}
	dir := filepath.Join(append([]string{"..", "artifacts"}, parts...)...)
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
