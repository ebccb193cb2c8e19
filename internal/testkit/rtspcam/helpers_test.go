package rtspcam

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/tailbuf"
)

// toolTimeout bounds every ffmpeg/ffprobe the tests run, on top of their -t.
const toolTimeout = 30 * time.Second

// tool prepares ffmpeg or ffprobe as a client, bounded in time by ctx and in
// output by the returned buffer.
func tool(t *testing.T, ctx context.Context, name string, args ...string) (*exec.Cmd, *cappedBuffer) {
	t.Helper()
	exe := requireTool(t, name)
	cmd := exec.CommandContext(ctx, exe, args...)
	out := &cappedBuffer{max: 4 << 20}
	cmd.Stdout = out
	cmd.Stderr = tailbuf.New(8 << 10)
	cmd.WaitDelay = 2 * time.Second
	return cmd, out
}

// runTool runs ffmpeg or ffprobe to its end and returns its standard output.
func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd, out := tool(t, ctx, name, args...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, cmd.Stderr)
	}
	return out.Bytes()
}

// cappedBuffer refuses to grow beyond max: a client writing more than a
// test expects fails (EPIPE) instead of filling memory or disk.
type cappedBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len()+len(p) > b.max {
		return 0, fmt.Errorf("output beyond %d bytes", b.max)
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// rawClient speaks RTSP by hand, to test the protocol itself.
type rawClient struct {
	t    *testing.T
	nc   net.Conn
	r    *bufio.Reader
	cseq int
}

type rawResponse struct {
	status int
	header map[string]string // lower-cased names
	body   string
}

func dialRaw(t *testing.T, rtspURL string) *rawClient {
	t.Helper()
	u, err := url.Parse(rtspURL)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	return &rawClient{t: t, nc: nc, r: bufio.NewReader(nc), cseq: 40}
}

// do sends a request and returns its response, skipping interleaved media
// frames; the CSeq must be echoed.
func (c *rawClient) do(method, uri string, header ...string) rawResponse {
	c.t.Helper()
	c.cseq++
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s RTSP/1.0\r\nCSeq: %d\r\n", method, uri, c.cseq)
	for i := 0; i+1 < len(header); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
	}
	b.WriteString("\r\n")
	c.write([]byte(b.String()))
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if ch, _ := c.next(); ch >= 0 {
			continue
		}
		resp := c.readResponse()
		if got := resp.header["cseq"]; got != strconv.Itoa(c.cseq) {
			c.t.Fatalf("%s: CSeq %q, want %d", method, got, c.cseq)
		}
		return resp
	}
}

func (c *rawClient) write(p []byte) {
	c.t.Helper()
	_ = c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.nc.Write(p); err != nil {
		c.t.Fatal(err)
	}
}

// next reads an interleaved frame if one comes next (channel, packet), or
// returns -1 when a response does.
func (c *rawClient) next() (int, []byte) {
	c.t.Helper()
	first, err := c.r.Peek(1)
	if err != nil {
		c.t.Fatal(err)
	}
	if first[0] != '$' {
		return -1, nil
	}
	var head [4]byte
	if _, err := io.ReadFull(c.r, head[:]); err != nil {
		c.t.Fatal(err)
	}
	pkt := make([]byte, int(head[2])<<8|int(head[3]))
	if _, err := io.ReadFull(c.r, pkt); err != nil {
		c.t.Fatal(err)
	}
	return int(head[1]), pkt
}

func (c *rawClient) readResponse() rawResponse {
	c.t.Helper()
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatal(err)
	}
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "RTSP/1.0" {
		c.t.Fatalf("status line %q", line)
	}
	resp := rawResponse{header: map[string]string{}}
	if resp.status, err = strconv.Atoi(f[1]); err != nil {
		c.t.Fatalf("status line %q", line)
	}
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatal(err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		name, value, _ := strings.Cut(line, ":")
		resp.header[strings.ToLower(name)] = strings.TrimSpace(value)
	}
	if n, _ := strconv.Atoi(resp.header["content-length"]); n > 0 {
		body := make([]byte, n)
		if _, err := io.ReadFull(c.r, body); err != nil {
			c.t.Fatal(err)
		}
		resp.body = string(body)
	}
	return resp
}

// setupAndPlay takes the video track over TCP channels 0-1 and plays it,
// returning the session id.
func (c *rawClient) setupAndPlay(rtspURL string) string {
	c.t.Helper()
	resp := c.do("SETUP", rtspURL+"/trackID=0", "Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")
	if resp.status != 200 {
		c.t.Fatalf("SETUP: %d", resp.status)
	}
	id, _, _ := strings.Cut(resp.header["session"], ";")
	if resp := c.do("PLAY", rtspURL+"/", "Session", id); resp.status != 200 {
		c.t.Fatalf("PLAY: %d", resp.status)
	}
	return id
}
