package recording

import (
	"encoding/binary"
	"errors"
)

// RTP payload formats of the codecs browsers publish: where a frame
// starts, how its packets join into the codec's bitstream, whether it is a
// keyframe and, for video keyframes, the picture size.

// payloadFormat is one codec's RTP payload format.
type payloadFormat interface {
	// frameStart reports whether a packet begins a frame, to pick the
	// stream up again after a loss.
	frameStart(payload []byte) bool
	// assemble joins the payloads of one frame (in order) into dst.
	assemble(dst []byte, payloads [][]byte) (frame []byte, keyframe bool, err error)
}

var errPayload = errors.New("malformed RTP payload")

func formatFor(c codec) payloadFormat {
	switch c {
	case codecVP8:
		return vp8Format{}
	case codecVP9:
		return vp9Format{}
	case codecH264:
		return &h264Format{}
	}
	return opusFormat{}
}

// Opus (RFC 7587): one packet, one frame.
type opusFormat struct{}

func (opusFormat) frameStart([]byte) bool { return true }

func (opusFormat) assemble(dst []byte, payloads [][]byte) ([]byte, bool, error) {
	if len(payloads) != 1 {
		return nil, false, errPayload
	}
	return append(dst, payloads[0]...), true, nil
}

// VP8 (RFC 7741).
type vp8Format struct{}

// vp8Descriptor returns the length of the payload descriptor and whether
// the packet starts partition 0 (a frame).
func vp8Descriptor(p []byte) (n int, start bool, ok bool) {
	if len(p) < 1 {
		return 0, false, false
	}
	n = 1
	if p[0]&0x80 != 0 { // X
		if len(p) < 2 {
			return 0, false, false
		}
		x := p[1]
		n = 2
		if x&0x80 != 0 { // I: picture id
			if len(p) <= n {
				return 0, false, false
			}
			if p[n]&0x80 != 0 {
				n += 2
			} else {
				n++
			}
		}
		if x&0x40 != 0 { // L
			n++
		}
		if x&0x30 != 0 { // T or K
			n++
		}
	}
	if len(p) < n {
		return 0, false, false
	}
	return n, p[0]&0x10 != 0 && p[0]&0x07 == 0, true
}

func (vp8Format) frameStart(p []byte) bool {
	_, start, ok := vp8Descriptor(p)
	return ok && start
}

func (vp8Format) assemble(dst []byte, payloads [][]byte) ([]byte, bool, error) {
	for _, p := range payloads {
		n, _, ok := vp8Descriptor(p)
		if !ok {
			return nil, false, errPayload
		}
		dst = append(dst, p[n:]...)
	}
	if len(dst) < 3 {
		return nil, false, errPayload
	}
	return dst, dst[0]&0x01 == 0, nil
}

// vp8Size reads a keyframe's size (RFC 6386 §9.1).
func vp8Size(frame []byte) (int, int) {
	if len(frame) < 10 || frame[0]&1 != 0 || frame[3] != 0x9d || frame[4] != 0x01 || frame[5] != 0x2a {
		return 0, 0
	}
	return int(binary.LittleEndian.Uint16(frame[6:]) & 0x3fff), int(binary.LittleEndian.Uint16(frame[8:]) & 0x3fff)
}

// VP9 (RFC 9628).
type vp9Format struct{}

type vp9Desc struct {
	n          int // descriptor length
	begin, end bool
	predicted  bool // P: inter-picture predicted
	sid        int
}

func vp9Descriptor(p []byte) (d vp9Desc, ok bool) {
	if len(p) < 1 {
		return d, false
	}
	b := p[0]
	d.predicted, d.begin, d.end = b&0x40 != 0, b&0x08 != 0, b&0x04 != 0
	flexible := b&0x10 != 0
	i := 1
	need := func(k int) bool { return len(p) >= i+k }
	if b&0x80 != 0 { // I: picture id
		if !need(1) {
			return d, false
		}
		if p[i]&0x80 != 0 {
			i += 2
		} else {
			i++
		}
	}
	if b&0x20 != 0 { // L: layer indices
		if !need(1) {
			return d, false
		}
		d.sid = int(p[i]>>1) & 7
		i++
		if !flexible {
			i++ // TL0PICIDX
		}
	}
	if flexible && d.predicted { // reference indices
		for k := 0; k < 3; k++ {
			if !need(1) {
				return d, false
			}
			more := p[i]&1 != 0
			i++
			if !more {
				break
			}
		}
	}
	if b&0x02 != 0 { // V: scalability structure
		if !need(1) {
			return d, false
		}
		ss := p[i]
		i++
		ns := int(ss>>5) + 1
		if ss&0x10 != 0 {
			i += 4 * ns
		}
		if ss&0x08 != 0 {
			if !need(1) {
				return d, false
			}
			ng := int(p[i])
			i++
			for g := 0; g < ng; g++ {
				if !need(1) {
					return d, false
				}
				i += 1 + int(p[i]>>2)&3
			}
		}
	}
	if len(p) < i {
		return d, false
	}
	d.n = i
	return d, true
}

