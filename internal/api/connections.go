package api

import (
	"errors"
	"net/http"

	"github.com/govidu/govidu/internal/core"
)

func (h *Handler) createConnection(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("sid")
	if _, err := h.svc.Session(sid); err != nil { // 404 before the body is validated
		h.writeError(w, r, err)
		return
	}
	o, ok := h.decode(w, r, true)
	if !ok {
		return
	}
	props, err := decodeConnectionProperties(o)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.CreateConnection(sid, props)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, h.connectionJSON(c, viewOptions{pending: true}))
}

func (h *Handler) listConnections(w http.ResponseWriter, r *http.Request) {
	o, err := h.viewOptions(r, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.svc.Session(r.PathValue("sid"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, newList(h.connectionsJSON(s.View().Connections, o)))
}

func (h *Handler) getConnection(w http.ResponseWriter, r *http.Request) {
	o, err := h.viewOptions(r, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	s, ok := h.sessionOr400(w, r)
	if !ok {
		return
	}
	c, err := h.svc.Connection(s.Ref().ID, r.PathValue("cid"))
	if err != nil {
		h.writeError(w, r, err, statusFor(err))
		return
	}
	h.writeJSON(w, http.StatusOK, h.connectionJSON(c, o))
}

func (h *Handler) updateConnection(w http.ResponseWriter, r *http.Request) {
	sid, cid := r.PathValue("sid"), r.PathValue("cid")
	if _, err := h.svc.Connection(sid, cid); err != nil {
		h.writeError(w, r, err, http.StatusNotFound)
		return
	}
	o, ok := h.decode(w, r, false)
	if !ok {
		return
	}
	var patch core.ConnectionPatch
	err := fields(
		func() error {
			v, ok, err := o.str("role")
			if err != nil || !ok {
				return err
			}
			role, err := core.ParseRole(v)
			patch.Role = &role
			return err
		},
		func() error {
			v, ok, err := o.boolean("record")
			if ok && err == nil {
				patch.Record = &v
			}
			return err
		},
	)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.UpdateConnection(sid, cid, patch)
	if err != nil {
		h.writeError(w, r, err, http.StatusNotFound)
		return
	}
	h.writeJSON(w, http.StatusOK, h.connectionJSON(c, viewOptions{pending: true}))
}

func (h *Handler) deleteConnection(w http.ResponseWriter, r *http.Request) {
	s, ok := h.sessionOr400(w, r)
	if !ok {
		return
	}
	if err := h.svc.Disconnect(s.Ref().ID, r.PathValue("cid"), core.ReasonForceDisconnectByServer); err != nil {
		h.writeError(w, r, err, statusFor(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// statusFor maps a session that vanished between two steps to upstream's 400
// for the connection/stream sub-resources.
func statusFor(err error) int {
	if errors.Is(err, core.ErrSessionNotFound) {
		return http.StatusBadRequest
	}
	return core.AsError(err).HTTPStatus
}
