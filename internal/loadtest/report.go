package loadtest

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/govidu/govidu/internal/rtcclient"
)

// Report is the result of a run; its JSON form is what --json prints.
// Durations are in milliseconds.
type Report struct {
	Config      ReportConfig `json:"config"`
	Started     time.Time    `json:"started"`
	RampSeconds float64      `json:"rampSeconds"` // joins, publications, subscriptions, first frames
	Window      float64      `json:"windowSeconds"`

	Participants  int `json:"participants"`
	Publishers    int `json:"publishers"`
	Subscriptions int `json:"subscriptions"`

	Token         Latency `json:"tokenMs"`         // REST: session + connection (the app server's part)
	Join          Latency `json:"joinMs"`          // WebSocket dial → joinRoom result
	Publish       Latency `json:"publishMs"`       // publishVideo → PeerConnection connected
	Subscribe     Latency `json:"subscribeMs"`     // receiveVideoFrom round trip (offer → answer applied)
	FirstKeyframe Latency `json:"firstKeyframeMs"` // Subscribe called → first keyframe decoded (audio-only: first packet)

	Received Traffic `json:"received"` // by all subscribers during the window
	Video    Media   `json:"video"`
	Audio    Media   `json:"audio"`

	NACKsSent     uint64 `json:"nacksSent"`     // by subscribers during the window
	PLIsSent      uint64 `json:"plisSent"`      // by subscribers during the window
	PLIsReceived  uint64 `json:"plisReceived"`  // by publishers during the whole run
	NACKsReceived uint64 `json:"nacksReceived"` // by publishers during the whole run

	LoadCPUPercent float64 `json:"loadCpuPercent"` // this process during the window (100 = one core)
	Server         *Server `json:"server,omitempty"`

	Errors     []string `json:"errors,omitempty"` // the first ones
	ErrorCount int      `json:"errorCount"`
}

// ReportConfig echoes the run's parameters.
type ReportConfig struct {
	URL          string  `json:"url"`
	Rooms        int     `json:"rooms"`
	Publishers   int     `json:"publishers"`
	Subscribers  int     `json:"subscribers"`
	SubscribeTo  int     `json:"subscribeTo"`
	Duration     float64 `json:"durationSeconds"`
	AudioOnly    bool    `json:"audioOnly"`
	Relay        bool    `json:"relay"`
	VideoFixture string  `json:"videoFixture,omitempty"`
	VideoKbps    int     `json:"videoKbps,omitempty"`
	VideoFPS     int     `json:"videoFps,omitempty"`
}

func reportConfig(c Config) ReportConfig {
	rc := ReportConfig{URL: c.URL, Rooms: c.Rooms, Publishers: c.Publishers, Subscribers: c.Subscribers,
		SubscribeTo: c.SubscribeTo, Duration: c.Duration.Seconds(), AudioOnly: c.AudioOnly, Relay: c.Relay}
	if !c.AudioOnly {
		f := rtcclient.VideoFixtureFor(c.VideoBitrate)
		rc.VideoFixture, rc.VideoKbps, rc.VideoFPS = f.Name, f.BitrateKbps, f.FPS
	}
	return rc
}

// Latency summarises samples in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func latencyOf(samples []time.Duration) Latency {
	return Latency{Count: len(samples), P50: ms(rtcclient.Percentile(samples, 50)), P95: ms(rtcclient.Percentile(samples, 95)),
		P99: ms(rtcclient.Percentile(samples, 99)), Max: ms(rtcclient.Percentile(samples, 100))}
}

func latencyOfHistogram(h *rtcclient.Histogram) Latency {
	return Latency{Count: int(h.Count()), P50: ms(h.Quantile(0.5)), P95: ms(h.Quantile(0.95)), P99: ms(h.Quantile(0.99)), Max: ms(h.Max())}
}

// Traffic is what the subscribers received.
type Traffic struct {
	Packets       uint64  `json:"packets"`
	Bytes         uint64  `json:"bytes"`
	PacketsPerSec float64 `json:"packetsPerSec"`
	Mbps          float64 `json:"mbps"`
	Lost          uint64  `json:"lost"`
	LossPercent   float64 `json:"lossPercent"`
}

// Media is one kind's quality during the window.
type Media struct {
	Tracks    int     `json:"tracks"`
	Packets   uint64  `json:"packets"`
	Lost      uint64  `json:"lost"`
	JitterP50 float64 `json:"jitterP50Ms"` // over tracks, at the window's end
	JitterMax float64 `json:"jitterMaxMs"`
	Latency   Latency `json:"latencyMs"` // send → receive, end to end
}

// Server is the local server's resource use during the window.
type Server struct {
	PID                 int     `json:"pid"`
	SameProcess         bool    `json:"sameProcess,omitempty"` // in-process server: CPU includes the load
	CPUPercent          float64 `json:"cpuPercent"`            // 100 = one core
	CPUSeconds          float64 `json:"cpuSeconds"`
	RSSMB               float64 `json:"rssMB"`
	BaselineRSSMB       float64 `json:"baselineRssMB"` // before the first join
	RSSPerParticipantKB float64 `json:"rssPerParticipantKB"`
	ForwardedPackets    float64 `json:"forwardedPackets"` // from /metrics (0 when unavailable)
	ForwardedPerSec     float64 `json:"forwardedPerSec"`
	CPUMicrosPerPacket  float64 `json:"cpuMicrosPerForwardedPacket"`
	CountSource         string  `json:"countSource"` // "metrics" or "subscribers" (received packets, when /metrics is unavailable)
}