func (vp9Format) frameStart(p []byte) bool {
	d, ok := vp9Descriptor(p)
	return ok && d.begin && d.sid == 0
}

// assemble keeps the first spatial layer's frame of a picture: the file
// has one resolution, and a frame of a higher layer alone is not decodable.
func (vp9Format) assemble(dst []byte, payloads [][]byte) ([]byte, bool, error) {
	var first vp9Desc
	started := false
	for _, p := range payloads {
		d, ok := vp9Descriptor(p)
		if !ok {
			return nil, false, errPayload
		}
		if !started {
			if !d.begin {
				return nil, false, errPayload
			}
			first, started = d, true
		} else if d.sid != first.sid {
			break
		}
		dst = append(dst, p[d.n:]...)
		if d.end {
			break
		}
	}
	if len(dst) == 0 {
		return nil, false, errPayload
	}
	w, _ := vp9Size(dst)
	return dst, !first.predicted && w > 0, nil
}

// bitReader reads big-endian bits.
type bitReader struct {
	b   []byte
	pos int
	bad bool
}

func (r *bitReader) bit() int {
	if r.pos >= 8*len(r.b) {
		r.bad = true
		return 0
	}
	v := int(r.b[r.pos/8]>>(7-r.pos%8)) & 1
	r.pos++
	return v
}

func (r *bitReader) bits(n int) int {
	v := 0
	for i := 0; i < n; i++ {
		v = v<<1 | r.bit()
	}
	return v
}

// ue reads an Exp-Golomb unsigned value (H.264 §9.1).
func (r *bitReader) ue() int {
	zeros := 0
	for r.bit() == 0 {
		if r.bad || zeros > 31 {
			r.bad = true
			return 0
		}
		zeros++
	}
	return (1 << zeros) - 1 + r.bits(zeros)
}

func (r *bitReader) se() int {
	v := r.ue()
	if v&1 == 1 {
		return (v + 1) / 2
	}
	return -v / 2
}

// vp9Size reads a keyframe's size from the uncompressed header (VP9
// bitstream specification §6.2); 0, 0 for other frames.
func vp9Size(frame []byte) (int, int) {
	r := &bitReader{b: frame}
	if r.bits(2) != 2 { // frame_marker
		return 0, 0
	}
	profile := r.bit() | r.bit()<<1
	if profile == 3 {
		r.bit()
	}
	if r.bit() == 1 { // show_existing_frame
		return 0, 0
	}
	if r.bit() != 0 { // frame_type: 0 = key frame
		return 0, 0
	}
	r.bit() // show_frame
	r.bit() // error_resilient_mode
	if r.bits(24) != 0x498342 {
		return 0, 0
	}
	if profile >= 2 {
		r.bit() // ten_or_twelve_bit
	}
	if r.bits(3) != 7 { // color_space != CS_RGB
		r.bit() // color_range
		if profile == 1 || profile == 3 {
			r.bits(3) // subsampling_x, subsampling_y, reserved_zero
		}
	} else if profile == 1 || profile == 3 {
		r.bit() // reserved_zero
	}
	w, h := r.bits(16)+1, r.bits(16)+1
	if r.bad {
		return 0, 0
	}
	return w, h
}

// H.264 (RFC 6184), packetization-mode 1 as browsers send it: single NAL
// units, STAP-A and FU-A. Frames are written in AVCC form (4-byte
// lengths), parameter sets included in-band; the SPS and PPS seen last
// make the track's avcC.
type h264Format struct {
	sps, pps []byte
}

// startsAccessUnit: a NAL that can only begin an access unit, or a slice
// with first_mb_in_slice = 0.
func startsAccessUnit(nalType byte, rest []byte) bool {
	switch nalType {
	case 6, 7, 8, 9:
		return true
	case 1, 5:
		return len(rest) > 0 && rest[0]&0x80 != 0 // ue(v) = 0 is the single bit 1
	}
	return false
}

func (*h264Format) frameStart(p []byte) bool {
	if len(p) < 2 {
		return false
	}
	switch t := p[0] & 0x1f; {
	case t >= 1 && t <= 23:
		return startsAccessUnit(t, p[1:])
	case t == 24: // STAP-A
		return len(p) >= 4 && startsAccessUnit(p[3]&0x1f, p[4:])
	case t == 28: // FU-A
		return p[1]&0x80 != 0 && startsAccessUnit(p[1]&0x1f, p[2:])
	}
	return false
}

