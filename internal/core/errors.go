package core

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one error type of govidu's domain. Each catalogue entry carries
// the HTTP status and the JSON-RPC code that upstream OpenVidu 2.32 uses for the
// same condition, so REST and signaling translate errors without inventing
// codes of their own.
type Error struct {
	Code       string // stable identifier, e.g. "SESSION_NOT_FOUND"
	HTTPStatus int    // default REST status (some endpoints override it, as upstream does)
	RPCCode    int    // JSON-RPC error code read by openvidu-browser
	Message    string // for humans
}

func (e *Error) Error() string { return e.Message }

// Is makes errors.Is match any Error with the same Code, so that a message
// specialised with Withf still matches its catalogue entry.
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code
}

// Withf returns a copy of the catalogue entry with a specific message.
func (e *Error) Withf(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// AsError extracts the catalogue entry from err; anything else becomes ErrInternal
// carrying err's text.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ErrInternal.Withf("%v", err)
}

// The catalogue. RPC codes follow io.openvidu.client.OpenViduException.
var (
	ErrBadRequest         = &Error{"BAD_REQUEST", http.StatusBadRequest, -32602, "invalid request"}
	ErrUnprocessable      = &Error{"UNPROCESSABLE", http.StatusUnprocessableEntity, -32602, "invalid property value"}
	ErrBodyTooLarge       = &Error{"BODY_TOO_LARGE", http.StatusRequestEntityTooLarge, -32602, "request body too large"}
	ErrUnauthorized       = &Error{"UNAUTHORIZED", http.StatusUnauthorized, 401, "wrong or missing credentials"}
	ErrNotFound           = &Error{"NOT_FOUND", http.StatusNotFound, -32601, "not found"}
	ErrMethodNotAllowed   = &Error{"METHOD_NOT_ALLOWED", http.StatusMethodNotAllowed, -32601, "method not allowed"}
	ErrSessionNotFound    = &Error{"SESSION_NOT_FOUND", http.StatusNotFound, 202, "session not found"}
	ErrSessionExists      = &Error{"SESSION_EXISTS", http.StatusConflict, 204, "session already exists"}
	ErrSessionClosed      = &Error{"SESSION_CLOSED", http.StatusNotFound, 203, "session is closed"}
	ErrSessionNotActive   = &Error{"SESSION_NOT_ACTIVE", http.StatusNotAcceptable, 202, "session has no participants yet"}
	ErrConnectionNotFound = &Error{"CONNECTION_NOT_FOUND", http.StatusNotFound, 102, "connection not found"}
	ErrStreamNotFound     = &Error{"STREAM_NOT_FOUND", http.StatusNotFound, 105, "stream not found"}
	ErrNotPublishing      = &Error{"NOT_PUBLISHING", http.StatusNotFound, 105, "connection is not publishing"}
	ErrAlreadyPublishing  = &Error{"ALREADY_PUBLISHING", http.StatusConflict, 106, "connection is already publishing"}
	ErrAlreadySubscribed  = &Error{"ALREADY_SUBSCRIBED", http.StatusConflict, 106, "already subscribed to this stream"}
	ErrIPCamStream        = &Error{"IPCAM_STREAM", http.StatusMethodNotAllowed, 105, "streams of IPCAM connections cannot be unpublished; delete the connection instead"}
	ErrInvalidToken       = &Error{"INVALID_TOKEN", http.StatusUnauthorized, 401, "token is not valid"}
	ErrPermissionDenied   = &Error{"PERMISSION_DENIED", http.StatusUnauthorized, 401, "permission denied"}
	ErrSignalFormat       = &Error{"SIGNAL_FORMAT_INVALID", http.StatusBadRequest, 600, "signal message is not valid"}
	ErrSignalTo           = &Error{"SIGNAL_TO_INVALID", http.StatusNotAcceptable, 601, "signal recipient is not a participant of the session"}
	ErrNotJoined          = &Error{"NOT_JOINED", http.StatusBadRequest, 803, "method requires a joined session (call joinRoom first)"}
	ErrSDP                = &Error{"MEDIA_SDP_ERROR", http.StatusInternalServerError, 302, "SDP could not be processed"}
	ErrFilterUnsupported  = &Error{"FILTER_UNSUPPORTED", http.StatusNotImplemented, 996, "server-side filters are not supported by govidu"}
	ErrProOnly            = &Error{"WRONG_EDITION", http.StatusNotImplemented, 997, "this feature requires OpenVidu Pro/Enterprise edition"}
	ErrReconnection       = &Error{"RECONNECTION_ERROR", http.StatusNotFound, 40007, "reconnection error"}
	ErrMethodNotFound     = &Error{"METHOD_NOT_FOUND", http.StatusNotFound, -32601, "method not found"}
	ErrParseError         = &Error{"PARSE_ERROR", http.StatusBadRequest, -32700, "parse error"}
	ErrRecordingDisabled  = &Error{"RECORDING_DISABLED", http.StatusNotImplemented, 999, "recording module is disabled (OPENVIDU_RECORDING=false)"}
	ErrRecordingConflict  = &Error{"RECORDING_CONFLICT", http.StatusConflict, 707, "session cannot be recorded now"}
	ErrRecordingNotFound  = &Error{"RECORDING_NOT_FOUND", http.StatusNotFound, 707, "recording not found"}
	ErrRecordingStarting  = &Error{"RECORDING_STARTING", http.StatusNotAcceptable, 707, "recording is still starting"}
	ErrRecordingInUse     = &Error{"RECORDING_IN_USE", http.StatusConflict, 709, "recording is in progress"}
	ErrRecordingStart     = &Error{"RECORDING_START_ERROR", http.StatusInternalServerError, 712, "error starting recording"}
	ErrRecordingStop      = &Error{"RECORDING_STOP_ERROR", http.StatusInternalServerError, 711, "error stopping recording"}
	ErrShuttingDown       = &Error{"SHUTTING_DOWN", http.StatusServiceUnavailable, 999, "server is shutting down"}
	ErrInternal           = &Error{"INTERNAL", http.StatusInternalServerError, 999, "internal error"}
)
