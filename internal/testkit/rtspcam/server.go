package rtspcam

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const publicMethods = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER"

// acceptLoop serves connections until Close closes the listener.
func (c *Camera) acceptLoop() {
	defer c.wg.Done()
	for {
		nc, err := c.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors or the like: retry soon, unless closing.
			select {
			case <-c.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		cn := newConn(c, nc, c.tracks)
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			_ = nc.Close()
			continue
		}
		c.conns[cn] = struct{}{}
		c.wg.Add(2)
		c.mu.Unlock()
		go cn.writeLoop()
		go cn.serve()
	}
}

// serve is the connection's reader goroutine: requests are answered in
// order; interleaved frames from the client (its RTCP receiver reports)
// are read and ignored.
func (cn *conn) serve() {
	c := cn.cam
	defer c.wg.Done()
	defer func() {
		c.mu.Lock()
		delete(c.playing, cn)
		delete(c.conns, cn)
		c.mu.Unlock()
		cn.close()
	}()
	r := bufio.NewReaderSize(cn.nc, maxLine)
	for {
		first, err := r.Peek(1)
		if err != nil {
			return
		}
		if first[0] == '$' {
			var head [4]byte
			if _, err := io.ReadFull(r, head[:]); err != nil {
				return
			}
			if _, err := r.Discard(int(head[2])<<8 | int(head[3])); err != nil {
				return
			}
			continue
		}
		req, err := readRequest(r)
		if err != nil {
			if errors.Is(err, errMalformed) {
				cn.send(reply(400).encode(""))
			}
			return
		}
		c.record(req.method)
		resp, after := cn.handle(req)
		cn.send(resp.encode(req.header["cseq"]))
		if after != nil {
			after()
		}
	}
}

// handle answers a request; after, if any, runs once the answer is queued
// (PLAY starts media only behind its 200).
func (cn *conn) handle(req *request) (resp response, after func()) {
	if req.version != "RTSP/1.0" {
		return reply(505), nil
	}
	track, ok := cn.resolve(req.uri)
	if !ok {
		return reply(404), nil
	}
	switch req.method {
	case "OPTIONS":
		return reply(200, "Public", publicMethods), nil
	case "DESCRIBE":
		return cn.describe(req), nil
	case "SETUP":
		return cn.setup(req, track), nil
	case "PLAY":
		return cn.play(req)
	case "PAUSE":
		return cn.pause(req)
	case "TEARDOWN":
		return cn.teardown(req)
	case "GET_PARAMETER", "SET_PARAMETER":
		// Keepalives: clients send them to keep the session alive.
		resp := reply(200)
		cn.withSession(&resp)
		return resp, nil
	default:
		return reply(501, "Public", publicMethods), nil
	}
}

// resolve maps a request URI to the stream (track -1: the aggregate
// control URL) or one of its tracks ("<path>/trackID=N"). The host is not
// checked: clients may say localhost. "*" stands for the server (OPTIONS).
func (cn *conn) resolve(uri string) (track int, ok bool) {
	if uri == "*" {
		return -1, true
	}
	u, err := url.Parse(uri)
	if err != nil {
		return 0, false
	}
	p := strings.TrimSuffix(u.Path, "/")
	base := cn.cam.opts.Path
	if p == base {
		return -1, true
	}
	rest, ok := strings.CutPrefix(p, base+"/trackID=")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n >= cn.cam.tracks {
		return 0, false
	}
	return n, true
}

func (cn *conn) describe(req *request) response {
	// Relative controls (trackID=N) resolve against Content-Base, which
	// therefore ends with a slash.
	base := cn.cam.url + "/"
	if u, err := url.Parse(req.uri); err == nil && u.Host != "" { // resolve accepted it
		base = u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/") + "/"
	}
	resp := reply(200, "Content-Base", base, "Content-Type", "application/sdp")
	resp.body = cn.cam.sdp
	return resp
}
