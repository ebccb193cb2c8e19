package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

// browser is one headless Chromium process with its own profile. Its pages
// open in separate browser contexts (like separate incognito windows), so
// they share nothing but the process.
type browser struct {
	ctx context.Context // a chromedp context whose browser has started
}

// chromiumFlags are the e2e tests' switches on top of testkit's (headless,
// fake camera and microphone granted without a prompt, timers of background
// tabs at full speed, only loopback resolvable): Chromium quiet on the
// network besides, with nothing but loopback reachable here.
var chromiumFlags = map[string]any{
	"disable-default-apps":                   true,
	"disable-extensions":                     true,
	"disable-breakpad":                       true,
	"disable-client-side-phishing-detection": true,
	"metrics-recording-only":                 true,
	"safebrowsing-disable-auto-update":       true,
	"password-store":                         "basic",
	"use-mock-keychain":                      true,
	"disable-features":                       "Translate,MediaRouter,OptimizationHints,DialMediaRouteProvider",
}

// browserSpec names one browser of newBrowsers and its extra flags.
type browserSpec struct {
	name  string
	flags map[string]any
}

// newBrowsers starts Chromiums, one after the other (started side by side
// on a loaded machine, they can take more than a minute each); they are
// stopped when the test ends. A spec's name labels its log, flags adds
// switches.
func newBrowsers(t *testing.T, env *e2eEnv, specs []browserSpec) []*browser {
	t.Helper()
	bs := make([]*browser, len(specs))
	for i, s := range specs {
		b, err := startBrowser(t, env, s.name, s.flags)
		if err != nil {
			t.Fatal(err)
		}
		bs[i] = b
	}
	return bs
}

// startBrowser starts one Chromium for the test.
func startBrowser(t *testing.T, env *e2eEnv, name string, flags map[string]any) (*browser, error) {
	return startBrowserIn(t, env, name, flags, "")
}

// startBrowserIn is startBrowser inside a network namespace (testkit.NetNS).
func startBrowserIn(t *testing.T, env *e2eEnv, name string, flags map[string]any, netns string) (*browser, error) {
	b, stop, err := launchBrowser(env, name, filepath.Join(artifactDir(t), "chromium-"+name+".log"), filepath.Join(t.TempDir(), "profile"), flags, netns)
	t.Cleanup(stop)
	return b, err
}

// launchBrowser starts Chromium with its output in logPath and its profile
// in profile (empty: a temporary one); stop (even after an error) stops it.
func launchBrowser(env *e2eEnv, name, logPath, profile string, flags map[string]any, netns string) (b *browser, stop func(), err error) {
	all := maps.Clone(chromiumFlags)
	maps.Copy(all, flags)
	ctx, stop, err := testkit.LaunchChromium(env.chromium, testkit.ChromiumOptions{
		Log: logPath, Profile: profile, Width: 1000, Height: 700, Flags: all, NetNS: netns})
	if err != nil {
		return nil, stop, fmt.Errorf("chromium %s (%s): %v", env.chromium, name, err)
	}
	return &browser{ctx: ctx}, stop, nil
}

// shared is one Chromium for the tests whose pages need no camera of their
// own (the default fake camera and microphone do): every page opens in its
// own browser context, so the tests share nothing but the process, and
// the package pays for one Chromium start instead of one per test. TestMain
// stops it.
var shared struct {
	once sync.Once
	b    *browser
	stop func()
	err  error
}

// sharedBrowser starts the shared Chromium on first use.
func sharedBrowser(t *testing.T, env *e2eEnv) *browser {
	t.Helper()
	shared.once.Do(func() {
		logDir := filepath.Join("..", "artifacts")
		if err := os.MkdirAll(logDir, 0o755); err != nil {
			shared.err = err
			return
		}
		// No profile given: a temporary one, removed when Chromium exits.
		shared.b, shared.stop, shared.err = launchBrowser(env, "shared", filepath.Join(logDir, "chromium-shared.log"), "", nil, "")
	})
	if shared.err != nil {
		t.Fatalf("shared chromium: %v", shared.err)
	}
	return shared.b
}

