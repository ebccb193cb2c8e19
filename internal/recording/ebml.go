package recording

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
)

// EBML (RFC 8794) primitives for the Matroska/WebM files this package
// writes and repairs. Only what we need: element IDs carry their marker
// bits as the specification writes them (0x1A45DFA3), sizes are variable
// length integers.

// Matroska element IDs (RFC 9559).
const (
	idEBML               = 0x1A45DFA3
	idEBMLVersion        = 0x4286
	idEBMLReadVersion    = 0x42F7
	idEBMLMaxIDLength    = 0x42F2
	idEBMLMaxSizeLength  = 0x42F3
	idDocType            = 0x4282
	idDocTypeVersion     = 0x4287
	idDocTypeReadVersion = 0x4285
	idSegment            = 0x18538067
	idSeekHead           = 0x114D9B74
	idSeek               = 0x4DBB
	idSeekID             = 0x53AB
	idSeekPosition       = 0x53AC
	idVoid               = 0xEC
	idInfo               = 0x1549A966
	idTimestampScale     = 0x2AD7B1
	idDuration           = 0x4489
	idMuxingApp          = 0x4D80
	idWritingApp         = 0x5741
	idTracks             = 0x1654AE6B
	idTrackEntry         = 0xAE
	idTrackNumber        = 0xD7
	idTrackUID           = 0x73C5
	idTrackType          = 0x83
	idFlagLacing         = 0x9C
	idCodecID            = 0x86
	idCodecPrivate       = 0x63A2
	idCodecDelay         = 0x56AA
	idSeekPreRoll        = 0x56BB
	idVideo              = 0xE0
	idPixelWidth         = 0xB0
	idPixelHeight        = 0xBA
	idAudio              = 0xE1
	idSamplingFrequency  = 0xB5
	idChannels           = 0x9F
	idCluster            = 0x1F43B675
	idTimestamp          = 0xE7
	idSimpleBlock        = 0xA3
	idCues               = 0x1C53BB6B
	idCuePoint           = 0xBB
	idCueTime            = 0xB3
	idCueTrackPositions  = 0xB7
	idCueTrack           = 0xF7
	idCueClusterPosition = 0xF1
)

// unknownSize is the 8-byte "size unknown" marker of a Segment being written.
var unknownSize = []byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}

func appendID(b []byte, id uint32) []byte {
	switch {
	case id >= 1<<24:
		return append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<16:
		return append(b, byte(id>>16), byte(id>>8), byte(id))
	case id >= 1<<8:
		return append(b, byte(id>>8), byte(id))
	}
	return append(b, byte(id))
}

// appendSize writes n as the shortest EBML variable-length integer (the
// all-ones value of each width is reserved for "unknown").
func appendSize(b []byte, n uint64) []byte {
	w := 1
	for w < 8 && n >= (1<<(7*w))-1 {
		w++
	}
	return appendSizeWidth(b, n, w)
}

// appendSizeWidth writes n in exactly w bytes (n must fit).
func appendSizeWidth(b []byte, n uint64, w int) []byte {
	v := n | 1<<(7*w)
	for i := w - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

func appendUint(b []byte, id uint32, v uint64) []byte {
	n := 1
	for n < 8 && v >= 1<<(8*n) {
		n++
	}
	b = appendID(b, id)
	b = appendSize(b, uint64(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// appendUintFixed writes an unsigned integer in a fixed 4-byte payload, so
// that it can be patched in place later.
func appendUintFixed(b []byte, id uint32, v uint32) []byte {
	b = appendID(b, id)
	b = append(b, 0x84)
	return binary.BigEndian.AppendUint32(b, v)
}

func appendFloat(b []byte, id uint32, f float64) []byte {
	b = appendID(b, id)
	b = append(b, 0x88)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
}

func appendBytes(b []byte, id uint32, data []byte) []byte {
	b = appendID(b, id)
	b = appendSize(b, uint64(len(data)))
	return append(b, data...)
}

func appendMaster(b []byte, id uint32, children []byte) []byte {
	return appendBytes(b, id, children)
}

// appendVoid writes a Void element of exactly total bytes (total >= 2).
func appendVoid(b []byte, total int) []byte {
	b = append(b, idVoid)
	if total-2 < 127 {
		b = appendSizeWidth(b, uint64(total-2), 1)
		return append(b, make([]byte, total-2)...)
	}
	b = appendSizeWidth(b, uint64(total-9), 8)
	return append(b, make([]byte, total-9)...)
}

// readID decodes an element ID (marker bits kept) at the start of b.
func readID(b []byte) (id uint32, n int, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	n = 1
	for b[0]&(0x80>>(n-1)) == 0 {
		n++
	}
	if n > 4 || len(b) < n {
		return 0, 0, false
	}
	for i := 0; i < n; i++ {
		id = id<<8 | uint32(b[i])
	}
	return id, n, true
}

// readSize decodes a variable-length size; unknown is true for the
// all-ones value.
func readSize(b []byte) (size uint64, n int, unknown, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false, false
	}
	n = 1
	for b[0]&(0x80>>(n-1)) == 0 {
		n++
	}
	if len(b) < n {
		return 0, 0, false, false
	}
	size = uint64(b[0]) & (0xFF >> n)
	all := size == uint64(0xFF>>n)
	for i := 1; i < n; i++ {
		size = size<<8 | uint64(b[i])
		all = all && b[i] == 0xFF
	}
	return size, n, all, true
}

// element is one element header read from a file.
type element struct {
	id      uint32
	offset  int64 // of the ID
	header  int   // bytes of ID and size
	size    int64 // payload bytes; -1 when unknown
	sizePos int64 // offset of the size field
}

func (e element) dataStart() int64 { return e.offset + int64(e.header) }
func (e element) end() int64       { return e.dataStart() + e.size }

var errTruncated = errors.New("truncated element")

// readElement reads the element header at off.
func readElement(r io.ReaderAt, off int64) (element, error) {
	var buf [12]byte
	n, err := r.ReadAt(buf[:], off)
	if n == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return element{}, io.EOF
		}
		return element{}, err
	}
	id, idLen, ok := readID(buf[:n])
	if !ok {
		return element{}, errTruncated
	}
	size, sizeLen, unknown, ok := readSize(buf[idLen:n])
	if !ok {
		return element{}, errTruncated
	}
	e := element{id: id, offset: off, header: idLen + sizeLen, size: int64(size), sizePos: off + int64(idLen)}
	if unknown {
		e.size = -1
	}
	return e, nil
}

// readUintPayload decodes an unsigned integer payload.
func readUintPayload(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}
