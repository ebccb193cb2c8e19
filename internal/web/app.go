package web

import "net/http"

// The ready-to-use clients built on the SDK: the <openvidu-webcomponent>
// custom element (always served, like the SDK) and the call app (served by
// internal/callapp when GOVIDU_CALL_APP is on).

// WebComponentPaths are the URL paths of <openvidu-webcomponent>.
var WebComponentPaths = []string{"/openvidu-webcomponent.js", "/openvidu-webcomponent.d.ts"}

// AppPaths are the call app's assets; its page is served at / and /room/NAME.
var AppPaths = []string{"/call-app.js"}

// appPage is the dist file of the call app's HTML shell.
const appPage = "/call-app.html"

// MountWebComponent registers /openvidu-webcomponent.js (and its .d.ts) on mux.
func MountWebComponent(mux *http.ServeMux) {
	h := Handler()
	for _, p := range WebComponentPaths {
		mux.Handle("GET "+p, h)
	}
}

// MountApp registers the call app: its page at / and /room/{name} (a
// shareable link; /?room=NAME works too) and its script.
func MountApp(mux *http.ServeMux) {
	h := Handler()
	for _, p := range AppPaths {
		mux.Handle("GET "+p, h)
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = appPage
		w.Header().Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r2)
	})
	mux.Handle("GET /{$}", page)
	mux.Handle("GET /room/{room}", page)
}
