package recording

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
)

// streamWriter records one published stream into one Matroska/WebM file,
// as received: its own goroutine takes the packets the SFU's taps copied,
// reorders them into frames (assembler), timestamps the frames on the
// recording's clock, interleaves audio and video and hands them to the
// muxer. The SFU's forwarding path never waits for it: when its queue is
// full, packets are dropped (and counted) and the loss is handled like a
// network loss.

// Timing of a stream writer.
const (
	queueSize        = 4096                   // packets waiting for the writer goroutine
	videoMaxWait     = 500 * time.Millisecond // a missing video packet (NACK retransmissions have time)
	audioMaxWait     = 150 * time.Millisecond
	interleaveHold   = 700 * time.Millisecond // frames wait this long for earlier ones of the other track
	headerWait       = 2 * time.Second        // how long the header waits for every track's first frame
	keyframeRetry    = time.Second            // keyframe requests while waiting for one
	writerTick       = 50 * time.Millisecond  // held frames are released this often
	driftLimit       = 3 * time.Second        // RTP time this far from arrival time is re-anchored
	defaultSyncEvery = 2 * time.Second        // fsync period of a file being written
)

// trackSpec is one track a writer records.
type trackSpec struct {
	codec codec
	// width/height: the size the browser announced, used until the first
	// keyframe tells the real one.
	width, height int
}

// writerConfig configures a stream writer.
type writerConfig struct {
	path      string
	origin    time.Time // the recording's createdAt: time 0 of offsets
	audio     *trackSpec
	video     *trackSpec
	now       func() time.Time
	keyframe  func()        // asks the publisher for a keyframe
	keyEvery  time.Duration // periodic keyframe requests (composition seeks), 0 = none
	syncEvery time.Duration
	onStart   func(startOffset int64) // file time 0, ms after origin; on the writer goroutine
	log       *slog.Logger
}

// writerTrack is the writer's state of one track.
type writerTrack struct {
	number int
	codec  codec
	clock  int64
	asm    *assembler
	h264   *h264Format

	// timing on the recording clock, ns after origin
	anchored   bool
	ssrc       uint32
	lastTS     uint32
	extTS      int64
	anchorTS   int64
	anchorTime int64
	lastTime   int64
	started    bool // a frame was handed on
}

type heldFrame struct {
	track *writerTrack
	at    int64 // ns after origin
	key   bool
	data  []byte
}

// writerResult is what a stopped writer reports.
type writerResult struct {
	startOffset int64 // ms after origin of file time 0; -1 when nothing was written
	err         error
}

type streamWriter struct {
	cfg    writerConfig
	queue  chan *packet
	stopCh chan struct{}
	done   chan struct{}
	once   sync.Once

	f      *os.File
	mux    *mkvMuxer
	tracks []*writerTrack
	audio  *writerTrack
	video  *writerTrack

	held       []heldFrame
	firstFrame int64 // ns after origin when the first frame was emitted; -1 = none
	origin     int64 // ms after origin of file time 0; -1 = header not written
	lastKeyReq time.Time
	lastPeriod time.Time

	queueDrops atomic.Uint64
	started    chan struct{} // closed when the first frame is assembled
	videoStart atomic.Int64  // ms after origin of the first video frame written; -1 = none
	audioStart atomic.Int64
	written    atomic.Int64 // ms after origin of the latest frame written
	result     writerResult
}

