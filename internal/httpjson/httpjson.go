// Package httpjson writes the JSON answers of govidu's own small HTTP
// endpoints (the call app's, the doctor page's): never cached, errors as
// {"message": "..."}. The REST API keeps upstream's exact shapes in
// internal/api.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// Write sends v as JSON with status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error sends {"message": message} with status.
func Error(w http.ResponseWriter, status int, message string) {
	Write(w, status, map[string]string{"message": message})
}
