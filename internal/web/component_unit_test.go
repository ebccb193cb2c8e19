package web_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
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
