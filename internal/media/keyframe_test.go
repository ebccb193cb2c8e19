package media

import (
	"testing"

	"github.com/pion/rtp"
)

func TestKeyframeDetection(t *testing.T) {
	vp8Key := []byte{0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}
	tests := []struct {
		name    string
		mime    string
		payload []byte
		want    bool
	}{
		{"vp8 empty", "video/VP8", nil, false},
		{"vp8 keyframe minimal descriptor", "video/VP8", append([]byte{0x10, 0x00, 0x00, 0x00}, vp8Key...)[:10], true},
		{"vp8 keyframe", "video/VP8", append([]byte{0x10, 0x50, 0x02, 0x00}, vp8Key...), true},
		{"vp8 interframe", "video/VP8", append([]byte{0x10, 0x51, 0x02, 0x00}, vp8Key...), false},
		{"vp8 continuation packet", "video/VP8", append([]byte{0x00, 0x50, 0x02, 0x00}, vp8Key...), false},
		{"vp8 other partition", "video/VP8", append([]byte{0x11, 0x50, 0x02, 0x00}, vp8Key...), false},
		{"vp8 keyframe with 15-bit picture id", "video/VP8",
			append([]byte{0x90, 0x80, 0x81, 0x23, 0x50, 0x02, 0x00}, vp8Key...), true},
		{"vp8 keyframe with 7-bit picture id, tl0picidx and tid", "video/VP8",
			append([]byte{0x90, 0xe0, 0x11, 0x05, 0x20, 0x50, 0x02, 0x00}, vp8Key...), true},
		{"vp8 extension truncated", "video/VP8", []byte{0x90, 0x80}, false},
		{"vp8 frame tag without start code", "video/VP8", []byte{0x10, 0x50, 0x02, 0x00, 0x00, 0x00, 0x00}, false},
		{"vp9 keyframe with picture id", "video/VP9", []byte{0x88, 0x12}, true},
		{"vp9 keyframe", "video/VP9", []byte{0x0a, 0x00}, true},
		{"vp9 inter frame", "video/VP9", []byte{0x4a, 0x00}, false},
		{"vp9 not frame start", "video/VP9", []byte{0x02, 0x00}, false},
		{"vp9 keyframe base spatial layer", "video/VP9", []byte{0xa8, 0x80, 0x01, 0x00, 0x00}, true},
		{"vp9 upper spatial layer", "video/VP9", []byte{0xa8, 0x80, 0x01, 0x02, 0x00}, false},
		{"vp9 truncated layer", "video/VP9", []byte{0xa8, 0x80, 0x01}, false},
		{"h264 idr", "video/H264", []byte{0x65, 0x88}, true},
		{"h264 sps", "video/H264", []byte{0x67, 0x42}, true},
		{"h264 non-idr slice", "video/H264", []byte{0x41, 0x9a}, false},
		{"h264 stap-a with sps", "video/H264", []byte{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}, true},
		{"h264 stap-a without key", "video/H264", []byte{0x78, 0x00, 0x02, 0x06, 0x05, 0x00, 0x02, 0x68, 0xce}, false},
		{"h264 stap-a bad size", "video/H264", []byte{0x78, 0x00, 0x09, 0x67}, false},
		{"h264 fu-a idr start", "video/H264", []byte{0x7c, 0x85, 0x00}, true},
		{"h264 fu-a idr middle", "video/H264", []byte{0x7c, 0x05, 0x00}, false},
		{"h264 fu-a non-idr start", "video/H264", []byte{0x7c, 0x81, 0x00}, false},
		{"h264 fu-a truncated", "video/H264", []byte{0x7c}, false},
		{"opus never", "audio/opus", []byte{0xff, 0xff}, false},
		{"unknown codec", "video/AV1", []byte{0x10}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := IsKeyframe(tc.mime, tc.payload)
			if got != tc.want {
				t.Fatalf("IsKeyframe(%s, % x) = %v, want %v", tc.mime, tc.payload, got, tc.want)
			}
		})
	}
}

