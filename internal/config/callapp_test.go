package config

import (
	"strings"
	"testing"
)

func TestCallAppDefaults(t *testing.T) {
	cases := []struct {
		name          string
		env           map[string]string
		enabled, priv bool
		user, secret  string
	}{
		{"dev: on and open", nil, true, false, "admin", "MY_SECRET"},
		{"production: off, private once on", map[string]string{"CERTIFICATE_TYPE": "selfsigned"}, false, true, "admin", "MY_SECRET"},
		{"production, enabled", map[string]string{"CERTIFICATE_TYPE": "owncert", "GOVIDU_CALL_APP": "true", "OPENVIDU_SECRET": "s3"}, true, true, "admin", "s3"},
		{"production, open on purpose", map[string]string{"CERTIFICATE_TYPE": "letsencrypt", "GOVIDU_CALL_APP": "true", "CALL_PRIVATE_ACCESS": "DISABLED"}, true, false, "admin", "MY_SECRET"},
		{"dev, private", map[string]string{"CALL_PRIVATE_ACCESS": "ENABLED", "CALL_USER": "ana", "CALL_SECRET": "pw"}, true, true, "ana", "pw"},
		{"dev, private as true", map[string]string{"CALL_PRIVATE_ACCESS": "true"}, true, true, "admin", "MY_SECRET"},
		{"dev, app off", map[string]string{"GOVIDU_CALL_APP": "false"}, false, false, "admin", "MY_SECRET"},
	}
	for _, tc := range cases {
		c, err := load(tc.env)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		a := c.CallApp
		if a.Enabled != tc.enabled || a.PrivateAccess != tc.priv || a.User != tc.user || a.Secret != tc.secret {
			t.Errorf("%s: %+v", tc.name, a)
		}
	}
}

func TestCallAppInvalid(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"CALL_PRIVATE_ACCESS": {"CALL_PRIVATE_ACCESS": "sometimes"},
		"GOVIDU_CALL_APP":     {"GOVIDU_CALL_APP": "yes"},
		"CALL_USER":           {"CALL_PRIVATE_ACCESS": "ENABLED", "CALL_USER": "a:b"},
		"CALL_SECRET":         {"CALL_PRIVATE_ACCESS": "ENABLED", "CALL_SECRET": ""},
	} {
		if _, err := load(env); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v does not name %s", env, err, name)
		}
	}
}
