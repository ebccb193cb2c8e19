package api

import (
	"net/http"

	"github.com/govidu/govidu/internal/core"
)

// startRecording keeps upstream's check order: an absent or invalid body is
// 400 before the module's 501.
func (h *Handler) startRecording(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.decode(w, r, false); !ok {
		return
	}
	h.recordingDisabled(w, r)
}

func (h *Handler) recordingDisabled(w http.ResponseWriter, r *http.Request) {
	h.writeError(w, r, core.ErrRecordingDisabled)
}
