package media

import "strings"

// Keyframe detection from the RTP payload alone. A forwarder locks onto a
// video stream only at the first packet of a keyframe, so these functions
// answer one question: "does this packet start a frame a decoder can begin
// with?" They never panic on short or garbage input.

// keyframeFunc reports whether an RTP payload starts a keyframe.
type keyframeFunc func(payload []byte) bool

// keyframeDetector returns the detector for a codec MIME type ("video/VP8",
// …), or nil when the codec has no keyframes to wait for (audio) or is
// unknown to us.
func keyframeDetector(mimeType string) keyframeFunc {
	switch strings.ToLower(mimeType) {
	case "video/vp8":
		return isVP8Keyframe
	case "video/vp9":
		return isVP9Keyframe
	case "video/h264":
		return isH264Keyframe
	}
	return nil
}

// IsKeyframe reports whether payload starts a keyframe of the given codec.
func IsKeyframe(mimeType string, payload []byte) bool {
	if f := keyframeDetector(mimeType); f != nil {
		return f(payload)
	}
	return false
}

// isVP8Keyframe parses the VP8 payload descriptor (RFC 7741 §4.2) and, when
// the packet starts partition 0 of a frame, the frame tag of the VP8
// bitstream (RFC 6386 §9.1): inverse key-frame bit 0 plus the start code
// 9d 01 2a that only keyframes carry.
func isVP8Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	b0 := p[0]
	start := b0&0x10 != 0 // S: start of a VP8 partition
	pid := b0 & 0x07      // partition index
	if !start || pid != 0 {
		return false
	}
	i := 1
	if b0&0x80 != 0 { // X: extension byte present
		if len(p) < 2 {
			return false
		}
		x := p[1]
		i = 2
		if x&0x80 != 0 { // I: picture id, 7 or 15 bits
			if len(p) <= i {
				return false
			}
			if p[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 { // L: TL0PICIDX
			i++
		}
		if x&0x30 != 0 { // T or K: TID/Y/KEYIDX byte
			i++
		}
	}
	if len(p) < i+6 {
		return false
	}
	return p[i]&0x01 == 0 && p[i+3] == 0x9d && p[i+4] == 0x01 && p[i+5] == 0x2a
}

// isVP9Keyframe reads the VP9 payload descriptor (RFC 9628 §4.2): a packet
// that begins a frame (B) that is not inter-picture predicted (P clear) in
// the base spatial layer starts a keyframe.
func isVP9Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	b0 := p[0]
	interPredicted := b0&0x40 != 0 // P
	beginsFrame := b0&0x08 != 0    // B
	if interPredicted || !beginsFrame {
		return false
	}
	if b0&0x20 == 0 { // L clear: no layer indices, single spatial layer
		return true
	}
	i := 1
	if b0&0x80 != 0 { // I: picture id
		if len(p) <= i {
			return false
		}
		if p[i]&0x80 != 0 {
			i += 2
		} else {
			i++
		}
	}
	if len(p) <= i {
		return false
	}
	sid := (p[i] >> 1) & 0x07 // layer indices: TID(3) U(1) SID(3) D(1)
	return sid == 0
}

// H.264 NAL unit types (RFC 6184 §5.2, ITU-T H.264 Table 7-1).
const (
	h264NALIDR   = 5
	h264NALSPS   = 7
	h264NALSTAPA = 24
	h264NALFUA   = 28
	h264NALFUB   = 29
)

// isH264Keyframe: a packet that carries an SPS or the first fragment of an
// IDR slice starts a keyframe. Browsers send SPS+PPS before every IDR, so
// locking on the SPS gives the decoder everything it needs.
func isH264Keyframe(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	switch t := p[0] & 0x1f; t {
	case h264NALSTAPA:
		// Aggregation: 1 byte STAP-A header, then (16-bit size, NAL unit)*.
		for i := 1; i+2 < len(p); {
			size := int(p[i])<<8 | int(p[i+1])
			i += 2
			if size == 0 || i+size > len(p) {
				return false
			}
			switch p[i] & 0x1f {
			case h264NALSPS, h264NALIDR:
				return true
			}
			i += size
		}
		return false
	case h264NALFUA, h264NALFUB:
		if len(p) < 2 {
			return false
		}
		fuHeader := p[1]
		isStart := fuHeader&0x80 != 0
		nal := fuHeader & 0x1f
		return isStart && (nal == h264NALIDR || nal == h264NALSPS)
	default:
		return t == h264NALIDR || t == h264NALSPS
	}
}
