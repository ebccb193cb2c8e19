package signaling

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/signaling/jsonrpc"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 5 * time.Second

// env is one core.Service with our endpoint on an httptest server.
type env struct {
	t     testing.TB
	svc   *core.Service
	srv   *Server
	http  *httptest.Server
	fake  *fakeMedia
	trans *transcript
}

type envOption func(*Options)

func newEnv(t testing.TB, engine mediaEngine, opts ...envOption) *env {
	t.Helper()
	e := &env{t: t, trans: &transcript{}}
	e.svc = core.NewService(core.Options{TokenURL: "ws://localhost:4443", Logger: quietLogger()})
	if engine == nil {
		e.fake = &fakeMedia{}
		engine = e.fake
	}
	o := Options{Logger: quietLogger()}
	for _, f := range opts {
		f(&o)
	}
	e.srv = newServer(e.svc, engine, o)
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.svc.Close(ctx); err != nil {
			t.Errorf("core close: %v", err)
		}
		if err := e.srv.Close(ctx); err != nil {
			t.Errorf("signaling close: %v", err)
		}
		e.http.Close()
	})
	return e
}

func quietLogger() *slog.Logger {
	if testing.Verbose() && os.Getenv("SIGNALING_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// session creates a session with a custom id.
func (e *env) session(id string) string {
	e.t.Helper()
	props := e.svc.NewSessionProperties()
	props.CustomSessionID = id
	if _, err := e.svc.CreateSession(props); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// token creates a connection and returns its token.
func (e *env) token(sessionID string, role core.Role, data string) string {
	e.t.Helper()
	props := core.DefaultConnectionProperties()
	props.Role = role
	props.Data = data
	v, err := e.svc.CreateConnection(sessionID, props)
	if err != nil {
		e.t.Fatal(err)
	}
	return v.Token
}

// client is a test browser: a real WebSocket speaking JSON-RPC. Frames are
// recorded in the transcript in the order the test consumes them.
type client struct {
	e      *env
	t      testing.TB
	name   string
	conn   *websocket.Conn
	frames chan []byte
	done   chan struct{}
	closed chan struct{} // closed when the reader stops
	cerr   error         // why the reader stopped

	nextID  int
	notes   []map[string]json.RawMessage // notifications consumed but not yet expected
	cands   []iceCandidateJSON           // iceCandidate notifications received
	connID  string
	rpcID   string
	session string
}

func (e *env) dial(name string) *client { return e.dialHeader(name, nil) }

// dialHeader opens a socket as openvidu-browser does (from another origin).
func (e *env) dialHeader(name string, header http.Header) *client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Origin", "https://app.example.com")
	url := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/openvidu?sessionId=x"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	conn.SetReadLimit(16 << 20)
	c := &client{e: e, t: e.t, name: name, conn: conn, frames: make(chan []byte, 1024), closed: make(chan struct{})}
	go c.read()
	e.t.Cleanup(func() {
		_ = c.conn.CloseNow()
		<-c.closed
	})
	return c
}

func (c *client) read() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.cerr = err
			return
		}
		c.frames <- data
	}
}

