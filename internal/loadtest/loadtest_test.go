package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/testkit"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// A short run, 2 rooms × 3 participants who all publish and receive each
// other, against a real server: media flows with no loss on loopback, and
// the JSON report parses back.
func TestShortRun(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0"}})
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var progress bytes.Buffer
	rep, err := Run(ctx, Config{
		URL: srv.URL, Secret: srv.Secret, Rooms: 2, Publishers: 3, Duration: 3 * time.Second,
		VideoBitrate: 300, Progress: &progress, // written by one goroutine, read after Run
	})
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	t.Logf("\n%s", table.String())

	if rep.ErrorCount != 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	if rep.Participants != 6 || rep.Publishers != 6 || rep.Subscriptions != 12 {
		t.Errorf("participants %d publishers %d subscriptions %d, want 6 6 12", rep.Participants, rep.Publishers, rep.Subscriptions)
	}
	if rep.Video.Tracks != 12 || rep.Audio.Tracks != 12 {
		t.Errorf("tracks: video %d audio %d", rep.Video.Tracks, rep.Audio.Tracks)
	}
	// 12 subscriptions × (15 fps video ≥ 1 packet per frame + 50 audio packets/s) over ~3 s.
	if min := uint64(12 * 65 * 2); rep.Received.Packets < min {
		t.Errorf("received %d packets, want ≥ %d", rep.Received.Packets, min)
	}
	if rep.Received.Lost != 0 {
		t.Errorf("lost %d packets on loopback", rep.Received.Lost)
	}
	if rep.Join.Count != 6 || rep.Join.P50 <= 0 || rep.FirstKeyframe.Count != 12 || rep.FirstKeyframe.P99 <= 0 {
		t.Errorf("join %+v first keyframe %+v", rep.Join, rep.FirstKeyframe)
	}
	if rep.Video.Latency.Count == 0 || rep.Audio.Latency.Count == 0 || rep.Audio.Latency.P50 <= 0 {
		t.Errorf("latency video %+v audio %+v", rep.Video.Latency, rep.Audio.Latency)
	}
	if rep.Server == nil || !rep.Server.SameProcess || rep.Server.CPUMicrosPerPacket <= 0 {
		t.Errorf("server figures %+v", rep.Server)
	}

	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"joinMs", "firstKeyframeMs", "received", "video", "audio", "nacksSent", "server"} {
		if _, ok := back[key]; !ok {
			t.Errorf("JSON report lacks %q: %s", key, data)
		}
	}
	var again Report
	if err := json.Unmarshal(data, &again); err != nil || again.Received.Packets != rep.Received.Packets {
		t.Errorf("round trip: %v", err)
	}
	if !strings.Contains(progress.String(), "participants") {
		t.Errorf("no progress line: %q", progress.String())
	}
}

func TestConfigBounds(t *testing.T) {
	ok := Config{URL: "http://127.0.0.1:4443", Secret: "s", Rooms: 1, Publishers: 1, Subscribers: 1, Duration: time.Second}
	if err := ok.validate(); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*Config){
		"remote host":      func(c *Config) { c.URL = "http://192.0.2.1:4443" },
		"remote name":      func(c *Config) { c.URL = "https://example.org" },
		"bad url":          func(c *Config) { c.URL = "127.0.0.1:4443" },
		"too many":         func(c *Config) { c.Rooms, c.Subscribers = 100, 20 },
		"too many subs":    func(c *Config) { c.Publishers, c.Subscribers = 50, 60 },
		"no publisher":     func(c *Config) { c.Publishers = 0 },
		"no duration":      func(c *Config) { c.Duration = 0 },
		"endless":          func(c *Config) { c.Duration = 2 * time.Hour },
		"no secret":        func(c *Config) { c.Secret = "" },
		"no rooms":         func(c *Config) { c.Rooms = 0 },
		"negative readers": func(c *Config) { c.Subscribers = -1 },
	} {
		c := ok
		mutate(&c)
		if err := c.validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	remote := ok
	remote.URL, remote.AllowRemote = "http://192.0.2.1:4443", true
	if err := remote.validate(); err != nil {
		t.Errorf("--allow-remote: %v", err)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "127.8.9.10", "::1"} {
		if !isLoopbackHost(h) {
			t.Errorf("%s not loopback", h)
		}
	}
	c := Config{Publishers: 10, Subscribers: 100}
	if n := c.subscriptionsPerRoom(); n != 100*10+10*9 {
		t.Errorf("10 → 100: %d subscriptions", n)
	}
	c = Config{Publishers: 5, SubscribeTo: 2}
	if n := c.subscriptionsPerRoom(); n != 10 {
		t.Errorf("5 publishers receiving 2 each: %d", n)
	}
}

func TestProcReaders(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	pid, err := findListener(port)
	if err != nil {
		t.Fatal(err)
	}
	if pid != os.Getpid() {
		t.Errorf("listener pid %d, want %d", pid, os.Getpid())
	}
	s, err := readProc(pid)
	if err != nil {
		t.Fatal(err)
	}
	if s.rssBytes < 1<<20 || s.cpu <= 0 {
		t.Errorf("own process: rss %d cpu %v", s.rssBytes, s.cpu)
	}
	if _, err := findListener(1); err == nil {
		t.Error("found a listener on port 1")
	}
}
