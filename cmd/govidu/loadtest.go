package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/govidu/govidu/internal/loadtest"
)

const loadtestUsage = `usage: govidu loadtest --url URL --secret SECRET [flags]

Runs Pion participants that speak govidu's protocol against a server:
--rooms sessions, each with --publishers publishing participants (VP8 from
an embedded clip + Opus 20 ms) and --subscribers subscribe-only ones;
everyone receives the room's streams (or --subscribe-to of them). After
the joins, a --duration steady window is measured. Only loopback servers
unless --allow-remote (a server you own on another host).

flags:
`

// loadtestCmd is `govidu loadtest`.
func loadtestCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("govidu loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, loadtestUsage)
		fs.PrintDefaults()
	}
	secret := os.Getenv("OPENVIDU_SECRET")
	if secret == "" {
		secret = "MY_SECRET"
	}
	var cfg loadtest.Config
	fs.StringVar(&cfg.URL, "url", "http://localhost:4443", "server base URL")
	fs.StringVar(&cfg.Secret, "secret", secret, "OPENVIDU_SECRET of the server (default: $OPENVIDU_SECRET or MY_SECRET)")
	fs.IntVar(&cfg.Rooms, "rooms", 1, "sessions")
	fs.IntVar(&cfg.Publishers, "publishers", 1, "publishing participants per room (they also receive each other)")
	fs.IntVar(&cfg.Subscribers, "subscribers", 0, "subscribe-only participants per room")
	fs.IntVar(&cfg.SubscribeTo, "subscribe-to", 0, "streams each participant receives (0 = all)")
	fs.BoolVar(&cfg.PublishersOnlyPublish, "publishers-only-publish", false, "publishers do not receive each other")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "steady window measured after the joins")
	fs.IntVar(&cfg.VideoBitrate, "video-bitrate", 500, "video kbps: picks the nearest embedded clip (~300 kbps 15 fps, ~500 kbps 30 fps, ~1200 kbps 30 fps)")
	fs.BoolVar(&cfg.AudioOnly, "audio-only", false, "publish Opus only")
	fs.BoolVar(&cfg.Relay, "relay", false, "ICE relay-only through the server's embedded TURN")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a server that is not on 127.0.0.0/8 or ::1")
	fs.IntVar(&cfg.ServerPID, "server-pid", 0, "pid of the server for CPU/RSS (default: found by the URL's port when local)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 8, "participants set up in parallel")
	fs.DurationVar(&cfg.JoinTimeout, "join-timeout", 0, "deadline for all joins and first frames (default 60 s + 100 ms per participant)")
	asJSON := fs.Bool("json", false, "print the report as JSON on stdout")
	quiet := fs.Bool("quiet", false, "no live progress line")
	verbose := fs.Bool("v", false, "log the clients' debug messages to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "govidu loadtest: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return 1
		}
	} else {
		rep.WriteTable(stdout)
	}
	if rep.ErrorCount > 0 {
		return 3
	}
	return 0
}
