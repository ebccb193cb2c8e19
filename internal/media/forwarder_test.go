package media

import (
	"fmt"
	"testing"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

type fwdStep struct {
	name     string
	ssrc     uint32
	seq      uint16
	ts       uint32
	keyframe bool
	at       int64 // ms
	switchTo bool  // call SwitchSource before this packet

	ok      bool
	wantSeq uint16
	wantTS  uint32
}

const (
	outSSRC = 0xCAFE
	outPT   = 101
)

func TestForwarderTable(t *testing.T) {
	tests := []struct {
		name   string
		video  bool
		initSq uint16
		initTS uint32
		steps  []fwdStep
	}{
		{
			name: "audio locks on the first packet and shifts", initSq: 1000, initTS: 5000,
			steps: []fwdStep{
				{ssrc: 1, seq: 10, ts: 960, ok: true, wantSeq: 1000, wantTS: 5000},
				{ssrc: 1, seq: 11, ts: 1920, at: 20, ok: true, wantSeq: 1001, wantTS: 5960},
				{ssrc: 1, seq: 12, ts: 2880, at: 40, ok: true, wantSeq: 1002, wantTS: 6920},
			},
		},
		{
			name: "video waits for a keyframe without consuming sequence numbers", video: true, initSq: 7, initTS: 100,
			steps: []fwdStep{
				{ssrc: 1, seq: 500, ts: 9000, ok: false},
				{ssrc: 1, seq: 501, ts: 9000, ok: false},
				{ssrc: 1, seq: 502, ts: 12000, keyframe: true, ok: true, wantSeq: 7, wantTS: 100},
				{ssrc: 1, seq: 503, ts: 12000, ok: true, wantSeq: 8, wantTS: 100},
				{ssrc: 1, seq: 504, ts: 15000, ok: true, wantSeq: 9, wantTS: 3100},
			},
		},
		{
			name: "16-bit sequence wraps in and out", initSq: 65534, initTS: 0,
			steps: []fwdStep{
				{ssrc: 1, seq: 65533, ts: 10, ok: true, wantSeq: 65534, wantTS: 0},
				{ssrc: 1, seq: 65534, ts: 20, ok: true, wantSeq: 65535, wantTS: 10},
				{ssrc: 1, seq: 65535, ts: 30, ok: true, wantSeq: 0, wantTS: 20},
				{ssrc: 1, seq: 0, ts: 40, ok: true, wantSeq: 1, wantTS: 30},
				{ssrc: 1, seq: 1, ts: 50, ok: true, wantSeq: 2, wantTS: 40},
			},
		},
		{
			name: "32-bit timestamp wraps", initSq: 1, initTS: 0xFFFFFF00,
			steps: []fwdStep{
				{ssrc: 1, seq: 1, ts: 0, ok: true, wantSeq: 1, wantTS: 0xFFFFFF00},
				{ssrc: 1, seq: 2, ts: 0x80, ok: true, wantSeq: 2, wantTS: 0xFFFFFF80},
				{ssrc: 1, seq: 3, ts: 0x100, ok: true, wantSeq: 3, wantTS: 0},
				{ssrc: 1, seq: 4, ts: 0x180, ok: true, wantSeq: 4, wantTS: 0x80},
			},
		},
		{
			name: "a loss stays a gap, a late packet fills it", initSq: 100, initTS: 0,
			steps: []fwdStep{
				{ssrc: 1, seq: 50, ts: 0, ok: true, wantSeq: 100, wantTS: 0},
				{ssrc: 1, seq: 52, ts: 960, ok: true, wantSeq: 102, wantTS: 960},
				{ssrc: 1, seq: 51, ts: 480, ok: true, wantSeq: 101, wantTS: 480},
				{ssrc: 1, seq: 53, ts: 1440, ok: true, wantSeq: 103, wantTS: 1440},
			},
		},
		{
			name: "packets older than the epoch are dropped", video: true, initSq: 10, initTS: 0,
			steps: []fwdStep{
				{ssrc: 1, seq: 200, ts: 3000, keyframe: true, ok: true, wantSeq: 10, wantTS: 0},
				{ssrc: 1, seq: 199, ts: 0, ok: false},
				{ssrc: 1, seq: 201, ts: 3000, ok: true, wantSeq: 11, wantTS: 0},
			},
		},
		{
			name: "source switch continues sequence and advances timestamp by wall time", video: true, initSq: 65535, initTS: 1000,
			steps: []fwdStep{
				{ssrc: 1, seq: 10, ts: 90000, keyframe: true, at: 0, ok: true, wantSeq: 65535, wantTS: 1000},
				{ssrc: 1, seq: 11, ts: 93000, at: 33, ok: true, wantSeq: 0, wantTS: 4000},
				// new source: not a keyframe yet, then a keyframe 100 ms after the last packet
				{ssrc: 2, seq: 40000, ts: 7, at: 100, switchTo: true, ok: false},
				{ssrc: 2, seq: 40001, ts: 3007, at: 133, keyframe: true, ok: true, wantSeq: 1, wantTS: 4000 + 9000},
				{ssrc: 2, seq: 40002, ts: 6007, at: 166, ok: true, wantSeq: 2, wantTS: 4000 + 9000 + 3000},
				// a late packet of the old source is dropped
				{ssrc: 1, seq: 12, ts: 96000, at: 170, ok: false},
				{ssrc: 2, seq: 40003, ts: 9007, at: 200, ok: true, wantSeq: 3, wantTS: 4000 + 9000 + 6000},
			},
		},
		{
			name: "a new SSRC without an explicit switch is a switch too", initSq: 0, initTS: 0,
			steps: []fwdStep{
				{ssrc: 1, seq: 5, ts: 100, at: 0, ok: true, wantSeq: 0, wantTS: 0},
				{ssrc: 9, seq: 60000, ts: 5, at: 20, ok: true, wantSeq: 1, wantTS: 960},
				{ssrc: 9, seq: 60001, ts: 965, at: 40, ok: true, wantSeq: 2, wantTS: 1920},
			},
		},
		{
			name: "switch with no elapsed time still advances the timestamp", initSq: 0, initTS: 0,
			steps: []fwdStep{
				{ssrc: 1, seq: 1, ts: 1, at: 10, ok: true, wantSeq: 0, wantTS: 0},
				{ssrc: 2, seq: 1, ts: 1, at: 10, switchTo: true, ok: true, wantSeq: 1, wantTS: 1},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := uint32(48000)
			if tc.video {
				clock = 90000
			}
			f := NewForwarder(ForwarderConfig{SSRC: outSSRC, PayloadType: outPT, ClockRate: clock,
				WaitKeyframe: tc.video, InitialSeq: tc.initSq, InitialTS: tc.initTS})
			for i, s := range tc.steps {
				if s.switchTo {
					f.SwitchSource()
				}
				in := rtp.Header{Version: 2, SSRC: s.ssrc, SequenceNumber: s.seq, Timestamp: s.ts, PayloadType: 96}
				var out rtp.Header
				ok := f.Forward(&in, s.keyframe, s.at*1_000_000, &out)
				if ok != s.ok {
					t.Fatalf("step %d: ok = %v, want %v", i, ok, s.ok)
				}
				if !ok {
					continue
				}
				if out.SequenceNumber != s.wantSeq || out.Timestamp != s.wantTS {
					t.Fatalf("step %d: seq/ts = %d/%d, want %d/%d", i, out.SequenceNumber, out.Timestamp, s.wantSeq, s.wantTS)
				}
				if out.SSRC != outSSRC || out.PayloadType != outPT {
					t.Fatalf("step %d: ssrc/pt = %x/%d", i, out.SSRC, out.PayloadType)
				}
			}
		})
	}
}

func TestForwarderStripsExtensionsAndPadding(t *testing.T) {
	f := NewForwarder(ForwarderConfig{SSRC: 1, PayloadType: 100, ClockRate: 48000})
	in := rtp.Header{Version: 2, SSRC: 5, SequenceNumber: 1, Marker: true, Padding: true, PaddingSize: 4}
	if err := in.SetExtension(3, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	var out rtp.Header
	if !f.Forward(&in, false, 0, &out) {
		t.Fatal("not forwarded")
	}
	if out.Extension || len(out.Extensions) != 0 || out.Padding || out.PaddingSize != 0 || !out.Marker {
		t.Fatalf("out = %+v", out)
	}
	if !in.Extension || len(in.Extensions) != 1 {
		t.Fatal("input header modified")
	}
}

func TestForwarderMappingForNACK(t *testing.T) {
	f := NewForwarder(ForwarderConfig{SSRC: 1, PayloadType: 96, ClockRate: 90000, WaitKeyframe: true, InitialSeq: 65530})
	var out rtp.Header
	for i := uint16(0); i < 10; i++ {
		in := rtp.Header{SSRC: 77, SequenceNumber: 1000 + i, Timestamp: 3000}
		f.Forward(&in, i == 0, 0, &out)
	}
	m := f.Mapping()
	high := f.HighSeq()
	if high != 3 { // 65530+9 wrapped
		t.Fatalf("high = %d", high)
	}
	for _, tc := range []struct {
		out  uint16
		in   uint16
		want bool
	}{
		{65530, 1000, true}, {65535, 1005, true}, {0, 1006, true}, {3, 1009, true},
		{4, 0, false},     // not sent yet
		{65529, 0, false}, // before the epoch
	} {
		in, ok := m.Source(tc.out, high)
		if ok != tc.want || (ok && in != tc.in) {
			t.Errorf("Source(%d) = %d, %v; want %d, %v", tc.out, in, ok, tc.in, tc.want)
		}
	}
	f.SwitchSource()
	if f.Mapping().Valid {
		t.Error("mapping valid while waiting for the new source")
	}
}

// TestForwardingAllocs asserts the hot path (receiver fan-out → forwarder →
// TrackLocalWriter) does not allocate.
func TestForwardingAllocs(t *testing.T) {
	r, dts := newBenchFanout(t, 10)
	raw := vp8Packet(t, 1, 100, 3000, false)
	var pkt rtp.Packet
	kf := vp8Packet(t, 1, 99, 3000, true)
	r.forward(kf, &pkt, 1, 1)
	seq := uint16(100)
	allocs := testing.AllocsPerRun(1000, func() {
		raw[2], raw[3] = byte(seq>>8), byte(seq)
		seq++
		r.forward(raw, &pkt, 2, 1)
	})
	if allocs != 0 {
		t.Fatalf("forwarding allocates %.1f times per packet", allocs)
	}
	for _, dt := range dts {
		if dt.packets.Load() < 1000 {
			t.Fatalf("down-track got %d packets", dt.packets.Load())
		}
	}

	f := NewForwarder(ForwarderConfig{SSRC: 1, PayloadType: 96, ClockRate: 90000})
	in := rtp.Header{SSRC: 5, SequenceNumber: 1, Timestamp: 1}
	var out rtp.Header
	allocs = testing.AllocsPerRun(1000, func() {
		in.SequenceNumber++
		f.Forward(&in, false, 0, &out)
	})
	if allocs != 0 {
		t.Fatalf("Forwarder.Forward allocates %.1f times", allocs)
	}
}

func BenchmarkForwarder(b *testing.B) {
	f := NewForwarder(ForwarderConfig{SSRC: 1, PayloadType: 96, ClockRate: 90000, WaitKeyframe: true})
	in := rtp.Header{Version: 2, SSRC: 5, SequenceNumber: 1, Timestamp: 1, PayloadType: 100}
	var out rtp.Header
	f.Forward(&in, true, 0, &out)
	b.ReportAllocs()
	for b.Loop() {
		in.SequenceNumber++
		in.Timestamp += 3000
		f.Forward(&in, false, 0, &out)
	}
}

// BenchmarkFanout: one packet from the receiver to 1, 10 and 100
// down-tracks whose TrackLocalWriter discards (the SFU's own work per
// packet: parse, keyframe check, ring, rewrite for each subscriber; not
// SRTP or the socket). ns/op is per incoming packet; ns/sub-pkt per
// packet written to one subscriber.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			r, _ := newBenchFanout(b, n)
			raw := vp8Packet(b, 1, 100, 3000, false)
			var pkt rtp.Packet
			r.forward(vp8Packet(b, 1, 99, 3000, true), &pkt, 1, 1)
			seq := uint16(100)
			b.ReportAllocs()
			for b.Loop() {
				raw[2], raw[3] = byte(seq>>8), byte(seq)
				seq++
				r.forward(raw, &pkt, 2, 1)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/sub-pkt")
		})
	}
}

