// Package netcheck serves /doctor: a public page a visitor opens to test
// their own network path to this server — UDP and TCP to the media
// ports, and each TURN transport — with the same sockets, addresses and
// TURN relays calls use. It is the browser half of `govidu doctor`: when
// a user cannot connect, the operator sends them the link and reads what
// the page says (which path works, round-trip times, what to open).
//
// The page makes a data-channel PeerConnection per check; the server
// answers it with media.Engine.Probe (no session, no media, closed after a
// short lifetime). Open probes are bounded, TURN credentials are the
// usual time-limited ones and the relays reach only this host.
package netcheck

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/httpjson"
	"github.com/govidu/govidu/internal/media"
)

//go:embed static
var static embed.FS

// Prober is the media engine's side (media.Engine).
type Prober interface {
	Probe(ctx context.Context, offer string, transport media.ProbeTransport, lifetime time.Duration) (string, error)
	Probes() int
}

// Options configure the page.
type Options struct {
	Prober  Prober
	UDPPort int // the ICE UDP mux port, as announced in candidates
	TCPPort int // the ICE-TCP port; 0 when disabled
	// IceServers returns TURN entries with fresh credentials for a user;
	// nil when the embedded TURN server is disabled.
	IceServers func(user string) []core.IceServer
	Logger     *slog.Logger
	MaxProbes  int           // open probes at once (default 16); more get 429
	Lifetime   time.Duration // of one probe (default 30 s)
}

// maxBody bounds a probe request (an offer with a few dozen candidates is ~3 KiB).
const maxBody = 64 << 10

type handler struct{ o Options }

// Mount registers /doctor/ (the page) and /doctor/api/ on mux.
func Mount(mux *http.ServeMux, o Options) {
	if o.MaxProbes <= 0 {
		o.MaxProbes = 16
	}
	if o.Lifetime <= 0 {
		o.Lifetime = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &handler{o: o}
	files, _ := fs.Sub(static, "static")
	mux.Handle("GET /doctor/", http.StripPrefix("/doctor/", http.FileServerFS(files)))
	mux.Handle("GET /doctor", http.RedirectHandler("/doctor/", http.StatusMovedPermanently))
	mux.HandleFunc("GET /doctor/api/config", h.config)
	mux.HandleFunc("POST /doctor/api/probe", h.probe)
	// Without this, GET would fall to the page's file server (404).
	mux.HandleFunc("GET /doctor/api/probe", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		httpjson.Error(w, http.StatusMethodNotAllowed, "POST an offer to this endpoint")
	})
}

// iceServer is the browser's RTCIceServer.
type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

type configResponse struct {
	UDPPort    int         `json:"udpPort"`
	TCPPort    int         `json:"tcpPort"` // 0: ICE-TCP disabled
	IceServers []iceServer `json:"iceServers"`
	Lifetime   int         `json:"probeLifetimeSeconds"`
}

func (h *handler) config(w http.ResponseWriter, r *http.Request) {
	resp := configResponse{UDPPort: h.o.UDPPort, TCPPort: h.o.TCPPort, IceServers: []iceServer{}, Lifetime: int(h.o.Lifetime.Seconds())}
	if h.o.IceServers != nil {
		for _, s := range h.o.IceServers("doctor-" + core.NewSecret(8)) {
			resp.IceServers = append(resp.IceServers, iceServer{URLs: []string{s.URL}, Username: s.Username, Credential: s.Credential})
		}
	}
	httpjson.Write(w, http.StatusOK, resp)
}

// ProbeRequest is the body of POST /doctor/api/probe.
type ProbeRequest struct {
	// Transport is "udp" or "tcp" (direct to the media ports), or "relay"
	// (the browser only uses TURN relay candidates; we offer every transport).
	Transport string `json:"transport"`
	SDP       string `json:"sdp"` // the browser's offer with its candidates
}

// ParseProbeRequest reads and checks a probe request body.
func ParseProbeRequest(body []byte) (ProbeRequest, media.ProbeTransport, error) {
	var req ProbeRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, "", errors.New("the body must be a JSON object {\"transport\": \"udp\"|\"tcp\"|\"relay\", \"sdp\": \"<offer>\"}: " + err.Error())
	}
	if dec.More() {
		return req, "", errors.New("the body must be one JSON object")
	}
	var tr media.ProbeTransport
	switch req.Transport {
	case "udp":
		tr = media.ProbeUDP
	case "tcp":
		tr = media.ProbeTCP
	case "relay":
		tr = media.ProbeAll
	default:
		return req, "", errors.New("transport must be \"udp\", \"tcp\" or \"relay\"")
	}
	if strings.TrimSpace(req.SDP) == "" {
		return req, "", errors.New("sdp (the offer) is required")
	}
	return req, tr, nil
}

func (h *handler) probe(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpjson.Error(w, http.StatusRequestEntityTooLarge, "the probe request is larger than 64 KiB")
			return
		}
		httpjson.Error(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	req, tr, err := ParseProbeRequest(body)
	if err != nil {
		httpjson.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	if h.o.Prober.Probes() >= h.o.MaxProbes {
		w.Header().Set("Retry-After", "5")
		httpjson.Error(w, http.StatusTooManyRequests, "too many network tests are running on this server; try again in a few seconds")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	answer, err := h.o.Prober.Probe(ctx, req.SDP, tr, h.o.Lifetime)
	switch {
	case err == nil:
		httpjson.Write(w, http.StatusOK, map[string]string{"sdp": answer})
	case errors.Is(err, media.ErrConfig):
		httpjson.Error(w, http.StatusNotFound, "ICE over TCP is disabled on this server (GOVIDU_RTC_TCP_PORT=-1)")
	case errors.Is(err, media.ErrBadSDP):
		httpjson.Error(w, http.StatusBadRequest, "the offer was refused: "+err.Error())
	case errors.Is(err, media.ErrClosed):
		httpjson.Error(w, http.StatusServiceUnavailable, "the server is shutting down")
	default:
		h.o.Logger.Warn("doctor page probe failed", "transport", req.Transport, "err", err)
		httpjson.Error(w, http.StatusInternalServerError, "the probe failed: "+err.Error())
	}
}
