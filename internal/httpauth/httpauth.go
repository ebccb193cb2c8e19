// Package httpauth is OpenVidu's HTTP Basic authentication (user
// OPENVIDUAPP, password OPENVIDU_SECRET), shared by the REST API, the CDR,
// /metrics, pprof and the dashboard so that all of them answer exactly alike.
package httpauth

import (
	"crypto/subtle"
	"net/http"
)

// User is the fixed user name of OpenVidu's Basic authentication.
const User = "OPENVIDUAPP"

// Authorized reports whether r carries the right credentials.
func Authorized(r *http.Request, secret string) bool {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	okUser := subtle.ConstantTimeCompare([]byte(user), []byte(User))
	okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(secret))
	return okUser&okPass == 1
}

// Challenge sets upstream's WWW-Authenticate header, which the Java client
// needs to retry with credentials; XMLHttpRequest callers get none, so that
// browsers show no login dialog (Spring Security's behaviour).
func Challenge(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Requested-With") != "XMLHttpRequest" {
		w.Header().Set("WWW-Authenticate", `Basic realm="Realm"`)
	}
}

// Require answers 401 unless the request is authorized.
func Require(secret string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Authorized(r, secret) {
			Challenge(w, r)
			http.Error(w, "Unauthorized: use Basic auth with user OPENVIDUAPP and the OPENVIDU_SECRET", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
