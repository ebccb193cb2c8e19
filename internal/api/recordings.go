package api

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/recording"
)

// Recordings is the recording module as the REST API drives it
// (*recording.Manager). nil, or OPENVIDU_RECORDING=false, answers 501.
type Recordings interface {
	Start(sessionID string, props core.RecordingProperties) (recording.Recording, error)
	Stop(id string) (recording.Recording, error)
	Get(id string) (recording.Recording, error)
	List() ([]recording.Recording, error)
	Delete(id string) error
	FilePath(id, name string) (string, bool)
}

func (h *Handler) recordings() Recordings {
	if h.opts.Recordings == nil || !h.opts.Config.Recording {
		return nil
	}
	return h.opts.Recordings
}

// recordingJSON is the Recording object (spec §3.3): layout fields only
// for COMPOSED* with video, customLayout only for CUSTOM; url always
// present (null until there is a file); never shmSize or ignoreFailedStreams.
type recordingJSON struct {
	ID              string               `json:"id"`
	Object          string               `json:"object"`
	Name            string               `json:"name"`
	OutputMode      core.OutputMode      `json:"outputMode"`
	Resolution      string               `json:"resolution,omitempty"`
	FrameRate       *int                 `json:"frameRate,omitempty"`
	RecordingLayout core.RecordingLayout `json:"recordingLayout,omitempty"`
	CustomLayout    *string              `json:"customLayout,omitempty"`
	SessionID       string               `json:"sessionId"`
	CreatedAt       int64                `json:"createdAt"`
	Size            int64                `json:"size"`
	Duration        float64              `json:"duration"`
	URL             *string              `json:"url"`
	HasAudio        bool                 `json:"hasAudio"`
	HasVideo        bool                 `json:"hasVideo"`
	Status          core.RecordingStatus `json:"status"`
}

func (h *Handler) recordingJSON(r recording.Recording) recordingJSON {
	p := r.Properties
	j := recordingJSON{
		ID: r.ID, Object: "recording", Name: r.Name, OutputMode: p.OutputMode, SessionID: r.SessionID,
		CreatedAt: millis(r.CreatedAt), Size: r.Size, Duration: r.Duration, HasAudio: p.HasAudio, HasVideo: p.HasVideo,
		Status: r.Status,
	}
	if p.OutputMode.IsComposed() && p.HasVideo {
		fr := p.FrameRate
		j.Resolution, j.FrameRate, j.RecordingLayout = p.Resolution, &fr, p.RecordingLayout
		if p.RecordingLayout == core.LayoutCustom {
			cl := p.CustomLayout
			j.CustomLayout = &cl
		}
	}
	if r.File != "" && (r.Status == core.RecordingReady || r.Status == core.RecordingFailed) {
		u := h.opts.Config.PublicURL() + "/openvidu/recordings/" + r.ID + "/" + r.File
		j.URL = &u
	}
	return j
}

// startRecording keeps upstream's order of checks (spec pitfall 12): body
// 400, module 501, session 400, session state 404/406/409, properties
// 400/422, start failure 500.
func (h *Handler) startRecording(w http.ResponseWriter, r *http.Request) {
	o, ok := h.decode(w, r, false)
	if !ok {
		return
	}
	recs := h.recordings()
	if recs == nil {
		h.recordingDisabled(w, r)
		return
	}
	sid, present, err := o.str("session")
	if err == nil && (!present || sid == "") {
		err = core.ErrBadRequest.Withf("property \"session\" is required")
	}
	if err != nil {
		h.writeError(w, r, err, http.StatusBadRequest)
		return
	}
	view, err := h.svc.CheckRecordable(sid)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	props, err := startProperties(o, view.Properties.DefaultRecordingProperties)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	rec, err := recs.Start(sid, props)
	if err != nil {
		h.recordingFailure(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.recordingJSON(rec))
}

// startProperties merges the body over the session's defaults (spec
// §4.7): an empty name counts as absent, COMPOSED and COMPOSED_QUICK_START
// follow the session default (pitfall 19); then upstream's validation.
func startProperties(o object, defaults core.RecordingProperties) (core.RecordingProperties, error) {
	props, err := decodeRecordingProperties(o, defaults)
	if err != nil {
		return props, err
	}
	if props.Name == "" {
		props.Name = defaults.Name
	}
	if props.OutputMode.IsComposed() {
		if defaults.OutputMode == core.OutputComposedQuickStart {
			props.OutputMode = core.OutputComposedQuickStart
		} else {
			props.OutputMode = core.OutputComposed
		}
	}
	return props, props.Validate()
}

// recordingFailure answers a start or stop failure: 500 with upstream's
// plain-text message, other statuses as usual.
func (h *Handler) recordingFailure(w http.ResponseWriter, r *http.Request, err error) {
	e := core.AsError(err)
	if e.HTTPStatus != http.StatusInternalServerError {
		h.writeError(w, r, err)
		return
	}
	h.log.Error("recording request failed", "method", r.Method, "path", r.URL.Path, "err", e.Message)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(e.Message))
}

