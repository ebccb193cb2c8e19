// Package jsonrpc is the JSON-RPC 2.0 codec spoken by openvidu-browser's
// bundled kurento-jsonrpc client: one object per WebSocket text frame, no
// batches, ids echoed exactly as received, responses carrying exactly one of
// result and error (a frame with both, even "error":null, is dropped by the
// client and the call times out).
package jsonrpc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Version is the only protocol version the client accepts on every frame.
const Version = "2.0"

// Standard JSON-RPC error codes.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
)

// Request is one decoded client frame.
type Request struct {
	// ID is the raw JSON of the id member (a number or a string), echoed
	// unchanged in the response; nil for a notification (no id member).
	ID     json.RawMessage
	Method string
	// Params is the raw params object; nil when absent or null.
	Params json.RawMessage
}

// IsNotification reports whether the request carries no id and so must not be answered.
func (r *Request) IsNotification() bool { return r.ID == nil }

// Error is a JSON-RPC error object.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *Error) Error() string { return fmt.Sprintf("jsonrpc error %d: %s", e.Code, e.Message) }

// NewError returns an error object with code and message.
func NewError(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Decode parses one frame. On failure it returns the error to answer with
// and, when it could be recovered, the id to answer to (nil means "null").
// A frame that is not JSON yields CodeParseError; JSON that is not a valid
// request yields CodeInvalidRequest.
func Decode(frame []byte) (*Request, json.RawMessage, *Error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(frame, &members); err != nil {
		if json.Valid(frame) {
			return nil, nil, NewError(CodeInvalidRequest, "invalid request: a request must be a JSON object")
		}
		return nil, nil, NewError(CodeParseError, "parse error: %v", err)
	}
	if members == nil { // the literal null
		return nil, nil, NewError(CodeInvalidRequest, "invalid request: a request must be a JSON object")
	}
	var id json.RawMessage
	if raw, ok := members["id"]; ok {
		switch kind(raw) {
		case '"', '0':
			id = compact(raw)
		case 'n':
			// "id":null is allowed by JSON-RPC 2.0 but discouraged; keep it
			// answerable rather than treating it as a notification.
			id = json.RawMessage("null")
		default:
			return nil, nil, NewError(CodeInvalidRequest, "invalid request: id must be a number or a string")
		}
	}
	var version string
	if err := json.Unmarshal(members["jsonrpc"], &version); err != nil || version != Version {
		return nil, id, NewError(CodeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`)
	}
	var method string
	if err := json.Unmarshal(members["method"], &method); err != nil || method == "" {
		return nil, id, NewError(CodeInvalidRequest, `invalid request: "method" must be a non-empty string`)
	}
	req := &Request{ID: id, Method: method}
	if raw, ok := members["params"]; ok {
		switch kind(raw) {
		case '{':
			req.Params = raw
		case 'n':
		default:
			return nil, id, NewError(CodeInvalidParams, "invalid params: params of %s must be an object", method)
		}
	}
	return req, nil, nil
}

// kind classifies a JSON value by its first byte: '{', '[', '"', '0' (any
// number), 't'/'f' (booleans), 'n' (null), or 0 when empty.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; {
	case c == '-' || (c >= '0' && c <= '9'):
		return '0'
	default:
		return c
	}
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

type notification struct {
	JSONRPC string          `json:"jsonrpc"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

// EncodeResult builds a success response. A nil result is sent as {} so the
// frame always carries "result".
func EncodeResult(id json.RawMessage, result any) ([]byte, error) {
	raw, err := marshal(result)
	if err != nil {
		return nil, err
	}
	if raw == nil || bytes.Equal(raw, []byte("null")) {
		raw = json.RawMessage("{}")
	}
	return json.Marshal(response{JSONRPC: Version, ID: idOrNull(id), Result: raw})
}

// EncodeError builds an error response; id nil is sent as null.
func EncodeError(id json.RawMessage, e *Error) []byte {
	if e == nil {
		e = NewError(-32603, "internal error")
	}
	b, err := json.Marshal(response{JSONRPC: Version, ID: idOrNull(id), Error: e})
	if err != nil { // only an invalid Data could do this
		b, _ = json.Marshal(response{JSONRPC: Version, ID: idOrNull(id), Error: &Error{Code: e.Code, Message: e.Message}})
	}
	return b
}

// EncodeNotification builds a server notification (no id).
func EncodeNotification(method string, params any) ([]byte, error) {
	raw, err := marshal(params)
	if err != nil {
		return nil, err
	}
	return json.Marshal(notification{JSONRPC: Version, Method: method, Params: raw})
}

func marshal(v any) (json.RawMessage, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return v, nil
	}
	return json.Marshal(v)
}

func idOrNull(id json.RawMessage) json.RawMessage {
	if len(id) == 0 {
		return json.RawMessage("null")
	}
	return id
}
