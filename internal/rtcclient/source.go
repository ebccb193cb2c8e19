package rtcclient

import (
	"bytes"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// Media sources: real VP8 and Opus from embedded fixtures (see
// fixtures/README.md), looped, with a send-time trailer for latency.

//go:embed fixtures/*.ivf fixtures/*.ogg
var fixtureFS embed.FS

// VideoFixture is one embedded VP8 clip.
type VideoFixture struct {
	Name          string
	Width, Height int
	FPS           int
	Frames        [][]byte
	Keyframes     []int // indexes of the keyframes in Frames
	BitrateKbps   int   // average over the clip
}

var videoFixtureFiles = []string{
	"fixtures/vp8-320x240-15fps.ivf",
	"fixtures/vp8-640x360-30fps.ivf",
	"fixtures/vp8-1280x720-30fps.ivf",
}

var loadFixtures = sync.OnceValues(func() ([]VideoFixture, error) {
	var out []VideoFixture
	for _, name := range videoFixtureFiles {
		data, err := fixtureFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		r, hdr, err := ivfreader.NewWith(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if hdr.TimebaseNumerator == 0 || hdr.TimebaseDenominator%hdr.TimebaseNumerator != 0 {
			return nil, fmt.Errorf("%s: timebase %d/%d is not a whole frame rate", name, hdr.TimebaseNumerator, hdr.TimebaseDenominator)
		}
		f := VideoFixture{Name: name, Width: int(hdr.Width), Height: int(hdr.Height),
			FPS: int(hdr.TimebaseDenominator / hdr.TimebaseNumerator)}
		total := 0
		for {
			frame, _, err := r.ParseNextFrame()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if len(frame) > 0 && frame[0]&1 == 0 {
				f.Keyframes = append(f.Keyframes, len(f.Frames))
			}
			f.Frames = append(f.Frames, frame)
			total += len(frame)
		}
		if len(f.Frames) == 0 || len(f.Keyframes) == 0 || f.Keyframes[0] != 0 {
			return nil, fmt.Errorf("%s: a fixture must start with a keyframe", name)
		}
		f.BitrateKbps = total * 8 * f.FPS / len(f.Frames) / 1000
		out = append(out, f)
	}
	return out, nil
})

// VideoFixtures lists the embedded clips, lowest bitrate first.
func VideoFixtures() []VideoFixture {
	f, err := loadFixtures()
	if err != nil {
		panic("rtcclient: embedded fixtures: " + err.Error()) // a build defect, caught by the tests
	}
	return f
}

// VideoFixtureFor returns the clip whose bitrate is nearest to kbps
// (0: the ~500 kbps 30 fps clip the benchmarks use).
func VideoFixtureFor(kbps int) VideoFixture {
	all := VideoFixtures()
	if kbps <= 0 {
		kbps = 500
	}
	best := all[0]
	for _, f := range all[1:] {
		if abs(f.BitrateKbps-kbps) < abs(best.BitrateKbps-kbps) {
			best = f
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

var loadOpus = sync.OnceValues(func() ([][]byte, error) {
	data, err := fixtureFS.ReadFile("fixtures/opus-20ms.ogg")
	if err != nil {
		return nil, err
	}
	r, _, err := oggreader.NewWith(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var pkts [][]byte
	for {
		page, _, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if bytes.HasPrefix(page, []byte("OpusTags")) || len(page) == 0 {
			continue
		}
		pkts = append(pkts, page)
	}
	if len(pkts) == 0 {
		return nil, errors.New("no Opus packets")
	}
	return pkts, nil
})

// OpusPackets are the embedded 20 ms Opus packets.
func OpusPackets() [][]byte {
	p, err := loadOpus()
	if err != nil {
		panic("rtcclient: embedded Opus fixture: " + err.Error())
	}
	return p
}

// The send-time trailer. Our publishers end every Opus packet and the last
// RTP packet of every VP8 frame with 12 bytes: the send time (Unix ns, big
// endian) then the magic "gvTS". The SFU rewrites RTP headers and strips
// header extensions and RTP padding, but forwards payloads untouched, so
// the trailer reaches every subscriber and added latency is measured end
// to end (both ends must share a clock: same host, or NTP). It keeps the
// media valid:
//   - Opus: the packet is rewritten as a code 3 packet whose RFC 6716
//     §3.2.5 padding is the trailer; decoders ignore padding.
//   - VP8: the trailer ends the frame, after the last partition, where the
//     decoder never reads.
const (
	TrailerSize  = 12
	trailerMagic = 0x67765453 // "gvTS"
)

// AppendTrailer appends the send-time trailer to b.
func AppendTrailer(b []byte, sendUnixNano int64) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(sendUnixNano))
	return binary.BigEndian.AppendUint32(b, trailerMagic)
}

// ParseTrailer reads the send time from the end of a payload.
func ParseTrailer(payload []byte) (sendUnixNano int64, ok bool) {
	n := len(payload)
	if n < TrailerSize || binary.BigEndian.Uint32(payload[n-4:]) != trailerMagic {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(payload[n-TrailerSize:])), true
}

// appendOpusWithTrailer appends pkt to dst as an equivalent code 3 Opus
// packet padded with the trailer. Packets that already carry padding (or
// are malformed) are appended unchanged, without a trailer.
func appendOpusWithTrailer(dst, pkt []byte, sendUnixNano int64) []byte {
	if len(pkt) < 1 {
		return dst
	}
	toc := pkt[0]
	body := pkt[1:]
	switch toc & 3 {
	case 0: // one frame → code 3, CBR, M=1, padded
		dst = append(dst, toc|3, 0x40|1, TrailerSize)
		dst = append(dst, body...)
	case 1: // two equal frames → code 3, CBR, M=2
		dst = append(dst, toc|3, 0x40|2, TrailerSize)
		dst = append(dst, body...)
	case 2: // two frames, the first one's length coded → code 3, VBR, M=2
		dst = append(dst, toc|3, 0x80|0x40|2, TrailerSize)
		dst = append(dst, body...)
	default:
		if len(body) < 1 || body[0]&0x40 != 0 {
			return append(dst, pkt...)
		}
		dst = append(dst, toc, body[0]|0x40, TrailerSize)
		dst = append(dst, body[1:]...)
	}
	return AppendTrailer(dst, sendUnixNano)
}

// vp8Packetizer cuts VP8 frames into RTP payloads (RFC 7741) with a 15-bit
// PictureID, reusing its buffers: the publisher's loop does not allocate.
type vp8Packetizer struct {
	maxPayload int
	pictureID  uint16
	buf        []byte
	payloads   [][]byte
}

const vp8DescriptorSize = 4 // X=1, I=1 with M=1: 15-bit PictureID

// packetize returns the payloads of frame; the last one ends with the
// trailer when sendUnixNano is not 0. Valid until the next call.
func (p *vp8Packetizer) packetize(frame []byte, sendUnixNano int64) [][]byte {
	chunk := p.maxPayload - vp8DescriptorSize
	n := (len(frame) + chunk - 1) / chunk
	n = max(n, 1)
	need := len(frame) + n*vp8DescriptorSize + TrailerSize
	if cap(p.buf) < need {
		p.buf = make([]byte, 0, need*2)
	}
	buf := p.buf[:0]
	p.payloads = p.payloads[:0]
	pid := p.pictureID & 0x7fff
	p.pictureID++
	for i := 0; i < n; i++ {
		start := len(buf)
		b0 := byte(0x80) // X
		if i == 0 {
			b0 |= 0x10 // S: start of partition 0
		}
		buf = append(buf, b0, 0x80, 0x80|byte(pid>>8), byte(pid))
		end := min((i+1)*chunk, len(frame))
		buf = append(buf, frame[i*chunk:end]...)
		if i == n-1 && sendUnixNano != 0 {
			buf = AppendTrailer(buf, sendUnixNano)
		}
		p.payloads = append(p.payloads, buf[start:len(buf):len(buf)])
	}
	p.buf = buf
	return p.payloads
}

// vp8Payload locates the VP8 data after the payload descriptor; start
// tells whether it begins a frame (S=1, partition 0).
func vp8Payload(payload []byte) (data []byte, start, ok bool) {
	if len(payload) < 1 {
		return nil, false, false
	}
	i := 1
	b0 := payload[0]
	if b0&0x80 != 0 { // X
		if len(payload) < 2 {
			return nil, false, false
		}
		x := payload[1]
		i = 2
		if x&0x80 != 0 { // I
			if len(payload) <= i {
				return nil, false, false
			}
			if payload[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if x&0x40 != 0 { // L
			i++
		}
		if x&0x30 != 0 { // T or K
			i++
		}
	}
	if len(payload) < i {
		return nil, false, false
	}
	return payload[i:], b0&0x10 != 0 && b0&0x07 == 0, true
}

// isVP8Keyframe reports whether payload starts a VP8 keyframe.
func isVP8Keyframe(payload []byte) bool {
	data, start, ok := vp8Payload(payload)
	return ok && start && len(data) > 0 && data[0]&1 == 0
}
