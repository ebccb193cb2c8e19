package api

import (
	"errors"
	"net/http"

	"github.com/govidu/govidu/internal/core"
)

// signalRequest is a decoded POST /signal body.
type signalRequest struct {
	session, typ, data string
	to                 []string
}

func decodeSignal(o object) (signalRequest, error) {
	var req signalRequest
	err := fields(
		func() error {
			v, ok, err := o.str("session")
			if err == nil && !ok {
				err = core.ErrBadRequest.Withf("property \"session\" is required")
			}
			req.session = v
			return err
		},
		func() error {
			items, ok, err := o.array("to")
			if err != nil || !ok {
				return err
			}
			for i, it := range items {
				// A null recipient is upstream's 406 (not a participant); a
				// non-string one is a type error (400).
				if string(it) == "null" {
					return core.ErrSignalTo.Withf("signal recipient %d is null", i)
				}
			}
			req.to, _, err = o.strings("to")
			return err
		},
		setStr(o, "type", &req.typ),
		setStr(o, "data", &req.data),
	)
	return req, err
}

func (h *Handler) signal(w http.ResponseWriter, r *http.Request) {
	o, ok := h.decode(w, r, false)
	if !ok {
		return
	}
	req, err := decodeSignal(o)
	if err == nil {
		err = h.svc.Signal(req.session, "", req.to, req.typ, req.data)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	o, ok := h.decode(w, r, false)
	if !ok {
		return
	}
	session, present, err := o.str("session")
	if err == nil && !present {
		err = core.ErrBadRequest.Withf("property \"session\" is required")
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, err := h.svc.Session(session); err != nil {
		h.writeError(w, r, err)
		return
	}
	delete(o, "record") // the legacy endpoint always records
	delete(o, "type")
	props, err := decodeConnectionProperties(o)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.CreateConnection(session, props)
	if err != nil {
		if errors.Is(err, core.ErrSessionNotFound) {
			h.writeError(w, r, err, http.StatusNotFound)
			return
		}
		h.writeError(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, tokenJSONOf(c))
}
