package recording

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"
)

// A minimal Matroska/WebM muxer that writes as it records: the header
// once the first frames are known, then one Cluster per write(2) call,
// with a known size, so that a file cut anywhere (kill -9, full disk) is
// a valid file up to its last complete cluster. Nothing is ever re-read:
// Cues, Duration and the Segment size are added by finalizeMatroska,
// which also repairs an interrupted file.
//
// Layout, which finalizeMatroska relies on:
//
//	EBML header
//	Segment (size "unknown" until finalized)
//	  Void (seekHeadReserve bytes: becomes SeekHead + Void)
//	  Info: TimestampScale 1 ms, MuxingApp, WritingApp, Void (becomes Duration)
//	  Tracks
//	  Cluster…  (Timestamp, SimpleBlock…)
//	  [Cues, appended when finalized]

type codec int

const (
	codecOpus codec = iota + 1
	codecVP8
	codecVP9
	codecH264
)

func (c codec) String() string {
	switch c {
	case codecOpus:
		return "opus"
	case codecVP8:
		return "vp8"
	case codecVP9:
		return "vp9"
	case codecH264:
		return "h264"
	}
	return "unknown"
}

func (c codec) matroskaID() string {
	switch c {
	case codecOpus:
		return "A_OPUS"
	case codecVP8:
		return "V_VP8"
	case codecVP9:
		return "V_VP9"
	case codecH264:
		return "V_MPEG4/ISO/AVC"
	}
	return ""
}

func (c codec) video() bool { return c == codecVP8 || c == codecVP9 || c == codecH264 }

const (
	seekHeadReserve     = 96                     // SeekHead of Info, Tracks and Cues fits in 68 bytes
	durationReserve     = 11                     // Duration: 2-byte ID, size, float64
	codecPrivateReserve = 384                    // room for an avcC learnt after the header is written
	clusterMaxSpan      = 500 * time.Millisecond // what a crash can cost, with interleaveHold
	clusterMaxBytes     = 8 << 20
)

// muxTrack is one track of a file being written.
type muxTrack struct {
	number       int // 1-based
	codec        codec
	width        int // video: the size announced by the browser until the first keyframe tells
	height       int
	dimsKnown    bool   // width and height come from the bitstream
	codecPrivate []byte // avcC for H.264 once known
	// Offsets in the file of what may be patched after the header is out.
	dimsPos int64 // PixelWidth payload (PixelHeight follows 2 bytes after it)
	cpPos   int64 // reserved CodecPrivate region
}

// mkvMuxer writes one file. Not safe for concurrent use: one stream
// writer goroutine owns it.
type mkvMuxer struct {
	f       *os.File
	tracks  []*muxTrack
	started bool
	size    int64 // bytes written so far

	cluster     []byte // SimpleBlocks of the open cluster
	clusterTime int64  // ms
	clusterOpen bool
	scratch     []byte

	syncEvery time.Duration
	lastSync  time.Time
	err       error // first write error; the muxer stops writing after it
}

func newMkvMuxer(f *os.File, tracks []*muxTrack, syncEvery time.Duration) *mkvMuxer {
	return &mkvMuxer{f: f, tracks: tracks, syncEvery: syncEvery, lastSync: time.Now()}
}

func (m *mkvMuxer) track(number int) *muxTrack {
	for _, t := range m.tracks {
		if t.number == number {
			return t
		}
	}
	return nil
}

// webm reports whether the file is WebM (VP8/VP9/Opus only) rather than
// generic Matroska (H.264).
func (m *mkvMuxer) webm() bool {
	for _, t := range m.tracks {
		if t.codec == codecH264 {
			return false
		}
	}
	return true
}

// beginMaster appends a master element with an 8-byte size to be set by endMaster.
func beginMaster(b []byte, id uint32) ([]byte, int) {
	b = appendID(b, id)
	at := len(b)
	return append(b, unknownSize...), at
}

func endMaster(b []byte, at int) []byte {
	n := uint64(len(b) - at - 8)
	appendSizeWidth(b[at:at], n, 8) // writes into b's own storage
	return b
}