func (h *h264Format) assemble(dst []byte, payloads [][]byte) ([]byte, bool, error) {
	key := false
	fuStart := -1 // where the length of the NAL being reassembled from FU-A goes
	addNAL := func(nal []byte) {
		switch nal[0] & 0x1f {
		case 5:
			key = true
		case 7:
			h.sps = append(h.sps[:0], nal...)
		case 8:
			h.pps = append(h.pps[:0], nal...)
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(nal)))
		dst = append(dst, nal...)
	}
	for _, p := range payloads {
		if len(p) < 1 {
			return nil, false, errPayload
		}
		switch t := p[0] & 0x1f; {
		case t >= 1 && t <= 23:
			if fuStart >= 0 {
				return nil, false, errPayload
			}
			addNAL(p)
		case t == 24:
			for q := p[1:]; len(q) > 0; {
				if len(q) < 2 {
					return nil, false, errPayload
				}
				n := int(binary.BigEndian.Uint16(q))
				if n == 0 || len(q) < 2+n {
					return nil, false, errPayload
				}
				addNAL(q[2 : 2+n])
				q = q[2+n:]
			}
		case t == 28:
			if len(p) < 3 {
				return nil, false, errPayload
			}
			start, end := p[1]&0x80 != 0, p[1]&0x40 != 0
			if start {
				if fuStart >= 0 {
					return nil, false, errPayload
				}
				fuStart = len(dst)
				dst = append(dst, 0, 0, 0, 0, p[0]&0xe0|p[1]&0x1f)
			} else if fuStart < 0 {
				return nil, false, errPayload
			}
			dst = append(dst, p[2:]...)
			if end {
				nal := dst[fuStart+4:]
				if nal[0]&0x1f == 5 {
					key = true
				}
				binary.BigEndian.PutUint32(dst[fuStart:], uint32(len(nal)))
				fuStart = -1
			}
		default: // STAP-B, MTAP, FU-B: not sent by browsers
			return nil, false, errPayload
		}
	}
	if fuStart >= 0 || len(dst) == 0 {
		return nil, false, errPayload
	}
	return dst, key, nil
}

// avcC is the AVCDecoderConfigurationRecord (ISO 14496-15) of the
// parameter sets seen, nil before both are known.
func (h *h264Format) avcC() []byte {
	if len(h.sps) < 4 || len(h.pps) == 0 {
		return nil
	}
	b := []byte{1, h.sps[1], h.sps[2], h.sps[3], 0xff, 0xe1}
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.sps)))
	b = append(b, h.sps...)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.pps)))
	return append(b, h.pps...)
}

// unescapeRBSP removes emulation prevention bytes (00 00 03).
func unescapeRBSP(nal []byte) []byte {
	out := make([]byte, 0, len(nal))
	zeros := 0
	for _, c := range nal {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// h264Size reads the cropped picture size from an SPS NAL (H.264 §7.3.2.1.1).
func h264Size(sps []byte) (int, int) {
	if len(sps) < 4 {
		return 0, 0
	}
	r := &bitReader{b: unescapeRBSP(sps[1:])}
	profile := r.bits(8)
	r.bits(16) // constraint flags, level
	r.ue()     // seq_parameter_set_id
	chroma := 1
	switch profile {
	case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135:
		chroma = r.ue()
		if chroma == 3 {
			r.bit() // separate_colour_plane_flag
		}
		r.ue()            // bit_depth_luma_minus8
		r.ue()            // bit_depth_chroma_minus8
		r.bit()           // qpprime_y_zero_transform_bypass_flag
		if r.bit() == 1 { // seq_scaling_matrix_present_flag
			lists := 8
			if chroma == 3 {
				lists = 12
			}
			for i := 0; i < lists; i++ {
				if r.bit() == 0 {
					continue
				}
				size := 16
				if i >= 6 {
					size = 64
				}
				last, next := 8, 8
				for j := 0; j < size; j++ {
					if next != 0 {
						next = (last + r.se() + 256) % 256
					}
					if next != 0 {
						last = next
					}
				}
			}
		}
	}
	r.ue()          // log2_max_frame_num_minus4
	switch r.ue() { // pic_order_cnt_type
	case 0:
		r.ue()
	case 1:
		r.bit()
		r.se()
		r.se()
		for n := r.ue(); n > 0 && !r.bad; n-- {
			r.se()
		}
	}
	r.ue()  // max_num_ref_frames
	r.bit() // gaps_in_frame_num_value_allowed_flag
	wMbs := r.ue() + 1
	hMaps := r.ue() + 1
	frameMbsOnly := r.bit()
	if frameMbsOnly == 0 {
		r.bit() // mb_adaptive_frame_field_flag
	}
	r.bit() // direct_8x8_inference_flag
	w, h := wMbs*16, (2-frameMbsOnly)*hMaps*16
	if r.bit() == 1 { // frame_cropping_flag
		left, right, top, bottom := r.ue(), r.ue(), r.ue(), r.ue()
		cx, cy := 1, 2-frameMbsOnly
		if chroma == 1 {
			cx, cy = 2, 2*(2-frameMbsOnly)
		} else if chroma == 2 {
			cx = 2
		}
		w -= cx * (left + right)
		h -= cy * (top + bottom)
	}
	if r.bad || w <= 0 || h <= 0 {
		return 0, 0
	}
	return w, h
}
