// Package api serves OpenVidu 2.32's REST API at /openvidu/api: decode and
// validate, call core.Service, encode. JSON shapes live in shapes.go.
package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/httpauth"
)

// Options configure the Handler.
type Options struct {
	Config     *config.Config
	Stats      StatsProvider // optional
	Recordings Recordings    // nil: the recording endpoints answer 501
	Logger     *slog.Logger
}

// Handler serves /openvidu/api/**, /openvidu/recordings/** and /openvidu/accept-certificate.
type Handler struct {
	svc  *core.Service
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux
}

// New returns the REST handler.
func New(svc *core.Service, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Handler{svc: svc, opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	h.routes()
	return h
}

func (h *Handler) routes() {
	m := h.mux
	const p = "/openvidu/api"
	m.HandleFunc("POST "+p+"/sessions", h.createSession)
	m.HandleFunc("GET "+p+"/sessions", h.listSessions)
	m.HandleFunc("GET "+p+"/sessions/{sid}", h.getSession)
	m.HandleFunc("DELETE "+p+"/sessions/{sid}", h.deleteSession)
	m.HandleFunc("POST "+p+"/sessions/{sid}/connection", h.createConnection)
	m.HandleFunc("GET "+p+"/sessions/{sid}/connection", h.listConnections)
	m.HandleFunc("GET "+p+"/sessions/{sid}/connection/{cid}", h.getConnection)
	m.HandleFunc("PATCH "+p+"/sessions/{sid}/connection/{cid}", h.updateConnection)
	m.HandleFunc("DELETE "+p+"/sessions/{sid}/connection/{cid}", h.deleteConnection)
	m.HandleFunc("DELETE "+p+"/sessions/{sid}/stream/{streamId}", h.deleteStream)
	m.HandleFunc("POST "+p+"/signal", h.signal)
	m.HandleFunc("POST "+p+"/tokens", h.createToken)
	m.HandleFunc("POST "+p+"/recordings/start", h.startRecording)
	m.HandleFunc("POST "+p+"/recordings/stop/{rid}", h.stopRecording)
	m.HandleFunc("GET "+p+"/recordings/{rid}", h.getRecording)
	m.HandleFunc("GET "+p+"/recordings", h.listRecordings)
	m.HandleFunc("DELETE "+p+"/recordings/{rid}", h.deleteRecording)
	m.HandleFunc("GET /openvidu/recordings/{rid}/{file}", h.downloadRecording)
	m.HandleFunc("GET "+p+"/config", h.getConfig)
	m.HandleFunc("GET "+p+"/config/{item}", h.getConfigItem)
	m.HandleFunc("GET "+p+"/health", h.health)
	m.HandleFunc("GET /openvidu/accept-certificate", h.acceptCertificate)
}

// ServeHTTP applies CORS, then authentication, then routing.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" {
		hdr := w.Header()
		hdr.Set("Access-Control-Allow-Origin", "*")
		hdr.Add("Vary", "Origin")
		hdr.Add("Vary", "Access-Control-Request-Method")
		hdr.Add("Vary", "Access-Control-Request-Headers")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			hdr.Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
			if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
				hdr.Set("Access-Control-Allow-Headers", rh)
			}
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	if !h.isPublic(r) && !httpauth.Authorized(r, h.opts.Config.Secret) {
		httpauth.Challenge(w, r)
		h.writeError(w, r, core.ErrUnauthorized.Withf("wrong or missing credentials: use Basic auth with user OPENVIDUAPP and the OPENVIDU_SECRET as password"))
		return
	}
	handler, pattern := h.mux.Handler(r)
	if pattern == "" {
		// No route: let the mux decide between 404 and 405 (it sets Allow),
		// then answer with our JSON error instead of its text.
		probe := &statusProbe{header: w.Header()}
		handler.ServeHTTP(probe, r)
		if probe.status == http.StatusMethodNotAllowed {
			h.writeError(w, r, core.ErrMethodNotAllowed.Withf("method %s is not allowed on %s", r.Method, r.URL.Path))
			return
		}
		h.notFound(w, r)
		return
	}
	h.mux.ServeHTTP(w, r) // sets the path values
}

// statusProbe records the status the mux's fallback handler chose.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int)        { p.status = code }

func (h *Handler) isPublic(r *http.Request) bool {
	switch r.URL.Path {
	case "/openvidu/api/config/openvidu-publicurl":
		return r.Method == http.MethodGet || r.Method == http.MethodHead
	case "/openvidu/accept-certificate":
		return true
	}
	return h.opts.Config.RecordingPublicAccess && isRecordingDownload(r)
}

func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // tokens contain '&'; keep them readable
	if err := enc.Encode(v); err != nil {
		h.log.Error("encoding response", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// writeError answers with status and Spring's error JSON, which carries a
// human-readable message. Neither official client reads error bodies.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error, status ...int) {
	e := core.AsError(err)
	code := e.HTTPStatus
	if len(status) > 0 {
		code = status[0]
	}
	if code >= 500 && code != http.StatusNotImplemented { // 501 is a disabled module, not a failure
		h.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", code, "err", e.Message)
	}
	h.writeJSON(w, code, errorJSON{
		Timestamp: time.Now().UnixMilli(),
		Status:    code,
		Error:     http.StatusText(code),
		Message:   e.Message,
		Path:      r.URL.Path,
	})
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.writeError(w, r, core.ErrNotFound.Withf("no such REST endpoint: %s %s", r.Method, r.URL.Path))
}

// queryBool reads a boolean query parameter.
func queryBool(r *http.Request, name string, def bool) (bool, error) {
	v := r.URL.Query().Get(name)
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, core.ErrBadRequest.Withf("query parameter %s must be true or false, got %q", name, v)
}

func (h *Handler) viewOptions(r *http.Request, pendingDefault bool) (viewOptions, error) {
	pending, err := queryBool(r, "pendingConnections", pendingDefault)
	if err != nil {
		return viewOptions{}, err
	}
	stats, err := queryBool(r, "webRtcStats", false)
	return viewOptions{pending: pending, stats: stats}, err
}

// decode reads and parses the body; optional allows an empty body.
func (h *Handler) decode(w http.ResponseWriter, r *http.Request, optional bool) (object, bool) {
	body, err := readBody(w, r)
	if err == nil {
		var o object
		if o, err = decodeObject(body, optional); err == nil {
			return o, true
		}
	}
	h.writeError(w, r, err)
	return nil, false
}