// opusHead is the Ogg/Matroska Opus identification header (RFC 7845 §5.1)
// for WebRTC's opus/48000/2: no pre-skip is known, none is applied.
func opusHead() []byte {
	h := []byte("OpusHead")
	h = append(h, 1, 2, 0, 0)
	h = binary.LittleEndian.AppendUint32(h, 48000)
	return append(h, 0, 0, 0)
}

// writeHeader writes everything up to the first Cluster in one call.
func (m *mkvMuxer) writeHeader() error {
	doc := "webm"
	if !m.webm() {
		doc = "matroska"
	}
	var b []byte
	var at int
	b, at = beginMaster(b, idEBML)
	b = appendUint(b, idEBMLVersion, 1)
	b = appendUint(b, idEBMLReadVersion, 1)
	b = appendUint(b, idEBMLMaxIDLength, 4)
	b = appendUint(b, idEBMLMaxSizeLength, 8)
	b = appendBytes(b, idDocType, []byte(doc))
	b = appendUint(b, idDocTypeVersion, 4)
	b = appendUint(b, idDocTypeReadVersion, 2)
	b = endMaster(b, at)

	b = appendID(b, idSegment)
	b = append(b, unknownSize...)
	b = appendVoid(b, seekHeadReserve)
	b, at = beginMaster(b, idInfo)
	b = appendUint(b, idTimestampScale, 1000000)
	b = appendBytes(b, idMuxingApp, []byte("govidu"))
	b = appendBytes(b, idWritingApp, []byte("govidu"))
	b = appendVoid(b, durationReserve)
	b = endMaster(b, at)

	var tracks int
	b, tracks = beginMaster(b, idTracks)
	for _, t := range m.tracks {
		var entry int
		b, entry = beginMaster(b, idTrackEntry)
		b = appendUint(b, idTrackNumber, uint64(t.number))
		b = appendUint(b, idTrackUID, uint64(t.number))
		if t.codec.video() {
			b = appendUint(b, idTrackType, 1)
		} else {
			b = appendUint(b, idTrackType, 2)
		}
		b = appendUint(b, idFlagLacing, 0)
		b = appendBytes(b, idCodecID, []byte(t.codec.matroskaID()))
		switch t.codec {
		case codecOpus:
			b = appendBytes(b, idCodecPrivate, opusHead())
			b = appendUint(b, idCodecDelay, 0)
			b = appendUint(b, idSeekPreRoll, 80000000)
			var audio int
			b, audio = beginMaster(b, idAudio)
			b = appendFloat(b, idSamplingFrequency, 48000)
			b = appendUint(b, idChannels, 2)
			b = endMaster(b, audio)
		case codecH264:
			t.cpPos = m.size + int64(len(b))
			b = append(b, codecPrivateRegion(t.codecPrivate)...)
		}
		if t.codec.video() {
			var video int
			b, video = beginMaster(b, idVideo)
			t.dimsPos = m.size + int64(len(b)) + 2 // after PixelWidth's ID and size
			b = appendUintFixed(b, idPixelWidth, uint32(orDefault(t.width, 640)))
			b = appendUintFixed(b, idPixelHeight, uint32(orDefault(t.height, 480)))
			b = endMaster(b, video)
		}
		b = endMaster(b, entry)
	}
	b = endMaster(b, tracks)
	if err := m.write(b); err != nil {
		return err
	}
	m.started = true
	return nil
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// codecPrivateRegion is the fixed-size area of an H.264 track entry: a
// CodecPrivate (when known) followed by a Void filling the rest.
func codecPrivateRegion(avcC []byte) []byte {
	if len(avcC) == 0 || len(avcC) > codecPrivateReserve-6 {
		return appendVoid(nil, codecPrivateReserve)
	}
	b := appendID(nil, idCodecPrivate)
	w := 4
	rest := codecPrivateReserve - 2 - w - len(avcC)
	if rest == 1 {
		w, rest = 5, 0
	}
	b = appendSizeWidth(b, uint64(len(avcC)), w)
	b = append(b, avcC...)
	if rest > 0 {
		b = appendVoid(b, rest)
	}
	return b
}

// setVideo records a video track's size and avcC, patching the header
// when it is written already (the first keyframe may come after it).
func (m *mkvMuxer) setVideo(number, width, height int, avcC []byte) {
	t := m.track(number)
	if t == nil {
		return
	}
	if width > 0 && height > 0 && !t.dimsKnown {
		t.dimsKnown = true
		changed := width != t.width || height != t.height
		t.width, t.height = width, height
		if m.started && changed {
			var b [10]byte
			binary.BigEndian.PutUint32(b[0:], uint32(width))
			b[4], b[5] = byte(idPixelHeight), 0x84
			binary.BigEndian.PutUint32(b[6:], uint32(height))
			m.writeAt(b[:], t.dimsPos)
		}
	}
	if t.codec == codecH264 && len(avcC) > 0 && t.codecPrivate == nil {
		t.codecPrivate = append([]byte(nil), avcC...)
		if m.started {
			m.writeAt(codecPrivateRegion(avcC), t.cpPos)
		}
	}
}

// writeFrame adds one frame at t ms (file time). Frames of a track come in
// order; across tracks they come nearly in order (see interleaver).
func (m *mkvMuxer) writeFrame(number int, t int64, keyframe bool, data []byte) error {
	if m.err != nil {
		return m.err
	}
	if !m.started {
		if err := m.writeHeader(); err != nil {
			return err
		}
	}
	tr := m.track(number)
	if tr == nil {
		return fmt.Errorf("recording: no track %d", number)
	}
	span := t - m.clusterTime
	switch {
	case !m.clusterOpen:
		m.openCluster(t)
	case tr.codec.video() && keyframe && span > 0,
		span >= clusterMaxSpan.Milliseconds(), span < -30000,
		len(m.cluster) >= clusterMaxBytes:
		if err := m.flushCluster(); err != nil {
			return err
		}
		m.openCluster(t)
	}
	rel := t - m.clusterTime
	flags := byte(0)
	if keyframe || !tr.codec.video() {
		flags = 0x80
	}
	m.cluster = appendID(m.cluster, idSimpleBlock)
	m.cluster = appendSize(m.cluster, uint64(4+len(data)))
	m.cluster = append(m.cluster, 0x80|byte(number), byte(uint16(int16(rel))>>8), byte(uint16(int16(rel))), flags)
	m.cluster = append(m.cluster, data...)
	return nil
}

func (m *mkvMuxer) openCluster(t int64) {
	m.cluster = m.cluster[:0]
	m.clusterTime = max(t, 0)
	m.clusterOpen = true
}

// flushCluster writes the open cluster in one call, then syncs the file
// to disk when the last sync is older than syncEvery.
func (m *mkvMuxer) flushCluster() error {
	if !m.clusterOpen || len(m.cluster) == 0 {
		m.clusterOpen = false
		return m.err
	}
	ts := appendUint(nil, idTimestamp, uint64(m.clusterTime))
	b := appendID(m.scratch[:0], idCluster)
	b = appendSize(b, uint64(len(ts)+len(m.cluster)))
	b = append(b, ts...)
	b = append(b, m.cluster...)
	m.scratch = b[:0]
	m.clusterOpen = false
	m.cluster = m.cluster[:0]
	if err := m.write(b); err != nil {
		return err
	}
	if m.syncEvery > 0 && time.Since(m.lastSync) >= m.syncEvery {
		m.lastSync = time.Now()
		if err := m.f.Sync(); err != nil {
			m.err = fmt.Errorf("recording: sync %s: %w", m.f.Name(), err)
			return m.err
		}
	}
	return nil
}

func (m *mkvMuxer) write(b []byte) error {
	if m.err != nil {
		return m.err
	}
	n, err := m.f.Write(b)
	m.size += int64(n)
	if err != nil {
		m.err = fmt.Errorf("recording: write %s: %w", m.f.Name(), err)
	}
	return m.err
}

func (m *mkvMuxer) writeAt(b []byte, off int64) {
	if m.err != nil {
		return
	}
	if _, err := m.f.WriteAt(b, off); err != nil {
		m.err = fmt.Errorf("recording: patch %s: %w", m.f.Name(), err)
	}
}

// close writes what is buffered and syncs; the file keeps an unknown
// Segment size until finalizeMatroska. started is false when no frame was
// ever written (the file is then empty).
func (m *mkvMuxer) close() error {
	err := m.flushCluster()
	if serr := m.f.Sync(); err == nil && serr != nil {
		err = serr
	}
	if cerr := m.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}
