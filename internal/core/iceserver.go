package core

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"strconv"
	"strings"
	"time"
)

// IceServer is a STUN/TURN server handed to browsers in customIceServers.
// StaticAuthSecret is never echoed: Resolve turns it into time-limited
// credentials (the coturn "use-auth-secret" scheme).
type IceServer struct {
	URL              string
	Username         string
	Credential       string
	StaticAuthSecret string
}

// Validate applies upstream's rules for custom ICE servers.
func (s IceServer) Validate() error {
	scheme, rest, ok := strings.Cut(s.URL, ":")
	if !ok || rest == "" {
		return ErrBadRequest.Withf("customIceServers: url %q must be stun:, stuns:, turn: or turns: followed by a host", s.URL)
	}
	hostport, query, hasQuery := strings.Cut(rest, "?")
	switch scheme {
	case "stun", "stuns":
		if s.Username != "" || s.Credential != "" || s.StaticAuthSecret != "" {
			return ErrBadRequest.Withf("customIceServers: %s servers take no credentials (%s)", scheme, s.URL)
		}
		if hasQuery {
			return ErrBadRequest.Withf("customIceServers: %s url %q may not have a query", scheme, s.URL)
		}
	case "turn", "turns":
		hasUser := s.Username != "" || s.Credential != ""
		if hasUser && s.StaticAuthSecret != "" {
			return ErrBadRequest.Withf("customIceServers: %s needs username+credential or staticAuthSecret, not both", s.URL)
		}
		if !hasUser && s.StaticAuthSecret == "" {
			return ErrBadRequest.Withf("customIceServers: %s needs username and credential, or staticAuthSecret", s.URL)
		}
		if hasUser && (s.Username == "" || s.Credential == "") {
			return ErrBadRequest.Withf("customIceServers: %s needs both username and credential", s.URL)
		}
		if hasQuery && query != "transport=tcp" && query != "transport=udp" {
			return ErrBadRequest.Withf("customIceServers: %s query may only be ?transport=tcp or ?transport=udp", s.URL)
		}
	default:
		return ErrBadRequest.Withf("customIceServers: url %q must start with stun:, stuns:, turn: or turns:", s.URL)
	}
	if !validHostPort(hostport) {
		return ErrBadRequest.Withf("customIceServers: %q is not a valid host[:port]", hostport)
	}
	return nil
}

func validHostPort(hp string) bool {
	host, port := hp, ""
	if strings.HasPrefix(hp, "[") {
		end := strings.Index(hp, "]")
		if end < 0 {
			return false
		}
		host, port = hp[1:end], strings.TrimPrefix(hp[end+1:], ":")
		if hp[end+1:] != "" && !strings.HasPrefix(hp[end+1:], ":") {
			return false
		}
		if net.ParseIP(host) == nil {
			return false
		}
	} else if h, p, err := net.SplitHostPort(hp); err == nil {
		host, port = h, p
	} else if strings.Contains(hp, ":") {
		return false
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	if host == "" {
		return false
	}
	for _, r := range host {
		if !(r == '.' || r == '-' || r == ':' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// Resolve replaces a static auth secret by credentials valid for one day.
func (s IceServer) Resolve(now time.Time) IceServer {
	if s.StaticAuthSecret == "" {
		return s
	}
	user := strconv.FormatInt(now.Add(24*time.Hour).Unix(), 10) + ":" + NewSecret(8)
	mac := hmac.New(sha1.New, []byte(s.StaticAuthSecret))
	mac.Write([]byte(user))
	return IceServer{URL: s.URL, Username: user, Credential: base64.StdEncoding.EncodeToString(mac.Sum(nil))}
}
