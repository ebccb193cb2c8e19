package ipcam

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/pion/webrtc/v4"
)

// What ffmpeg is asked to do for one run of a camera.

// source is what a probe found in the camera's stream.
type source struct {
	video, audio string // ffmpeg codec names ("h264", "aac", …), "" = none
}

// output is one RTP output of a run: a track sent to a local socket.
type output struct {
	port int
	ssrc uint32
}

// plan is one run: the input, and what to send where.
type plan struct {
	uri          string
	networkCache int    // ms of reorder buffer for network sources
	target       string // mime type of the video subscribers get
	copyVideo    bool   // the source's video is already the target codec and may pass as is
	video, audio *output
}

// targetCodec is the video codec a camera's stream is declared with: the
// session's forced codec when it forces one, else VP8 when re-encoding
// (adaptativeBitrate) and H.264, what cameras send, when passing through.
func targetCodec(forced string, adaptive bool) string {
	switch forced {
	case "VP8":
		return webrtc.MimeTypeVP8
	case "VP9":
		return webrtc.MimeTypeVP9
	case "H264":
		return webrtc.MimeTypeH264
	}
	if adaptive {
		return webrtc.MimeTypeVP8
	}
	return webrtc.MimeTypeH264
}

// canCopy: without adaptativeBitrate a source already in the target codec
// is passed through untouched (no CPU spent re-encoding).
func canCopy(adaptive bool, sourceCodec, target string) bool {
	if adaptive || sourceCodec == "" {
		return false
	}
	return strings.EqualFold("video/"+sourceCodec, target)
}

// inputArgs read the camera: RTSP over TCP when the camera offers it
// (through NATs and firewalls), bounded waits, a file paced as if live and,
// with loop, looped by ffmpeg. (Copied video is not: ffmpeg 5's bitstream
// filters fail at the loop point; the camera restarts the file instead.)
func inputArgs(uri string, networkCache int, loop bool) []string {
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "warning"}
	u, err := url.Parse(uri)
	if err != nil {
		u = &url.URL{}
	}
	switch strings.ToLower(u.Scheme) {
	case "rtsp", "rtsps":
		// A live camera: analyse about a second (one GOP), not ffmpeg's
		// default five, before the first packet goes out.
		args = append(args, "-rtsp_flags", "prefer_tcp", "-timeout", "10000000", "-analyzeduration", "1000000", "-probesize", "1000000")
		if networkCache > 0 {
			args = append(args, "-max_delay", strconv.Itoa(networkCache*1000))
		}
	case "http", "https":
		args = append(args, "-rw_timeout", "10000000", "-reconnect", "1", "-reconnect_streamed", "1", "-reconnect_delay_max", "5")
	case "file":
		args = append(args, "-re")
		if loop {
			args = append(args, "-stream_loop", "-1")
		}
		// file:///srv/cam.mp4, file:/srv/cam.mp4: ffmpeg's file protocol
		// takes the (unescaped) path.
		path := u.Path
		if path == "" {
			path = u.Opaque
		}
		uri = "file:" + path
	}
	return append(args, "-i", uri)
}

// args is the whole ffmpeg command line of a run.
func (p plan) args() []string {
	args := inputArgs(p.uri, p.networkCache, !p.copyVideo)
	if p.video != nil {
		args = append(args, "-map", "0:v:0")
		if p.copyVideo {
			args = append(args, "-c:v", "copy")
			if p.target == webrtc.MimeTypeH264 {
				// Annex B (a file's avcC would be sent as garbage NAL units)
				// with SPS/PPS before every keyframe: a subscriber joining
				// late must not depend on the camera's SDP.
				args = append(args, "-bsf:v", "h264_mp4toannexb,dump_extra=freq=keyframe")
			}
		} else {
			args = append(args, videoEncoder(p.target)...)
		}
		args = append(args, rtpOutput(*p.video, 96)...)
	}
	if p.audio != nil {
		args = append(args, "-map", "0:a:0", "-c:a", "libopus", "-ar", "48000", "-ac", "2", "-b:a", "64k",
			"-application", "lowdelay", "-frame_duration", "20")
		args = append(args, rtpOutput(*p.audio, 111)...)
	}
	return args
}

// videoEncoder re-encodes for browsers: real-time settings, a keyframe
// every second (subscribers cannot ask ffmpeg for one), at most 720p.
func videoEncoder(target string) []string {
	common := []string{"-vf", "scale='min(1280,iw)':-2", "-pix_fmt", "yuv420p",
		"-force_key_frames", "expr:gte(t,n_forced*1)", "-b:v", "1200k", "-maxrate", "1500k", "-bufsize", "1500k"}
	switch target {
	case webrtc.MimeTypeH264:
		return append([]string{"-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency",
			"-profile:v", "baseline", "-bf", "0"}, common...)
	case webrtc.MimeTypeVP9:
		return append([]string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8",
			"-row-mt", "1", "-lag-in-frames", "0", "-error-resilient", "1"}, common...)
	}
	return append([]string{"-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
		"-lag-in-frames", "0", "-auto-alt-ref", "0", "-error-resilient", "1"}, common...)
}

func rtpOutput(o output, pt int) []string {
	return []string{"-payload_type", strconv.Itoa(pt), "-ssrc", strconv.FormatInt(int64(int32(o.ssrc)), 10), // ffmpeg takes it signed,
		"-f", "rtp", "-pkt_size", "1200", "rtp://127.0.0.1:" + strconv.Itoa(o.port)}
}

// isFile: a camera read from a file, which ends.
func isFile(uri string) bool {
	u, err := url.Parse(uri)
	return err == nil && strings.EqualFold(u.Scheme, "file")
}

// probeArgs ask ffprobe which streams the camera sends.
func probeArgs(uri string, networkCache int) []string {
	in := inputArgs(uri, networkCache, false)
	// ffprobe takes the same input options but -re, ffmpeg's.
	var args []string
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case "-re", "-nostdin":
			continue
		}
		args = append(args, in[i])
	}
	return append(args, "-show_entries", "stream=codec_type,codec_name", "-of", "csv=p=0")
}

// parseProbe reads ffprobe's "codec_name,codec_type" lines (csv): the
// first video and the first audio stream.
func parseProbe(out string) source {
	var s source
	for line := range strings.SplitSeq(out, "\n") {
		name, kind, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok {
			continue
		}
		switch {
		case kind == "video" && s.video == "":
			s.video = name
		case kind == "audio" && s.audio == "":
			s.audio = name
		}
	}
	return s
}
