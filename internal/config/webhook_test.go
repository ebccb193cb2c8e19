package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestWebhookDefaults(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Webhook || c.CDR || c.CDRPath != "./cdr" || c.MetricsPublic || c.WebhookQueueSize != 10000 || c.WebhookTLSVerify {
		t.Fatalf("defaults: %+v", c)
	}
	if len(c.WebhookEvents) != 15 || !reflect.DeepEqual(c.WebhookEvents, WebhookEventNames) {
		t.Fatalf("default events: %v", c.WebhookEvents)
	}
}

func TestWebhookEnabled(t *testing.T) {
	c, err := load(map[string]string{
		"OPENVIDU_WEBHOOK":              "true",
		"OPENVIDU_WEBHOOK_ENDPOINT":     "https://hooks.example.org:8443/openvidu?x=1",
		"OPENVIDU_WEBHOOK_HEADERS":      `["Authorization: Basic T1BFTlZJRFVBUFA6TVlfU0VDUkVU","X-Empty:"]`,
		"OPENVIDU_WEBHOOK_EVENTS":       `["sessionCreated","participantJoined","HANodeRegistered"]`,
		"GOVIDU_WEBHOOK_SIGNING_SECRET": "s3cret",
		"OPENVIDU_CDR":                  "true",
		"OPENVIDU_CDR_PATH":             "/var/log/govidu",
		"GOVIDU_METRICS_PUBLIC":         "true",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Webhook || !c.CDR || c.CDRPath != "/var/log/govidu" || !c.MetricsPublic || c.WebhookSigningSecret != "s3cret" {
		t.Fatalf("%+v", c)
	}
	if !reflect.DeepEqual(c.WebhookEvents, []string{"sessionCreated", "participantJoined", "HANodeRegistered"}) || len(c.WebhookHeaders) != 2 {
		t.Fatalf("events %v headers %v", c.WebhookEvents, c.WebhookHeaders)
	}
}

// The official .env files write the event list without quotes.
func TestWebhookEventsUnquoted(t *testing.T) {
	c, err := load(map[string]string{"OPENVIDU_WEBHOOK_EVENTS": `[sessionCreated, sessionDestroyed,signalSent]`})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.WebhookEvents, []string{"sessionCreated", "sessionDestroyed", "signalSent"}) {
		t.Fatalf("%v", c.WebhookEvents)
	}
	c, err = load(map[string]string{"OPENVIDU_WEBHOOK_EVENTS": `[]`})
	if err != nil || c.WebhookEvents == nil || len(c.WebhookEvents) != 0 {
		t.Fatalf("empty list: %v %v", c.WebhookEvents, err)
	}
}

func TestWebhookBadValuesStopStartUp(t *testing.T) {
	on := map[string]string{"OPENVIDU_WEBHOOK": "true", "OPENVIDU_WEBHOOK_ENDPOINT": "http://127.0.0.1:9/hook"}
	cases := []struct {
		name, value, variable, msg string
	}{
		{"OPENVIDU_WEBHOOK_ENDPOINT", "", "OPENVIDU_WEBHOOK_ENDPOINT", "required"},
		{"OPENVIDU_WEBHOOK_ENDPOINT", "ftp://example.org/x", "OPENVIDU_WEBHOOK_ENDPOINT", "http"},
		{"OPENVIDU_WEBHOOK_ENDPOINT", "example.org/hook", "OPENVIDU_WEBHOOK_ENDPOINT", "http"},
		{"OPENVIDU_WEBHOOK_ENDPOINT", "http://", "OPENVIDU_WEBHOOK_ENDPOINT", "http"},
		{"OPENVIDU_WEBHOOK_EVENTS", `["sessionCreated","sessionStarted"]`, "OPENVIDU_WEBHOOK_EVENTS", "sessionStarted"},
		{"OPENVIDU_WEBHOOK_EVENTS", `[sessionCreated,recordingStarted]`, "OPENVIDU_WEBHOOK_EVENTS", "recordingStarted"},
		{"OPENVIDU_WEBHOOK_EVENTS", `sessionCreated`, "OPENVIDU_WEBHOOK_EVENTS", "JSON array"},
		{"OPENVIDU_WEBHOOK_HEADERS", `["Authorization Basic x"]`, "OPENVIDU_WEBHOOK_HEADERS", "Name: Value"},
		{"OPENVIDU_WEBHOOK_HEADERS", `["Bad Name: x"]`, "OPENVIDU_WEBHOOK_HEADERS", "header name"},
		{"OPENVIDU_WEBHOOK_HEADERS", `"Authorization: x"`, "OPENVIDU_WEBHOOK_HEADERS", "JSON array"},
		{"OPENVIDU_WEBHOOK_HEADERS", `["X-A: b\r\nX-Injected: c"]`, "OPENVIDU_WEBHOOK_HEADERS", "line break"},
	}
	for _, tc := range cases {
		env := map[string]string{}
		for k, v := range on {
			env[k] = v
		}
		env[tc.name] = tc.value
		_, err := load(env)
		if err == nil || !strings.Contains(err.Error(), tc.variable) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s=%q: error %v, want one naming %s and saying %q", tc.name, tc.value, err, tc.variable, tc.msg)
		}
	}
	// A disabled webhook does not need an endpoint; CDR needs a path.
	if _, err := load(map[string]string{"OPENVIDU_WEBHOOK": "false"}); err != nil {
		t.Errorf("disabled webhook: %v", err)
	}
	if _, err := load(map[string]string{"OPENVIDU_CDR": "true", "OPENVIDU_CDR_PATH": " "}); err == nil || !strings.Contains(err.Error(), "OPENVIDU_CDR_PATH") {
		t.Errorf("empty CDR path: %v", err)
	}
}

func TestSplitWebhookHeader(t *testing.T) {
	for in, want := range map[string][2]string{
		"Authorization: Basic abc": {"Authorization", "Basic abc"},
		"X-Key:v":                  {"X-Key", "v"},
		"X-Url: http://a:b@c":      {"X-Url", "http://a:b@c"},
		"X-Empty:":                 {"X-Empty", ""},
	} {
		n, v, err := SplitWebhookHeader(in)
		if err != nil || n != want[0] || v != want[1] {
			t.Errorf("%q → %q %q %v", in, n, v, err)
		}
	}
}
