package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestLibraryLoads checks the harness alone, on each SDK: Chromium starts,
// the test app loads the SDK (upstream's bundle, or ours from govidu), and
// the library reports the version of the API it implements.
func TestLibraryLoads(t *testing.T) {
	env := requireE2E(t)
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	b := sharedBrowser(t, env)
	for _, sdk := range bothSDKs {
		t.Run(string(sdk), func(t *testing.T) {
			p := b.newPage(t, "page", app, sdk)
			p.waitLibrary()
			if v := eval[string](p, `new OpenVidu().libraryVersion`); v != "2.32.2" {
				t.Fatalf("[%s] libraryVersion = %q, want 2.32.2", p.label(), v)
			}
		})
	}
}

// participant is one browser page in a call.
type participant struct {
	name     string
	color    fakeColor // what its camera shows
	sdk      sdkKind   // the client library its page runs
	page     *page
	token    string
	cid      string // connection id, from REST
	streamID string // published stream id
}

func (p *participant) label() string { return p.page.label() }

// callRows are the SDKs of alice, bob and carol in each run of the call.
// In the mixed one the upstream client, bob, joins second: he finds one of
// ours in joinRoom's answer and sees the other arrive. Alice's mute and
// signal and carol's forced unpublish happen on ours and are seen by
// upstream; bob's private signal and eviction happen on upstream and are
// seen by ours.
var callRows = []struct {
	name string
	sdks [3]sdkKind
}{
	{"upstream", [3]sdkKind{sdkUpstream, sdkUpstream, sdkUpstream}},
	{"govidu", [3]sdkKind{sdkGovidu, sdkGovidu, sdkGovidu}},
	{"mixed", [3]sdkKind{sdkGovidu, sdkUpstream, sdkGovidu}},
}

// TestBrowserCall: three browser clients in one session, each publishing
// fake camera and microphone and subscribing to the others; then REST and
// browser actions, checked from every browser. The same scenario runs on
// upstream openvidu-browser, on govidu's SDK, and on both in one session.
func TestBrowserCall(t *testing.T) {
	env := requireE2E(t)
	// Not parallel: the rows run one after the other, each call (three
	// publishers) alone on the machine; the light tests run after it.
	// One Chromium per participant serves all rows: each has its own fake
	// camera, showing its own colour; every row opens fresh pages (own
	// browser contexts) in them.
	ps := []participant{{name: "alice", color: colorRed}, {name: "bob", color: colorGreen}, {name: "carol", color: colorBlue}}
	specs := make([]browserSpec, len(ps))
	for i, p := range ps {
		specs[i] = browserSpec{p.name, map[string]any{"use-file-for-fake-video-capture": writeFakeVideo(t, p.color)}}
	}
	browsers := newBrowsers(t, env, specs)
	for _, row := range callRows {
		t.Run(row.name, func(t *testing.T) {
			rps := make([]*participant, len(ps))
			for i := range ps {
				p := ps[i]
				p.sdk = row.sdks[i]
				rps[i] = &p
			}
			testBrowserCall(t, env, browsers, rps)
		})
	}
}

