package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/govidu/govidu/internal/core"
)

// MaxBodyBytes bounds every request body; larger bodies get 413.
const MaxBodyBytes = 1 << 20

// object is a decoded JSON request body. Accessors treat an explicit null as
// absent (the node client sends nulls for unset properties), ignore unknown
// keys, and reject a known key of the wrong JSON type with ErrBadRequest.
type object map[string]json.RawMessage

// readBody reads at most MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, core.ErrBodyTooLarge.Withf("request body exceeds %d bytes", MaxBodyBytes)
		}
		return nil, core.ErrBadRequest.Withf("could not read request body: %v", err)
	}
	return b, nil
}

// decodeObject parses a JSON object body. An empty body or "null" gives an
// empty object when optional; otherwise it is an error.
func decodeObject(body []byte, optional bool) (object, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		if optional {
			return object{}, nil
		}
		return nil, core.ErrBadRequest.Withf("request body must be a JSON object")
	}
	var o object
	if err := json.Unmarshal(trimmed, &o); err != nil {
		return nil, core.ErrBadRequest.Withf("request body is not a valid JSON object: %v", err)
	}
	if o == nil {
		o = object{}
	}
	return o, nil
}

func (o object) raw(key string) (json.RawMessage, bool) {
	v, ok := o[key]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil, false
	}
	return v, true
}

func typeError(key, want string) error {
	return core.ErrBadRequest.Withf("property %q must be %s", key, want)
}

// str returns the string value of key; present is false when absent or null.
func (o object) str(key string) (v string, present bool, err error) {
	raw, ok := o.raw(key)
	if !ok {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", true, typeError(key, "a string")
	}
	return v, true, nil
}

func (o object) boolean(key string) (v bool, present bool, err error) {
	raw, ok := o.raw(key)
	if !ok {
		return false, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, true, typeError(key, "a boolean")
	}
	return v, true, nil
}

func (o object) integer(key string) (v int64, present bool, err error) {
	raw, ok := o.raw(key)
	if !ok {
		return 0, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, true, typeError(key, "an integer")
	}
	return v, true, nil
}

func (o object) object(key string) (v object, present bool, err error) {
	raw, ok := o.raw(key)
	if !ok {
		return nil, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return nil, true, typeError(key, "a JSON object")
	}
	return v, true, nil
}

func (o object) array(key string) (v []json.RawMessage, present bool, err error) {
	raw, ok := o.raw(key)
	if !ok {
		return nil, false, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, true, typeError(key, "an array")
	}
	return v, true, nil
}

// strings returns an array of strings; a null or non-string element is an error.
func (o object) strings(key string) (v []string, present bool, err error) {
	items, present, err := o.array(key)
	if err != nil || !present {
		return nil, present, err
	}
	v = make([]string, 0, len(items))
	for i, it := range items {
		var s string
		if bytes.Equal(bytes.TrimSpace(it), []byte("null")) || json.Unmarshal(it, &s) != nil {
			return nil, true, core.ErrBadRequest.Withf("property %q: element %d must be a string", key, i)
		}
		v = append(v, s)
	}
	return v, true, nil
}

// fields runs the decoders in order and returns the first error.
func fields(steps ...func() error) error {
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

func setStr(o object, key string, dst *string) func() error {
	return func() error {
		v, ok, err := o.str(key)
		if ok && err == nil {
			*dst = v
		}
		return err
	}
}

func setBool(o object, key string, dst *bool) func() error {
	return func() error {
		v, ok, err := o.boolean(key)
		if ok && err == nil {
			*dst = v
		}
		return err
	}
}

func setEnum[T ~string](o object, key string, dst *T, parse func(string) (T, error)) func() error {
	return func() error {
		v, ok, err := o.str(key)
		if err != nil || !ok {
			return err
		}
		p, err := parse(v)
		if err != nil {
			return err
		}
		*dst = p
		return nil
	}
}

func setInt(o object, key string, dst *int, lo, hi int64) func() error {
	return func() error {
		v, ok, err := o.integer(key)
		if err != nil || !ok {
			return err
		}
		if v < lo || v > hi {
			return core.ErrBadRequest.Withf("property %q must be between %d and %d", key, lo, hi)
		}
		*dst = int(v)
		return nil
	}
}
