package server

import (
	"github.com/govidu/govidu/internal/httpauth"
	"net/http"
	"net/http/pprof"
	"os"
)

// mountPprof serves Go's profiler at /debug/pprof/ when GOVIDU_PPROF=true
// (benchmarks: bench/run.sh profiles the server during a load), behind the
// REST credentials. Off by default: a profile exposes internals and costs CPU.
func (s *Server) mountPprof() {
	if os.Getenv("GOVIDU_PPROF") != "true" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.mux.Handle("GET /debug/pprof/", httpauth.Require(s.cfg.Secret, mux))
	s.log.Warn("profiler enabled at /debug/pprof/ (GOVIDU_PPROF=true)")
}
