package rtspcam

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// sessionTimeout is announced in the Session header; clients send a
// keepalive (GET_PARAMETER, OPTIONS) well within it. The camera itself ends
// sessions only with their connection or a TEARDOWN.
const sessionTimeout = 60

// sessionState is a connection's RTSP session: at most one per connection,
// which is what ffmpeg and the cameras we mimic use. Only the connection's
// reader goroutine touches it.
type sessionState struct {
	session  string // "" until the first SETUP
	channels []int  // interleaved RTP channel per track (RTCP is +1), -1 = not set up
	playing  bool
}

func (s *sessionState) reset(tracks int) {
	s.session = ""
	s.playing = false
	s.channels = make([]int, tracks)
	for i := range s.channels {
		s.channels[i] = -1
	}
}

func (cn *conn) setup(req *request, track int) response {
	if track < 0 {
		return reply(459) // SETUP names a track: trackID=N
	}
	if resp, ok := cn.checkSession(req, false); !ok {
		return resp
	}
	if cn.playing {
		return reply(455)
	}
	channel, ok := parseTransport(req.header["transport"])
	if !ok {
		// UDP (or anything but TCP): ffmpeg and most clients then retry
		// the SETUP with RTP/AVP/TCP.
		return reply(461)
	}
	if channel < 0 {
		channel = 2 * track
	}
	for t, ch := range cn.channels {
		if t != track && ch >= 0 && (ch == channel || ch == channel+1 || ch+1 == channel) {
			return reply(461) // the client asked for channels another track has
		}
	}
	if cn.session == "" {
		cn.session = newSessionID()
	}
	cn.channels[track] = channel
	resp := reply(200, "Transport", fmt.Sprintf("RTP/AVP/TCP;unicast;interleaved=%d-%d", channel, channel+1))
	cn.withSession(&resp)
	return resp
}

func (cn *conn) play(req *request) (response, func()) {
	if resp, ok := cn.checkSession(req, true); !ok {
		return resp, nil
	}
	cn.playing = true
	resp := reply(200, "Range", "npt=0.000-")
	cn.withSession(&resp)
	channels := cn.channels // startPlaying copies
	return resp, func() { cn.cam.startPlaying(cn, channels) }
}

func (cn *conn) pause(req *request) (response, func()) {
	if resp, ok := cn.checkSession(req, true); !ok {
		return resp, nil
	}
	cn.playing = false
	cn.cam.stopPlaying(cn)
	resp := reply(200)
	cn.withSession(&resp)
	return resp, nil
}

func (cn *conn) teardown(req *request) (response, func()) {
	if resp, ok := cn.checkSession(req, true); !ok {
		return resp, nil
	}
	cn.cam.stopPlaying(cn)
	resp := reply(200)
	cn.withSession(&resp)
	cn.reset(len(cn.channels))
	return resp, nil
}

// checkSession accepts a request without a Session header (lenient) or with
// ours; need says the request is invalid before a SETUP.
func (cn *conn) checkSession(req *request, need bool) (response, bool) {
	id, _, _ := strings.Cut(req.header["session"], ";")
	id = strings.TrimSpace(id)
	switch {
	case id != "" && id != cn.session:
		return reply(454), false
	case need && cn.session == "":
		return reply(455), false
	}
	return response{}, true
}

func (cn *conn) withSession(r *response) {
	if cn.session != "" {
		r.set("Session", cn.session+";timeout="+strconv.Itoa(sessionTimeout))
	}
}

// parseTransport picks the first RTP/AVP/TCP alternative of a Transport
// header and its interleaved channel (-1: the client left it to us).
func parseTransport(h string) (channel int, ok bool) {
	for alt := range strings.SplitSeq(h, ",") {
		params := strings.Split(strings.TrimSpace(alt), ";")
		if !strings.EqualFold(strings.TrimSpace(params[0]), "RTP/AVP/TCP") {
			continue
		}
		channel = -1
		for _, p := range params[1:] {
			v, found := strings.CutPrefix(strings.TrimSpace(p), "interleaved=")
			if !found {
				continue
			}
			first, _, _ := strings.Cut(v, "-")
			n, err := strconv.Atoi(first)
			if err != nil || n < 0 || n > 254 {
				return 0, false
			}
			channel = n
		}
		return channel, true
	}
	return 0, false
}

func newSessionID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
