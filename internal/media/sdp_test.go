package media

import (
	"errors"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"
)

func codec(pt uint8, mime, fmtp string) webrtc.RTPCodecParameters {
	return webrtc.RTPCodecParameters{PayloadType: webrtc.PayloadType(pt),
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mime, ClockRate: 90000, SDPFmtpLine: fmtp}}
}

func TestChooseVideoCodec(t *testing.T) {
	vp8 := codec(96, "video/VP8", "")
	vp9 := codec(98, "video/VP9", "profile-id=0")
	h264High := codec(112, "video/H264", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f")
	h264Mode0 := codec(100, "video/H264", "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f")
	h264Base := codec(102, "video/H264", "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f")
	chrome := []webrtc.RTPCodecParameters{vp9, vp8, h264Mode0, h264High, h264Base}
	tests := []struct {
		forced  string
		offered []webrtc.RTPCodecParameters
		wantPT  webrtc.PayloadType
		wantErr bool
	}{
		{"", chrome, 96, false},
		{"MEDIA_SERVER_PREFERRED", chrome, 96, false},
		{"NONE", chrome, 98, false},
		{"VP8", chrome, 96, false},
		{"vp9", chrome, 98, false},
		{"H264", chrome, 102, false}, // baseline, packetization-mode 1
		{"H264", []webrtc.RTPCodecParameters{h264Mode0, h264High}, 112, false},
		{"H264", []webrtc.RTPCodecParameters{h264Mode0}, 100, false},
		{"", []webrtc.RTPCodecParameters{h264High, h264Base}, 102, false},
		{"H264", []webrtc.RTPCodecParameters{vp8}, 0, true},
		{"AV1", chrome, 0, true},
		{"", nil, 0, true},
	}
	for _, tc := range tests {
		got, err := chooseVideoCodec(tc.offered, tc.forced)
		if tc.wantErr {
			if !errors.Is(err, ErrBadSDP) || !errors.Is(err, ErrUnsupportedCodec) {
				t.Errorf("%q: err = %v", tc.forced, err)
			}
			continue
		}
		if err != nil || got.PayloadType != tc.wantPT {
			t.Errorf("%q: got PT %d, %v; want %d", tc.forced, got.PayloadType, err, tc.wantPT)
		}
	}
}

func TestCodecsCompatible(t *testing.T) {
	tests := []struct {
		a, b webrtc.RTPCodecParameters
		want bool
	}{
		{codec(96, "video/VP8", ""), codec(120, "video/vp8", ""), true},
		{codec(96, "video/VP8", ""), codec(98, "video/VP9", ""), false},
		{codec(98, "video/VP9", ""), codec(98, "video/VP9", "profile-id=0"), true},
		{codec(98, "video/VP9", "profile-id=2"), codec(98, "video/VP9", "profile-id=0"), false},
		{codec(1, "video/H264", "packetization-mode=1;profile-level-id=42e01f"), codec(2, "video/H264", "profile-level-id=42001f;packetization-mode=1"), true},
		{codec(1, "video/H264", "packetization-mode=1;profile-level-id=42e01f"), codec(2, "video/H264", "profile-level-id=42e01f"), false},
		{codec(1, "video/H264", "packetization-mode=1;profile-level-id=64001f"), codec(2, "video/H264", "packetization-mode=1;profile-level-id=42e01f"), false},
		{codec(1, "video/H264", "packetization-mode=0"), codec(2, "video/H264", "profile-level-id=42001f"), true},
	}
	for i, tc := range tests {
		if got := codecsCompatible(tc.a.RTPCodecCapability, tc.b.RTPCodecCapability); got != tc.want {
			t.Errorf("%d: %v", i, got)
		}
	}
}

const chromeLikeOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\n" +
	"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtcp-fb:111 transport-cc\r\n" +
	"a=rtpmap:63 red/48000/2\r\na=rtpmap:0 PCMU/8000\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97 102\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\n" +
	"a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:* ccm fir\r\n" +
	"a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" +
	"a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n"

func TestParseOffer(t *testing.T) {
	info, err := parseOffer(chromeLikeOffer)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.media) != 3 || info.firstMid() != "0" {
		t.Fatalf("media %+v", info.media)
	}
	audio, video := info.media[0], info.media[1]
	if audio.kind != webrtc.RTPCodecTypeAudio || len(audio.codecs) != 1 || audio.codecs[0].PayloadType != 111 ||
		audio.codecs[0].Channels != 2 || !audio.sends() || audio.receives() {
		t.Errorf("audio %+v", audio)
	}
	if video.kind != webrtc.RTPCodecTypeVideo || len(video.codecs) != 2 || video.mid != "1" {
		t.Fatalf("video %+v", video)
	}
	fb := video.codecs[0].RTCPFeedback
	if len(fb) != 3 || fb[2].Type != "ccm" || fb[2].Parameter != "fir" {
		t.Errorf("feedback %+v", fb)
	}
	if info.media[2].kind != 0 {
		t.Error("application m-line taken for media")
	}

	for name, bad := range map[string]string{
		"empty":     "",
		"text":      "not sdp",
		"too large": "v=0\r\n" + strings.Repeat("a=x\r\n", maxSDPSize/4),
		"no codec":  strings.NewReplacer("opus", "foo", "VP8", "bar", "H264", "baz").Replace(chromeLikeOffer),
		"rejected":  strings.ReplaceAll(chromeLikeOffer, " 9 UDP/TLS/RTP/SAVPF", " 0 UDP/TLS/RTP/SAVPF"),
	} {
		if _, err := parseOffer(bad); !errors.Is(err, ErrBadSDP) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestPlans(t *testing.T) {
	info, err := parseOffer(chromeLikeOffer)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := planPublish(info, "H264", nil)
	if err != nil {
		t.Fatal(err)
	}
	if plan.codecs[webrtc.RTPCodecTypeVideo].PayloadType != 102 || plan.codecs[webrtc.RTPCodecTypeAudio].PayloadType != 111 || plan.echo[webrtc.RTPCodecTypeVideo] {
		t.Errorf("plan %+v", plan)
	}
	// A subscriber offer is recvonly.
	sub, err := parseOffer(strings.ReplaceAll(chromeLikeOffer, "a=sendonly", "a=recvonly"))
	if err != nil {
		t.Fatal(err)
	}
	vp8 := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), nil)
	tracks, err := planSubscribe(sub, map[webrtc.RTPCodecType]*Receiver{webrtc.RTPCodecTypeVideo: vp8})
	if err != nil || len(tracks) != 1 || tracks[0].codec.PayloadType != 96 {
		t.Fatalf("subscribe plan %+v, %v", tracks, err)
	}
	vp9 := newReceiver(webrtc.RTPCodecTypeVideo, codec(98, "video/VP9", ""), discardLogger(), nil)
	if _, err := planSubscribe(sub, map[webrtc.RTPCodecType]*Receiver{webrtc.RTPCodecTypeVideo: vp9}); !errors.Is(err, ErrUnsupportedCodec) {
		t.Errorf("VP9 stream to a subscriber without VP9: %v", err)
	}
	if _, err := planSubscribe(info, map[webrtc.RTPCodecType]*Receiver{webrtc.RTPCodecTypeVideo: vp8}); !errors.Is(err, ErrNoMedia) {
		t.Errorf("sendonly offer as a subscriber: %v", err)
	}
}