// stopSharedBrowser stops the shared Chromium, if it was started.
func stopSharedBrowser() {
	if shared.stop != nil {
		shared.stop()
	}
}

// page is one tab running the test app on one SDK. It records the browser
// console, page errors and every WebSocket frame, so that a failure can show
// exactly what the client library sent and received.
type page struct {
	t    *testing.T // the test or subtest using the page now; see in
	name string
	sdk  sdkKind
	dir  string // artifacts of the test that opened the page
	ctx  context.Context
	log  *pageLog
}

// label names the page and its SDK in messages: "alice (govidu SDK)".
func (p *page) label() string { return fmt.Sprintf("%s (%s SDK)", p.name, p.sdk) }

// pageLog holds console lines, exceptions and WebSocket frames, in order.
type pageLog struct {
	mu    sync.Mutex
	lines []string
	start time.Time
	out   *os.File // full log under test/artifacts
}

// in returns the same page reporting failures to t (a subtest).
func (p *page) in(t *testing.T) *page {
	q := *p
	q.t = t
	return &q
}

// newPage opens the test app on the SDK given in a fresh browser context;
// waitLibrary waits until it has loaded.
func (b *browser) newPage(t *testing.T, name string, app *testApp, sdk sdkKind) *page {
	t.Helper()
	dir := artifactDir(t)
	f, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		t.Fatalf("page log: %v", err)
	}
	url := app.pageURL(sdk)
	p := &page{t: t, name: name, sdk: sdk, dir: dir, log: &pageLog{start: time.Now(), out: f}}
	p.addLog("page %s, %s SDK", url, sdk)
	// Registered first, so run last: the log closes after the tab.
	t.Cleanup(func() {
		p.log.mu.Lock()
		p.log.out.Close()
		p.log.out = nil
		p.log.mu.Unlock()
	})
	p.ctx = testkit.OpenTab(t, b.ctx, p.label(), 60*time.Second, p.onEvent)
	// Page.navigate returns once the navigation has started: the pages of
	// a test load side by side, and waitLibrary waits for the app.
	p.run(30*time.Second, "open the app", func(ctx context.Context) error {
		if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		r, err := chromedp.Call(ctx, cdppage.Navigate, cdppage.NavigateParams{URL: url})
		if err == nil && r.ErrorText != "" {
			err = errors.New(r.ErrorText)
		}
		return err
	})
	return p
}

// run runs f with a deadline and fails the test on error.
func (p *page) run(timeout time.Duration, what string, f func(ctx context.Context) error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	if err := f(ctx); err != nil {
		p.fail("%s: %v", what, err)
	}
}

func (p *page) addLog(format string, args ...any) {
	l := p.log
	line := fmt.Sprintf("%7.3fs %s", time.Since(l.start).Seconds(), fmt.Sprintf(format, args...))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if l.out != nil {
		fmt.Fprintln(l.out, line)
	}
}

// onEvent runs on chromedp's read loop: it only formats and stores.
func (p *page) onEvent(ev any) {
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			parts = append(parts, remoteText(a))
		}
		p.addLog("console.%s %s", e.Type, strings.Join(parts, " "))
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + remoteText(d.Exception)
		}
		p.addLog("EXCEPTION %s (%s:%d)", msg, d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		p.addLog("browser.%s [%s] %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL)
	case *network.EventWebSocketCreated:
		p.addLog("WS open %s", e.URL)
	case *network.EventWebSocketHandshakeResponseReceived:
		p.addLog("WS handshake %d %s", e.Response.Status, e.Response.StatusText)
	case *network.EventWebSocketFrameSent:
		p.addLog("WS > %s", e.Response.PayloadData)
	case *network.EventWebSocketFrameReceived:
		p.addLog("WS < %s", e.Response.PayloadData)
	case *network.EventWebSocketFrameError:
		p.addLog("WS error %s", e.ErrorMessage)
	case *network.EventWebSocketClosed:
		p.addLog("WS closed")
	case *network.EventLoadingFailed:
		p.addLog("HTTP failed %s %s", e.ErrorText, e.BlockedReason)
	}
}

var sdpInLog = regexp.MustCompile(`(\\"?sdp(?:Offer|Answer|String)?\\"?\s*:\s*\\?")v=0[^"]*?(\\?")`)

