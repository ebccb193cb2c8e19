package rtcclient

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestSeqTrackerWraparound(t *testing.T) {
	var s SeqTracker
	// 65530 … 65535, 0 … 9: sixteen packets across the wrap, 65533 and 3 lost.
	for seq := uint16(65530); seq != 10; seq++ {
		if seq == 65533 || seq == 3 {
			continue
		}
		if !s.Observe(seq) {
			t.Fatalf("seq %d reported as duplicate", seq)
		}
	}
	if got, want := s.Expected(), uint64(16); got != want {
		t.Errorf("expected = %d, want %d", got, want)
	}
	if got := s.Lost(); got != 2 {
		t.Errorf("lost = %d, want 2", got)
	}
	// A retransmission fills a gap; a duplicate does not count.
	if !s.Observe(65533) {
		t.Error("retransmission of 65533 taken for a duplicate")
	}
	if s.Observe(5) {
		t.Error("duplicate of 5 taken for new")
	}
	if s.Lost() != 1 || s.Duplicates() != 1 || s.Received() != 15 {
		t.Errorf("lost %d dup %d received %d, want 1 1 15", s.Lost(), s.Duplicates(), s.Received())
	}
}

func TestSeqTrackerReorderAndLongRun(t *testing.T) {
	var s SeqTracker
	// Several wraps, every 100th packet lost, pairs swapped.
	const n = 200_000
	start := uint16(60000)
	lost := 0
	for i := 0; i < n; i += 2 {
		a, b := start+uint16(i), start+uint16(i+1)
		if i%100 == 50 {
			lost++
		} else {
			s.Observe(b) // out of order
			s.Observe(a)
			continue
		}
		s.Observe(b)
	}
	if s.Expected() != n {
		t.Errorf("expected = %d, want %d", s.Expected(), n)
	}
	if int(s.Lost()) != lost {
		t.Errorf("lost = %d, want %d", s.Lost(), lost)
	}
	if s.Duplicates() != 0 {
		t.Errorf("duplicates = %d", s.Duplicates())
	}
}

func TestSeqTrackerFirstPacketsReordered(t *testing.T) {
	var s SeqTracker
	s.Observe(100)
	s.Observe(99) // arrived late: the stream started at 99
	s.Observe(101)
	if s.Expected() != 3 || s.Lost() != 0 {
		t.Errorf("expected %d lost %d, want 3 0", s.Expected(), s.Lost())
	}
}

func TestSeqTrackerBigJump(t *testing.T) {
	var s SeqTracker
	s.Observe(0)
	s.Observe(5000) // a gap larger than the window
	s.Observe(4000) // now older than the window: counted, not a duplicate
	if s.Expected() != 5001 || s.Received() != 3 || s.Lost() != 4998 {
		t.Errorf("expected %d received %d lost %d", s.Expected(), s.Received(), s.Lost())
	}
}

func TestJitter(t *testing.T) {
	// Perfectly paced 20 ms Opus: no jitter.
	j := NewJitter(48000)
	base := time.Now().UnixNano()
	ts := uint32(4294960000) // wraps during the run
	for i := 0; i < 500; i++ {
		j.Observe(ts, base+int64(i)*int64(20*time.Millisecond))
		ts += 960
	}
	if v := j.Value(); v > 10*time.Microsecond {
		t.Errorf("paced stream jitter = %v, want ~0", v)
	}
	// Alternating ±2 ms around the schedule: |D| = 4 ms, so J → 4 ms.
	j = NewJitter(90000)
	ts = 0
	for i := 0; i < 2000; i++ {
		off := int64(2 * time.Millisecond)
		if i%2 == 1 {
			off = -off
		}
		j.Observe(ts, base+int64(i)*int64(33*time.Millisecond)+off)
		ts += 2970
	}
	if v := j.Value(); v < 3900*time.Microsecond || v > 4100*time.Microsecond {
		t.Errorf("alternating jitter = %v, want ~4ms", v)
	}
}

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	rand.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	orig := slices.Clone(s)
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {95, 95 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := Percentile(s, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if !slices.Equal(s, orig) {
		t.Error("Percentile modified its input")
	}
	if Percentile(nil, 50) != 0 {
		t.Error("empty input")
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("single sample p99 = %v", got)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h Histogram
	var exact []time.Duration
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 50_000; i++ {
		// Log-uniform from 10 µs to 1 s.
		d := time.Duration(10e3 * math.Pow(1e5, r.Float64()))
		h.Record(d)
		exact = append(exact, d)
	}
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
		got, want := h.Quantile(q), Percentile(exact, q*100)
		if ratio := float64(got) / float64(want); ratio < 0.96 || ratio > 1.04 {
			t.Errorf("q%v = %v, exact %v (ratio %.3f)", q, got, want, ratio)
		}
	}
	if h.Count() != 50_000 || h.Max() != Percentile(exact, 100).Truncate(time.Microsecond) {
		t.Errorf("count %d max %v", h.Count(), h.Max())
	}
	// Small values are exact; merging adds up.
	var a, b Histogram
	a.Record(5 * time.Microsecond)
	b.Record(7 * time.Microsecond)
	b.Record(7 * time.Microsecond)
	a.Merge(&b)
	if a.Count() != 3 || a.Quantile(0.5) != 7*time.Microsecond || a.Quantile(0.01) != 5*time.Microsecond {
		t.Errorf("merged: count %d p50 %v p1 %v", a.Count(), a.Quantile(0.5), a.Quantile(0.01))
	}
	var empty Histogram
	if empty.Quantile(0.99) != 0 || empty.Mean() != 0 {
		t.Error("empty histogram")
	}
	// Buckets are monotonic and cover huge values without overflow.
	prev := -1
	for us := int64(0); us < 1<<40; us = us*5/4 + 1 {
		b := histBucket(us)
		if b < prev || b >= histBuckets {
			t.Fatalf("bucket(%d) = %d after %d", us, b, prev)
		}
		prev = b
	}
}
