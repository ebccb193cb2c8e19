package media

// Counter is a running total fed by the media path (internal/metrics'
// counters satisfy it). Add must not allocate or block.
type Counter interface{ Add(n uint64) }

// Counters receive the engine's traffic totals (Prometheus /metrics);
// nil fields are not counted. The read loops add up per packet locally
// and flush in batches, so the per-packet cost is a few local increments.
type Counters struct {
	PacketsReceived  Counter // RTP with payload from publishers
	BytesReceived    Counter
	PacketsForwarded Counter // RTP written to subscribers, retransmissions included
	BytesForwarded   Counter
	NACKs            Counter // NACK packets received from subscribers
	PLIs             Counter // keyframe requests sent to publishers
}

func add(c Counter, n uint64) {
	if c != nil && n > 0 {
		c.Add(n)
	}
}

// trafficBatch accumulates one read loop's counts between flushes.
type trafficBatch struct {
	inPackets, inBytes, outPackets, outBytes uint64
}

// Flush thresholds: small enough that a measuring window of a few seconds
// sees the counters current to within a fraction of a percent.
const (
	flushInPackets  = 16
	flushOutPackets = 256
)

func (b *trafficBatch) flush(c *Counters) {
	if c != nil {
		add(c.PacketsReceived, b.inPackets)
		add(c.BytesReceived, b.inBytes)
		add(c.PacketsForwarded, b.outPackets)
		add(c.BytesForwarded, b.outBytes)
	}
	*b = trafficBatch{}
}
