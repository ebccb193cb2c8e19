package rtspcam

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The protocol by hand: CSeq echo, 404 for another path, 461 for UDP, the
// session and transport a TCP SETUP gets, interleaved H.264 with in-band
// parameter sets and keyframes, client RTCP ignored, keepalive, 501 for an
// unknown method, and TEARDOWN ending the session.
func TestProtocolByHand(t *testing.T) {
	cam := Start(t, Options{})
	url := cam.URL()
	c := dialRaw(t, url)

	if r := c.do("OPTIONS", "*"); r.status != 200 || !strings.Contains(r.header["public"], "DESCRIBE") {
		t.Fatalf("OPTIONS *: %d, Public %q", r.status, r.header["public"])
	}
	if r := c.do("OPTIONS", url); r.status != 200 {
		t.Fatalf("OPTIONS: %d", r.status)
	}
	nope := strings.TrimSuffix(url, "/cam") + "/nope"
	if r := c.do("DESCRIBE", nope); r.status != 404 {
		t.Fatalf("DESCRIBE %s: %d, want 404", nope, r.status)
	}
	if r := c.do("SETUP", url+"/trackID=1", "Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"); r.status != 404 {
		t.Fatalf("SETUP of a track the camera has not: %d, want 404", r.status)
	}

	r := c.do("DESCRIBE", url, "Accept", "application/sdp")
	if r.status != 200 || r.header["content-type"] != "application/sdp" || r.header["content-base"] != url+"/" {
		t.Fatalf("DESCRIBE: %d %q base %q", r.status, r.header["content-type"], r.header["content-base"])
	}
	for _, want := range []string{"a=control:*", "m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000",
		"sprop-parameter-sets=", "profile-level-id=42", "a=control:trackID=0"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("SDP lacks %q:\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, "m=audio") {
		t.Errorf("SDP has audio without Options.Audio:\n%s", r.body)
	}

	if r := c.do("PLAY", url+"/"); r.status != 455 {
		t.Fatalf("PLAY before SETUP: %d, want 455", r.status)
	}
	for _, udp := range []string{"RTP/AVP;unicast;client_port=5000-5001", "RTP/AVP/UDP;unicast;client_port=5000-5001"} {
		if r := c.do("SETUP", url+"/trackID=0", "Transport", udp); r.status != 461 {
			t.Fatalf("SETUP %s: %d, want 461", udp, r.status)
		}
	}
	r = c.do("SETUP", url+"/trackID=0", "Transport", "RTP/AVP/TCP;unicast;interleaved=4-5")
	id, params, _ := strings.Cut(r.header["session"], ";")
	if r.status != 200 || id == "" || params != "timeout=60" {
		t.Fatalf("SETUP TCP: %d, Session %q", r.status, r.header["session"])
	}
	if !strings.Contains(r.header["transport"], "RTP/AVP/TCP") || !strings.Contains(r.header["transport"], "interleaved=4-5") {
		t.Fatalf("SETUP TCP: Transport %q", r.header["transport"])
	}
	if r := c.do("PLAY", url+"/", "Session", "not-"+id); r.status != 454 {
		t.Fatalf("PLAY with another session: %d, want 454", r.status)
	}
	if cam.Playing() != 0 {
		t.Fatalf("playing before PLAY")
	}
	if r := c.do("PLAY", url+"/", "Session", id); r.status != 200 {
		t.Fatalf("PLAY: %d", r.status)
	}
	cam.WaitPlaying(t, 1, 5*time.Second)

	// Over two seconds (two GOPs): RTP of payload type 96 on channel 4, an
	// SPS in band and a keyframe; on channel 5 maybe ffmpeg's RTCP.
	var packets int
	var sawSPS, sawIDR bool
	_ = c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end) || !sawIDR || !sawSPS; {
		ch, pkt := c.next()
		if ch == 5 { // ffmpeg's sender reports, forwarded
			if len(pkt) < 8 || pkt[0]>>6 != 2 || pkt[1] != 200 {
				t.Fatalf("not an RTCP sender report on channel 5: % x", pkt[:min(len(pkt), 16)])
			}
			continue
		}
		if ch != 4 {
			t.Fatalf("frame on channel %d (or a response), want 4", ch)
		}
		if len(pkt) < 13 || pkt[0]>>6 != 2 || pkt[1]&0x7f != 96 {
			t.Fatalf("not RTP v2 with payload type 96: % x", pkt[:min(len(pkt), 16)])
		}
		packets++
		for _, nal := range nalTypes(pkt[12:]) {
			sawSPS = sawSPS || nal == 7
			sawIDR = sawIDR || nal == 5
		}
		if time.Now().After(end.Add(5 * time.Second)) {
			t.Fatalf("no in-band SPS (%v) or keyframe (%v) in 7 s", sawSPS, sawIDR)
		}
	}
	if packets < 15 {
		t.Fatalf("%d packets in 2 s of 15 fps video", packets)
	}

	// A receiver report on the RTCP channel is read and ignored; the
	// session goes on.
	rr := []byte{0x80, 201, 0, 1, 0, 0, 0, 1}
	c.write(append([]byte{'$', 5, 0, byte(len(rr))}, rr...))
	if r := c.do("GET_PARAMETER", url+"/", "Session", id); r.status != 200 || !strings.HasPrefix(r.header["session"], id) {
		t.Fatalf("GET_PARAMETER: %d, Session %q", r.status, r.header["session"])
	}
	if r := c.do("SET_PARAMETER", url+"/", "Session", id); r.status != 200 {
		t.Fatalf("SET_PARAMETER: %d", r.status)
	}
	if r := c.do("RECORD", url+"/", "Session", id); r.status != 501 {
		t.Fatalf("RECORD: %d, want 501", r.status)
	}
	if cam.Playing() != 1 {
		t.Fatalf("Playing %d after keepalives, want 1", cam.Playing())
	}
	if r := c.do("TEARDOWN", url+"/", "Session", id); r.status != 200 {
		t.Fatalf("TEARDOWN: %d", r.status)
	}
	cam.WaitPlaying(t, 0, 5*time.Second)
	if cam.Plays() != 1 {
		t.Fatalf("Plays %d, want 1", cam.Plays())
	}
	want := []string{"OPTIONS", "OPTIONS", "DESCRIBE", "SETUP", "DESCRIBE", "PLAY", "SETUP", "SETUP", "SETUP",
		"PLAY", "PLAY", "GET_PARAMETER", "SET_PARAMETER", "RECORD", "TEARDOWN"}
	if got := cam.Requests(); !slices.Equal(got, want) {
		t.Fatalf("Requests\n got %v\nwant %v", got, want)
	}
}