// snapshot is the cumulative counters at one moment.
type snapshot struct {
	at          time.Time
	tracks      map[*rtcclient.Subscription]rtcclient.SubscriptionStats
	server      procSample
	serverErr   error
	self        procSample
	metrics     serverCounters
	metricsErr  error
	pubPLIs     uint64
	pubNACKs    uint64
	publishers  int
	subscribers int
}

func (r *run) snapshot(ctx context.Context, all []*participant) snapshot {
	s := snapshot{at: time.Now(), tracks: map[*rtcclient.Subscription]rtcclient.SubscriptionStats{}}
	s.metrics, s.metricsErr = readMetrics(ctx, r.hc, r.cfg.URL, r.cfg.Secret)
	if r.pid != 0 {
		s.server, s.serverErr = readProc(r.pid)
	}
	s.self, _ = readProc(r.self)
	for _, p := range all {
		r.mu.Lock()
		subs := p.subs
		r.mu.Unlock()
		for _, sub := range subs {
			s.tracks[sub] = sub.Stats()
		}
		if p.pub != nil {
			ps := p.pub.Stats()
			s.pubPLIs += ps.PLIsReceived
			s.pubNACKs += ps.NACKsReceived
			s.publishers++
		}
	}
	return s
}

func (r *run) fill(rep *Report, all []*participant, before, after snapshot, baseline procSample) {
	window := after.at.Sub(before.at)
	rep.Window = window.Seconds()
	rep.Participants = len(all)
	rep.Publishers = after.publishers
	rep.Subscriptions = len(after.tracks)
	r.mu.Lock()
	rep.Token, rep.Join = latencyOf(r.tokens), latencyOf(r.joins)
	rep.Publish, rep.Subscribe = latencyOf(r.publishes), latencyOf(r.subLat)
	rep.Errors, rep.ErrorCount = append([]string(nil), r.errs...), r.errCount
	r.mu.Unlock()

	var firstFrames []time.Duration
	var videoLat, audioLat rtcclient.Histogram
	var vJit, aJit []time.Duration
	for sub, a := range after.tracks {
		b := before.tracks[sub]
		rep.NACKsSent += a.NACKsSent - b.NACKsSent
		rep.PLIsSent += a.PLIsSent - b.PLIsSent
		if sub.Stream().HasVideo {
			if a.Video != nil && a.Video.FirstKeyframe > 0 {
				firstFrames = append(firstFrames, a.Video.FirstKeyframe)
			}
		} else if a.Audio != nil && a.Audio.FirstPacket > 0 {
			firstFrames = append(firstFrames, a.Audio.FirstPacket)
		}
		add := func(m *Media, hist *rtcclient.Histogram, jit *[]time.Duration, at, bt *rtcclient.TrackStats) {
			if at == nil {
				return
			}
			var bp, bb, bl uint64
			if bt != nil {
				bp, bb, bl = bt.Packets, bt.Bytes, bt.Lost
			}
			m.Tracks++
			m.Packets += at.Packets - bp
			m.Lost += at.Lost - min(at.Lost, bl)
			rep.Received.Packets += at.Packets - bp
			rep.Received.Bytes += at.Bytes - bb
			hist.Merge(&at.Latency)
			*jit = append(*jit, at.Jitter)
		}
		add(&rep.Video, &videoLat, &vJit, a.Video, b.Video)
		add(&rep.Audio, &audioLat, &aJit, a.Audio, b.Audio)
	}
	rep.FirstKeyframe = latencyOf(firstFrames)
	rep.Video.Latency, rep.Audio.Latency = latencyOfHistogram(&videoLat), latencyOfHistogram(&audioLat)
	rep.Video.JitterP50, rep.Video.JitterMax = ms(rtcclient.Percentile(vJit, 50)), ms(rtcclient.Percentile(vJit, 100))
	rep.Audio.JitterP50, rep.Audio.JitterMax = ms(rtcclient.Percentile(aJit, 50)), ms(rtcclient.Percentile(aJit, 100))
	rep.Received.Lost = rep.Video.Lost + rep.Audio.Lost
	if exp := rep.Received.Packets + rep.Received.Lost; exp > 0 {
		rep.Received.LossPercent = float64(rep.Received.Lost) / float64(exp) * 100
	}
	if window > 0 {
		rep.Received.PacketsPerSec = float64(rep.Received.Packets) / window.Seconds()
		rep.Received.Mbps = float64(rep.Received.Bytes) * 8 / window.Seconds() / 1e6
		rep.LoadCPUPercent = float64(after.self.cpu-before.self.cpu) / float64(after.self.at.Sub(before.self.at)) * 100
	}
	rep.PLIsReceived, rep.NACKsReceived = after.pubPLIs, after.pubNACKs

	if r.pid == 0 || before.serverErr != nil || after.serverErr != nil {
		return
	}
	srv := &Server{PID: r.pid, SameProcess: r.pid == r.self}
	cpu := after.server.cpu - before.server.cpu
	srv.CPUSeconds = cpu.Seconds()
	srv.CPUPercent = float64(cpu) / float64(after.server.at.Sub(before.server.at)) * 100
	srv.RSSMB = float64(after.server.rssBytes) / (1 << 20)
	srv.BaselineRSSMB = float64(baseline.rssBytes) / (1 << 20)
	if rep.Participants > 0 && after.server.rssBytes > baseline.rssBytes {
		srv.RSSPerParticipantKB = float64(after.server.rssBytes-baseline.rssBytes) / 1024 / float64(rep.Participants)
	}
	if before.metricsErr == nil && after.metricsErr == nil && after.metrics.ok && after.metrics.forwardedPackets > before.metrics.forwardedPackets {
		srv.ForwardedPackets = after.metrics.forwardedPackets - before.metrics.forwardedPackets
		srv.CountSource = "metrics"
	} else {
		srv.ForwardedPackets = float64(rep.Received.Packets)
		srv.CountSource = "subscribers"
	}
	if window > 0 {
		srv.ForwardedPerSec = srv.ForwardedPackets / window.Seconds()
	}
	if srv.ForwardedPackets > 0 {
		srv.CPUMicrosPerPacket = float64(cpu.Microseconds()) / srv.ForwardedPackets
	}
	rep.Server = srv
}

