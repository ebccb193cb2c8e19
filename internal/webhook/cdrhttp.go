package webhook

import (
	"encoding/json"
	"errors"
	"github.com/govidu/govidu/internal/httpauth"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
)

// CDRHandler serves the CDR files with the REST API's credentials (Basic
// OPENVIDUAPP:<secret>), as upstream protects GET /openvidu/cdr/**:
//
//	GET /openvidu/cdr         JSON array of the file names, oldest first
//	GET /openvidu/cdr/{file}  one file (JSON Lines)
func CDRHandler(dir, secret string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openvidu/cdr", func(w http.ResponseWriter, r *http.Request) {
		names, err := ListCDRFiles(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			http.Error(w, "cannot read the CDR directory", http.StatusInternalServerError)
			return
		}
		if names == nil {
			names = []string{}
		}
		b, _ := json.Marshal(names)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	mux.HandleFunc("GET /openvidu/cdr/{file}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		// Only names the CDR writes: no path can escape dir.
		if !cdrNamePattern.MatchString(name) {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		http.ServeContent(w, r, name, st.ModTime(), f)
	})
	return httpauth.Require(secret, mux)
}