// testBrowserCall is one row of TestBrowserCall: ps[i] joins in browsers[i].
func testBrowserCall(t *testing.T, env *e2eEnv, browsers []*browser, ps []*participant) {
	start := time.Now()
	srv := testkit.StartServer(t, testkit.Options{})
	app := startApp(t, env, srv)
	sid := createSession(t, srv, "e2eCall")

	for i, p := range ps {
		p.page = browsers[i].newPage(t, p.name, app, p.sdk)
		p.token, p.cid = createConnection(t, srv, sid, "server-"+p.name)
	}
	for _, p := range ps {
		p.page.waitLibrary()
	}
	t.Logf("%v: 3 pages loaded (%s, %s, %s)", time.Since(start).Round(time.Millisecond), ps[0].label(), ps[1].label(), ps[2].label())
	// Join one after the other, as people do: each newcomer finds the
	// earlier ones in joinRoom's answer, the earlier ones get events.
	for _, p := range ps {
		p.page.join(p.token, p.name, true)
		if got := eval[string](p.page, `app.state.connectionId`); got != p.cid {
			t.Fatalf("[%s] connectionId in the browser = %q, REST created %q", p.label(), got, p.cid)
		}
		p.streamID = p.page.waitPublished()
		t.Logf("%v: %s joined and published %s", time.Since(start).Round(time.Millisecond), p.label(), p.streamID)
	}
	all := func(f func(t *testing.T, p *participant)) func(t *testing.T) {
		return func(t *testing.T) {
			for _, p := range ps {
				f(t, p)
			}
		}
	}
	others := func(p *participant) []*participant {
		var out []*participant
		for _, o := range ps {
			if o != p {
				out = append(out, o)
			}
		}
		return out
	}

	t.Run("connections", all(func(t *testing.T, p *participant) {
		pg := p.page.in(t)
		want := []string{p.cid}
		for _, o := range others(p) {
			want = append(want, o.cid)
		}
		cond := fmt.Sprintf(`%s.every(c => c in app.state.connections)`, js(want))
		pg.waitFor(10*time.Second, "connectionCreated for itself and both others", cond)
		st := pg.state()
		for _, o := range others(p) {
			// Remote connection data is clientData%/%serverData.
			if d, want := st.Connections[o.cid], fmt.Sprintf(`{"clientData":"%s"}%%/%%server-%s`, o.name, o.name); d != want {
				t.Errorf("[%s] connection.data of %s = %q, want %q", p.label(), o.name, d, want)
			}
		}
	}))

	t.Run("subscribed", all(func(t *testing.T, p *participant) {
		pg := p.page.in(t)
		var ids []string
		for _, o := range others(p) {
			ids = append(ids, o.streamID)
		}
		cond := fmt.Sprintf(`%s.every(id => app.state.remoteStreams[id] && app.state.remoteStreams[id].subscribed)`, js(ids))
		pg.waitFor(30*time.Second, "streamCreated and a successful subscribe for both remote streams", cond)
	}))

	t.Run("media", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]mediaResult, len(ps))
		for i, p := range ps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				want := map[string]fakeColor{}
				for _, o := range others(p) {
					want[o.cid] = o.color
				}
				results[i] = checkMedia(p.page, want, 25*time.Second)
			}()
		}
		wg.Wait()
		for i, p := range ps {
			r := results[i]
			path := p.page.in(t).screenshot(p.name)
			if r.err != "" {
				t.Errorf("[%s] media: %s\n  stats: %s\n  recent log:\n%s", p.label(), r.err, r.last, p.page.logTail(25))
				continue
			}
			t.Logf("[%s] media ok in %v: %s (screenshot %s)", p.label(), r.took.Round(time.Millisecond), r.last.describe(), path)
		}
	})

	t.Run("ice_servers", func(t *testing.T) {
		// openvidu-browser uses joinRoom's customIceServers, or else a list
		// of public STUN servers. On loopback the server must hand out its
		// own (the embedded TURN on 127.0.0.1), so that the client never
		// falls back to public ones.
		for _, p := range ps {
			s := p.page.in(t).stats()
			pcs := map[string]*pcStats{"publisher": s.Publisher}
			for cid, r := range s.Remotes {
				pcs["subscriber of "+cid] = r.PC
			}
			for what, pc := range pcs {
				if pc == nil {
					continue
				}
				var bad []string
				for _, u := range pc.IceServers {
					if h := iceURLHost(u); h != "127.0.0.1" && h != "localhost" {
						bad = append(bad, u)
					}
				}
				if len(pc.IceServers) == 0 || len(bad) > 0 {
					t.Errorf("[%s] %s RTCPeerConnection iceServers %v: want the server's own STUN/TURN on 127.0.0.1 (not loopback: %v)\n  joinRoom result: %s",
						p.label(), what, pc.IceServers, bad, joinResult(p.page))
					break
				}
			}
		}
	})

	t.Run("rest_session", func(t *testing.T) {
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if s.Connections.NumberOfElements != 3 {
				return fmt.Sprintf("%d connections, want 3", s.Connections.NumberOfElements)
			}
			for _, p := range ps {
				c := s.connection(p.cid)
				if c == nil {
					return "no connection " + p.cid + " (" + p.name + ")"
				}
				if c.Status != "active" {
					return fmt.Sprintf("%s status %q, want active", p.name, c.Status)
				}
				if len(c.Publishers) != 1 || c.Publishers[0].StreamID != p.streamID {
					return fmt.Sprintf("%s publishers %+v, want [%s]", p.name, c.Publishers, p.streamID)
				}
				var subs []string
				for _, s := range c.Subscribers {
					subs = append(subs, s.StreamID)
				}
				var want []string
				for _, o := range others(p) {
					want = append(want, o.streamID)
				}
				slices.Sort(subs)
				slices.Sort(want)
				if !slices.Equal(subs, want) {
					return fmt.Sprintf("%s subscribers %v, want %v", p.name, subs, want)
				}
				if !strings.Contains(c.ClientData, p.name) {
					return fmt.Sprintf("%s clientData %q", p.name, c.ClientData)
				}
			}
			return ""
		})
	})

	t.Run("rest_signal", func(t *testing.T) {
		// One to bob only, then one to everybody: once the broadcast is in,
		// the targeted one would have arrived before it, if at all.
		restCall(t, srv, http.MethodPost, "/openvidu/api/signal",
			fmt.Sprintf(`{"session":%q,"to":[%q],"type":"private","data":"for bob"}`, sid, ps[1].cid), http.StatusOK)
		restCall(t, srv, http.MethodPost, "/openvidu/api/signal",
			fmt.Sprintf(`{"session":%q,"type":"news","data":"from the server"}`, sid), http.StatusOK)
		for _, p := range ps {
			pg := p.page.in(t)
			s := pg.waitSignal("signal:news", "from the server")
			if s.From != nil {
				t.Errorf("[%s] REST signal has from=%q, want none (sent by the server)", p.label(), *s.From)
			}
			gotPrivate := false
			for _, s := range pg.state().Signals {
				gotPrivate = gotPrivate || s.Type == "signal:private"
			}
			if p == ps[1] && !gotPrivate {
				pg.waitSignal("signal:private", "for bob")
			}
			if p != ps[1] && gotPrivate {
				t.Errorf("[%s] got the signal addressed to bob only", p.label())
			}
		}
	})

	t.Run("browser_signal", func(t *testing.T) {
		alice := ps[0]
		eval[bool](alice.page.in(t), `app.signal('chat', 'hi')`)
		for _, p := range ps {
			s := p.page.in(t).waitSignal("signal:chat", "hi")
			if s.From == nil || *s.From != alice.cid {
				t.Errorf("[%s] chat signal from %v, want alice %s", p.label(), s.From, alice.cid)
			}
		}
		alice.page.in(t).waitFor(5*time.Second, "session.signal() promise to resolve", `app.state.signalResults.length > 0`)
		if r := alice.page.in(t).state().SignalResults; !r[0].OK {
			t.Errorf("[%s] session.signal() rejected: %s", alice.label(), alice.page.stateJSON())
		}
	})

	t.Run("mute", func(t *testing.T) {
		// Publisher.publishAudio/publishVideo: the others' Stream objects
		// follow (the wire carries "true"/"false" strings), and so does REST.
		alice := ps[0]
		steps := []struct {
			kind     string
			muted    bool
			property string
		}{
			{"audio", true, "audioActive"},
			{"video", true, "videoActive"},
			{"audio", false, "audioActive"},
			{"video", false, "videoActive"},
		}
		for _, st := range steps {
			eval[bool](alice.page.in(t), fmt.Sprintf(`app.mute(%q, %v)`, st.kind, st.muted))
			active := !st.muted
			for _, p := range others(alice) {
				pg := p.page.in(t)
				cond := fmt.Sprintf(`(app.state.remoteActive[%s] || {})[%q] === %v`, js(alice.streamID), st.property, active)
				pg.waitFor(10*time.Second, fmt.Sprintf("alice's stream to show %s=%v", st.property, active), cond)
				var reasons []string
				for _, c := range pg.state().PropertyChanges {
					if c.StreamID == alice.streamID && c.Property == st.property && c.NewValue == active {
						reasons = append(reasons, c.Reason)
					}
				}
				if want := "publish" + strings.ToUpper(st.kind[:1]) + st.kind[1:]; !slices.Contains(reasons, want) {
					t.Errorf("[%s] streamPropertyChanged %s=%v reasons %v, want %s", p.label(), st.property, active, reasons, want)
				}
			}
			waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
				c := s.connection(alice.cid)
				if c == nil || len(c.Publishers) != 1 {
					return "alice has no publisher"
				}
				got := c.Publishers[0].MediaOptions.AudioActive
				if st.property == "videoActive" {
					got = c.Publishers[0].MediaOptions.VideoActive
				}
				if got == nil || *got != active {
					return fmt.Sprintf("alice's publisher mediaOptions.%s = %v, want %v", st.property, ptrText(got), active)
				}
				return ""
			})
		}
	})

	t.Run("force_unpublish", func(t *testing.T) {
		carol := ps[2]
		restCall(t, srv, http.MethodDelete, "/openvidu/api/sessions/"+sid+"/stream/"+carol.streamID, nil, http.StatusNoContent)
		for _, p := range ps {
			local := p == carol
			cond := fmt.Sprintf(`app.state.streamDestroyed.some(e => e.streamId === %s && e.local === %v)`, js(carol.streamID), local)
			p.page.in(t).waitFor(10*time.Second, "streamDestroyed for carol's stream", cond)
			for _, e := range p.page.in(t).state().StreamDestroyed {
				if e.StreamID == carol.streamID && e.Reason != "forceUnpublishByServer" {
					t.Errorf("[%s] streamDestroyed reason %q, want forceUnpublishByServer", p.label(), e.Reason)
				}
			}
		}
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			for _, p := range ps {
				c := s.connection(p.cid)
				if c == nil {
					return "no connection " + p.name
				}
				if p == carol && len(c.Publishers) != 0 {
					return fmt.Sprintf("carol still has publishers %+v", c.Publishers)
				}
				for _, sub := range c.Subscribers {
					if sub.StreamID == carol.streamID {
						return p.name + " still subscribes to carol's unpublished stream"
					}
				}
			}
			return ""
		})
	})

	t.Run("force_disconnect", func(t *testing.T) {
		bob := ps[1]
		restCall(t, srv, http.MethodDelete, "/openvidu/api/sessions/"+sid+"/connection/"+bob.cid, nil, http.StatusNoContent)
		bob.page.in(t).waitFor(10*time.Second, "sessionDisconnected", `app.state.sessionDisconnected`)
		if r := bob.page.in(t).state().SessionDisconnected.Reason; r != "forceDisconnectByServer" {
			t.Errorf("[%s] sessionDisconnected reason %q, want forceDisconnectByServer", bob.label(), r)
		}
		for _, p := range []*participant{ps[0], ps[2]} {
			pg := p.page.in(t)
			pg.waitFor(10*time.Second, "connectionDestroyed for bob",
				fmt.Sprintf(`app.state.connectionDestroyed.some(e => e.connectionId === %s)`, js(bob.cid)))
			st := pg.state()
			for _, e := range st.ConnectionDestroyed {
				if e.ConnectionID == bob.cid && e.Reason != "forceDisconnectByServer" {
					t.Errorf("[%s] connectionDestroyed reason %q, want forceDisconnectByServer", p.label(), e.Reason)
				}
			}
			for _, e := range st.StreamDestroyed {
				if e.StreamID == bob.streamID && e.Reason != "forceDisconnectByServer" {
					t.Errorf("[%s] streamDestroyed (bob's stream) reason %q, want forceDisconnectByServer", p.label(), e.Reason)
				}
			}
			if st.SessionDisconnected != nil {
				t.Errorf("[%s] got sessionDisconnected %q when bob was evicted", p.label(), st.SessionDisconnected.Reason)
			}
		}
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if s.connection(bob.cid) != nil {
				return "bob's connection is still listed"
			}
			if n := s.Connections.NumberOfElements; n != 2 {
				return fmt.Sprintf("%d connections, want 2", n)
			}
			return ""
		})
	})

	t.Run("leave", func(t *testing.T) {
		alice, carol := ps[0], ps[2]
		eval[bool](carol.page.in(t), `app.leave()`)
		carol.page.in(t).waitFor(5*time.Second, "own sessionDisconnected", `app.state.sessionDisconnected`)
		if r := carol.page.in(t).state().SessionDisconnected.Reason; r != "disconnect" {
			t.Errorf("[%s] sessionDisconnected reason %q, want disconnect", carol.label(), r)
		}
		alice.page.in(t).waitFor(10*time.Second, "connectionDestroyed for carol",
			fmt.Sprintf(`app.state.connectionDestroyed.some(e => e.connectionId === %s && e.reason === 'disconnect')`, js(carol.cid)))
		waitSession(t, srv, sid, 10*time.Second, func(s restSession) string {
			if n := s.Connections.NumberOfElements; n != 1 {
				return fmt.Sprintf("%d connections, want 1 (alice)", n)
			}
			return ""
		})

		// The last one leaves: the session closes.
		eval[bool](alice.page.in(t), `app.leave()`)
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp := srv.Do(t, http.MethodGet, "/openvidu/api/sessions/"+sid, nil)
			if resp.Status == http.StatusNotFound {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET session after the last participant left: %d, want 404; body %s", resp.Status, resp.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	// ICE hiccups and WebSocket re-dials are what a loaded machine causes
	// as well as a server bug; the checks above tell whether the call
	// survived them. Log them for whoever reads a failure.
	for _, p := range ps {
		if st := p.page.state(); len(st.Exceptions) > 0 || st.Reconnecting > 0 {
			t.Logf("[%s] note: exception events %v, reconnecting %d times", p.label(), st.Exceptions, st.Reconnecting)
		}
	}
}

type mediaResult struct {
	err  string // empty when fine
	last mediaStats
	took time.Duration
}

// checkMedia samples app.stats() until, for every remote connection, video
// frames are being decoded, the picture is not black and has that remote's
// colour, audio packets arrive, and the media path is on loopback.
func checkMedia(p *page, remotes map[string]fakeColor, timeout time.Duration) mediaResult {
	start := time.Now()
	deadline := start.Add(timeout)
	bases := map[string]*mediaBase{}
	var last mediaStats
	var complaint string
	for {
		s, err := evalErr[mediaStats](p, `app.stats()`)
		if err != nil {
			complaint = "app.stats(): " + err.Error()
		} else {
			last = s
			complaint = ""
			for cid, color := range remotes {
				if c := mediaComplaint(s, cid, color, bases); c != "" {
					complaint = c
					break
				}
			}
		}
		if complaint == "" {
			return mediaResult{last: last, took: time.Since(start)}
		}
		if time.Now().After(deadline) {
			return mediaResult{err: fmt.Sprintf("after %v: %s", timeout, complaint), last: last, took: time.Since(start)}
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// mediaBase is the first sample of a remote's counters; growth is measured
// from it.
type mediaBase struct{ frames, packets, samples float64 }

func mediaComplaint(s mediaStats, cid string, color fakeColor, bases map[string]*mediaBase) string {
	r, ok := s.Remotes[cid]
	if !ok {
		return "no subscriber for " + cid
	}
	if r.PC == nil {
		return "subscriber of " + cid + " has no RTCPeerConnection"
	}
	v, a := r.PC.Video, r.PC.Audio
	if v == nil || a == nil {
		return fmt.Sprintf("subscriber of %s: no inbound video or audio RTP yet (ice %s, connection %s)", cid, r.PC.IceConnectionState, r.PC.ConnectionState)
	}
	b := bases[cid]
	if b == nil {
		b = &mediaBase{num(v, "framesDecoded"), num(a, "packetsReceived"), num(a, "totalSamplesReceived")}
		bases[cid] = b
	}
	// 15 fps and 50 audio packets/s: demand about a second of each.
	if d := num(v, "framesDecoded") - b.frames; d < 15 {
		return fmt.Sprintf("video of %s: framesDecoded grew by %v (now %v), want >= 15", cid, d, num(v, "framesDecoded"))
	}
	if d := num(a, "packetsReceived") - b.packets; d < 25 {
		return fmt.Sprintf("audio of %s: packetsReceived grew by %v, want >= 25", cid, d)
	}
	if d := num(a, "totalSamplesReceived") - b.samples; d <= 0 {
		return fmt.Sprintf("audio of %s: totalSamplesReceived did not grow (%v)", cid, num(a, "totalSamplesReceived"))
	}
	if r.Pixels == nil {
		return "video element of " + cid + " has no picture (videoWidth 0)"
	}
	if r.Pixels.LitFraction < 0.2 {
		return fmt.Sprintf("video of %s looks black: %.0f%% of pixels lit, mean luma %.1f", cid, 100*r.Pixels.LitFraction, r.Pixels.MeanLuma)
	}
	if got := dominantColor(r.Pixels.MeanRGB); color.name != "" && got != color.name {
		return fmt.Sprintf("video of %s is %s, want %s (that publisher's camera): media from the wrong publisher?", cid, got, color.name)
	}
	if r.PC.Pair == nil {
		return "subscriber of " + cid + ": no selected ICE candidate pair"
	}
	if addr, _ := r.PC.Pair.Remote["address"].(string); addr != "127.0.0.1" {
		return fmt.Sprintf("subscriber of %s: media goes to %q, want the server on 127.0.0.1", cid, addr)
	}
	return ""
}

// iceURLHost is the host of a stun:/turn: URL (RFC 7064/7065).
func iceURLHost(u string) string {
	_, rest, _ := strings.Cut(u, ":")
	rest = strings.TrimPrefix(rest, "//")
	rest, _, _ = strings.Cut(rest, "?")
	if strings.HasPrefix(rest, "[") {
		h, _, _ := strings.Cut(rest[1:], "]")
		return h
	}
	h, _, _ := strings.Cut(rest, ":")
	return h
}

// joinResult is the joinRoom answer the page received (SDP-free, short).
func joinResult(p *page) string {
	for _, f := range p.wsFrames("<") {
		if strings.Contains(f, `"id":1,"result"`) {
			return f
		}
	}
	return "(none seen)"
}

func ptrText(b *bool) string {
	if b == nil {
		return "absent"
	}
	return fmt.Sprint(*b)
}
