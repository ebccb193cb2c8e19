// Command govidu is the OpenVidu 2 compatible video platform in one binary.
//
//	govidu [serve] [--port N]   run the server (default)
//	govidu version              print the version
//	govidu loadtest [flags]     load a server with Pion participants (govidu loadtest -h)
//	govidu doctor [--url U]     check a deployment and say what to fix
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "version" || args[0] == "loadtest" || args[0] == "doctor") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "loadtest":
		return loadtestCmd(args, stdout, stderr)
	case "doctor":
		return doctorCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "govidu (OpenVidu %s compatible)\n", config.Version)
		return 0
	default:
		return serve(args, stderr)
	}
}

func serve(args []string, stderr io.Writer) int {
	cfg, err := config.Load(os.LookupEnv, args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	srv, err := server.New(cfg, log)
	if err != nil {
		log.Error("cannot start", "err", err)
		return 1
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(cfg.ListenAddress, strconv.Itoa(cfg.Port)))
	if err != nil {
		log.Error("cannot listen", "port", cfg.Port, "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("govidu started", "secret", "(OPENVIDU_SECRET)", "rest", cfg.PublicURL()+"/openvidu/api")
	select {
	case err := <-errc:
		if err != nil {
			log.Error("server stopped", "err", err)
			return 1
		}
		return 0
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	<-errc
	return 0
}

func logLevel(s string) slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(s))
	return l
}
