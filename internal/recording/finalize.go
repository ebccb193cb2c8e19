package recording

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// finalizeMatroska turns a file written by mkvMuxer — complete, or cut
// anywhere by a crash — into a finished one: everything after the last
// complete Cluster is dropped, then Cues, the Segment size, Duration and a
// SeekHead are written. Running it again on its own output gives the same
// file, so an interrupted finalization is simply redone.

// errNoMedia: the file has no complete cluster (nothing playable).
var errNoMedia = errors.New("no media was written")

// fileTrack summarises one track of a finalized file.
type fileTrack struct {
	number int
	codec  codec
	width  int
	height int
	blocks int
	first  int64 // ms of the first block
	last   int64 // ms of the last block
	step   int64 // last gap between blocks, ms (the last frame's duration estimate)
}

// fileSummary is what finalizeMatroska found.
type fileSummary struct {
	size     int64
	duration int64 // ms, from time 0 to the end of the last frame
	tracks   []*fileTrack
}

func (s fileSummary) track(video bool) *fileTrack {
	for _, t := range s.tracks {
		if t.codec.video() == video && t.blocks > 0 {
			return t
		}
	}
	return nil
}

// matroskaLayout is what a scan of the file found.
type matroskaLayout struct {
	segSizePos   int64 // the Segment's 8-byte size field
	segData      int64 // first byte of the Segment's payload
	seekHeadPos  int64 // the reserved Void (or an earlier SeekHead)
	seekHeadLen  int64
	durationPos  int64 // the Void (or Duration) inside Info
	infoPos      int64
	tracksPos    int64
	end          int64 // end of the last complete cluster (or of Tracks)
	cues         []cuePoint
	tracks       []*fileTrack
	clusterCount int
}

type cuePoint struct {
	time     int64
	track    int
	position int64 // relative to segData
}

func finalizeMatroska(path string) (fileSummary, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fileSummary{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fileSummary{}, err
	}
	lay, err := scanMatroska(f, st.Size())
	if err != nil {
		return fileSummary{}, fmt.Errorf("%s: %w", path, err)
	}
	if lay.clusterCount == 0 {
		return fileSummary{}, fmt.Errorf("%s: %w", path, errNoMedia)
	}
	if err := f.Truncate(lay.end); err != nil {
		return fileSummary{}, err
	}
	cues := buildCues(lay)
	if _, err := f.WriteAt(cues, lay.end); err != nil {
		return fileSummary{}, err
	}
	end := lay.end + int64(len(cues))
	var size [8]byte
	appendSizeWidth(size[:0], uint64(end-lay.segData), 8)
	if _, err := f.WriteAt(size[:], lay.segSizePos); err != nil {
		return fileSummary{}, err
	}
	sum := fileSummary{size: end, tracks: lay.tracks}
	for _, t := range lay.tracks {
		if t.blocks > 0 {
			step := t.step
			if step <= 0 || step > 1000 {
				step = 20
			}
			sum.duration = max(sum.duration, t.last+step)
		}
	}
	if lay.durationPos > 0 {
		if _, err := f.WriteAt(appendFloat(nil, idDuration, float64(sum.duration)), lay.durationPos); err != nil {
			return fileSummary{}, err
		}
	}
	if sh := seekHead(lay, lay.end); int64(len(sh))+2 <= lay.seekHeadLen {
		sh = appendVoid(sh, int(lay.seekHeadLen)-len(sh))
		if _, err := f.WriteAt(sh, lay.seekHeadPos); err != nil {
			return fileSummary{}, err
		}
	}
	if err := f.Sync(); err != nil {
		return fileSummary{}, err
	}
	return sum, f.Close()
}

// scanMatroska walks the top level of a file written by mkvMuxer.
func scanMatroska(r io.ReaderAt, fileSize int64) (*matroskaLayout, error) {
	ebml, err := readElement(r, 0)
	if err != nil || ebml.id != idEBML || ebml.size < 0 {
		return nil, fmt.Errorf("not a Matroska file")
	}
	seg, err := readElement(r, ebml.end())
	if err != nil || seg.id != idSegment || seg.header != 12 {
		return nil, fmt.Errorf("no Segment after the EBML header: %w", errNoMedia)
	}
	lay := &matroskaLayout{segSizePos: seg.sizePos, segData: seg.dataStart()}
	off := lay.segData
	for off < fileSize {
		e, err := readElement(r, off)
		if err != nil || e.size < 0 || e.end() > fileSize {
			break // a cut or garbage: the file ends here
		}
		switch e.id {
		case idVoid, idSeekHead:
			if off == lay.segData {
				lay.seekHeadPos, lay.seekHeadLen = off, e.end()-off
			}
		case idInfo:
			lay.infoPos = off
			lay.durationPos = findChild(r, e, idVoid, idDuration)
		case idTracks:
			lay.tracksPos = off
			lay.tracks, err = readTracks(r, e)
			if err != nil {
				return nil, err
			}
			lay.end = e.end()
		case idCluster:
			if lay.tracks == nil {
				return nil, fmt.Errorf("cluster before Tracks")
			}
			if !scanCluster(r, e, lay) {
				off = fileSize // a damaged cluster: keep what precedes it
				continue
			}
			lay.end = e.end()
			lay.clusterCount++
		default: // Cues of an earlier finalization, or garbage
			off = fileSize
			continue
		}
		off = e.end()
	}
	if lay.tracksPos == 0 {
		return nil, fmt.Errorf("the header is incomplete: %w", errNoMedia)
	}
	return lay, nil
}

