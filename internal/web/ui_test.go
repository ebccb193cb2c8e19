package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Helpers of the web component and call app tests: Chromium tabs driven
// through the component's shadow DOM. (Self-contained: the SDK test's
// helpers in browser_test.go serve its own harness.)

func uiChromium(t *testing.T) string {
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

func uiArtifacts(t *testing.T) string {
	dir := filepath.Join("..", "..", "test", "artifacts", strings.ReplaceAll(t.Name(), "/", "_"))
	_ = os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// uiBrowser starts a headless Chromium with fake camera, microphone and
// screen; grant=false denies every permission prompt.
func uiBrowser(t *testing.T, exe, logPath string, grant bool) context.Context {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 760),
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
		// Two fake cameras (and microphones): device switching has a choice.
		chromedp.Flag("use-fake-device-for-media-stream", "device-count=2"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.CombinedOutput(logf),
	}
	if grant {
		opts = append(opts,
			chromedp.Flag("use-fake-ui-for-media-stream", true),
			chromedp.Flag("auto-select-desktop-capture-source", "Entire screen"),
			chromedp.Flag("enable-usermedia-screen-capturing", true))
	} else {
		opts = append(opts, chromedp.Flag("deny-permission-prompts", true))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		logf.Close()
	})
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start chromium: %v (see %s)", err, logPath)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("chromium did not start within 60s (see %s)", logPath)
	}
	return ctx
}

// uiTab is one tab (own browser context: own storage and devices).
type uiTab struct {
	t       *testing.T
	name    string
	dir     string // artifacts: a screenshot is taken on failure
	ctx     context.Context
	console *uiConsole
}

type uiConsole struct {
	mu   sync.Mutex
	logs []string
}

// in returns the tab bound to a subtest (failures end that subtest).
func (p *uiTab) in(t *testing.T) *uiTab {
	c := *p
	c.t = t
	return &c
}

// uiHelpers are installed in every tab: T.q/T.qa search the component's
// shadow DOM, T.frames reads framesDecoded of every subscriber.
const uiHelpers = `(window.T = window.T || {
	events: [],
	session: null,
	el() { return document.querySelector('openvidu-webcomponent'); },
	q(sel) { const e = T.el(); return e && e.shadowRoot ? e.shadowRoot.querySelector(sel) : null; },
	qa(sel) { const e = T.el(); return e && e.shadowRoot ? Array.from(e.shadowRoot.querySelectorAll(sel)) : []; },
	listen() {
		const e = T.el();
		if (!e || e.__listened) return !!e;
		e.__listened = true;
		for (const n of ['onJoinButtonClicked','onToolbarLeaveButtonClicked','onToolbarCameraButtonClicked','onToolbarMicrophoneButtonClicked',
			'onToolbarScreenshareButtonClicked','onToolbarChatPanelButtonClicked','onToolbarParticipantsPanelButtonClicked','onToolbarFullscreenButtonClicked',
			'onSessionCreated','onParticipantCreated','onNodeCrashed','onLangChanged','on-join-button-clicked']) {
			e.addEventListener(n, (ev) => { T.events.push(n); if (n === 'onSessionCreated') T.session = ev.detail; });
		}
		return true;
	},
	tiles() { return T.qa('.tile').map(t => ({ id: t.dataset.tile, type: t.dataset.type, local: t.dataset.local === 'true',
		name: (t.querySelector('.name') || {}).textContent || '', playing: (() => { const v = t.querySelector('video'); return !!v && v.readyState >= 2 && v.videoWidth > 0; })() })); },
	async frames() {
		const out = {};
		if (!T.session) return out;
		for (const sm of T.session.streamManagers) {
			if (!sm.remote) continue;
			const pc = sm.stream.getRTCPeerConnection();
			if (!pc) continue;
			const st = await pc.getStats();
			st.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'video') out[sm.stream.streamId] = r.framesDecoded || 0; });
		}
		return out;
	},
	click(sel) { const b = T.q(sel); if (!b) throw new Error('no ' + sel + ' in the component'); b.click(); return true; },
	type(sel, text) { const i = T.q(sel) || document.querySelector(sel); i.value = text; i.dispatchEvent(new Event('input')); return true; },
	text(sel) { const e = T.q(sel); return e ? e.textContent : null; },
	phase() { const r = T.q('.root'); return r ? r.dataset.phase : ''; },
	menu(label) { const b = T.qa('.menu button').find(b => b.textContent === label); if (!b) throw new Error('no menu item ' + label); b.click(); return true; },
	select(sel, pick) { const s = T.q(sel); const o = Array.from(s.options).find(pick); s.value = o.value; s.dispatchEvent(new Event('change')); return o.textContent; },
	sentTrack(kind) { const pc = T.session.connection.stream.getRTCPeerConnection(); const s = pc && pc.getSenders().find(s => s.track && s.track.kind === kind); return s ? s.track.label : ''; },
	localTrack(kind) { const v = T.q('.tile[data-tile=local-camera] video'); const t = v && v.srcObject && v.srcObject.getTracks().find(t => t.kind === kind); return t ? t.label : ''; }
}, true)`