// send writes a raw frame.
func (c *client) send(frame string) {
	c.t.Helper()
	c.e.trans.add(c.name+">", frame)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// request sends a request and returns its id.
func (c *client) request(method string, params any) int {
	c.t.Helper()
	id := c.nextID
	c.nextID++
	// Field order as openvidu-browser writes it.
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"jsonrpc":"2.0","method":%q`, method)
	if params != nil {
		var p bytes.Buffer
		enc := json.NewEncoder(&p)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(params); err != nil {
			c.t.Fatal(err)
		}
		fmt.Fprintf(&b, `,"params":%s`, bytes.TrimSpace(p.Bytes()))
	}
	fmt.Fprintf(&b, `,"id":%d}`, id)
	c.send(b.String())
	return id
}

// next returns the next frame received, or fails after the deadline.
func (c *client) next() map[string]json.RawMessage {
	c.t.Helper()
	for {
		select {
		case f := <-c.frames:
			var m map[string]json.RawMessage
			if err := json.Unmarshal(f, &m); err != nil {
				c.t.Fatalf("%s: bad frame %s: %v", c.name, f, err)
			}
			if string(m["method"]) == `"iceCandidate"` {
				// Their timing relative to other frames varies: kept aside.
				c.cands = append(c.cands, decode[iceCandidateJSON](c.t, m["params"]))
				continue
			}
			c.e.trans.add(">"+c.name, string(f))
			return m
		case <-c.closed:
			c.t.Fatalf("%s: socket closed while waiting: %v", c.name, c.cerr)
		case <-time.After(waitFor):
			c.t.Fatalf("%s: nothing received within %v", c.name, waitFor)
		}
		return nil
	}
}

// response waits for the answer to id; notifications before it are kept.
func (c *client) response(id int) (json.RawMessage, *jsonrpc.Error) {
	c.t.Helper()
	for {
		m := c.next()
		if _, isNote := m["method"]; isNote {
			c.notes = append(c.notes, m)
			continue
		}
		if string(m["id"]) != strconv.Itoa(id) {
			c.t.Fatalf("%s: response to %s while waiting for %d", c.name, m["id"], id)
		}
		checkResponseShape(c.t, m)
		if raw, ok := m["error"]; ok {
			var e jsonrpc.Error
			if err := json.Unmarshal(raw, &e); err != nil {
				c.t.Fatal(err)
			}
			return nil, &e
		}
		return m["result"], nil
	}
}

func checkResponseShape(t testing.TB, m map[string]json.RawMessage) {
	t.Helper()
	if string(m["jsonrpc"]) != `"2.0"` {
		t.Fatalf("frame without jsonrpc 2.0: %v", m)
	}
	_, r := m["result"]
	_, e := m["error"]
	if r == e {
		t.Fatalf("response must carry exactly one of result/error (pitfall 1): %v", m)
	}
}

// call sends a request and requires success.
func (c *client) call(method string, params any) json.RawMessage {
	c.t.Helper()
	res, err := c.response(c.request(method, params))
	if err != nil {
		c.t.Fatalf("%s: %s failed: %d %s", c.name, method, err.Code, err.Message)
	}
	return res
}

// callErr sends a request and requires an error.
func (c *client) callErr(method string, params any) *jsonrpc.Error {
	c.t.Helper()
	res, err := c.response(c.request(method, params))
	if err == nil {
		c.t.Fatalf("%s: %s succeeded (%s), want an error", c.name, method, res)
	}
	return err
}

// expect returns the next notification, which must be method.
func (c *client) expect(method string) json.RawMessage {
	c.t.Helper()
	var m map[string]json.RawMessage
	if len(c.notes) > 0 {
		m, c.notes = c.notes[0], c.notes[1:]
	} else {
		m = c.next()
	}
	if got := string(m["method"]); got != strconv.Quote(method) {
		c.t.Fatalf("%s: got %s (%v), want notification %s", c.name, got, m, method)
	}
	if _, ok := m["id"]; ok {
		c.t.Fatalf("notification with id: %v", m)
	}
	return m["params"]
}

// quiet checks that no notification is pending, using a worker round trip
// as a barrier (everything queued before the answer arrives first).
func (c *client) quiet() {
	c.t.Helper()
	c.e.trans.pause()
	defer c.e.trans.resume()
	id := c.request("videoData", map[string]any{"height": 480, "width": 640, "videoActive": true, "audioActive": true})
	c.response(id)
	if len(c.notes) > 0 {
		c.t.Fatalf("%s: unexpected notifications %v", c.name, c.notes)
	}
}

// join runs ping + joinRoom like openvidu-browser.
func (c *client) join(token, metadata string) map[string]json.RawMessage {
	c.t.Helper()
	c.call("ping", map[string]any{"interval": 5000})
	sid := core.SessionIDFromToken(token)
	res := c.call("joinRoom", map[string]any{
		"token": token, "session": sid, "platform": "Chrome 131.0.0.0 on Linux 64-bit", "sdkVersion": "2.32.2",
		"metadata": metadata, "secret": "", "recorder": false, "stt": false,
	})
	var m map[string]json.RawMessage
	if err := json.Unmarshal(res, &m); err != nil {
		c.t.Fatal(err)
	}
	json.Unmarshal(m["id"], &c.connID)
	json.Unmarshal(m["sessionId"], &c.rpcID)
	c.session = sid
	return m
}

// waitClosed waits until the server closes the socket and returns the status.
func (c *client) waitClosed() websocket.StatusCode {
	c.t.Helper()
	deadline := time.After(waitFor * 3)
	for {
		select {
		case <-c.frames:
		case <-c.closed:
			return websocket.CloseStatus(c.cerr)
		case <-deadline:
			c.t.Fatalf("%s: socket still open", c.name)
		}
	}
}

// closeNow drops the socket without a close handshake (network loss).
func (c *client) closeNow() {
	_ = c.conn.CloseNow()
	<-c.closed
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor * 3)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// transcript records frames for golden files, with volatile values
// (ids, timestamps, SDP) replaced by stable placeholders.
type transcript struct {
	mu     sync.Mutex
	lines  []string
	paused int
	names  map[string]string
	counts map[string]int
}

var (
	reConn   = regexp.MustCompile(`con_[A-Z][A-Za-z0-9]{9}`)
	reStream = regexp.MustCompile(`str_[A-Z]{3}_[A-Z][A-Za-z0-9]{3}_<con[0-9]+>`)
	reToken  = regexp.MustCompile(`tok_[A-Z][A-Za-z0-9]{15}`)
	reRPC    = regexp.MustCompile(`"sessionId":"([A-Za-z0-9]{24})"`)
	reTime   = regexp.MustCompile(`"createdAt":[0-9]+`)
	reSDP    = regexp.MustCompile(`"(sdpOffer|sdpAnswer|sdpString)":"(?:[^"\\]|\\.)*"`)
	reCand   = regexp.MustCompile(`"candidate":"candidate:[^"]*"`)
)