// findChild returns the offset of the first child of parent with one of ids.
func findChild(r io.ReaderAt, parent element, ids ...uint32) int64 {
	for off := parent.dataStart(); off < parent.end(); {
		e, err := readElement(r, off)
		if err != nil || e.size < 0 {
			return 0
		}
		for _, id := range ids {
			if e.id == id {
				return off
			}
		}
		off = e.end()
	}
	return 0
}

func readPayload(r io.ReaderAt, e element) ([]byte, error) {
	if e.size < 0 || e.size > 64<<20 {
		return nil, fmt.Errorf("element too large")
	}
	b := make([]byte, e.size)
	_, err := r.ReadAt(b, e.dataStart())
	return b, err
}

func readTracks(r io.ReaderAt, tracks element) ([]*fileTrack, error) {
	payload, err := readPayload(r, tracks)
	if err != nil {
		return nil, err
	}
	var out []*fileTrack
	for _, entry := range children(payload) {
		if entry.id != idTrackEntry {
			continue
		}
		t := &fileTrack{}
		for _, c := range children(entry.data) {
			switch c.id {
			case idTrackNumber:
				t.number = int(readUintPayload(c.data))
			case idCodecID:
				switch string(c.data) {
				case "A_OPUS":
					t.codec = codecOpus
				case "V_VP8":
					t.codec = codecVP8
				case "V_VP9":
					t.codec = codecVP9
				case "V_MPEG4/ISO/AVC":
					t.codec = codecH264
				}
			case idVideo:
				for _, v := range children(c.data) {
					switch v.id {
					case idPixelWidth:
						t.width = int(readUintPayload(v.data))
					case idPixelHeight:
						t.height = int(readUintPayload(v.data))
					}
				}
			}
		}
		if t.number > 0 && t.codec != 0 {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no known track")
	}
	return out, nil
}

type child struct {
	id   uint32
	data []byte
}

// children splits a master element's payload (stops at anything malformed).
func children(b []byte) []child {
	var out []child
	for len(b) > 0 {
		id, n, ok := readID(b)
		if !ok {
			break
		}
		size, m, unknown, ok := readSize(b[n:])
		if !ok || unknown || uint64(len(b)-n-m) < size {
			break
		}
		out = append(out, child{id: id, data: b[n+m : n+m+int(size)]})
		b = b[n+m+int(size):]
	}
	return out
}

// scanCluster checks one cluster and collects its blocks' times. False
// means it is damaged.
func scanCluster(r io.ReaderAt, e element, lay *matroskaLayout) bool {
	payload, err := readPayload(r, e)
	if err != nil {
		return false
	}
	cs := children(payload)
	if len(cs) == 0 || cs[0].id != idTimestamp {
		return false
	}
	base := int64(readUintPayload(cs[0].data))
	first := true
	for _, c := range cs[1:] {
		if c.id != idSimpleBlock || len(c.data) < 4 || c.data[0]&0x80 == 0 {
			return false
		}
		num := int(c.data[0] & 0x7F)
		t := base + int64(int16(binary.BigEndian.Uint16(c.data[1:3])))
		key := c.data[3]&0x80 != 0
		var tr *fileTrack
		for _, x := range lay.tracks {
			if x.number == num {
				tr = x
			}
		}
		if tr == nil {
			return false
		}
		if tr.blocks == 0 {
			tr.first = t
		} else if t > tr.last {
			tr.step = t - tr.last
		}
		tr.blocks++
		tr.last = max(tr.last, t)
		if first && (key && tr.codec.video() || !hasVideoTrack(lay.tracks)) {
			lay.cues = append(lay.cues, cuePoint{time: t, track: num, position: e.offset - lay.segData})
		}
		first = false
	}
	return true
}

func hasVideoTrack(ts []*fileTrack) bool {
	for _, t := range ts {
		if t.codec.video() {
			return true
		}
	}
	return false
}

func buildCues(lay *matroskaLayout) []byte {
	var points []byte
	last := int64(math.MinInt64)
	for _, c := range lay.cues {
		if c.time == last {
			continue
		}
		last = c.time
		var pos []byte
		pos = appendUint(pos, idCueTrack, uint64(c.track))
		pos = appendUint(pos, idCueClusterPosition, uint64(c.position))
		var cp []byte
		cp = appendUint(cp, idCueTime, uint64(max(c.time, 0)))
		cp = appendMaster(cp, idCueTrackPositions, pos)
		points = appendMaster(points, idCuePoint, cp)
	}
	if len(points) == 0 {
		return nil
	}
	return appendMaster(nil, idCues, points)
}

func seekHead(lay *matroskaLayout, cuesPos int64) []byte {
	entry := func(b []byte, id uint32, pos int64) []byte {
		var idb [4]byte
		binary.BigEndian.PutUint32(idb[:], id)
		var s []byte
		s = appendBytes(s, idSeekID, idb[:])
		s = appendID(s, idSeekPosition)
		s = append(s, 0x88)
		s = binary.BigEndian.AppendUint64(s, uint64(pos-lay.segData))
		return appendMaster(b, idSeek, s)
	}
	var b []byte
	b = entry(b, idInfo, lay.infoPos)
	b = entry(b, idTracks, lay.tracksPos)
	if len(lay.cues) > 0 {
		b = entry(b, idCues, cuesPos)
	}
	return appendMaster(nil, idSeekHead, b)
}