func newStreamWriter(cfg writerConfig) (*streamWriter, error) {
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.syncEvery == 0 {
		cfg.syncEvery = defaultSyncEvery
	}
	if cfg.log == nil {
		cfg.log = slog.Default()
	}
	f, err := os.OpenFile(cfg.path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	w := &streamWriter{
		cfg: cfg, queue: make(chan *packet, queueSize), stopCh: make(chan struct{}), done: make(chan struct{}),
		f: f, firstFrame: -1, origin: -1, started: make(chan struct{}),
	}
	w.videoStart.Store(-1)
	w.audioStart.Store(-1)
	w.written.Store(-1)
	var mts []*muxTrack
	add := func(spec *trackSpec, clock int64, maxWait time.Duration) *writerTrack {
		t := &writerTrack{number: len(w.tracks) + 1, codec: spec.codec, clock: clock, asm: newAssembler(spec.codec, maxWait)}
		if h, ok := t.asm.format.(*h264Format); ok {
			t.h264 = h
		}
		w.tracks = append(w.tracks, t)
		mts = append(mts, &muxTrack{number: t.number, codec: spec.codec, width: spec.width, height: spec.height})
		return t
	}
	if cfg.audio != nil {
		w.audio = add(cfg.audio, 48000, audioMaxWait)
	}
	if cfg.video != nil {
		w.video = add(cfg.video, 90000, videoMaxWait)
	}
	if len(w.tracks) == 0 {
		f.Close()
		os.Remove(cfg.path)
		return nil, errors.New("recording: a stream writer needs a track")
	}
	w.mux = newMkvMuxer(f, mts, cfg.syncEvery)
	if w.video != nil && cfg.keyframe != nil {
		cfg.keyframe()
		w.lastKeyReq = cfg.now()
	}
	w.lastPeriod = cfg.now()
	go w.run()
	return w, nil
}

// sink is the media.Sink of one track.
type sink struct {
	w     *streamWriter
	video bool
}

// WriteRTP copies the packet for the writer goroutine; never blocks.
func (s sink) WriteRTP(h *rtp.Header, payload []byte, _ bool, arrival int64) {
	p := &packet{video: s.video, ssrc: h.SSRC, seq: h.SequenceNumber, ts: h.Timestamp, marker: h.Marker,
		arrival: arrival, payload: append([]byte(nil), payload...)}
	select {
	case s.w.queue <- p:
	default:
		s.w.queueDrops.Add(1)
	}
}

func (w *streamWriter) sink(video bool) sink { return sink{w: w, video: video} }

// stop flushes everything, closes the file and finalizes it. The taps
// must be detached first.
func (w *streamWriter) stop() writerResult {
	w.once.Do(func() { close(w.stopCh) })
	<-w.done
	return w.result
}

func (w *streamWriter) run() {
	defer close(w.done)
	tick := time.NewTicker(writerTick)
	defer tick.Stop()
	for {
		select {
		case p := <-w.queue:
			w.handle(p)
		case <-tick.C:
			w.onTick()
		case <-w.stopCh:
			for {
				select {
				case p := <-w.queue:
					w.handle(p)
					continue
				default:
				}
				break
			}
			w.finish()
			return
		}
	}
}

func (w *streamWriter) nowNs() int64 { return w.cfg.now().Sub(w.cfg.origin).Nanoseconds() }

func (w *streamWriter) handle(p *packet) {
	t := w.audio
	if p.video {
		t = w.video
	}
	if t == nil {
		return
	}
	// The jitter buffer runs on arrival time: a backlog in our queue (a
	// slow disk, a busy machine) never looks like network loss.
	now := w.cfg.now()
	t.asm.push(p, p.arrival, func(f frame) { w.emit(t, f) })
	if t == w.video && t.asm.needKey && w.cfg.keyframe != nil && now.Sub(w.lastKeyReq) >= keyframeRetry {
		w.lastKeyReq = now // a loss broke the picture: ask at once, not at the next tick
		w.cfg.keyframe()
	}
}

func (w *streamWriter) onTick() {
	now := w.cfg.now()
	w.release(w.nowNs(), false)
	if v := w.video; v != nil && w.cfg.keyframe != nil {
		waiting := v.asm.needKey && now.Sub(w.lastKeyReq) >= keyframeRetry
		periodic := w.cfg.keyEvery > 0 && now.Sub(w.lastPeriod) >= w.cfg.keyEvery
		if waiting || periodic {
			w.lastKeyReq = now
			if periodic {
				w.lastPeriod = now
			}
			w.cfg.keyframe()
		}
	}
}

// emit takes a frame out of a track's assembler: timestamp it and hold
// it for interleaving.
func (w *streamWriter) emit(t *writerTrack, f frame) {
	at := t.mediaTime(f, w.cfg.origin.UnixNano())
	if f.keyframe && t.codec.video() {
		var width, height int
		var avcC []byte
		switch t.codec {
		case codecVP8:
			width, height = vp8Size(f.data)
		case codecVP9:
			width, height = vp9Size(f.data)
		case codecH264:
			width, height = h264Size(t.h264.sps)
			avcC = t.h264.avcC()
		}
		w.mux.setVideo(t.number, width, height, avcC)
	}
	if w.firstFrame < 0 {
		w.firstFrame = w.nowNs()
		close(w.started) // media flows and decodes: it is written within interleaveHold
	}
	t.started = true
	i := sort.Search(len(w.held), func(i int) bool { return w.held[i].at > at })
	w.held = append(w.held, heldFrame{})
	copy(w.held[i+1:], w.held[i:])
	w.held[i] = heldFrame{track: t, at: at, key: f.keyframe, data: f.data}
}

// mediaTime maps a frame's RTP timestamp to ns after the recording's
// origin: anchored at the arrival of the track's first frame (and again
// after a source change or a clock jump), then following RTP time.
func (t *writerTrack) mediaTime(f frame, originNs int64) int64 {
	arrival := f.arrival - originNs
	if !t.anchored || f.ssrc != t.ssrc {
		t.anchored, t.ssrc, t.lastTS = true, f.ssrc, f.ts
		t.extTS, t.anchorTS, t.anchorTime = int64(f.ts), int64(f.ts), arrival
	} else {
		t.extTS += int64(int32(f.ts - t.lastTS))
		t.lastTS = f.ts
	}
	at := t.anchorTime + (t.extTS-t.anchorTS)*int64(time.Second)/t.clock
	if d := at - arrival; d > int64(driftLimit) || d < -int64(driftLimit) {
		t.anchorTS, t.anchorTime, at = t.extTS, arrival, arrival
	}
	at = max(at, t.lastTime, 0)
	t.lastTime = at
	return at
}

// release writes the held frames old enough (all of them when flushing).
// The header waits for every track's first frame, at most headerWait.
func (w *streamWriter) release(now int64, all bool) {
	if len(w.held) == 0 {
		return
	}
	if w.origin < 0 && !all {
		ready := true
		for _, t := range w.tracks {
			ready = ready && t.started
		}
		if !ready && now-w.firstFrame < int64(headerWait) {
			return
		}
	}
	n := 0
	for _, h := range w.held {
		if !all && h.at > now-int64(interleaveHold) {
			break
		}
		w.write(h)
		n++
	}
	w.held = append(w.held[:0], w.held[n:]...)
}

func (w *streamWriter) write(h heldFrame) {
	ms := h.at / int64(time.Millisecond)
	if w.origin < 0 {
		w.origin = ms
		if w.cfg.onStart != nil {
			w.cfg.onStart(ms)
		}
	}
	if err := w.mux.writeFrame(h.track.number, max(ms-w.origin, 0), h.key, h.data); err != nil {
		if w.result.err == nil {
			w.result.err = err
			w.cfg.log.Error("recording: writing a stream failed", "file", w.cfg.path, "err", err)
		}
		return
	}
	switch {
	case h.track == w.video && w.videoStart.Load() < 0:
		w.videoStart.Store(ms)
	case h.track == w.audio && w.audioStart.Load() < 0:
		w.audioStart.Store(ms)
	}
	w.written.Store(ms)
}

func (w *streamWriter) finish() {
	for _, t := range w.tracks {
		t.asm.flush(func(f frame) { w.emit(t, f) })
	}
	w.release(0, true)
	if err := w.mux.close(); err != nil && w.result.err == nil {
		w.result.err = err
	}
	w.result.startOffset = w.origin
	if drops := w.queueDrops.Load(); drops > 0 {
		w.cfg.log.Warn("recording: packets dropped because the disk did not keep up", "file", w.cfg.path, "packets", drops)
	}
	if !w.mux.started {
		os.Remove(w.cfg.path)
		if w.result.err == nil {
			w.result.err = fmt.Errorf("%s: %w", w.cfg.path, errNoMedia)
		}
	}
}
