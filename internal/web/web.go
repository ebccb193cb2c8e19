// Package web serves govidu's embedded browser assets: the browser SDK
// (/openvidu-browser.js with the global OpenVidu, /openvidu-browser.esm.js,
// /openvidu-browser.d.ts). The files under dist/ are built by
// `go generate ./internal/web` and committed; a test fails when they are
// stale.
package web

//go:generate go run ./gen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed dist
var dist embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	contentType string
	body        []byte
	etag        string
	gzip        []byte // nil when compression does not pay
}

var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".ts":   "application/typescript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

var (
	loadOnce sync.Once
	assets   map[string]*asset // URL path → asset
)

// load reads and compresses every file of dist once.
func load() {
	assets = map[string]*asset{}
	_ = fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := dist.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{contentType: contentTypes[path.Ext(p)], body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if strings.HasPrefix(a.contentType, "text/") || strings.HasPrefix(a.contentType, "application/typescript") {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(body)
			_ = zw.Close()
			if buf.Len() < len(body) {
				a.gzip = buf.Bytes()
			}
		}
		assets["/"+strings.TrimPrefix(p, "dist/")] = a
		return nil
	})
}

// SDKPaths are the URL paths of the browser SDK.
var SDKPaths = []string{"/openvidu-browser.js", "/openvidu-browser.esm.js", "/openvidu-browser.d.ts"}

// Mount registers the embedded assets on mux.
func Mount(mux *http.ServeMux) {
	h := Handler()
	for _, p := range SDKPaths {
		mux.Handle("GET "+p, h)
	}
}

// Handler serves the embedded assets by URL path (404 for anything else).
// Responses carry an ETag and `Cache-Control: no-cache`: the names are not
// versioned, so browsers revalidate (a 304 when unchanged); gzip is used when
// the client accepts it.
func Handler() http.Handler {
	loadOnce.Do(load)
	return http.HandlerFunc(serve)
}

func serve(w http.ResponseWriter, r *http.Request) {
	a := assets[r.URL.Path]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	body, etag := a.body, a.etag
	if a.gzip != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = a.gzip, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		h.Del("Content-Type")
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") || strings.Contains(params, "q=0.")
		}
	}
	return false
}

func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
