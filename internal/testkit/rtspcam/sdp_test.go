package rtspcam

import (
	"strings"
	"testing"
)

// What ffmpeg 5.1 writes with -sdp_file for our two RTP outputs.
const ffmpegSDP = `v=0
o=- 0 0 IN IP4 127.0.0.1
s=No Name
t=0 0
a=tool:libavformat LIBAVFORMAT_VERSION
m=video 40000 RTP/AVP 96
c=IN IP4 127.0.0.1
a=rtpmap:96 H264/90000
a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z0LADNkBQfsBEAAAAwAQAAADAejxQqSA,aMuDyyA=; profile-level-id=42C00C
m=audio 40002 RTP/AVP 97
c=IN IP4 127.0.0.1
b=AS:64
a=rtpmap:97 MPEG4-GENERIC/48000/1
a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=118856E500
`

func TestDescribeSDP(t *testing.T) {
	got, err := describeSDP([]byte(ffmpegSDP), 2)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"v=0",
		"o=- 0 0 IN IP4 127.0.0.1",
		"s=govidu rtspcam",
		"t=0 0",
		"a=tool:libavformat LIBAVFORMAT_VERSION",
		"a=control:*",
		"m=video 0 RTP/AVP 96",
		"c=IN IP4 0.0.0.0",
		"a=rtpmap:96 H264/90000",
		"a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z0LADNkBQfsBEAAAAwAQAAADAejxQqSA,aMuDyyA=; profile-level-id=42C00C",
		"a=control:trackID=0",
		"m=audio 0 RTP/AVP 97",
		"c=IN IP4 0.0.0.0",
		"b=AS:64",
		"a=rtpmap:97 MPEG4-GENERIC/48000/1",
		"a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; config=118856E500",
		"a=control:trackID=1",
	}, "\r\n") + "\r\n"
	if string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// A file read while ffmpeg writes it is not taken for the answer.
func TestDescribeSDPIncomplete(t *testing.T) {
	cut := ffmpegSDP[:strings.Index(ffmpegSDP, "a=rtpmap:97")]
	for name, tc := range map[string]struct {
		sdp    string
		tracks int
	}{
		"empty":              {"", 1},
		"no final newline":   {strings.TrimSuffix(ffmpegSDP, "\n"), 2},
		"second media short": {cut, 2},
		"one media of two":   {ffmpegSDP[:strings.Index(ffmpegSDP, "m=audio")], 2},
		"not an SDP":         {"hello\n", 1},
	} {
		if _, err := describeSDP([]byte(tc.sdp), tc.tracks); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseTransport(t *testing.T) {
	for _, tc := range []struct {
		header  string
		channel int
		ok      bool
	}{
		{"RTP/AVP/TCP;unicast;interleaved=0-1", 0, true},
		{"RTP/AVP/TCP;unicast;interleaved=6-7", 6, true},
		{"RTP/AVP/TCP;unicast", -1, true},
		{"RTP/AVP;unicast;client_port=5000-5001", 0, false},
		{"RTP/AVP/UDP;unicast;client_port=5000-5001", 0, false},
		{"RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=2-3", 2, true},
		{"RTP/AVP/TCP;unicast;interleaved=255-256", 0, false},
		{"", 0, false},
	} {
		ch, ok := parseTransport(tc.header)
		if ok != tc.ok || (ok && ch != tc.channel) {
			t.Errorf("%q: %d %v, want %d %v", tc.header, ch, ok, tc.channel, tc.ok)
		}
	}
}
