package openvidu

import (
	"fmt"
	"net/http"
)

// HTTPError is a REST answer other than the one the operation expects.
// Status is the HTTP status code; Message is the server's explanation when
// it sent one (govidu always does), otherwise the status text.
type HTTPError struct {
	Status  int
	Message string
	Method  string // request method, e.g. "POST"
	Path    string // request path, e.g. "/openvidu/api/sessions"
}

func (e *HTTPError) Error() string {
	if e.Method == "" {
		return fmt.Sprintf("openvidu: %d %s", e.Status, e.Message)
	}
	return fmt.Sprintf("openvidu: %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

// Is reports whether target is an *HTTPError with the same Status, so that
// errors.Is(err, ErrNotFound) holds for any 404.
func (e *HTTPError) Is(target error) bool {
	t, ok := target.(*HTTPError)
	return ok && t.Status == e.Status
}

func statusError(status int) *HTTPError {
	return &HTTPError{Status: status, Message: http.StatusText(status)}
}

// Values to compare errors with, using errors.Is. What each status means
// depends on the operation; the method docs say which ones to expect.
var (
	// ErrBadRequest (400): an invalid property, or, for the sub-resources of
	// a session (one connection, one stream), an unknown session.
	ErrBadRequest = statusError(http.StatusBadRequest)
	// ErrUnauthorized (401): wrong secret.
	ErrUnauthorized = statusError(http.StatusUnauthorized)
	// ErrNotFound (404): unknown session, connection, stream or recording.
	ErrNotFound = statusError(http.StatusNotFound)
	// ErrMethodNotAllowed (405): e.g. force-unpublishing an IP camera stream.
	ErrMethodNotAllowed = statusError(http.StatusMethodNotAllowed)
	// ErrNotAcceptable (406): the session has no participants yet (signals,
	// recordings), or a signal recipient is not a participant.
	ErrNotAcceptable = statusError(http.StatusNotAcceptable)
	// ErrConflict (409): a session with that id exists (CreateSession handles
	// it), a recording is already running, or a recording cannot be deleted yet.
	ErrConflict = statusError(http.StatusConflict)
	// ErrUnprocessable (422): recording properties out of range.
	ErrUnprocessable = statusError(http.StatusUnprocessableEntity)
	// ErrRecordingDisabled (501): the server runs with OPENVIDU_RECORDING=false.
	ErrRecordingDisabled = &HTTPError{Status: http.StatusNotImplemented, Message: "recording module is disabled"}
)
