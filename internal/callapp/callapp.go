// Package callapp is the app server of govidu's built-in video-call app: the
// endpoint that turns "this person wants to join room X" into OpenVidu tokens,
// through core.Service as any application server would do over REST.
//
// It follows OpenVidu Call 2.x: POST a session id and a nickname, get a camera
// token and a screen token (screen sharing needs a second connection in
// OpenVidu 2), the first participant of a room is its MODERATOR, and the
// endpoint can be protected with HTTP Basic credentials (CALL_PRIVATE_ACCESS,
// CALL_USER, CALL_SECRET). The pages of the app (/, /room/NAME) are served
// from internal/web when the app is enabled.
package callapp

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/httpjson"
	"github.com/govidu/govidu/internal/web"
)

// Paths of the endpoint.
const (
	ConfigPath   = "/call/api/config"
	LoginPath    = "/call/api/login"
	SessionsPath = "/call/api/sessions"
)

// Handler serves the app-server endpoint.
type Handler struct {
	svc  *core.Service
	opts config.CallApp
	log  *slog.Logger
}

// New returns the endpoint for svc with the given settings.
func New(svc *core.Service, opts config.CallApp, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{svc: svc, opts: opts, log: log}
}

// Mount registers the app's pages and its endpoint on mux; nothing when the
// app is disabled (GOVIDU_CALL_APP=false, the production default).
func (h *Handler) Mount(mux *http.ServeMux) {
	if !h.opts.Enabled {
		return
	}
	web.MountApp(mux)
	mux.HandleFunc("GET "+ConfigPath, h.config)
	mux.HandleFunc("POST "+LoginPath, h.login)
	mux.HandleFunc("POST "+SessionsPath, h.sessions)
}

func (h *Handler) config(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, map[string]any{"privateAccess": h.opts.PrivateAccess})
}

// login checks credentials (a JSON body as OpenVidu Call's /auth/login, or a
// Basic header) so the app can ask for them once and report a typo at once.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if !h.opts.PrivateAccess {
		httpjson.Write(w, http.StatusOK, map[string]any{"privateAccess": false})
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		var body struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if err := decode(r, &body); err != nil {
			httpjson.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		user, pass = body.Username, body.Password
	}
	if !h.credentialsMatch(user, pass) {
		httpjson.Error(w, http.StatusUnauthorized, "Wrong user or password")
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"privateAccess": true, "user": user})
}

// authorized enforces CALL_PRIVATE_ACCESS on the token endpoint. No
// WWW-Authenticate header is sent: the app asks for the credentials itself
// instead of the browser's dialog.
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request) bool {
	if !h.opts.PrivateAccess {
		return true
	}
	user, pass, ok := r.BasicAuth()
	if ok && h.credentialsMatch(user, pass) {
		return true
	}
	httpjson.Error(w, http.StatusUnauthorized, "This server's call app is private: sign in with the user and password set in CALL_USER and CALL_SECRET")
	return false
}

func (h *Handler) credentialsMatch(user, pass string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(h.opts.User))
	p := subtle.ConstantTimeCompare([]byte(pass), []byte(h.opts.Secret))
	return u&p == 1
}

// SessionRequest is the body of POST /call/api/sessions. The names of
// OpenVidu Call 2.x (sessionId, nickname) and 3.x (roomName,
// participantName) are both accepted.
type SessionRequest struct {
	SessionID       string `json:"sessionId"`
	Nickname        string `json:"nickname"`
	RoomName        string `json:"roomName"`
	ParticipantName string `json:"participantName"`
}

// SessionResponse is OpenVidu Call 2.x's answer, plus the role and session id.
type SessionResponse struct {
	SessionID           string   `json:"sessionId"`
	CameraToken         string   `json:"cameraToken"`
	ScreenToken         string   `json:"screenToken"`
	Role                string   `json:"role"`
	RecordingEnabled    bool     `json:"recordingEnabled"`
	BroadcastingEnabled bool     `json:"broadcastingEnabled"`
	Recordings          []string `json:"recordings"`
}

var roomPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,100}$`)

// MaxNicknameLength bounds what the app shows of a participant's name.
const MaxNicknameLength = 50

func (h *Handler) sessions(w http.ResponseWriter, r *http.Request) {
	if !h.authorized(w, r) {
		return
	}
	var req SessionRequest
	if err := decode(r, &req); err != nil {
		httpjson.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	room := strings.TrimSpace(firstNonEmpty(req.SessionID, req.RoomName))
	if !roomPattern.MatchString(room) {
		httpjson.Error(w, http.StatusBadRequest, "The room name must be 1 to 100 letters, digits, '-' or '_'")
		return
	}
	nickname := strings.TrimSpace(firstNonEmpty(req.Nickname, req.ParticipantName))
	if nickname == "" || utf8.RuneCountInString(nickname) > MaxNicknameLength {
		httpjson.Error(w, http.StatusBadRequest, "The participant name must be 1 to 50 characters")
		return
	}

	props := h.svc.NewSessionProperties()
	props.CustomSessionID = room
	if _, err := h.svc.CreateSession(props); err != nil && !errors.Is(err, core.ErrSessionExists) {
		h.fail(w, "create the session", err)
		return
	}
	s, err := h.svc.Session(room)
	if err != nil {
		h.fail(w, "find the session", err)
		return
	}
	// As OpenVidu Call: whoever finds the room empty moderates it.
	role := core.RolePublisher
	if len(s.View().ActiveConnections()) == 0 {
		role = core.RoleModerator
	}
	resp := SessionResponse{SessionID: room, Role: string(role), Recordings: []string{}}
	for _, token := range []*string{&resp.CameraToken, &resp.ScreenToken} {
		props := core.DefaultConnectionProperties()
		props.Role = role
		c, err := h.svc.CreateConnection(room, props)
		if err != nil {
			h.fail(w, "create a connection", err)
			return
		}
		*token = c.Token
	}
	httpjson.Write(w, http.StatusOK, resp)
}

func (h *Handler) fail(w http.ResponseWriter, what string, err error) {
	e := core.AsError(err)
	status := e.HTTPStatus
	if errors.Is(err, core.ErrShuttingDown) {
		status = http.StatusServiceUnavailable
	} else if status < 500 && !errors.Is(err, core.ErrBadRequest) {
		// The room vanished between two calls (closed, collected): retrying helps.
		status = http.StatusConflict
	}
	h.log.Warn("call app: could not "+what, "error", err)
	httpjson.Error(w, status, "Could not "+what+": "+e.Message)
}

func decode(r *http.Request, v any) error {
	body := io.LimitReader(r.Body, 16<<10)
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return errors.New("the body must be a JSON object")
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
