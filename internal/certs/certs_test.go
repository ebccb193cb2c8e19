package certs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSelfSignedIsKept(t *testing.T) {
	dir := t.TempDir()
	a, err := Config(Options{Type: SelfSigned, Domain: "192.0.2.10", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Config(Options{Type: SelfSigned, Domain: "192.0.2.10", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Certificates[0].Certificate[0], b.Certificates[0].Certificate[0]) {
		t.Fatal("a second start generated a new certificate")
	}
	leaf := a.Certificates[0].Leaf
	if leaf == nil || len(leaf.IPAddresses) < 3 || leaf.IPAddresses[2].String() != "192.0.2.10" {
		t.Fatalf("certificate does not cover the public IP: %+v", leaf)
	}
	if fi, err := os.Stat(filepath.Join(dir, "selfsigned.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
}

func TestOwnCert(t *testing.T) {
	dir := t.TempDir()
	if _, err := Config(Options{Type: SelfSigned, Domain: "localhost", DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	c, err := Config(Options{Type: OwnCert, CertFile: filepath.Join(dir, "selfsigned.crt"), KeyFile: filepath.Join(dir, "selfsigned.key")})
	if err != nil || len(c.Certificates) != 1 {
		t.Fatalf("owncert: %v", err)
	}
}

func TestBadOptionsNameTheVariable(t *testing.T) {
	cases := map[string]Options{
		"GOVIDU_CERT_FILE":    {Type: OwnCert, CertFile: "/nonexistent/cert.pem", KeyFile: "/nonexistent/key.pem"},
		"LETSENCRYPT_EMAIL":   {Type: LetsEncrypt, Domain: "media.example.org"},
		"DOMAIN_OR_PUBLIC_IP": {Type: LetsEncrypt, Domain: "203.0.113.1", Email: "a@example.org"},
		"CERTIFICATE_TYPE":    {Type: "homemade"},
	}
	for want, o := range cases {
		if _, err := Config(o); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v does not mention %s", o, err, want)
		}
	}
	if c, err := Config(Options{Type: LetsEncrypt, Domain: "media.example.org", Email: "a@example.org", DataDir: t.TempDir()}); err != nil || c.GetCertificate == nil {
		t.Fatalf("letsencrypt config: %v", err)
	}
	if c, err := Config(Options{}); c != nil || err != nil {
		t.Fatalf("no TLS by default: %v %v", c, err)
	}
}
