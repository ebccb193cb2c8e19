package testkit

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
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

// ChromiumOptions tune StartChromium and LaunchChromium.
type ChromiumOptions struct {
	// DenyMedia leaves out the fake permission UI and denies every prompt
	// (a user refusing the camera). By default camera and microphone are granted.
	DenyMedia bool
	// Log receives Chromium's own output (a file under Artifacts).
	Log string
	// Flags are extra command-line switches; they override the defaults of
	// the same name (e.g. "use-fake-device-for-media-stream": "device-count=2").
	Flags map[string]any
	// Width and Height are the window's size; zero means 1280×800.
	Width, Height int
	// NetNS runs the browser inside that network namespace (NetNS.Name);
	// DevTools still reaches it, over the pipe chromedp talks through.
	NetNS string
	// Profile is the user data directory. Empty means a fresh one: a
	// t.TempDir() for StartChromium, a temporary directory that Chromium's
	// exit removes for LaunchChromium.
	Profile string
}

// StartChromium launches a headless Chromium with fake camera and microphone
// whose network is limited to loopback; it stops when the test ends. The
// returned context is a first tab; chromedp.NewContext(ctx) opens more.
func StartChromium(t testing.TB, o ChromiumOptions) context.Context {
	t.Helper()
	exe := RequireChromium(t)
	if o.Profile == "" {
		o.Profile = t.TempDir()
	}
	ctx, stop, err := LaunchChromium(exe, o)
	t.Cleanup(stop)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

// LaunchChromium is StartChromium for a browser that no one test owns (one
// shared by a package's tests) or that starts off the test's goroutine,
// where t.Fatal must not be called: it returns the error instead. exe is
// the executable (RequireChromium). stop ends Chromium; it is never nil
// and must be called after an error too.
func LaunchChromium(exe string, o ChromiumOptions) (ctx context.Context, stop func(), err error) {
	w, h := o.Width, o.Height
	if w == 0 || h == 0 {
		w, h = 1280, 800
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(w, h),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Timers and rendering of every tab run at full speed: the tabs of
		// one browser are all "in the background" but one.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// Only loopback resolves: nothing leaves the machine (an accidental
		// public STUN server stays unreachable).
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
	}
	if o.Profile != "" {
		opts = append(opts, chromedp.UserDataDir(o.Profile))
	}
	if o.DenyMedia {
		opts = append(opts, chromedp.Flag("deny-permission-prompts", true))
	} else {
		opts = append(opts, chromedp.Flag("use-fake-ui-for-media-stream", true))
	}
	for _, k := range slices.Sorted(maps.Keys(o.Flags)) {
		opts = append(opts, chromedp.Flag(k, o.Flags[k]))
	}
	if o.NetNS != "" {
		opts = append(opts, chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) { inNetNS(cmd, o.NetNS) }))
	}
	var logf *os.File
	if o.Log != "" {
		if logf, err = os.Create(o.Log); err != nil {
			return nil, func() {}, fmt.Errorf("chromium log: %v", err)
		}
		opts = append(opts, chromedp.CombinedOutput(logf))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	stop = func() {
		cancel()
		cancelAlloc()
		if logf != nil {
			logf.Close()
		}
	}
	// The first Do starts the browser and must not carry a timeout (the
	// browser would stop with it): the wait is bounded from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			return nil, stop, fmt.Errorf("start chromium: %v (log: %s)", err, o.Log)
		}
	case <-time.After(60 * time.Second):
		return nil, stop, fmt.Errorf("chromium did not start within 60 s (log: %s)", o.Log)
	}
	return ctx, stop, nil
}

// OpenTab opens a tab of browser (a context of StartChromium or
// LaunchChromium) in a new browser context, with its own storage and
// devices, whose events go to listener; it closes when t ends. It waits up
// to timeout for the tab; name labels the failure.
func OpenTab(t testing.TB, browser context.Context, name string, timeout time.Duration, listener func(ev any)) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(listener))
	t.Cleanup(cancel)
	// The first call opens the tab, which lives as long as the context of
	// that call: it gets ctx itself, bounded from outside.
	opened := make(chan error, 1)
	go func() {
		_, err := chromedp.Call(ctx, runtime.Enable, cdp.Empty{})
		opened <- err
	}()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("[%s] open tab: %v", name, err)
		}
	case <-time.After(timeout):
		t.Fatalf("[%s] the tab did not open within %v", name, timeout)
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
