package config

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// WebhookEventNames are the event names OpenVidu 2.32 sends by default, CE and
// PRO: the default of OPENVIDU_WEBHOOK_EVENTS.
var WebhookEventNames = []string{
	"sessionCreated", "sessionDestroyed", "participantJoined", "participantLeft",
	"webrtcConnectionCreated", "webrtcConnectionDestroyed", "recordingStatusChanged",
	"filterEventDispatched", "signalSent", "mediaNodeStatusChanged", "autoscaling",
	"nodeCrashed", "nodeRecovered", "broadcastStarted", "broadcastStopped",
}

// acceptedWebhookEvents adds the names of OpenVidu Enterprise's HA events,
// which upstream's documentation lists too: accepted, never emitted here.
var acceptedWebhookEvents = func() map[string]bool {
	m := map[string]bool{"HANodeRegistered": true, "HANodeDeregistered": true}
	for _, n := range WebhookEventNames {
		m[n] = true
	}
	return m
}()

// SplitWebhookHeader splits one OPENVIDU_WEBHOOK_HEADERS entry, "Name: Value",
// at its first colon.
func SplitWebhookHeader(h string) (name, value string, err error) {
	name, value, ok := strings.Cut(h, ":")
	if !ok {
		return "", "", fmt.Errorf("header %q must look like \"Name: Value\"", h)
	}
	value = strings.TrimLeft(value, " \t")
	if !isToken(name) {
		return "", "", fmt.Errorf("header %q: %q is not a valid header name", h, name)
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return "", "", fmt.Errorf("header %q: the value contains a line break", h)
	}
	return name, value, nil
}

// isToken reports whether s is an RFC 9110 token (a valid header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func (r *reader) webhookHeaders(name string) []string {
	headers := r.stringArray(name)
	for _, h := range headers {
		if _, _, err := SplitWebhookHeader(h); err != nil {
			r.fail(name, err.Error())
			return nil
		}
	}
	return headers
}

// webhookEvents reads the event filter. Unset means every event; the
// official .env files write the array without quotes
// ([sessionCreated,participantJoined]), which upstream's lenient parser
// accepts, so that form is accepted too.
func (r *reader) webhookEvents(name string) []string {
	v, ok := r.env(name)
	if !ok || strings.TrimSpace(v) == "" {
		return append([]string(nil), WebhookEventNames...)
	}
	var names []string
	if err := json.Unmarshal([]byte(v), &names); err != nil {
		t := strings.TrimSpace(v)
		if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") {
			r.fail(name, fmt.Sprintf("must be a JSON array of event names, e.g. [\"sessionCreated\",\"participantJoined\"]: %v", err))
			return nil
		}
		names = nil
		for _, part := range strings.Split(t[1:len(t)-1], ",") {
			if part = strings.Trim(strings.TrimSpace(part), `"'`); part != "" {
				names = append(names, part)
			}
		}
	}
	out := []string{}
	for _, n := range names {
		if !acceptedWebhookEvents[n] {
			r.fail(name, fmt.Sprintf("unknown event name %q (known: %s)", n, strings.Join(WebhookEventNames, ", ")))
			return nil
		}
		out = append(out, n)
	}
	return out
}

func (r *reader) webhookEndpoint(name, endpoint string) {
	if endpoint == "" {
		r.fail(name, "is required when OPENVIDU_WEBHOOK=true")
		return
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(name, fmt.Sprintf("must be an http:// or https:// URL, got %q", endpoint))
	}
}