func uiOpen(t *testing.T, browser context.Context, name, dir string) *uiTab {
	t.Helper()
	tab := &uiTab{t: t, name: name, dir: dir, console: &uiConsole{}}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext(), chromedp.WithListener(tab.console.onEvent))
	t.Cleanup(cancel)
	tab.ctx = ctx
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
	case <-time.After(30 * time.Second):
		t.Fatalf("[%s] the tab did not open within 30s", name)
	}
	return tab
}

func (p *uiTab) navigate(url string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.fail("navigate to %s: %v", url, err)
	}
	p.eval(uiHelpers, nil)
}

func (c *uiConsole) onEvent(ev any) {
	var line string
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		parts := make([]string, 0, len(e.Args))
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = "console." + string(e.Type) + " " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		line = "EXCEPTION " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			line += " " + e.ExceptionDetails.Exception.Description
		}
	default:
		return
	}
	c.mu.Lock()
	c.logs = append(c.logs, line)
	c.mu.Unlock()
}

// eval runs JavaScript as a user gesture (so getDisplayMedia may open) and
// decodes its JSON result into out.
func (p *uiTab) eval(expr string, out any) {
	p.t.Helper()
	if err := p.evalErr(expr, out); err != nil {
		p.fail("evaluate %.100q: %v", expr, err)
	}
}

func (p *uiTab) evalErr(expr string, out any) error {
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	yes := true
	v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage]("(async () => JSON.stringify(await ("+expr+")))()",
		chromedp.EvalAwaitPromise, func(ep *runtime.EvaluateParams) { ep.UserGesture = &yes }))
	if err != nil {
		return err
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return fmt.Errorf("result %s: %v", v, err)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal([]byte(s), out)
}

func (p *uiTab) waitFor(timeout time.Duration, what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := p.evalErr("!!("+cond+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.fail("waited %v for %s (%s): last error %v", timeout, what, cond, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitVideo waits until every remote video this tab receives decodes frames
// and keeps decoding (n streams at least).
func (p *uiTab) waitVideo(n int, timeout time.Duration) map[string]int {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var first, last map[string]int
	for {
		var f map[string]int
		if err := p.evalErr("T.frames()", &f); err == nil {
			last = f
			if first == nil && len(f) >= n && allPositive(f) {
				first = f
			}
			if first != nil && len(f) >= n && grewBy(first, f, 5) {
				return f
			}
		}
		if time.Now().After(deadline) {
			p.fail("no live video (%d streams whose framesDecoded grows) within %v: first %v last %v", n, timeout, first, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func allPositive(m map[string]int) bool {
	for _, v := range m {
		if v <= 0 {
			return false
		}
	}
	return true
}

func grewBy(a, b map[string]int, d int) bool {
	for k, v := range a {
		if b[k] < v+d {
			return false
		}
	}
	return true
}

func (p *uiTab) screenshot(dir, name string) string {
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	path := filepath.Join(dir, name+".png")
	if err == nil {
		err = os.WriteFile(path, png, 0o644)
	}
	if err != nil {
		p.t.Logf("[%s] screenshot: %v", p.name, err)
	}
	return path
}

// phone emulates a phone-sized viewport (390×844) until the returned func runs.
func (p *uiTab) phone() func() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true}); err != nil {
		p.fail("emulate a phone: %v", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
		defer cancel()
		_, _ = chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	}
}

func (p *uiTab) fail(format string, args ...any) {
	p.t.Helper()
	p.console.mu.Lock()
	logs := p.console.logs
	if len(logs) > 30 {
		logs = logs[len(logs)-30:]
	}
	p.console.mu.Unlock()
	var tiles any
	_ = p.evalErr("window.T ? T.tiles() : null", &tiles)
	if p.dir != "" {
		p.screenshot(p.dir, p.name+"-failure")
	}
	p.t.Fatalf("[%s] %s\n  tiles: %v\n  console:\n    %s", p.name, fmt.Sprintf(format, args...), tiles, strings.Join(logs, "\n    "))
}
