package config

import (
	"fmt"
	"strings"
)

// CallApp configures the built-in video-call app served at / and its
// app-server endpoint (/call/api), with OpenVidu Call 2.x's variable names
// for the protection: CALL_PRIVATE_ACCESS, CALL_USER, CALL_SECRET.
//
// Defaults depend on the mode. In dev mode (no CERTIFICATE_TYPE, as the
// openvidu-dev container) the app is on and open, so a fresh `govidu` is a
// working video call at http://localhost:4443/. In production mode (TLS) the
// app is off unless GOVIDU_CALL_APP=true, and once on it asks for
// CALL_USER/CALL_SECRET unless CALL_PRIVATE_ACCESS=DISABLED: an open token
// endpoint on a public server lets anyone use it.
type CallApp struct {
	Enabled       bool   // GOVIDU_CALL_APP
	PrivateAccess bool   // CALL_PRIVATE_ACCESS: ENABLED|DISABLED (or true|false)
	User          string // CALL_USER, default "admin" (as OpenVidu Call)
	Secret        string // CALL_SECRET, default OPENVIDU_SECRET (as OpenVidu Call)
}

func (r *reader) callApp(c *Config) CallApp {
	dev := c.CertificateType == ""
	a := CallApp{
		Enabled: r.boolean("GOVIDU_CALL_APP", dev),
		User:    r.str("CALL_USER", "admin"),
		Secret:  r.str("CALL_SECRET", c.Secret),
	}
	a.PrivateAccess = !dev
	if v, ok := r.env("CALL_PRIVATE_ACCESS"); ok && strings.TrimSpace(v) != "" {
		switch strings.ToUpper(strings.TrimSpace(v)) {
		case "ENABLED", "TRUE":
			a.PrivateAccess = true
		case "DISABLED", "FALSE":
			a.PrivateAccess = false
		default:
			r.fail("CALL_PRIVATE_ACCESS", fmt.Sprintf("must be ENABLED or DISABLED, got %q", v))
		}
	}
	if a.PrivateAccess {
		if a.User == "" || strings.Contains(a.User, ":") {
			r.fail("CALL_USER", "must be non-empty and without ':' when CALL_PRIVATE_ACCESS is ENABLED")
		}
		if a.Secret == "" {
			r.fail("CALL_SECRET", "must be non-empty when CALL_PRIVATE_ACCESS is ENABLED")
		}
	}
	return a
}