func TestKeyframeFixture(t *testing.T) {
	// ffprobe -show_entries frame=key_frame says: 45 frames, keyframes at 0, 15, 30.
	frames := readIVFFrames(t, "testdata/video.ivf")
	if len(frames) != 45 {
		t.Fatalf("fixture has %d frames", len(frames))
	}
	for i, frame := range frames {
		// The frame as the first packet carries it: descriptor S=1, PID=0.
		payload := append([]byte{0x10}, frame...)
		want := i%15 == 0
		if got := IsKeyframe("video/VP8", payload); got != want {
			t.Fatalf("frame %d: keyframe %v, want %v", i, got, want)
		}
	}
}

func FuzzKeyframe(f *testing.F) {
	f.Add(uint8(0), []byte{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a})
	f.Add(uint8(0), []byte{0x90, 0xe0, 0x11, 0x05, 0x20, 0x50})
	f.Add(uint8(1), []byte{0xa8, 0x80, 0x01, 0x00})
	f.Add(uint8(1), []byte{0x0a})
	f.Add(uint8(2), []byte{0x78, 0x00, 0x02, 0x67, 0x42})
	f.Add(uint8(2), []byte{0x7c, 0x85})
	f.Add(uint8(2), []byte{0x78, 0xff, 0xff})
	mimes := []string{"video/VP8", "video/VP9", "video/H264"}
	f.Fuzz(func(t *testing.T, codec uint8, payload []byte) {
		mime := mimes[int(codec)%len(mimes)]
		got := IsKeyframe(mime, payload)
		if got && len(payload) == 0 {
			t.Fatal("empty payload is a keyframe")
		}
	})
}

// FuzzForwarder feeds raw bytes through rtp.Unmarshal into a forwarder and
// checks its invariants: the first packet forwarded gets the initial
// sequence number; within one source, outgoing = incoming + constant.
func FuzzForwarder(f *testing.F) {
	seed := func(ssrc uint32, seq uint16, ts uint32, payload ...byte) []byte {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: ssrc, SequenceNumber: seq, Timestamp: ts}, Payload: payload}
		b, _ := p.Marshal()
		return b
	}
	f.Add(seed(1, 65535, 0xffffffff, 0x10, 0, 0, 0, 0x9d, 0x01, 0x2a), seed(1, 0, 10, 0x10, 1), true)
	f.Add(seed(1, 100, 0, 0x10, 1), seed(2, 5, 10, 0x10, 0, 0, 0, 0x9d, 0x01, 0x2a), false)
	f.Add([]byte{0x80}, []byte{}, true)
	f.Fuzz(func(t *testing.T, a, b []byte, video bool) {
		fw := NewForwarder(ForwarderConfig{SSRC: 9, PayloadType: 100, ClockRate: 90000, WaitKeyframe: video, InitialSeq: 500, InitialTS: 7})
		var first, ok1 bool
		var firstOut rtp.Header
		var pa rtp.Packet
		if pa.Unmarshal(a) == nil {
			kf := IsKeyframe("video/VP8", pa.Payload)
			ok1 = fw.Forward(&pa.Header, kf, 0, &firstOut)
			if ok1 {
				first = true
				if firstOut.SequenceNumber != 500 || firstOut.Timestamp != 7 || firstOut.SSRC != 9 {
					t.Fatalf("first packet out %+v", firstOut)
				}
			}
		}
		var pb rtp.Packet
		if pb.Unmarshal(b) != nil {
			return
		}
		var out rtp.Header
		kf := IsKeyframe("video/VP8", pb.Payload)
		ok2 := fw.Forward(&pb.Header, kf, 1_000_000, &out)
		if !ok2 {
			return
		}
		if first && pb.SSRC == pa.SSRC {
			if out.SequenceNumber-firstOut.SequenceNumber != pb.SequenceNumber-pa.SequenceNumber {
				t.Fatalf("sequence offset changed within a source")
			}
			if out.Timestamp-firstOut.Timestamp != pb.Timestamp-pa.Timestamp {
				t.Fatalf("timestamp offset changed within a source")
			}
		}
		if first && pb.SSRC != pa.SSRC && out.SequenceNumber != firstOut.SequenceNumber+1 {
			t.Fatalf("switch: seq %d after %d", out.SequenceNumber, firstOut.SequenceNumber)
		}
		if !first && (out.SequenceNumber != 500 || out.Timestamp != 7) {
			t.Fatalf("first forwarded packet %+v", out)
		}
	})
}
