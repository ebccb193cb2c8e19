package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// Driving the test app (testdata/app.js) from Go.

// appState mirrors window.app.state.
type appState struct {
	LibraryLoaded       bool              `json:"libraryLoaded"`
	Connected           bool              `json:"connected"`
	ConnectError        *jsError          `json:"connectError"`
	ConnectionID        string            `json:"connectionId"`
	SessionID           string            `json:"sessionId"`
	Connections         map[string]string `json:"connections"`
	ConnectionDestroyed []struct {
		ConnectionID string `json:"connectionId"`
		Reason       string `json:"reason"`
	} `json:"connectionDestroyed"`
	RemoteStreams map[string]struct {
		ConnectionID string `json:"connectionId"`
		HasAudio     bool   `json:"hasAudio"`
		HasVideo     bool   `json:"hasVideo"`
		AudioActive  *bool  `json:"audioActive"`
		VideoActive  *bool  `json:"videoActive"`
		Subscribed   bool   `json:"subscribed"`
		Playing      bool   `json:"playing"`
	} `json:"remoteStreams"`
	StreamDestroyed []struct {
		StreamID     string `json:"streamId"`
		ConnectionID string `json:"connectionId"`
		Reason       string `json:"reason"`
		Local        bool   `json:"local"`
	} `json:"streamDestroyed"`
	PropertyChanges []struct {
		StreamID string `json:"streamId"`
		Property string `json:"property"`
		NewValue any    `json:"newValue"`
		Reason   string `json:"reason"`
		Local    bool   `json:"local"`
	} `json:"propertyChanges"`
	Moderation []struct {
		What  string   `json:"what"`
		OK    bool     `json:"ok"`
		Error *jsError `json:"error"`
	} `json:"moderation"`
	Signals             []appSignal         `json:"signals"`
	SignalResults       []struct{ OK bool } `json:"signalResults"`
	SessionDisconnected *struct {
		Reason string `json:"reason"`
	} `json:"sessionDisconnected"`
	Publisher *struct {
		StreamID  string `json:"streamId"`
		Published bool   `json:"published"`
	} `json:"publisher"`
	Exceptions   []map[string]any `json:"exceptions"`
	Errors       []map[string]any `json:"errors"`
	Reconnecting int              `json:"reconnecting"`
}

