package rtcclient

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// Statistics kept per received track. They are owned by the track's read
// goroutine and snapshotted under the subscription's lock, so none of them
// is safe for concurrent use on its own.

// SeqTracker counts unique, duplicate and missing RTP packets from their
// 16-bit sequence numbers, extended across wraparounds. A window of the
// last seqWindow sequence numbers tells retransmissions (filling a gap)
// from duplicates.
type SeqTracker struct {
	started    bool
	base       int64 // lowest extended sequence number seen
	highest    int64 // highest extended sequence number seen
	received   uint64
	duplicates uint64
	window     [seqWindow / 64]uint64 // bit e%seqWindow: extended seq e was received
}

const seqWindow = 1024

// Observe records one packet. It reports whether the packet is new (not a duplicate).
func (s *SeqTracker) Observe(seq uint16) bool {
	if !s.started {
		s.started = true
		s.base, s.highest = int64(seq), int64(seq)
		s.received = 1
		s.mark(int64(seq))
		return true
	}
	ext := s.highest + int64(int16(seq-uint16(s.highest)))
	switch {
	case ext > s.highest:
		if ext-s.highest >= seqWindow {
			clear(s.window[:])
		} else {
			for e := s.highest + 1; e <= ext; e++ { // slots last used seqWindow ago
				s.unmark(e)
			}
		}
		s.highest = ext
	case ext <= s.highest-seqWindow:
		// Too old for the window: count it, it cannot be told from a duplicate.
		if ext < s.base {
			s.base = ext
		}
		s.received++
		return true
	}
	if ext < s.base {
		s.base = ext
	}
	if s.marked(ext) {
		s.duplicates++
		return false
	}
	s.mark(ext)
	s.received++
	return true
}

func (s *SeqTracker) mark(e int64)        { s.window[(e%seqWindow)/64] |= 1 << (e % 64) }
func (s *SeqTracker) unmark(e int64)      { s.window[(e%seqWindow)/64] &^= 1 << (e % 64) }
func (s *SeqTracker) marked(e int64) bool { return s.window[(e%seqWindow)/64]&(1<<(e%64)) != 0 }

// Expected is the number of packets between the first and the highest sequence number.
func (s *SeqTracker) Expected() uint64 {
	if !s.started {
		return 0
	}
	return uint64(s.highest - s.base + 1)
}

// Received is the number of distinct packets received.
func (s *SeqTracker) Received() uint64 { return s.received }

// Duplicates is the number of packets received more than once.
func (s *SeqTracker) Duplicates() uint64 { return s.duplicates }

// Lost is Expected − Received, never negative.
func (s *SeqTracker) Lost() uint64 {
	if e := s.Expected(); e > s.received {
		return e - s.received
	}
	return 0
}

// Jitter is the RTP interarrival jitter of RFC 3550 §6.4.1, in the
// stream's clock units internally.
type Jitter struct {
	clockRate   float64
	started     bool
	prevTransit float64
	j           float64
}

// NewJitter returns an estimator for a clock rate in Hz (90000 video, 48000 Opus).
func NewJitter(clockRate uint32) Jitter { return Jitter{clockRate: float64(clockRate)} }

// Observe records a packet's RTP timestamp and its arrival time (ns).
func (j *Jitter) Observe(rtpTS uint32, arrival int64) {
	transit := float64(arrival)*j.clockRate/1e9 - float64(rtpTS)
	if !j.started {
		j.started = true
		j.prevTransit = transit
		return
	}
	d := transit - j.prevTransit
	j.prevTransit = transit
	// The RTP timestamp wraps: fold differences into one period.
	const period = 1 << 32
	if d > period/2 {
		d -= period
	} else if d < -period/2 {
		d += period
	}
	j.j += (math.Abs(d) - j.j) / 16
}

// Value is the current jitter estimate.
func (j *Jitter) Value() time.Duration {
	if j.clockRate == 0 {
		return 0
	}
	return time.Duration(j.j / j.clockRate * 1e9)
}

// Histogram records durations in microseconds in log-linear buckets:
// exact below 64 µs, then 32 buckets per power of two (≤ 3.2 % error).
// 4 KiB, no allocation per sample.
type Histogram struct {
	counts [histBuckets]uint32
	n      uint64
	sum    int64 // µs
	max    int64 // µs
}

const (
	histSubBits  = 5
	histSub      = 1 << histSubBits // buckets per power of two
	histLinear   = 2 * histSub      // values below this are their own bucket
	histMaxShift = 31
	histBuckets  = histLinear + histMaxShift*histSub
)

func histBucket(us int64) int {
	if us < histLinear {
		if us < 0 {
			return 0
		}
		return int(us)
	}
	shift := bits.Len64(uint64(us)) - histSubBits - 1
	if shift > histMaxShift {
		return histBuckets - 1
	}
	mant := us >> shift // in [histSub, 2*histSub)
	return histLinear + (shift-1)*histSub + int(mant-histSub)
}

// histValue is the middle of bucket b, in µs.
func histValue(b int) int64 {
	if b < histLinear {
		return int64(b)
	}
	shift := (b-histLinear)/histSub + 1
	mant := int64((b-histLinear)%histSub + histSub)
	lo := mant << shift
	return lo + (int64(1)<<shift)/2
}

// Record adds one duration.
func (h *Histogram) Record(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.counts[histBucket(us)]++
	h.n++
	h.sum += us
	if us > h.max {
		h.max = us
	}
}

// Merge adds o's samples.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Mean is the average sample.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum/int64(h.n)) * time.Microsecond
}

// Max is the largest sample (exact).
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) * time.Microsecond }

// Quantile returns the q-quantile (0 < q ≤ 1) by nearest rank.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for b, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			v := histValue(b)
			return time.Duration(min(v, h.max)) * time.Microsecond
		}
	}
	return h.Max()
}

// Percentile is the p-th percentile (0 < p ≤ 100) of exact samples by
// nearest rank; 0 for no samples. samples is not modified.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}
