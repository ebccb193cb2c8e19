package signaling

import (
	"encoding/json"
	"strings"

	"github.com/govidu/govidu/internal/core"
)

// params gives typed access to a request's params object. Every accessor
// reports a missing or mistyped member with an error naming it, so a broken
// client learns what it did wrong instead of timing out.
type params struct {
	method  string
	members map[string]json.RawMessage
}

func parseParams(method string, raw json.RawMessage) (params, error) {
	p := params{method: method}
	if len(raw) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(raw, &p.members); err != nil {
		return p, core.ErrBadRequest.Withf("params of %s must be an object", method)
	}
	return p, nil
}

// has reports whether name is present and not null.
func (p params) has(name string) bool {
	raw, ok := p.members[name]
	return ok && !isNull(raw)
}

func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

func (p params) missing(name, typ string) error {
	return core.ErrBadRequest.Withf("request element '%s' (%s) is missing in method '%s'", name, typ, p.method)
}

func (p params) mistyped(name, typ string) error {
	return core.ErrBadRequest.Withf("request element '%s' of method '%s' must be a %s", name, p.method, typ)
}

// str returns a required string member.
func (p params) str(name string) (string, error) {
	if !p.has(name) {
		return "", p.missing(name, "string")
	}
	var s string
	if err := json.Unmarshal(p.members[name], &s); err != nil {
		return "", p.mistyped(name, "string")
	}
	return s, nil
}

// optStr returns an optional string member ("" when absent or null).
func (p params) optStr(name string) (string, error) {
	if !p.has(name) {
		return "", nil
	}
	return p.str(name)
}

// optBool returns an optional boolean member (def when absent or null).
func (p params) optBool(name string, def bool) (bool, error) {
	if !p.has(name) {
		return def, nil
	}
	var b bool
	if err := json.Unmarshal(p.members[name], &b); err != nil {
		return false, p.mistyped(name, "boolean")
	}
	return b, nil
}

// optInt returns an optional integer member (def when absent or null).
func (p params) optInt(name string, def int) (int, error) {
	if !p.has(name) {
		return def, nil
	}
	var f float64
	if err := json.Unmarshal(p.members[name], &f); err != nil || f != float64(int(f)) {
		return 0, p.mistyped(name, "integer")
	}
	return int(f), nil
}

// raw returns a required member as raw JSON (any type, null excluded).
func (p params) raw(name string) (json.RawMessage, error) {
	if !p.has(name) {
		return nil, p.missing(name, "value")
	}
	return p.members[name], nil
}

// text returns a member that should be a string but is accepted as any JSON
// value, whose text is then used (the client JSON-stringifies non-string
// metadata itself; other clients may not).
func (p params) text(name string) string {
	raw, ok := p.members[name]
	if !ok || isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// optNumber returns an optional number member (0 when absent or null).
func (p params) optNumber(name string) (float64, error) {
	if !p.has(name) {
		return 0, nil
	}
	var f float64
	if err := json.Unmarshal(p.members[name], &f); err != nil {
		return 0, p.mistyped(name, "number")
	}
	return f, nil
}