func (tr *transcript) placeholder(kind, value string) string {
	if tr.names == nil {
		tr.names, tr.counts = map[string]string{}, map[string]int{}
	}
	if p, ok := tr.names[value]; ok {
		return p
	}
	tr.counts[kind]++
	p := fmt.Sprintf("<%s%d>", kind, tr.counts[kind])
	tr.names[value] = p
	return p
}

func (tr *transcript) normalise(frame string) string {
	frame = reConn.ReplaceAllStringFunc(frame, func(s string) string { return tr.placeholder("con", s) })
	frame = reStream.ReplaceAllStringFunc(frame, func(s string) string { return tr.placeholder("str", s) })
	frame = reToken.ReplaceAllStringFunc(frame, func(s string) string { return tr.placeholder("tok", s) })
	frame = reRPC.ReplaceAllStringFunc(frame, func(s string) string {
		return `"sessionId":"` + tr.placeholder("rpc", reRPC.FindStringSubmatch(s)[1]) + `"`
	})
	frame = reTime.ReplaceAllString(frame, `"createdAt":<ts>`)
	frame = reSDP.ReplaceAllString(frame, `"$1":"<sdp>"`)
	frame = reCand.ReplaceAllString(frame, `"candidate":"<candidate>"`)
	return frame
}

func (tr *transcript) add(dir, frame string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.paused > 0 {
		return
	}
	tr.lines = append(tr.lines, dir+" "+tr.normalise(frame))
}

func (tr *transcript) note(text string) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.lines = append(tr.lines, "   ("+text+")")
}

func (tr *transcript) pause()  { tr.mu.Lock(); tr.paused++; tr.mu.Unlock() }
func (tr *transcript) resume() { tr.mu.Lock(); tr.paused--; tr.mu.Unlock() }

// golden compares the transcript with testdata/name.golden (-update rewrites it).
func (e *env) golden(name string) {
	e.t.Helper()
	e.trans.mu.Lock()
	got := strings.Join(e.trans.lines, "\n") + "\n"
	e.trans.mu.Unlock()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			e.t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		e.t.Errorf("transcript differs from %s (run with -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}
