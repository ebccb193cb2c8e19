package server

import (
	"net/http"
	"strings"
)

// rewriteLegacyPaths maps OpenVidu's pre-2.16 paths onto the current ones
// (SUPPORT_DEPRECATED_API), for old curl scripts.
func rewriteLegacyPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		var np string
		switch {
		case strings.HasPrefix(p, "/api/"):
			np = "/openvidu" + p
		case p == "/config" || strings.HasPrefix(p, "/config/"):
			np = "/openvidu/api" + p
		case p == "/accept-certificate":
			np = "/openvidu/accept-certificate"
		case p == "/cdr" || strings.HasPrefix(p, "/cdr/"), strings.HasPrefix(p, "/recordings/"):
			np = "/openvidu" + p
		case strings.HasPrefix(p, "/layouts/custom/"):
			np = "/openvidu/layouts/" + strings.TrimPrefix(p, "/layouts/custom/")
		case p == "/info":
			np = "/openvidu/info"
		}
		if np != "" {
			r2 := r.Clone(r.Context())
			r2.URL.Path = np
			r2.URL.RawPath = ""
			next.ServeHTTP(w, r2)
			return
		}
		next.ServeHTTP(w, r)
	})
}
