package httpauth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRequire(t *testing.T) {
	h := Require("s3cret", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	cases := []struct {
		name       string
		user, pass string
		setAuth    bool
		header     string
		xhr        bool
		want       int
		challenge  bool
	}{
		{"ok", User, "s3cret", true, "", false, 204, false},
		{"none", "", "", false, "", false, 401, true},
		{"wrong password", User, "nope", true, "", false, 401, true},
		{"wrong user", "admin", "s3cret", true, "", false, 401, true},
		{"malformed", "", "", false, "Basic %%%", false, 401, true},
		{"xhr", "", "", false, "", true, 401, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/x", nil)
			if tc.setAuth {
				r.SetBasicAuth(tc.user, tc.pass)
			}
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if tc.xhr {
				r.Header.Set("X-Requested-With", "XMLHttpRequest")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d", w.Code, tc.want)
			}
			if got := w.Header().Get("WWW-Authenticate") == `Basic realm="Realm"`; got != tc.challenge {
				t.Fatalf("challenge %v, want %v", got, tc.challenge)
			}
		})
	}
}
