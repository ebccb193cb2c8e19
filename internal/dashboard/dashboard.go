// Package dashboard serves /dashboard: live sessions, connections and
// streams with their WebRTC details, and a test call through the SFU made
// with govidu's own browser SDK. Protected like the REST API, as upstream
// CE's dashboard was.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/govidu/govidu/internal/httpauth"
)

//go:embed static
var static embed.FS

// Mount registers /dashboard on mux.
func Mount(mux *http.ServeMux, secret string) {
	files, _ := fs.Sub(static, "static")
	h := httpauth.Require(secret, http.StripPrefix("/dashboard/", http.FileServerFS(files)))
	mux.Handle("GET /dashboard/", h)
	mux.Handle("GET /dashboard", http.RedirectHandler("/dashboard/", http.StatusMovedPermanently))
}
