package rtcclient

import (
	"testing"
	"time"
)

func TestFixtures(t *testing.T) {
	all := VideoFixtures()
	if len(all) != 3 {
		t.Fatalf("%d video fixtures", len(all))
	}
	for _, f := range all {
		if f.FPS <= 0 || len(f.Frames) == 0 || f.Keyframes[0] != 0 || f.BitrateKbps <= 0 {
			t.Errorf("%s: %+v", f.Name, f.Keyframes)
		}
		t.Logf("%s: %dx%d %d fps, %d frames, %d kbps, keyframes %v", f.Name, f.Width, f.Height, f.FPS, len(f.Frames), f.BitrateKbps, f.Keyframes)
	}
	if f := VideoFixtureFor(0); f.FPS != 30 || f.BitrateKbps < 400 || f.BitrateKbps > 600 {
		t.Errorf("default fixture %s: %d fps %d kbps, want the ~500 kbps 30 fps clip", f.Name, f.FPS, f.BitrateKbps)
	}
	if f := VideoFixtureFor(100); f.Width != 320 {
		t.Errorf("100 kbps → %s", f.Name)
	}
	if f := VideoFixtureFor(5000); f.Width != 1280 {
		t.Errorf("5000 kbps → %s", f.Name)
	}
	if len(OpusPackets()) < 100 {
		t.Errorf("%d Opus packets", len(OpusPackets()))
	}
}

// opusFrames parses an Opus packet (RFC 6716 §3.2) into its frames and
// padding, checking the framing is valid.
func opusFrames(t *testing.T, pkt []byte) (frames [][]byte, padding []byte) {
	t.Helper()
	if len(pkt) < 1 {
		t.Fatal("empty packet")
	}
	body := pkt[1:]
	switch pkt[0] & 3 {
	case 0:
		return [][]byte{body}, nil
	case 1:
		if len(body)%2 != 0 {
			t.Fatal("code 1 with odd length")
		}
		return [][]byte{body[:len(body)/2], body[len(body)/2:]}, nil
	case 2:
		t.Skip("code 2 not in the fixture")
	}
	if len(body) < 1 {
		t.Fatal("code 3 without count byte")
	}
	vbr, padded, m := body[0]&0x80 != 0, body[0]&0x40 != 0, int(body[0]&0x3f)
	body = body[1:]
	padLen := 0
	if padded {
		for {
			b := int(body[0])
			body = body[1:]
			if b == 255 {
				padLen += 254
				continue
			}
			padLen += b
			break
		}
	}
	if vbr {
		t.Skip("VBR code 3 not in the fixture")
	}
	if padLen > len(body) {
		t.Fatalf("padding %d > %d", padLen, len(body))
	}
	data := body[:len(body)-padLen]
	if m == 0 || len(data)%m != 0 {
		t.Fatalf("CBR code 3: %d bytes for %d frames", len(data), m)
	}
	n := len(data) / m
	for i := 0; i < m; i++ {
		frames = append(frames, data[i*n:(i+1)*n])
	}
	return frames, body[len(body)-padLen:]
}

func TestOpusTrailerKeepsFrames(t *testing.T) {
	now := time.Now().UnixNano()
	for i, pkt := range OpusPackets() {
		out := appendOpusWithTrailer(nil, pkt, now+int64(i))
		sent, ok := ParseTrailer(out)
		if !ok || sent != now+int64(i) {
			t.Fatalf("packet %d: trailer %v %v", i, sent, ok)
		}
		want, _ := opusFrames(t, pkt)
		got, pad := opusFrames(t, out)
		if len(got) != len(want) || len(pad) != TrailerSize {
			t.Fatalf("packet %d: %d frames (want %d), %d padding bytes", i, len(got), len(want), len(pad))
		}
		for j := range got {
			if string(got[j]) != string(want[j]) {
				t.Fatalf("packet %d frame %d changed", i, j)
			}
		}
		if out[0]>>3 != pkt[0]>>3 {
			t.Fatalf("packet %d: configuration changed", i)
		}
	}
}

func TestParseTrailerRejects(t *testing.T) {
	if _, ok := ParseTrailer([]byte("short")); ok {
		t.Error("short payload")
	}
	if _, ok := ParseTrailer(make([]byte, 40)); ok {
		t.Error("zeros")
	}
}

// The packetizer's payloads reassemble into the frame plus trailer, the
// keyframe is recognised, and the reassembled frame decodes.
func TestVP8PacketizeAndDecode(t *testing.T) {
	f := VideoFixtureFor(0)
	pk := vp8Packetizer{maxPayload: 1200}
	sent := time.Now().UnixNano()
	for _, idx := range []int{0, 1} {
		frame := f.Frames[idx]
		payloads := pk.packetize(frame, sent)
		if idx == 0 && len(payloads) < 2 {
			t.Fatalf("keyframe in %d packets", len(payloads))
		}
		var whole []byte
		for i, p := range payloads {
			if len(p) > 1200 {
				t.Fatalf("payload of %d bytes", len(p))
			}
			data, start, ok := vp8Payload(p)
			if !ok || start != (i == 0) {
				t.Fatalf("packet %d: ok %v start %v", i, ok, start)
			}
			whole = append(whole, data...)
		}
		if isVP8Keyframe(payloads[0]) != (idx == 0) {
			t.Errorf("frame %d: keyframe detection", idx)
		}
		got, ok := ParseTrailer(whole)
		if !ok || got != sent {
			t.Fatalf("trailer %v %v", got, ok)
		}
		if string(whole[:len(whole)-TrailerSize]) != string(frame) {
			t.Fatal("reassembled frame differs")
		}
		if idx == 0 {
			w, h, err := decodeVP8(whole[:len(whole)-TrailerSize])
			if err != nil || w != f.Width || h != f.Height {
				t.Fatalf("decode: %dx%d %v", w, h, err)
			}
			// The trailer left in place does not break decoding either.
			if _, _, err := decodeVP8(whole); err != nil {
				t.Errorf("decode with trailer: %v", err)
			}
		}
	}
	if pk.pictureID != 2 {
		t.Errorf("pictureID = %d", pk.pictureID)
	}
}

func TestVP8PacketizerDoesNotAllocate(t *testing.T) {
	f := VideoFixtureFor(0)
	pk := vp8Packetizer{maxPayload: 1200}
	pk.packetize(f.Frames[0], 1) // sizes the buffers on the biggest frame
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		pk.packetize(f.Frames[1+i%(len(f.Frames)-1)], 1)
		i++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per frame", allocs)
	}
}
