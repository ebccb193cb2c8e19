// Package certs provides the TLS configuration for CERTIFICATE_TYPE:
// selfsigned (generated once and kept on disk), owncert (PEM files) or
// letsencrypt (ACME through golang.org/x/crypto/acme/autocert).
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/acme/autocert"
)

// Types of certificate (CERTIFICATE_TYPE).
const (
	SelfSigned  = "selfsigned"
	OwnCert     = "owncert"
	LetsEncrypt = "letsencrypt"
)

// Options select and locate the certificate.
type Options struct {
	Type     string // "" = no TLS
	Domain   string // DOMAIN_OR_PUBLIC_IP
	CertFile string // owncert
	KeyFile  string // owncert
	Email    string // letsencrypt
	DataDir  string // where selfsigned certificates and the ACME cache live
}

// Config returns the server TLS configuration, or nil when TLS is off.
// Problems are reported with the variable to fix.
func Config(o Options) (*tls.Config, error) {
	switch o.Type {
	case "":
		return nil, nil
	case OwnCert:
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("CERTIFICATE_TYPE=owncert: cannot load GOVIDU_CERT_FILE %q / GOVIDU_KEY_FILE %q: %w", o.CertFile, o.KeyFile, err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case SelfSigned:
		cert, err := loadOrCreateSelfSigned(o.DataDir, o.Domain)
		if err != nil {
			return nil, fmt.Errorf("CERTIFICATE_TYPE=selfsigned: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case LetsEncrypt:
		if o.Email == "" {
			return nil, errors.New("CERTIFICATE_TYPE=letsencrypt needs LETSENCRYPT_EMAIL")
		}
		if ip := net.ParseIP(o.Domain); ip != nil || o.Domain == "localhost" || o.Domain == "" {
			return nil, fmt.Errorf("CERTIFICATE_TYPE=letsencrypt needs a public domain name in DOMAIN_OR_PUBLIC_IP, not %q", o.Domain)
		}
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(o.Domain),
			Email:      o.Email,
			Cache:      autocert.DirCache(filepath.Join(o.DataDir, "acme")),
		}
		c := m.TLSConfig() // answers TLS-ALPN-01 challenges on the HTTPS port
		c.MinVersion = tls.VersionTLS12
		return c, nil
	}
	return nil, fmt.Errorf("CERTIFICATE_TYPE must be selfsigned, owncert or letsencrypt, got %q", o.Type)
}

// loadOrCreateSelfSigned keeps one certificate per data dir so that browsers
// accept it once and keep trusting it across restarts.
func loadOrCreateSelfSigned(dir, domain string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, "selfsigned.crt"), filepath.Join(dir, "selfsigned.key")
	if cert, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		return cert, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("cannot create %s: %w", dir, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: domain, Organization: []string{"govidu self-signed"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(domain); ip != nil {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if domain != "" && domain != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, domain)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.LoadX509KeyPair(certPath, keyPath)
}
