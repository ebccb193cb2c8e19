// Package doctor checks a govidu deployment the way a browser and an
// application server will use it — REST with the secret, the certificate,
// signaling, the embedded TURN, media over direct ICE and through the TURN
// relay — and says what to fix. `govidu doctor` runs it.
package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Check is the outcome of one check.
type Check struct {
	Name   string
	OK     bool
	Warn   bool // passed, but something deserves attention
	Detail string
	Fix    string // what to do when !OK or Warn
}

// Options select the deployment to check.
type Options struct {
	URL        string // public URL of the server, e.g. https://media.example.org
	Secret     string
	HTTPClient *http.Client
	// AllowRemote permits a non-loopback URL (media and TURN traffic goes there).
	AllowRemote bool
	Timeout     time.Duration // per check, default 15 s
}

// Report is every check in order.
type Report struct{ Checks []Check }

// OK reports whether no check failed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Write prints the report for humans.
func (r Report) Write(w io.Writer) {
	for _, c := range r.Checks {
		mark := "ok  "
		switch {
		case !c.OK:
			mark = "FAIL"
		case c.Warn:
			mark = "warn"
		}
		fmt.Fprintf(w, "[%s] %-22s %s\n", mark, c.Name, c.Detail)
		if c.Fix != "" && (!c.OK || c.Warn) {
			fmt.Fprintf(w, "       fix: %s\n", c.Fix)
		}
	}
	if r.OK() {
		fmt.Fprintln(w, "all checks passed")
	} else {
		fmt.Fprintln(w, "some checks failed: see the fixes above")
	}
}

// Run performs the checks; later ones are skipped when what they need failed.
func Run(ctx context.Context, o Options) Report {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Second
	}
	var r Report
	add := func(c Check) bool { r.Checks = append(r.Checks, c); return c.OK }

	u, err := url.Parse(strings.TrimRight(o.URL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add(Check{Name: "server URL", Detail: fmt.Sprintf("%q is not an http(s) URL", o.URL), Fix: "pass --url http[s]://host:port"})
		return r
	}
	if !o.AllowRemote && !isLoopbackHost(u.Hostname()) {
		add(Check{Name: "server URL", Detail: u.Host + " is not on this machine", Fix: "run doctor on the server, or pass --allow-remote to test from here"})
		return r
	}
	add(checkFFmpeg())
	if u.Scheme == "https" {
		add(checkCertificate(ctx, u, o.Timeout))
	}
	if !add(checkPublic(ctx, o, u)) {
		return r
	}
	if !add(checkSecret(ctx, o, u)) {
		return r
	}
	add(checkVisitorPage(ctx, o, u))
	m := newMediaProbe(o, u)
	defer m.cleanup()
	if !add(m.join(ctx)) {
		return r
	}
	add(m.turn(ctx))
	if add(m.publish(ctx)) {
		add(m.relay(ctx))
	}
	return r
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}
