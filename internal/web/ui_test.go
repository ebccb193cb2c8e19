package web_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

// Helpers of the web component and call app tests: Chromium tabs driven
// through the component's shadow DOM. (What they share with the SDK test,
// browser_test.go, is in tab_test.go.)

// uiChromium is the Chromium of these tests: two fake cameras (and
// microphones) so that device switching has a choice and, when granted, a
// fake screen to share; grant=false denies every permission prompt.
func uiChromium(logPath string, grant bool) testkit.ChromiumOptions {
	o := testkit.ChromiumOptions{Log: logPath, DenyMedia: !grant, Width: 1280, Height: 760,
		Flags: map[string]any{"use-fake-device-for-media-stream": "device-count=2"}}
	if grant {
		o.Flags["auto-select-desktop-capture-source"] = "Entire screen"
		o.Flags["enable-usermedia-screen-capturing"] = true
	}
	return o
}

// uiTab is one tab (own browser context: own storage and devices).
type uiTab struct {
	t       *testing.T
	name    string
	dir     string // artifacts: a screenshot is taken on failure
	ctx     context.Context
	console *tabConsole
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
	tab := &uiTab{t: t, name: name, dir: dir, console: &tabConsole{}}
	tab.ctx = openTab(t, browser, name, tab.console)
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

// eval runs JavaScript as a user gesture (so getDisplayMedia may open) and
// decodes its JSON result into out.
func (p *uiTab) eval(expr string, out any) {
	p.t.Helper()
	if err := p.evalErr(expr, out); err != nil {
		p.fail("evaluate %.100q: %v", expr, err)
	}
}

func (p *uiTab) evalErr(expr string, out any) error {
	yes := true
	return evalJSON(p.ctx, expr, out, func(ep *runtime.EvaluateParams) { ep.UserGesture = &yes })
}

func (p *uiTab) waitFor(timeout time.Duration, what, cond string) {
	p.t.Helper()
	if err := pollJS(timeout, cond, p.evalErr); err != nil {
		p.fail("waited %v for %s (%s): %v", timeout, what, cond, err)
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
	path := filepath.Join(dir, name+".png")
	if err := saveScreenshot(p.ctx, path); err != nil {
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
	logs := p.console.tail(30)
	var tiles any
	_ = p.evalErr("window.T ? T.tiles() : null", &tiles)
	if p.dir != "" {
		p.screenshot(p.dir, p.name+"-failure")
	}
	p.t.Fatalf("[%s] %s\n  tiles: %v\n  console:\n    %s", p.name, fmt.Sprintf(format, args...), tiles, strings.Join(logs, "\n    "))
}
