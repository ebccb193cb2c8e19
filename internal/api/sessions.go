package api

import (
	"errors"
	"net/http"

	"github.com/govidu/govidu/internal/core"
)

func (h *Handler) createSession(w http.ResponseWriter, r *http.Request) {
	o, ok := h.decode(w, r, true)
	if !ok {
		return
	}
	props, err := decodeSessionProperties(o, h.svc.NewSessionProperties())
	if err != nil {
		h.writeError(w, r, err, http.StatusBadRequest) // never 422 here (upstream)
		return
	}
	v, err := h.svc.CreateSession(props)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.sessionJSON(v, viewOptions{}))
}

func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request) {
	o, err := h.viewOptions(r, false)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	list := []sessionJSON{}
	for _, v := range h.svc.Sessions() {
		list = append(list, h.sessionJSON(v, o))
	}
	h.writeJSON(w, http.StatusOK, newList(list))
}

func (h *Handler) getSession(w http.ResponseWriter, r *http.Request) {
	o, err := h.viewOptions(r, false)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.svc.Session(r.PathValue("sid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.sessionJSON(s.View(), o))
}

func (h *Handler) deleteSession(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.CloseSession(r.PathValue("sid"), core.ReasonSessionClosedByServer); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// sessionOr400 finds the session for the endpoints where upstream answers
// an unknown session with 400 instead of 404.
func (h *Handler) sessionOr400(w http.ResponseWriter, r *http.Request) (*core.Session, bool) {
	s, err := h.svc.Session(r.PathValue("sid"))
	if err != nil {
		h.writeError(w, r, err, http.StatusBadRequest)
		return nil, false
	}
	return s, true
}

func (h *Handler) deleteStream(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sessionOr400(w, r)
	if !ok {
		return
	}
	err := h.svc.UnpublishStream(s.Ref().ID, r.PathValue("streamId"), core.ReasonForceUnpublishByServer)
	if err != nil {
		if errors.Is(err, core.ErrSessionNotFound) {
			h.writeError(w, r, err, http.StatusBadRequest)
			return
		}
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
