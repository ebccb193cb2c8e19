package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/govidu/govidu/internal/web"
)

// TestComponentUnits runs the node unit tests of the web component's and
// the call app's pure parts (sdk/browser/src/webcomponent/pure.test.mjs):
// esbuild bundles the test with the TypeScript it imports, node --test runs it.
func TestComponentUnits(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
			t.Fatal("node not found (apt-get install -y nodejs)")
		}
		t.Skip("node not found (apt-get install -y nodejs); set GOVIDU_REQUIRE_E2E=1 to make this a failure")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "pure.test.mjs")
	res := api.Build(api.BuildOptions{
		AbsWorkingDir: root,
		EntryPoints:   []string{"sdk/browser/src/webcomponent/pure.test.mjs"},
		Outfile:       out,
		Bundle:        true,
		Write:         true,
		Format:        api.FormatESModule,
		Platform:      api.PlatformNode,
		Target:        api.ES2020,
		Tsconfig:      "sdk/browser/tsconfig.json",
		LogLevel:      api.LogLevelSilent,
	})
	if len(res.Errors) > 0 {
		t.Fatalf("esbuild:\n%s", strings.Join(api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage}), ""))
	}
	cmd := exec.Command(node, "--test", "--test-reporter=spec", out)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, b)
	}
	t.Logf("%s", b)
}

// TestComponentTypesCoverOptions: /openvidu-webcomponent.d.ts declares every
// input of options.ts and every event it dispatches.
func TestComponentTypesCoverOptions(t *testing.T) {
	src, err := os.ReadFile("../../sdk/browser/src/webcomponent/options.ts")
	if err != nil {
		t.Fatal(err)
	}
	dts, err := os.ReadFile("dist/openvidu-webcomponent.d.ts")
	if err != nil {
		t.Fatal(err)
	}
	props := regexp.MustCompile(`\{ prop: '(\w+)'`).FindAllStringSubmatch(string(src), -1)
	events := regexp.MustCompile(`(?s)export const EVENTS = \[(.*?)\]`).FindStringSubmatch(string(src))
	if len(props) < 30 || events == nil {
		t.Fatalf("options.ts: %d inputs, events found %v", len(props), events != nil)
	}
	for _, m := range props {
		if !strings.Contains(string(dts), "\n        "+m[1]+": ") {
			t.Errorf("the .d.ts lacks the input %s", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`'(\w+)'`).FindAllStringSubmatch(events[1], -1) {
		if !strings.Contains(string(dts), "\n        "+m[1]+": CustomEvent") {
			t.Errorf("the .d.ts lacks the event %s", m[1])
		}
	}
}

// TestWebComponentAssets: the component's script and types are served with
// the SDK's caching and compression; the app's paths only when mounted.
func TestWebComponentAssets(t *testing.T) {
	mux := http.NewServeMux()
	web.MountWebComponent(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for path, want := range map[string]struct{ ctype, starts string }{
		"/openvidu-webcomponent.js":   {"text/javascript; charset=utf-8", "/* govidu <openvidu-webcomponent>"},
		"/openvidu-webcomponent.d.ts": {"application/typescript; charset=utf-8", "// Types of govidu's <openvidu-webcomponent>"},
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want.ctype || !strings.HasPrefix(string(body), want.starts) || resp.Header.Get("ETag") == "" {
			t.Errorf("GET %s: %d %q %.50q", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	for _, path := range []string{"/", "/room/x", "/call-app.js"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("GET %s without the app mounted: %d, want 404", path, resp.StatusCode)
		}
	}
}
