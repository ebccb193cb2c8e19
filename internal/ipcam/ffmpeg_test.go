package ipcam

import (
	"slices"
	"strings"
	"testing"

	"github.com/pion/webrtc/v4"
)

func TestTargetCodec(t *testing.T) {
	for _, tc := range []struct {
		forced   string
		adaptive bool
		want     string
	}{
		{"MEDIA_SERVER_PREFERRED", true, webrtc.MimeTypeVP8},
		{"NONE", true, webrtc.MimeTypeVP8},
		{"", false, webrtc.MimeTypeH264},
		{"VP8", false, webrtc.MimeTypeVP8},
		{"VP9", true, webrtc.MimeTypeVP9},
		{"H264", true, webrtc.MimeTypeH264},
	} {
		if got := targetCodec(tc.forced, tc.adaptive); got != tc.want {
			t.Errorf("targetCodec(%q, %v) = %s, want %s", tc.forced, tc.adaptive, got, tc.want)
		}
	}
	for _, tc := range []struct {
		adaptive       bool
		source, target string
		want           bool
	}{
		{false, "h264", webrtc.MimeTypeH264, true},
		{false, "vp8", webrtc.MimeTypeVP8, true},
		{true, "h264", webrtc.MimeTypeH264, false}, // adaptativeBitrate always re-encodes
		{false, "hevc", webrtc.MimeTypeH264, false},
		{false, "", webrtc.MimeTypeH264, false},
	} {
		if got := canCopy(tc.adaptive, tc.source, tc.target); got != tc.want {
			t.Errorf("canCopy(%v, %q, %s) = %v", tc.adaptive, tc.source, tc.target, got)
		}
	}
}

// after returns the argument following flag (the first occurrence from start).
func after(args []string, flag string) string {
	if i := slices.Index(args, flag); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

func TestArgs(t *testing.T) {
	video := &output{port: 5000, ssrc: 0xdeadbeef}
	audio := &output{port: 5002, ssrc: 7}
	t.Run("rtsp re-encoded", func(t *testing.T) {
		a := plan{uri: "rtsp://cam:554/live", networkCache: 2000, target: webrtc.MimeTypeVP8, video: video, audio: audio}.args()
		if after(a, "-rtsp_flags") != "prefer_tcp" || after(a, "-max_delay") != "2000000" || after(a, "-i") != "rtsp://cam:554/live" {
			t.Errorf("input: %v", a)
		}
		if after(a, "-c:v") != "libvpx" || after(a, "-c:a") != "libopus" || after(a, "-force_key_frames") == "" {
			t.Errorf("encoders: %v", a)
		}
		// ffmpeg takes the SSRC as a signed 32-bit number.
		if after(a, "-ssrc") != "-559038737" || !slices.Contains(a, "rtp://127.0.0.1:5000") || !slices.Contains(a, "rtp://127.0.0.1:5002") {
			t.Errorf("outputs: %v", a)
		}
		if slices.Contains(a, "-re") || slices.Contains(a, "-stream_loop") {
			t.Errorf("a live camera is not paced or looped: %v", a)
		}
	})
	t.Run("h264 passed through", func(t *testing.T) {
		a := plan{uri: "rtsps://cam/live", target: webrtc.MimeTypeH264, copyVideo: true, video: video}.args()
		if after(a, "-c:v") != "copy" || after(a, "-bsf:v") != "h264_mp4toannexb,dump_extra=freq=keyframe" || slices.Contains(a, "-c:a") {
			t.Errorf("pass-through: %v", a)
		}
		if slices.Contains(a, "-max_delay") {
			t.Errorf("networkCache 0 sets no buffer: %v", a)
		}
	})
	t.Run("file looped live", func(t *testing.T) {
		a := plan{uri: "file:///srv/cams/hall.mp4", target: webrtc.MimeTypeH264, video: video}.args()
		if !slices.Contains(a, "-re") || after(a, "-stream_loop") != "-1" || after(a, "-i") != "file:/srv/cams/hall.mp4" {
			t.Errorf("file: %v", a)
		}
		if a := (plan{uri: "file:///srv/cams/hall.mp4", target: webrtc.MimeTypeH264, copyVideo: true, video: video}).args(); slices.Contains(a, "-stream_loop") {
			t.Errorf("copied video is restarted by the camera, not looped by ffmpeg: %v", a)
		}
		if !isFile("file:///x.mp4") || isFile("rtsp://cam/x") {
			t.Error("isFile")
		}
		for uri, want := range map[string]string{
			"file:/srv/a.mp4":            "file:/srv/a.mp4",
			"file:///srv/my%20cam.mp4":   "file:/srv/my cam.mp4",
			"file://localhost/srv/b.mkv": "file:/srv/b.mkv",
		} {
			if got := after(inputArgs(uri, 0, false), "-i"); got != want {
				t.Errorf("%s: -i %q, want %q", uri, got, want)
			}
		}
		if after(a, "-c:v") != "libx264" || after(a, "-profile:v") != "baseline" {
			t.Errorf("H.264 for browsers: %v", a)
		}
	})
	t.Run("http", func(t *testing.T) {
		a := plan{uri: "https://cam.example/stream.mjpg", target: webrtc.MimeTypeVP9, video: video}.args()
		if after(a, "-reconnect") != "1" || after(a, "-c:v") != "libvpx-vp9" {
			t.Errorf("http: %v", a)
		}
	})
	t.Run("probe", func(t *testing.T) {
		a := probeArgs("file:///srv/hall.mp4", 0)
		if slices.Contains(a, "-re") || slices.Contains(a, "-stream_loop") || slices.Contains(a, "-nostdin") ||
			after(a, "-i") != "file:/srv/hall.mp4" || after(a, "-of") != "csv=p=0" {
			t.Errorf("probe: %v", a)
		}
	})
}

func TestParseProbe(t *testing.T) {
	for _, tc := range []struct {
		out  string
		want source
	}{
		{"h264,video\naac,audio\n", source{video: "h264", audio: "aac"}},
		{"pcm_mulaw,audio\nhevc,video\nh264,video\n", source{video: "hevc", audio: "pcm_mulaw"}},
		{"mjpeg,video\n", source{video: "mjpeg"}},
		{"", source{}},
		{"garbage\n,\nbin_data,data\n", source{}},
	} {
		if got := parseProbe(tc.out); got != tc.want {
			t.Errorf("parseProbe(%q) = %+v, want %+v", strings.TrimSpace(tc.out), got, tc.want)
		}
	}
}

func TestHidePassword(t *testing.T) {
	uri := "rtsp://admin:s3cret@10.0.0.5:554/live"
	got := hidePassword("["+uri+"] Connection refused; rtsp://admin:s3cret@10.0.0.5/other failed", uri)
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "rtsp://admin:xxxxx@10.0.0.5:554/live") {
		t.Errorf("%q", got)
	}
	if got := hidePassword("plain text", "rtsp://cam/live"); got != "plain text" {
		t.Errorf("%q", got)
	}
}