// A client that goes away without TEARDOWN stops counting as playing.
func TestClosedConnectionEndsSession(t *testing.T) {
	cam := Start(t, Options{Audio: true})
	c := dialRaw(t, cam.URL())
	c.setupAndPlay(cam.URL())
	cam.WaitPlaying(t, 1, 5*time.Second)
	if err := c.nc.Close(); err != nil {
		t.Fatal(err)
	}
	cam.WaitPlaying(t, 0, 5*time.Second)
	if cam.Plays() != 1 {
		t.Fatalf("Plays %d, want 1", cam.Plays())
	}
}

// nalTypes lists the NAL unit types an H.264 RTP payload (RFC 6184)
// carries or starts: a single NAL, the NALs of a STAP-A, the NAL a FU-A
// begins.
func nalTypes(payload []byte) []byte {
	if len(payload) == 0 {
		return nil
	}
	switch typ := payload[0] & 0x1f; typ {
	case 24: // STAP-A: 16-bit sizes, then NALs
		var types []byte
		for p := payload[1:]; len(p) > 2; {
			n := int(p[0])<<8 | int(p[1])
			if n == 0 || 2+n > len(p) {
				break
			}
			types = append(types, p[2]&0x1f)
			p = p[2+n:]
		}
		return types
	case 28: // FU-A: the start fragment names the NAL
		if len(payload) > 1 && payload[1]&0x80 != 0 {
			return []byte{payload[1] & 0x1f}
		}
		return nil
	default:
		return []byte{typ}
	}
}