type jsError struct {
	Code    any    `json:"code"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

type appSignal struct {
	Type string  `json:"type"`
	Data string  `json:"data"`
	From *string `json:"from"`
}

func (p *page) state() appState {
	p.t.Helper()
	return eval[appState](p, `window.app.state`)
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// waitLibrary waits until the page has loaded its SDK, and checks that it
// is the one asked for: upstream's bundle from the app's own origin, or
// govidu's from the server under test.
func (p *page) waitLibrary() {
	p.t.Helper()
	p.waitFor(30*time.Second, fmt.Sprintf("the OpenVidu global of the %s SDK", p.sdk),
		`window.app && window.app.state.libraryLoaded && typeof OpenVidu === 'function'`)
	type loaded struct {
		SDK, Src   string
		SameOrigin bool
	}
	got := eval[loaded](p, `({SDK: app.state.sdk, Src: app.state.sdkSrc, SameOrigin: new URL(app.state.sdkSrc).origin === location.origin})`)
	wantSameOrigin := p.sdk == sdkUpstream
	if got.SDK != string(p.sdk) || got.SameOrigin != wantSameOrigin || !strings.HasSuffix(got.Src, "/openvidu-browser.js") {
		p.fail("the page loaded %+v, want the %s SDK (from the app's origin: %v)", got, p.sdk, wantSameOrigin)
	}
	p.addLog("SDK loaded from %s", got.Src)
}

// join starts session.connect(token) and, if publish, camera+mic publishing;
// it returns once connect() has settled successfully.
func (p *page) join(token, clientData string, publish bool) {
	p.t.Helper()
	if st := p.tryJoin(token, clientData, publish); st.ConnectError != nil {
		p.fail("session.connect(token) rejected: code=%v name=%q message=%q", st.ConnectError.Code, st.ConnectError.Name, st.ConnectError.Message)
	}
}

// joinedPage opens a page of b on sdk, creates its connection in session
// sid (role, serverData name) and joins; with publish it also waits for
// its stream. It returns the page and its connection id.
func joinedPage(t *testing.T, b *browser, app *testApp, srv *testkit.Server, sdk sdkKind, sid, role, name string, publish bool) (*page, string) {
	t.Helper()
	p := b.newPage(t, name, app, sdk)
	token, cid := createConnectionRole(t, srv, sid, role, name)
	p.waitLibrary()
	p.join(token, name, publish)
	if publish {
		p.waitPublished()
	}
	return p, cid
}

// tryJoin is join that returns the state once connect() has settled either
// way.
func (p *page) tryJoin(token, clientData string, publish bool) appState {
	p.t.Helper()
	return p.tryJoinWith(token, map[string]any{"clientData": clientData, "publish": publish})
}

// tryJoinWith is tryJoin with the options of app.join (clientData, publish,
// relay).
func (p *page) tryJoinWith(token string, opts map[string]any) appState {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`app.join(%s, %s)`, js(token), js(opts)))
	// openvidu-browser gives every request 10 s; connect settles by then or
	// never (when the WebSocket cannot be opened at all it re-dials forever).
	if err := p.poll(15*time.Second, `app.state.connected || app.state.connectError`); err != nil {
		p.fail("session.connect(token) did not settle within 15s: %v\n  %s", err, p.wsSummary())
	}
	return p.state()
}

// waitPublished waits for the publisher's stream id (the publishVideo answer).
func (p *page) waitPublished() string {
	p.t.Helper()
	p.waitFor(25*time.Second, "session.publish(publisher) to succeed",
		`(app.state.publisher && app.state.publisher.streamId) || app.state.errors.length`)
	st := p.state()
	if st.Publisher == nil || st.Publisher.StreamID == "" {
		p.fail("publish failed: %v", st.Errors)
	}
	return st.Publisher.StreamID
}

// waitSignal waits until the page received a signal with this type and
// data. SignalEvent.type carries the "signal:" prefix (the client adds it
// back after stripping it from the wire type).
func (p *page) waitSignal(typ, data string) appSignal {
	p.t.Helper()
	cond := fmt.Sprintf(`app.state.signals.some(s => s.type === %s && s.data === %s)`, js(typ), js(data))
	p.waitFor(10*time.Second, fmt.Sprintf("signal type=%q data=%q", typ, data), cond)
	for _, s := range p.state().Signals {
		if s.Type == typ && s.Data == data {
			return s
		}
	}
	panic("unreachable")
}

// mediaStats mirrors app.stats().
type mediaStats struct {
	Publisher *pcStats               `json:"publisher"`
	Remotes   map[string]remoteStats `json:"remotes"`
}

type pcStats struct {
	Video              map[string]any `json:"video"`
	Audio              map[string]any `json:"audio"`
	Pair               *candidatePair `json:"pair"`
	IceServers         []string       `json:"iceServers"`
	IceConnectionState string         `json:"iceConnectionState"`
	ConnectionState    string         `json:"connectionState"`
}

type candidatePair struct {
	Local  map[string]any `json:"local"`
	Remote map[string]any `json:"remote"`
}

type remoteStats struct {
	StreamID string         `json:"streamId"`
	PC       *pcStats       `json:"pc"`
	Element  map[string]any `json:"element"`
	Pixels   *struct {
		LitFraction float64    `json:"litFraction"`
		MeanLuma    float64    `json:"meanLuma"`
		MeanRGB     [3]float64 `json:"meanRGB"`
	} `json:"pixels"`
}

func num(m map[string]any, k string) float64 {
	if m == nil {
		return 0
	}
	f, _ := m[k].(float64)
	return f
}

func (p *page) stats() mediaStats {
	p.t.Helper()
	return eval[mediaStats](p, `app.stats()`)
}

func (s mediaStats) String() string {
	b, _ := json.MarshalIndent(s, "    ", "  ")
	return string(b)
}

// describe is a one-line summary per remote, for logs.
func (s mediaStats) describe() string {
	var parts []string
	for cid, r := range s.Remotes {
		var v, a map[string]any
		if r.PC != nil {
			v, a = r.PC.Video, r.PC.Audio
		}
		lit := -1.0
		if r.Pixels != nil {
			lit = r.Pixels.LitFraction
		}
		color := "?"
		if r.Pixels != nil {
			color = dominantColor(r.Pixels.MeanRGB)
		}
		via := "?"
		if r.PC != nil && r.PC.Pair != nil {
			l, rm := r.PC.Pair.Local, r.PC.Pair.Remote
			via = fmt.Sprintf("%v:%v(%v)->%v:%v", l["address"], l["port"], l["candidateType"], rm["address"], rm["port"])
		}
		parts = append(parts, fmt.Sprintf("%s: framesDecoded=%v %vx%v audioPackets=%v samples=%v lit=%.2f color=%s via %s",
			cid, num(v, "framesDecoded"), num(v, "frameWidth"), num(v, "frameHeight"),
			num(a, "packetsReceived"), num(a, "totalSamplesReceived"), lit, color, via))
	}
	return strings.Join(parts, "; ")
}

// dominantColor names the channel that clearly dominates a mean colour
// ("red", "green", "blue"), or "mixed".
func dominantColor(rgb [3]float64) string {
	names := [3]string{"red", "green", "blue"}
	for i := range 3 {
		a, b := rgb[(i+1)%3], rgb[(i+2)%3]
		if rgb[i] > 60 && rgb[i] > 1.5*a && rgb[i] > 1.5*b {
			return names[i]
		}
	}
	return fmt.Sprintf("mixed(%.0f,%.0f,%.0f)", rgb[0], rgb[1], rgb[2])
}