// remoteText renders a console argument.
func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.Description != "" {
		return o.Description
	}
	if o.Preview != nil {
		var parts []string
		for _, pp := range o.Preview.Properties {
			parts = append(parts, pp.Name+":"+pp.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return string(o.Type)
}

// logTail is the end of the page's log, SDP bodies shortened, for failure
// messages (the full log is in the artifacts directory).
func (p *page) logTail(n int) string {
	p.log.mu.Lock()
	defer p.log.mu.Unlock()
	lines := p.log.lines
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		l = sdpInLog.ReplaceAllString(l, "${1}v=0 …${2}")
		if len(l) > 600 {
			l = l[:600] + " …"
		}
		out[i] = "    " + l
	}
	return strings.Join(out, "\n")
}

// wsFrames returns the WebSocket frames the page sent (dir ">") or received
// ("<") so far.
func (p *page) wsFrames(dir string) []string {
	p.log.mu.Lock()
	defer p.log.mu.Unlock()
	var out []string
	marker := " WS " + dir + " "
	for _, l := range p.log.lines {
		if i := strings.Index(l, marker); i >= 0 {
			out = append(out, l[i+len(marker):])
		}
	}
	return out
}

// wsSummary says how the page's WebSocket dials went, to tell a server
// that refuses the upgrade from one that never answers.
func (p *page) wsSummary() string {
	p.log.mu.Lock()
	defer p.log.mu.Unlock()
	opened, sent, received := 0, 0, 0
	results := map[string]int{}
	for _, l := range p.log.lines {
		switch {
		case strings.Contains(l, " WS open "):
			opened++
		case strings.Contains(l, " WS > "):
			sent++
		case strings.Contains(l, " WS < "):
			received++
		case strings.Contains(l, " WS handshake "), strings.Contains(l, " WS error "):
			_, r, _ := strings.Cut(l, " WS ")
			results[r]++
		}
	}
	return fmt.Sprintf("WebSocket: %d dials, %d frames sent, %d received; handshake results: %v", opened, sent, received, results)
}

// fail stops the test with the page's state and recent log.
func (p *page) fail(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("[%s] %s\n  app state: %s\n  recent log of %s (full log: %s):\n%s",
		p.label(), fmt.Sprintf(format, args...), p.stateJSON(), p.name,
		filepath.Join(p.dir, p.name+".log"), p.logTail(40))
}

// stateJSON is window.app.state, events trimmed, or why it is unavailable.
func (p *page) stateJSON() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`JSON.stringify(window.app ? Object.assign({}, window.app.state, {events: window.app.state.events.slice(-25)}) : 'no app')`))
	if err != nil {
		return "(unavailable: " + err.Error() + ")"
	}
	return s
}

// eval evaluates a JavaScript expression (promises awaited) into T.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := evalErr[T](p, expr)
	if err != nil {
		p.fail("evaluate %s: %v", expr, err)
	}
	return v
}

// evalErr is eval without failing the test; safe from any goroutine.
func evalErr[T any](p *page, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitFor polls a JavaScript condition until it is true or the timeout
// passes, then fails with the page's state and log.
func (p *page) waitFor(timeout time.Duration, what, cond string) {
	p.t.Helper()
	if err := p.poll(timeout, cond); err != nil {
		p.fail("waiting %v for %s (%s): %v", timeout, what, cond, err)
	}
}

// poll evaluates cond every 100 ms until it is truthy.
func (p *page) poll(timeout time.Duration, cond string) error {
	deadline := time.Now().Add(timeout)
	expr := "!!(" + cond + ")"
	var last error
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return nil
		}
		if err != nil {
			last = err
			if errors.Is(p.ctx.Err(), context.Canceled) {
				return err
			}
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("timed out (last error: %v)", last)
			}
			return errors.New("timed out")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshot saves a PNG of the page under test/artifacts.
func (p *page) screenshot(name string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Errorf("[%s] screenshot: %v", p.label(), err)
		return ""
	}
	path := filepath.Join(p.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Errorf("[%s] screenshot: %v", p.label(), err)
		return ""
	}
	return path
}