// WriteTable prints the report for people.
func (rep *Report) WriteTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	c := rep.Config
	media := "Opus only"
	if !c.AudioOnly {
		media = fmt.Sprintf("VP8 %d kbps %d fps + Opus 20 ms", c.VideoKbps, c.VideoFPS)
	}
	fmt.Fprintf(tw, "load\t%d rooms × (%d publishers + %d subscribers), %s, %.0f s window after %.1f s ramp\n",
		c.Rooms, c.Publishers, c.Subscribers, media, rep.Window, rep.RampSeconds)
	fmt.Fprintf(tw, "participants\t%d (%d publishing), %d subscriptions\n", rep.Participants, rep.Publishers, rep.Subscriptions)
	fmt.Fprintln(tw, "\tp50\tp95\tp99\tmax\tn")
	row := func(name string, l Latency) {
		fmt.Fprintf(tw, "%s\t%.1f ms\t%.1f ms\t%.1f ms\t%.1f ms\t%d\n", name, l.P50, l.P95, l.P99, l.Max, l.Count)
	}
	row("token (REST)", rep.Token)
	row("join", rep.Join)
	row("publish", rep.Publish)
	row("subscribe", rep.Subscribe)
	row("first keyframe", rep.FirstKeyframe)
	if rep.Video.Tracks > 0 {
		row("latency video", rep.Video.Latency)
	}
	row("latency audio", rep.Audio.Latency)
	fmt.Fprintf(tw, "received\t%d packets, %.0f pkt/s, %.2f Mbit/s\n", rep.Received.Packets, rep.Received.PacketsPerSec, rep.Received.Mbps)
	fmt.Fprintf(tw, "loss\t%d packets (%.3f %%)\n", rep.Received.Lost, rep.Received.LossPercent)
	if rep.Video.Tracks > 0 {
		fmt.Fprintf(tw, "jitter video\tp50 %.2f ms, max %.2f ms\n", rep.Video.JitterP50, rep.Video.JitterMax)
	}
	fmt.Fprintf(tw, "jitter audio\tp50 %.2f ms, max %.2f ms\n", rep.Audio.JitterP50, rep.Audio.JitterMax)
	fmt.Fprintf(tw, "feedback\t%d NACKs, %d PLIs sent by subscribers; publishers got %d PLIs, %d NACKs\n",
		rep.NACKsSent, rep.PLIsSent, rep.PLIsReceived, rep.NACKsReceived)
	fmt.Fprintf(tw, "load generator\t%.0f %% CPU\n", rep.LoadCPUPercent)
	if s := rep.Server; s != nil {
		note := ""
		if s.SameProcess {
			note = " (in-process server: includes the load)"
		}
		fmt.Fprintf(tw, "server\tpid %d: %.1f %% CPU%s, RSS %.1f MB (%.1f MB before, %.0f kB per participant)\n",
			s.PID, s.CPUPercent, note, s.RSSMB, s.BaselineRSSMB, s.RSSPerParticipantKB)
		fmt.Fprintf(tw, "forwarded\t%.0f pkt/s (%s), %.2f µs CPU per forwarded packet\n", s.ForwardedPerSec, s.CountSource, s.CPUMicrosPerPacket)
	} else {
		fmt.Fprintln(tw, "server\tnot local (or not found): no CPU/RSS figures")
	}
	if rep.ErrorCount > 0 {
		fmt.Fprintf(tw, "errors\t%d\n", rep.ErrorCount)
		for _, e := range rep.Errors {
			fmt.Fprintf(tw, "\t%s\n", e)
		}
	}
	tw.Flush()
}