func (h *Handler) stopRecording(w http.ResponseWriter, r *http.Request) {
	recs := h.recordings()
	if recs == nil {
		h.recordingDisabled(w, r)
		return
	}
	rec, err := recs.Stop(r.PathValue("rid"))
	if err != nil {
		if e := core.AsError(err); e.HTTPStatus == http.StatusInternalServerError && !strings.HasPrefix(e.Message, "Error") {
			err = core.ErrRecordingStop.Withf("Error stopping recording: %s", e.Message)
		}
		h.recordingFailure(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.recordingJSON(rec))
}

func (h *Handler) getRecording(w http.ResponseWriter, r *http.Request) {
	recs := h.recordings()
	if recs == nil {
		h.recordingDisabled(w, r)
		return
	}
	rec, err := recs.Get(r.PathValue("rid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.recordingJSON(rec))
}

func (h *Handler) listRecordings(w http.ResponseWriter, r *http.Request) {
	recs := h.recordings()
	if recs == nil {
		h.recordingDisabled(w, r)
		return
	}
	list, err := recs.List()
	if err != nil {
		h.writeError(w, r, core.ErrInternal.Withf("listing recordings: %v", err))
		return
	}
	items := make([]recordingJSON, 0, len(list))
	for _, rec := range list {
		items = append(items, h.recordingJSON(rec))
	}
	h.writeJSON(w, http.StatusOK, struct {
		Count int             `json:"count"`
		Items []recordingJSON `json:"items"`
	}{len(items), items})
}

func (h *Handler) deleteRecording(w http.ResponseWriter, r *http.Request) {
	recs := h.recordings()
	if recs == nil {
		h.recordingDisabled(w, r)
		return
	}
	if err := recs.Delete(r.PathValue("rid")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) recordingDisabled(w http.ResponseWriter, r *http.Request) {
	h.writeError(w, r, core.ErrRecordingDisabled)
}

// downloadRecording serves /openvidu/recordings/{rid}/{file} with Range,
// HEAD and conditional requests (auth unless OPENVIDU_RECORDING_PUBLIC_ACCESS).
func (h *Handler) downloadRecording(w http.ResponseWriter, r *http.Request) {
	recs := h.recordings()
	if recs == nil {
		h.notFound(w, r)
		return
	}
	path, ok := recs.FilePath(r.PathValue("rid"), r.PathValue("file"))
	if !ok {
		h.writeError(w, r, core.ErrNotFound.Withf("no such recording file"))
		return
	}
	f, err := os.Open(path)
	if err != nil {
		h.writeError(w, r, core.ErrNotFound.Withf("no such recording file"))
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		h.writeError(w, r, core.ErrNotFound.Withf("no such recording file"))
		return
	}
	if ct, ok := recordingContentTypes[strings.ToLower(filepath.Ext(path))]; ok {
		w.Header().Set("Content-Type", ct)
	}
	http.ServeContent(w, r, filepath.Base(path), st.ModTime(), f)
}

var recordingContentTypes = map[string]string{
	".mp4":  "video/mp4",
	".webm": "video/webm",
	".mkv":  "video/x-matroska",
	".zip":  "application/zip",
	".jpg":  "image/jpeg",
	".json": "application/json",
}

// isRecordingDownload: a GET or HEAD of a recording file.
func isRecordingDownload(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.HasPrefix(r.URL.Path, "/openvidu/recordings/")
}