func TestLimitVideoBandwidth(t *testing.T) {
	answer := strings.ReplaceAll(chromeLikeOffer, "a=sendonly", "a=recvonly")
	out := limitVideoBandwidth(answer, 800, 200)
	video := out[strings.Index(out, "m=video"):strings.Index(out, "m=application")]
	if !strings.Contains(video, "b=AS:800\r\n") {
		t.Errorf("no b=AS in video:\n%s", video)
	}
	if !strings.Contains(video, "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;x-google-min-bitrate=200") ||
		!strings.Contains(video, "a=fmtp:96 x-google-min-bitrate=200") {
		t.Errorf("no min bitrate:\n%s", video)
	}
	if strings.Contains(out[:strings.Index(out, "m=video")], "b=AS") {
		t.Error("audio limited")
	}
	if got := limitVideoBandwidth(answer, 0, 0); got != answer {
		t.Error("unlimited answer changed")
	}
	if got := limitVideoBandwidth("garbage", 100, 0); got != "garbage" {
		t.Error("garbage changed")
	}
	// b=AS comes before the a= lines of its m-section (RFC 8866 order).
	idxB, idxA := strings.Index(video, "b=AS"), strings.Index(video, "a=mid")
	if idxB > idxA {
		t.Error("b= after a=")
	}
}

func TestCandidateHelpers(t *testing.T) {
	c := Candidate{Candidate: " a=candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host generation 0 ufrag AbCd network-id 1 ", SDPMid: "0"}
	if c.ufrag() != "AbCd" {
		t.Errorf("ufrag %q", c.ufrag())
	}
	if err := c.validate(); err != nil {
		t.Error(err)
	}
	init := c.toInit()
	if !strings.HasPrefix(init.Candidate, "candidate:1 1 udp") || *init.SDPMid != "0" || *init.SDPMLineIndex != 0 {
		t.Errorf("init %+v", init)
	}
	if (Candidate{Candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host"}).toInit().SDPMid != nil {
		t.Error("empty mid passed to Pion")
	}
	if remoteUfrag("v=0\r\na=ice-ufrag:xyz\r\n") != "xyz" || remoteUfrag("v=0") != "" {
		t.Error("remoteUfrag")
	}
}