// discardWriter is a TrackLocalWriter that drops everything.
type discardWriter struct{}

func (discardWriter) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	return len(payload), nil
}
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// fakeBinding is the TrackLocalContext Pion would pass to Bind.
type fakeBinding struct {
	ssrc   webrtc.SSRC
	codecs []webrtc.RTPCodecParameters
	writer webrtc.TrackLocalWriter
}

func (f *fakeBinding) CodecParameters() []webrtc.RTPCodecParameters           { return f.codecs }
func (f *fakeBinding) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter { return nil }
func (f *fakeBinding) SSRC() webrtc.SSRC                                      { return f.ssrc }
func (f *fakeBinding) SSRCRetransmission() webrtc.SSRC                        { return 0 }
func (f *fakeBinding) SSRCForwardErrorCorrection() webrtc.SSRC                { return 0 }
func (f *fakeBinding) WriteStream() webrtc.TrackLocalWriter                   { return f.writer }
func (f *fakeBinding) ID() string                                             { return "fake" }
func (f *fakeBinding) RTCPReader() interceptor.RTCPReader                     { return nil }

var vp8Codec = webrtc.RTPCodecParameters{
	PayloadType:        96,
	RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000},
}

func newBenchFanout(tb testing.TB, n int) (*Receiver, []*DownTrack) {
	tb.Helper()
	r := newReceiver(webrtc.RTPCodecTypeVideo, vp8Codec, discardLogger(), nil)
	var dts []*DownTrack
	for i := 0; i < n; i++ {
		dt := newDownTrack("stream", r)
		codec := vp8Codec
		codec.PayloadType = webrtc.PayloadType(100 + i)
		if _, err := dt.Bind(&fakeBinding{ssrc: webrtc.SSRC(1000 + i), codecs: []webrtc.RTPCodecParameters{codec}, writer: discardWriter{}}); err != nil {
			tb.Fatal(err)
		}
		dt.setReady(true)
		dts = append(dts, dt)
	}
	return r, dts
}

// vp8Packet builds a marshalled RTP packet carrying a VP8 payload.
func vp8Packet(tb testing.TB, ssrc uint32, seq uint16, ts uint32, keyframe bool) []byte {
	tb.Helper()
	payload := make([]byte, 1000)
	payload[0] = 0x10 // S=1, PID=0
	if keyframe {
		copy(payload[1:], []byte{0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a})
	} else {
		payload[1] = 0x01 // P=1: inter frame
	}
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SSRC: ssrc, SequenceNumber: seq, Timestamp: ts}, Payload: payload}
	raw, err := p.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}
