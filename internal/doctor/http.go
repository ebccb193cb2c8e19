package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"
)

func checkFFmpeg() Check {
	c := Check{Name: "ffmpeg", OK: true}
	path, err := exec.LookPath("ffmpeg")
	_, perr := exec.LookPath("ffprobe")
	if err != nil || perr != nil {
		c.Warn = true
		c.Detail = "ffmpeg or ffprobe not found: COMPOSED recordings and IP cameras (IPCAM connections) are refused (INDIVIDUAL recordings still work)"
		c.Fix = "install ffmpeg, which brings ffprobe (Debian/Ubuntu: apt-get install ffmpeg)"
		return c
	}
	c.Detail = path
	return c
}

func checkCertificate(ctx context.Context, u *url.URL, timeout time.Duration) Check {
	c := Check{Name: "TLS certificate"}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: &tls.Config{ServerName: u.Hostname()}}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err == nil {
		state := conn.(*tls.Conn).ConnectionState()
		conn.Close()
		leaf := state.PeerCertificates[0]
		left := time.Until(leaf.NotAfter)
		c.OK = true
		c.Detail = fmt.Sprintf("valid for %s, expires %s", u.Hostname(), leaf.NotAfter.Format("2006-01-02"))
		if left < 14*24*time.Hour {
			c.Warn = true
			c.Fix = "renew the certificate (letsencrypt renews by itself if port 443 is reachable)"
		}
		return c
	}
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		// Self-signed: usable after accepting it, but browsers warn.
		c.OK, c.Warn = true, true
		c.Detail = "self-signed: browsers must accept it at /openvidu/accept-certificate first"
		c.Fix = "use CERTIFICATE_TYPE=letsencrypt (with a domain name) or owncert for production"
	case errors.As(err, &hostErr):
		c.Detail = "the certificate does not cover " + u.Hostname()
		c.Fix = "issue the certificate for DOMAIN_OR_PUBLIC_IP, or set DOMAIN_OR_PUBLIC_IP to the name it covers"
	case errors.As(err, &invalid):
		c.Detail = "invalid certificate: " + invalid.Error()
		c.Fix = "renew or replace the certificate (GOVIDU_CERT_FILE / GOVIDU_KEY_FILE, or CERTIFICATE_TYPE=letsencrypt)"
	default:
		c.Detail = "TLS handshake failed: " + err.Error()
		c.Fix = "check that the server runs with CERTIFICATE_TYPE set and the port is open"
	}
	return c
}

// get performs a GET and returns status and body.
func get(ctx context.Context, o Options, u *url.URL, path string, auth bool) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", u.String()+path, nil)
	if err != nil {
		return 0, "", err
	}
	if auth {
		req.SetBasicAuth("OPENVIDUAPP", o.Secret)
	}
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), nil
}

func checkPublic(ctx context.Context, o Options, u *url.URL) Check {
	c := Check{Name: "HTTP reachability"}
	status, body, err := get(ctx, o, u, "/openvidu/api/config/openvidu-publicurl", false)
	switch {
	case err != nil:
		c.Detail = err.Error()
		c.Fix = "is govidu running? check SERVER_PORT and that the port is open in the firewall"
		if strings.Contains(err.Error(), "certificate") {
			c.Fix = "the certificate is not trusted here; fix it or run doctor with --insecure"
		}
	case status != 200:
		c.Detail = fmt.Sprintf("GET /openvidu/api/config/openvidu-publicurl answered %d", status)
		c.Fix = "this does not look like govidu/OpenVidu 2: check the URL and any proxy in front"
	default:
		c.OK = true
		c.Detail = "server announces " + strings.TrimRight(body, "/")
		if strings.TrimRight(body, "/") != u.String() {
			c.Warn = true
			c.Fix = fmt.Sprintf("tokens will point browsers at %s, not %s: set DOMAIN_OR_PUBLIC_IP / HTTPS_PORT to the address browsers use", strings.TrimRight(body, "/"), u)
		}
	}
	return c
}

func checkSecret(ctx context.Context, o Options, u *url.URL) Check {
	c := Check{Name: "REST credentials"}
	status, _, err := get(ctx, o, u, "/openvidu/api/config", true)
	switch {
	case err != nil:
		c.Detail = err.Error()
	case status == http.StatusUnauthorized:
		c.Detail = "the secret was refused (401)"
		c.Fix = "pass the server's OPENVIDU_SECRET (--secret or the env variable)"
	case status != 200:
		c.Detail = fmt.Sprintf("GET /openvidu/api/config answered %d", status)
	default:
		c.OK = true
		c.Detail = "OPENVIDUAPP:<secret> accepted"
	}
	return c
}

func del(ctx context.Context, o Options, u *url.URL, path string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, "DELETE", u.String()+path, nil)
	if err != nil {
		return 0, "", err
	}
	req.SetBasicAuth("OPENVIDUAPP", o.Secret)
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	resp.Body.Close()
	return resp.StatusCode, "", nil
}

// checkVisitorPage: the public page users run to test their own network.
func checkVisitorPage(ctx context.Context, o Options, u *url.URL) Check {
	c := Check{Name: "visitor network test", OK: true}
	status, _, err := get(ctx, o, u, "/doctor/api/config", false)
	switch {
	case err != nil:
		c.OK = false
		c.Detail = err.Error()
	case status == http.StatusOK:
		c.Detail = "users who cannot connect can test their own network at " + u.String() + "/doctor/"
	default:
		c.Detail = fmt.Sprintf("the page is off (GET /doctor/api/config answered %d); GOVIDU_DOCTOR_PAGE=true serves it", status)
	}
	return c
}
