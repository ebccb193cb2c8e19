package recording

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzAssembler pushes arbitrary packets (what any publisher may send)
// through every codec's jitter buffer and depacketizer: nothing panics,
// every frame handed on is non-empty, and keyframe sizes parse safely.
func FuzzAssembler(f *testing.F) {
	f.Add([]byte{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}, uint16(1), uint32(3000), true, uint8(0))
	f.Add([]byte{0x88, 0x80, 0x01, 0x82, 0x49, 0x83, 0x42, 0x00}, uint16(65535), uint32(0), true, uint8(1))
	f.Add([]byte{0x18, 0x00, 0x05, 0x67, 0x42, 0xc0, 0x1f, 0xda, 0x00, 0x02, 0x68, 0xce, 0x1c, 0x80}, uint16(7), uint32(90), false, uint8(2))
	f.Add([]byte{0x7c, 0x85, 0x88, 0x84}, uint16(8), uint32(90), true, uint8(2))
	f.Add([]byte{0xfc, 0xff, 0xfe}, uint16(2), uint32(960), false, uint8(3))
	f.Fuzz(func(t *testing.T, payload []byte, seq uint16, ts uint32, marker bool, which uint8) {
		c := []codec{codecVP8, codecVP9, codecH264, codecOpus}[which%4]
		a := newAssembler(c, 100*time.Millisecond)
		emit := func(fr frame) {
			if len(fr.data) == 0 {
				t.Fatal("empty frame")
			}
			vp8Size(fr.data)
			vp9Size(fr.data)
		}
		now := int64(1)
		// The payload split in pieces, as packets of one or more frames,
		// with a gap, a duplicate and a sender restart.
		for i := 0; i < 6 && len(payload) > 0; i++ {
			n := min(len(payload), 1+int(payload[0])%16)
			p := &packet{video: c.video(), ssrc: 1 + uint32(i/4), seq: seq + uint16(i*i), ts: ts + uint32(i/2)*3000,
				marker: marker || i%2 == 1, arrival: now, payload: payload[:n]}
			a.push(p, now, emit)
			a.push(p, now, emit)
			now += int64(60 * time.Millisecond)
			payload = payload[n:]
		}
		a.flush(emit)
		if h, ok := a.format.(*h264Format); ok {
			h264Size(h.sps)
			h.avcC()
		}
	})
}

// FuzzFinalize: any bytes after a valid header (a crash mid-write, a
// damaged disk) finalize into a file that finalizes again to the same
// bytes, or fail cleanly.
func FuzzFinalize(f *testing.F) {
	header := headerBytes(f, newMkvMuxer(nil, []*muxTrack{{number: 1, codec: codecOpus}, {number: 2, codec: codecVP8}}, 0))
	var cluster []byte
	cluster = appendID(cluster, idCluster)
	body := appendUint(nil, idTimestamp, 0)
	block := []byte{0x82, 0, 0, 0x80, 0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}
	body = appendBytes(body, idSimpleBlock, block)
	cluster = appendSize(cluster, uint64(len(body)))
	cluster = append(cluster, body...)
	f.Add(cluster)
	f.Add(append(append([]byte{}, cluster...), cluster[:5]...))
	f.Add([]byte{0x1f, 0x43, 0xb6, 0x75, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, tail []byte) {
		p := filepath.Join(dir, "f.webm")
		if err := os.WriteFile(p, append(append([]byte{}, header...), tail...), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := finalizeMatroska(p); err != nil {
			return
		}
		once, _ := os.ReadFile(p)
		if _, err := finalizeMatroska(p); err != nil {
			t.Fatalf("a finalized file does not finalize again: %v", err)
		}
		if twice, _ := os.ReadFile(p); !bytes.Equal(once, twice) {
			t.Fatal("finalizing twice changed the file")
		}
	})
}

// headerBytes renders a muxer's header into memory.
func headerBytes(tb testing.TB, m *mkvMuxer) []byte {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "h.webm")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	m.f = f
	if err := m.writeHeader(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	if binary.BigEndian.Uint32(b) != idEBML {
		tb.Fatal("not an EBML header")
	}
	return b
}
