// Package webhook delivers govidu's session events as OpenVidu 2.32 does: as
// webhook POSTs (OPENVIDU_WEBHOOK*) and as lines of the CDR file
// (OPENVIDU_CDR). The Dispatcher is a core.Listener: it encodes each event
// once and hands it to one bounded queue per sink, each drained by a single
// worker, so events reach every sink in emission order (and so in order per
// session) while the session code never waits for the network or the disk.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/waitctx"
)

// Sink names, as reported to the Observer.
const (
	SinkWebhook = "webhook"
	SinkCDR     = "cdr"
)

// DefaultQueueSize is how many events may wait per sink before new ones are dropped.
const DefaultQueueSize = 10000

// Observer is told what becomes of each event, per sink. metrics.Registry
// implements it; calls must be cheap and must not block.
type Observer interface {
	WebhookDelivered(sink string)
	WebhookFailed(sink string)  // given up after the last attempt, or a write error
	WebhookDropped(sink string) // queue full, or still queued when Close's deadline passed
	WebhookRetried(sink string)
}

type nopObserver struct{}

func (nopObserver) WebhookDelivered(string) {}
func (nopObserver) WebhookFailed(string)    {}
func (nopObserver) WebhookDropped(string)   {}
func (nopObserver) WebhookRetried(string)   {}

// Options configure a Dispatcher. A nil Webhook or CDR disables that sink.
type Options struct {
	Webhook   *HTTPOptions
	CDR       *CDROptions
	QueueSize int // per sink; 0 = DefaultQueueSize
	Observer  Observer
	Logger    *slog.Logger
	Now       func() time.Time
}

// Dispatcher fans events out to the configured sinks.
type Dispatcher struct {
	enc     *encoder
	workers []*worker
	log     *slog.Logger
	obs     Observer

	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	closed atomic.Bool
	wg     sync.WaitGroup
	once   sync.Once
}

// New starts one worker per configured sink. It fails when the CDR directory
// cannot be created or written.
func New(opts Options) (*Dispatcher, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	var sinks []sink
	if opts.Webhook != nil {
		h, err := newHTTPSink(*opts.Webhook, opts.Observer, opts.Logger, opts.Now)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, h)
	}
	if opts.CDR != nil {
		c, err := newCDRSink(*opts.CDR, opts.Now, opts.Logger)
		if err != nil {
			for _, s := range sinks {
				s.close()
			}
			return nil, err
		}
		sinks = append(sinks, c)
	}
	d := &Dispatcher{enc: newEncoder(), log: opts.Logger, obs: opts.Observer}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for _, s := range sinks {
		w := &worker{sink: s, queue: make(chan Record, opts.QueueSize), stop: make(chan struct{}), d: d}
		d.workers = append(d.workers, w)
		d.wg.Add(1)
		go w.run()
	}
	return d, nil
}

// OnEvent implements core.Listener: it never blocks. When a sink's queue is
// full the event is dropped for that sink, counted and logged.
func (d *Dispatcher) OnEvent(e core.Event) {
	if e.CDRName() == "" || len(d.workers) == 0 {
		return
	}
	rec, ok := d.enc.encode(e)
	if !ok {
		return
	}
	for _, w := range d.workers {
		if w.sink.wants(rec.Name) {
			w.enqueue(rec)
		}
	}
}

// Close stops accepting events and waits until the queued ones are delivered
// or ctx ends; then in-flight attempts are cancelled and what is left is
// dropped (and reported in the error).
func (d *Dispatcher) Close(ctx context.Context) error {
	d.once.Do(func() {
		d.closed.Store(true)
		for _, w := range d.workers {
			close(w.stop)
		}
	})
	if waitctx.Wait(ctx, &d.wg) != nil {
		d.cancel()
		d.wg.Wait()
	}
	d.cancel()
	var errs []error
	for _, w := range d.workers {
		w.sink.close()
		if n := w.abandoned.Load(); n > 0 {
			errs = append(errs, fmt.Errorf("%s: %d events not delivered before the shutdown deadline", w.sink.name(), n))
		}
	}
	return errors.Join(errs...)
}

// Pending is the number of events waiting in sink's queue (for metrics and tests).
func (d *Dispatcher) Pending(sink string) int {
	for _, w := range d.workers {
		if w.sink.name() == sink {
			return len(w.queue)
		}
	}
	return 0
}

// outcome of one delivery.
type outcome int

const (
	delivered outcome = iota
	failed
	abandoned // the dispatcher was closed before it could be delivered
)

type sink interface {
	name() string
	wants(event string) bool
	deliver(ctx context.Context, r Record) outcome
	close()
}

// worker drains one sink's queue, in order.
type worker struct {
	sink      sink
	queue     chan Record
	stop      chan struct{}
	d         *Dispatcher
	dropped   atomic.Uint64
	abandoned atomic.Uint64
}

func (w *worker) enqueue(r Record) {
	if w.d.closed.Load() {
		w.drop(r, "the dispatcher is closed")
		return
	}
	select {
	case w.queue <- r:
	default:
		w.drop(r, "queue full")
	}
}

func (w *worker) drop(r Record, why string) {
	w.d.obs.WebhookDropped(w.sink.name())
	// Log the first drop and then one in a thousand: a dead endpoint must
	// not flood the log as well.
	if n := w.dropped.Add(1); n == 1 || n%1000 == 0 {
		w.d.log.Error("event dropped", "sink", w.sink.name(), "event", r.Name, "sessionId", r.SessionID,
			"reason", why, "droppedSoFar", n, "queueCapacity", cap(w.queue))
	}
}

func (w *worker) run() {
	defer w.d.wg.Done()
	for {
		select {
		case r := <-w.queue:
			w.handle(r)
		case <-w.stop:
			for {
				select {
				case r := <-w.queue:
					w.handle(r)
				default:
					return
				}
			}
		}
	}
}

func (w *worker) handle(r Record) {
	var out outcome = abandoned
	if w.d.ctx.Err() == nil {
		out = w.sink.deliver(w.d.ctx, r)
	}
	switch out {
	case delivered:
		w.d.obs.WebhookDelivered(w.sink.name())
	case failed:
		w.d.obs.WebhookFailed(w.sink.name())
	case abandoned:
		w.abandoned.Add(1)
		w.d.obs.WebhookDropped(w.sink.name())
	}
}
