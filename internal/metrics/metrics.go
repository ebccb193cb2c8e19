// Package metrics is govidu's Prometheus registry, served at /metrics. It
// keeps the session gauges itself (it is a core.Listener), counts webhook
// and CDR deliveries (it is a webhook.Observer), and hands typed counters to
// the media and recording code, whose hot paths increment them without
// allocating or locking.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "govidu"

// Counter only goes up. A nil *Counter is a valid no-op, so code under test
// may run without a Registry.
type Counter struct{ c prometheus.Counter }

// Inc adds one. No allocation, no lock.
func (c *Counter) Inc() {
	if c != nil {
		c.c.Inc()
	}
}

// Add adds n. No allocation, no lock.
func (c *Counter) Add(n uint64) {
	if c != nil {
		c.c.Add(float64(n))
	}
}

// Gauge goes up and down. A nil *Gauge is a no-op.
type Gauge struct{ g prometheus.Gauge }

func (g *Gauge) Inc() {
	if g != nil {
		g.g.Inc()
	}
}

func (g *Gauge) Dec() {
	if g != nil {
		g.g.Dec()
	}
}

func (g *Gauge) Set(v float64) {
	if g != nil {
		g.g.Set(v)
	}
}

// Histogram records a distribution (seconds for durations). A nil
// *Histogram is a no-op.
type Histogram struct{ h prometheus.Histogram }

func (h *Histogram) Observe(v float64) {
	if h != nil {
		h.h.Observe(v)
	}
}

// Registry holds every govidu metric. The exported fields are for the
// packages that feed them; they are set by New and never change.
type Registry struct {
	reg *prometheus.Registry

	// Sessions and participants, kept from core events (see OnEvent).
	Sessions         *Gauge   // open sessions
	Connections      *Gauge   // joined participants
	Publishers       *Gauge   // published streams
	Subscribers      *Gauge   // subscriptions (one per receiver and stream)
	SessionsCreated  *Counter // sessionCreated events
	ParticipantsSeen *Counter // participantJoined events

	// Media, for internal/media. "Received" is RTP from publishers,
	// "Forwarded" is RTP written to subscribers.
	PacketsReceived  *Counter
	BytesReceived    *Counter
	PacketsForwarded *Counter
	BytesForwarded   *Counter
	PacketsLost      *Counter   // from receiver reports and sequence gaps
	NACKs            *Counter   // NACKs received from subscribers
	PLIs             *Counter   // keyframe requests (PLI/FIR) sent to publishers
	Jitter           *Histogram // interarrival jitter, seconds
	RTT              *Histogram // round-trip time, seconds

	// Recording, for internal/recording.
	Recordings       *Gauge // recordings in progress
	RecordingsFailed *Counter

	webhookEvents  *prometheus.CounterVec
	webhookRetries *prometheus.CounterVec
	sinks          map[string]*sinkCounters // resolved once: no label lookups per event
}

type sinkCounters struct{ delivered, failed, dropped, retried prometheus.Counter }

// New returns a registry with govidu's metrics plus the Go runtime and
// process collectors (goroutines, memory, GC, file descriptors).
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	gauge := func(name, help string) *Gauge {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: name, Help: help})
		r.reg.MustRegister(g)
		return &Gauge{g}
	}
	counter := func(name, help string) *Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help})
		r.reg.MustRegister(c)
		return &Counter{c}
	}
	histogram := func(name, help string, buckets []float64) *Histogram {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets})
		r.reg.MustRegister(h)
		return &Histogram{h}
	}
	r.Sessions = gauge("sessions", "Open sessions.")
	r.Connections = gauge("connections", "Participants joined to a session.")
	r.Publishers = gauge("publishers", "Published streams.")
	r.Subscribers = gauge("subscribers", "Subscriptions: one per receiving participant and stream.")
	r.SessionsCreated = counter("sessions_created_total", "Sessions created.")
	r.ParticipantsSeen = counter("participants_joined_total", "Participants that joined a session.")

	r.PacketsReceived = counter("rtp_packets_received_total", "RTP packets received from publishers.")
	r.BytesReceived = counter("rtp_bytes_received_total", "RTP bytes received from publishers.")
	r.PacketsForwarded = counter("rtp_packets_forwarded_total", "RTP packets sent to subscribers.")
	r.BytesForwarded = counter("rtp_bytes_forwarded_total", "RTP bytes sent to subscribers.")
	r.PacketsLost = counter("rtp_packets_lost_total", "RTP packets reported lost.")
	r.NACKs = counter("rtcp_nacks_total", "NACKs received from subscribers.")
	r.PLIs = counter("rtcp_plis_total", "Keyframe requests (PLI/FIR) sent to publishers.")
	r.Jitter = histogram("rtp_jitter_seconds", "Interarrival jitter of received RTP.", prometheus.ExponentialBuckets(0.001, 2, 10))
	r.RTT = histogram("rtt_seconds", "Round-trip time to peers.", prometheus.ExponentialBuckets(0.005, 2, 10))

	r.Recordings = gauge("recordings", "Recordings in progress.")
	r.RecordingsFailed = counter("recordings_failed_total", "Recordings that ended as failed.")

	r.webhookEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "webhook_events_total",
		Help: "Events handled per sink (webhook, cdr) and result: delivered, failed (given up after retries), dropped (queue full or shutdown).",
	}, []string{"sink", "result"})
	r.webhookRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "webhook_retries_total", Help: "Delivery attempts that were retried, per sink.",
	}, []string{"sink"})
	r.reg.MustRegister(r.webhookEvents, r.webhookRetries)
	// Export zeros from the start, so that alerts on rate() see the series.
	r.sinks = map[string]*sinkCounters{}
	for _, sink := range []string{"webhook", "cdr"} {
		r.sinks[sink] = r.sinkCounters(sink)
	}
	return r
}

func (r *Registry) sinkCounters(sink string) *sinkCounters {
	if c := r.sinks[sink]; c != nil {
		return c
	}
	return &sinkCounters{
		delivered: r.webhookEvents.WithLabelValues(sink, "delivered"),
		failed:    r.webhookEvents.WithLabelValues(sink, "failed"),
		dropped:   r.webhookEvents.WithLabelValues(sink, "dropped"),
		retried:   r.webhookRetries.WithLabelValues(sink),
	}
}

// Prometheus exposes the underlying registry, for collectors that other
// packages build themselves.
func (r *Registry) Prometheus() *prometheus.Registry { return r.reg }

// Handler serves the metrics in the Prometheus text format. It is not
// protected: the server wraps it with the REST credentials unless
// GOVIDU_METRICS_PUBLIC=true.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}

// WebhookQueue exports the length of a sink's queue.
func (r *Registry) WebhookQueue(sink string, length func() int) {
	r.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: namespace, Name: "webhook_queue_length", Help: "Events waiting to be delivered.",
		ConstLabels: prometheus.Labels{"sink": sink},
	}, func() float64 { return float64(length()) }))
}

// WebhookDelivered and the three methods below implement webhook.Observer.
func (r *Registry) WebhookDelivered(sink string) { r.sinkCounters(sink).delivered.Inc() }
func (r *Registry) WebhookFailed(sink string)    { r.sinkCounters(sink).failed.Inc() }
func (r *Registry) WebhookDropped(sink string)   { r.sinkCounters(sink).dropped.Inc() }
func (r *Registry) WebhookRetried(sink string)   { r.sinkCounters(sink).retried.Inc() }
