package testkit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser tests use Debian's chromium (apt-get install -y chromium), headless,
// with fake media devices. Without it they skip, unless CI or
// GOVIDU_REQUIRE_E2E is set, in which case they fail.

// RequireChromium returns the Chromium executable or skips/fails the test.
func RequireChromium(t testing.TB) string {
	t.Helper()
	exe := "/usr/bin/chromium"
	if c := os.Getenv("GOVIDU_CHROMIUM"); c != "" {
		exe = c
	}
	if st, err := os.Stat(exe); err == nil && !st.IsDir() {
		return exe
	}
	msg := "Chromium not found at " + exe + " (apt-get update && apt-get install -y chromium, or set GOVIDU_CHROMIUM)"
	if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + "; set GOVIDU_REQUIRE_E2E=1 to make this a failure")
	return ""
}

// Artifacts returns test/artifacts/<test name> (git-ignored) for screenshots
// and logs; root is the path from the test's package to the repository root.
func Artifacts(t testing.TB, root string) string {
	t.Helper()
	dir := filepath.Join(root, "test", "artifacts", strings.ReplaceAll(t.Name(), "/", "_"))
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ChromiumOptions tune StartChromium.
type ChromiumOptions struct {
	// DenyMedia leaves out the fake permission UI and denies every prompt
	// (a user refusing the camera). By default camera and microphone are granted.
	DenyMedia bool
	// Log receives Chromium's own output (a file under Artifacts).
	Log string
	// Flags are extra command-line switches.
	Flags map[string]any
}

// StartChromium launches a headless Chromium with fake camera and microphone
// whose network is limited to loopback; it stops when the test ends. The
// returned context is a first tab; chromedp.NewContext(ctx) opens more.
func StartChromium(t testing.TB, o ChromiumOptions) context.Context {
	t.Helper()
	exe := RequireChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// Only loopback resolves: nothing leaves the machine.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
	}
	if o.DenyMedia {
		opts = append(opts, chromedp.Flag("deny-permission-prompts", true))
	} else {
		opts = append(opts, chromedp.Flag("use-fake-ui-for-media-stream", true))
	}
	for k, v := range o.Flags {
		opts = append(opts, chromedp.Flag(k, v))
	}
	if o.Log != "" {
		f, err := os.Create(o.Log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		opts = append(opts, chromedp.CombinedOutput(f))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium: %v (log: %s)", err, o.Log)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("chromium did not start within 60 s (log: %s)", o.Log)
	}
	return ctx
}

// PollJS evaluates expr (a boolean JavaScript expression) until it is true.
func PollJS(t testing.TB, ctx context.Context, timeout time.Duration, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for delay := 50 * time.Millisecond; time.Now().Before(deadline); delay = min(delay*2, 500*time.Millisecond) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if last = err; err == nil && ok {
			return
		}
		time.Sleep(delay)
	}
	t.Fatalf("timed out after %v waiting for %s (%s): last error %v", timeout, what, expr, last)
}

// Screenshot saves a PNG of the page to path.
func Screenshot(t testing.TB, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Logf("screenshot: %v", err)
	}
}
