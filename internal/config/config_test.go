package config

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/core"
)

func load(env map[string]string, args ...string) (*Config, error) {
	return Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }, args, io.Discard)
}

func TestDefaultsMatchOpenViduDev(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 4443 || c.Secret != "MY_SECRET" || c.PublicURL() != "http://localhost:4443" || c.TokenURL() != "ws://localhost:4443" {
		t.Fatalf("defaults: port %d secret %s url %s token %s", c.Port, c.Secret, c.PublicURL(), c.TokenURL())
	}
	if c.GCInterval != 900*time.Second || c.GCThreshold != 3600*time.Second || c.ForcedVideoCodec != core.CodecMediaServerPreferred || !c.IsLoopback() {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestPorts(t *testing.T) {
	cases := []struct {
		env       map[string]string
		args      []string
		port, pub int
	}{
		{map[string]string{"SERVER_PORT": "5000"}, nil, 5000, 5000},
		{nil, []string{"--port", "6000"}, 6000, 6000},
		{map[string]string{"SERVER_PORT": "5000"}, []string{"--port=6000"}, 6000, 6000},
		{map[string]string{"HTTPS_PORT": "443", "SERVER_PORT": "5443"}, nil, 5443, 443},
		{map[string]string{"HTTPS_PORT": "8443"}, nil, 8443, 8443},
	}
	for _, tc := range cases {
		c, err := load(tc.env, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		if c.Port != tc.port || c.HTTPSPort != tc.pub {
			t.Errorf("%v %v: port %d public %d, want %d %d", tc.env, tc.args, c.Port, c.HTTPSPort, tc.port, tc.pub)
		}
	}
	c, _ := load(map[string]string{"HTTPS_PORT": "443", "FORCE_PLAIN_HTTP": "false", "DOMAIN_OR_PUBLIC_IP": "media.example.org"})
	if c.PublicURL() != "https://media.example.org" || c.TokenURL() != "wss://media.example.org" || c.IsLoopback() {
		t.Fatalf("production urls: %s %s", c.PublicURL(), c.TokenURL())
	}
}

// Each bad value stops start-up with a message that names the variable.
func TestInvalidValuesNameTheVariable(t *testing.T) {
	cases := map[string]string{
		"OPENVIDU_SECRET":                           "bad secret!",
		"SERVER_PORT":                               "http",
		"HTTPS_PORT":                                "70000",
		"FORCE_PLAIN_HTTP":                          "yes",
		"OPENVIDU_STREAMS_FORCED_VIDEO_CODEC":       "AV1",
		"OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH": "-5",
		"OPENVIDU_SESSIONS_GARBAGE_INTERVAL":        "often",
		"OPENVIDU_WEBRTC_ICE_SERVERS":               `["url=turn:h:3478"]`,
		"OPENVIDU_WEBHOOK_EVENTS":                   `sessionCreated`,
		"OPENVIDU_RECORDING_NOTIFICATION":           "everyone",
		"OPENVIDU_RECORDING":                        "sometimes",
		"OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT":       "-1",
		"OPENVIDU_WEBHOOK":                          "true",
		"GOVIDU_WEBHOOK_QUEUE_SIZE":                 "0",
		"GOVIDU_METRICS_PUBLIC":                     "maybe",
		"GOVIDU_RTC_TCP_PORT":                       "-2",
		"GOVIDU_LOG_LEVEL":                          "loud",
	}
	for name, value := range cases {
		_, err := load(map[string]string{name: value})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v does not name the variable", name, value, err)
		}
	}
	if _, err := load(nil, "--port", "-1"); err == nil {
		t.Error("negative --port accepted")
	}
	if _, err := load(nil, "extra"); err == nil {
		t.Error("stray argument accepted")
	}
}

func TestRecordingVariables(t *testing.T) {
	c, err := load(map[string]string{"OPENVIDU_RECORDING": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Recording || c.RecordingPath != "./recordings" || c.RecordingPublicAccess || c.RecordingNotification != "publisher_moderator" || c.RecordingAutostop != 120*time.Second {
		t.Fatalf("recording defaults: %+v", c)
	}
	c, err = load(map[string]string{"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": "/var/rec", "OPENVIDU_RECORDING_PUBLIC_ACCESS": "true",
		"OPENVIDU_RECORDING_NOTIFICATION": "all", "OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT": "0"})
	if err != nil || c.RecordingPath != "/var/rec" || !c.RecordingPublicAccess || c.RecordingNotification != "all" || c.RecordingAutostop != 0 {
		t.Fatalf("recording settings: %+v %v", c, err)
	}
	if _, err := load(map[string]string{"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": " "}); err == nil || !strings.Contains(err.Error(), "OPENVIDU_RECORDING_PATH") {
		t.Fatalf("empty recording path: %v", err)
	}
}

func TestIceServersVariable(t *testing.T) {
	c, err := load(map[string]string{"OPENVIDU_WEBRTC_ICE_SERVERS": `["url=turn:turn.example:443?transport=tcp,username=u,credential=c","url=stun:stun.example:3478","url=turns:t.example:5349,staticAuthSecret=s"]`})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.IceServers) != 3 || c.IceServers[0].Username != "u" || c.IceServers[2].StaticAuthSecret != "s" {
		t.Fatalf("%+v", c.IceServers)
	}
}
