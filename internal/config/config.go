// Package config reads govidu's configuration from OpenVidu 2's environment
// variable names (and a few flags), strictly: an invalid value stops start-up
// with a message naming the variable.
package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// Version is the OpenVidu version govidu reports (openvidu-browser checks major/minor).
const Version = "2.32.2"

// Config is the whole server configuration.
type Config struct {
	Secret            string
	Port              int    // listen port
	ListenAddress     string // host to bind ("" = all)
	DomainOrPublicIP  string
	HTTPSPort         int  // public port advertised in URLs
	ForcePlainHTTP    bool // public URLs use http/ws (dev default)
	SupportDeprecated bool

	ForcedVideoCodec      core.VideoCodec
	AllowTranscoding      bool
	VideoMaxRecvBandwidth int
	VideoMinRecvBandwidth int
	VideoMaxSendBandwidth int
	VideoMinSendBandwidth int
	WebRTCSimulcast       bool
	IceServers            []core.IceServer

	GCInterval  time.Duration
	GCThreshold time.Duration

	Recording             bool
	RecordingPath         string
	RecordingPublicAccess bool
	RecordingNotification string
	RecordingCustomLayout string
	RecordingAutostop     time.Duration
	RecordingComposedURL  string

	Webhook         bool
	WebhookEndpoint string
	WebhookHeaders  []string // "Name: Value" each
	WebhookEvents   []string // names of the events POSTed (the CDR logs all)
	// govidu extensions of the webhook (GOVIDU_WEBHOOK_*)
	WebhookSigningSecret string // HMAC-SHA256 key for X-Govidu-Signature; "" = unsigned
	WebhookQueueSize     int    // events waiting per sink before new ones are dropped
	WebhookTLSVerify     bool   // verify the endpoint's certificate (upstream does not)

	CDR     bool
	CDRPath string

	MetricsPublic bool // /metrics without credentials
	DoctorPage    bool // the public /doctor page testing a visitor's path to the media ports

	// TLS (CERTIFICATE_TYPE); plain HTTP when empty.
	CertificateType  string
	CertFile         string
	KeyFile          string
	LetsEncryptEmail string
	DataDir          string // kept state: self-signed certificate, ACME cache

	TURN        bool // embedded TURN server
	TURNPort    int  // UDP and TCP
	TURNTLSPort int  // TURN over TLS, when a certificate is configured

	RTCUDPPort int // one UDP port for all media (ICE UDP mux)
	RTCTCPPort int // ICE over TCP fallback; -1 disables
	LogLevel   string

	CallApp CallApp // the call app at / and its token endpoint (callapp.go)
}

// PublicURL is e.g. "http://localhost:4443" (no trailing slash).
func (c *Config) PublicURL() string {
	scheme := "https"
	if c.ForcePlainHTTP {
		scheme = "http"
	}
	host := c.DomainOrPublicIP
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		host = "[" + host + "]"
	}
	if !(scheme == "https" && c.HTTPSPort == 443) && !(scheme == "http" && c.HTTPSPort == 80) {
		host += ":" + strconv.Itoa(c.HTTPSPort)
	}
	return scheme + "://" + host
}

// TokenURL is the WebSocket base used in tokens, e.g. "ws://localhost:4443".
func (c *Config) TokenURL() string {
	u := c.PublicURL()
	if strings.HasPrefix(u, "https://") {
		return "wss://" + strings.TrimPrefix(u, "https://")
	}
	return "ws://" + strings.TrimPrefix(u, "http://")
}

// IsLoopback reports whether the public address is loopback (dev mode).
func (c *Config) IsLoopback() bool {
	if c.DomainOrPublicIP == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(c.DomainOrPublicIP, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Lookup reads one environment variable.
type Lookup func(name string) (string, bool)

var secretPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// Load builds the configuration from env and command-line args (without the program name).
func Load(env Lookup, args []string, stderr io.Writer) (*Config, error) {
	r := reader{env: env}
	c := &Config{}
	c.Secret = r.str("OPENVIDU_SECRET", "MY_SECRET")
	if !secretPattern.MatchString(c.Secret) {
		r.fail("OPENVIDU_SECRET", "must be non-empty and contain only letters, digits, '_' and '-'")
	}
	c.HTTPSPort = r.port("HTTPS_PORT", 4443)
	c.Port = r.port("SERVER_PORT", c.HTTPSPort)
	c.DomainOrPublicIP = r.str("DOMAIN_OR_PUBLIC_IP", "localhost")
	c.ListenAddress = r.str("GOVIDU_LISTEN_ADDRESS", "")
	c.CertificateType = r.oneOf("CERTIFICATE_TYPE", "", "", "selfsigned", "owncert", "letsencrypt")
	c.CertFile = r.str("GOVIDU_CERT_FILE", "")
	c.KeyFile = r.str("GOVIDU_KEY_FILE", "")
	c.LetsEncryptEmail = r.str("LETSENCRYPT_EMAIL", "")
	c.DataDir = r.str("GOVIDU_DATA_DIR", "./govidu-data")
	c.ForcePlainHTTP = r.boolean("FORCE_PLAIN_HTTP", c.CertificateType == "")
	if c.ForcePlainHTTP && c.CertificateType != "" {
		r.fail("FORCE_PLAIN_HTTP", "cannot be true together with CERTIFICATE_TYPE")
	}
	c.SupportDeprecated = r.boolean("SUPPORT_DEPRECATED_API", true)

	codec := r.str("OPENVIDU_STREAMS_FORCED_VIDEO_CODEC", string(core.CodecMediaServerPreferred))
	if v, err := core.ParseVideoCodec(codec); err != nil {
		r.fail("OPENVIDU_STREAMS_FORCED_VIDEO_CODEC", "must be one of MEDIA_SERVER_PREFERRED, NONE, VP8, VP9, H264")
	} else {
		c.ForcedVideoCodec = v
	}
	c.AllowTranscoding = r.boolean("OPENVIDU_STREAMS_ALLOW_TRANSCODING", false)
	c.VideoMaxRecvBandwidth = r.nonNegative("OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH", 1000)
	c.VideoMinRecvBandwidth = r.nonNegative("OPENVIDU_STREAMS_VIDEO_MIN_RECV_BANDWIDTH", 300)
	c.VideoMaxSendBandwidth = r.nonNegative("OPENVIDU_STREAMS_VIDEO_MAX_SEND_BANDWIDTH", 1000)
	c.VideoMinSendBandwidth = r.nonNegative("OPENVIDU_STREAMS_VIDEO_MIN_SEND_BANDWIDTH", 300)
	c.WebRTCSimulcast = r.boolean("OPENVIDU_WEBRTC_SIMULCAST", false)
	c.IceServers = r.iceServers("OPENVIDU_WEBRTC_ICE_SERVERS")

	c.GCInterval = time.Duration(r.nonNegative("OPENVIDU_SESSIONS_GARBAGE_INTERVAL", 900)) * time.Second
	c.GCThreshold = time.Duration(r.nonNegative("OPENVIDU_SESSIONS_GARBAGE_THRESHOLD", 3600)) * time.Second

	c.Recording = r.boolean("OPENVIDU_RECORDING", false)
	c.RecordingPath = r.str("OPENVIDU_RECORDING_PATH", "./recordings")
	c.RecordingPublicAccess = r.boolean("OPENVIDU_RECORDING_PUBLIC_ACCESS", false)
	c.RecordingNotification = r.oneOf("OPENVIDU_RECORDING_NOTIFICATION", "publisher_moderator", "all", "publisher_moderator", "moderator", "none")
	c.RecordingCustomLayout = r.str("OPENVIDU_RECORDING_CUSTOM_LAYOUT", "./custom-layout")
	c.RecordingAutostop = time.Duration(r.nonNegative("OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT", 120)) * time.Second
	c.RecordingComposedURL = r.str("OPENVIDU_RECORDING_COMPOSED_URL", "")
	if c.Recording && strings.TrimSpace(c.RecordingPath) == "" {
		r.fail("OPENVIDU_RECORDING_PATH", "must name a directory when OPENVIDU_RECORDING=true")
	}

	c.Webhook = r.boolean("OPENVIDU_WEBHOOK", false)
	c.WebhookEndpoint = r.str("OPENVIDU_WEBHOOK_ENDPOINT", "")
	c.WebhookHeaders = r.webhookHeaders("OPENVIDU_WEBHOOK_HEADERS")
	c.WebhookEvents = r.webhookEvents("OPENVIDU_WEBHOOK_EVENTS")
	if c.Webhook {
		r.webhookEndpoint("OPENVIDU_WEBHOOK_ENDPOINT", c.WebhookEndpoint)
	}
	c.WebhookSigningSecret = r.str("GOVIDU_WEBHOOK_SIGNING_SECRET", "")
	c.WebhookQueueSize = r.intRange("GOVIDU_WEBHOOK_QUEUE_SIZE", 10000, 1, 1<<24)
	c.WebhookTLSVerify = r.boolean("GOVIDU_WEBHOOK_TLS_VERIFY", false)
	c.CDR = r.boolean("OPENVIDU_CDR", false)
	c.CDRPath = r.str("OPENVIDU_CDR_PATH", "./cdr")
	if c.CDR && strings.TrimSpace(c.CDRPath) == "" {
		r.fail("OPENVIDU_CDR_PATH", "must name a directory when OPENVIDU_CDR=true")
	}
	c.MetricsPublic = r.boolean("GOVIDU_METRICS_PUBLIC", false)
	c.DoctorPage = r.boolean("GOVIDU_DOCTOR_PAGE", true)

	c.TURN = r.boolean("GOVIDU_TURN", true)
	c.TURNPort = r.port("COTURN_PORT", 3478)
	c.TURNTLSPort = r.port("GOVIDU_TURN_TLS_PORT", 5349)
	c.RTCUDPPort = r.port("GOVIDU_RTC_UDP_PORT", 7882)
	c.RTCTCPPort = r.intRange("GOVIDU_RTC_TCP_PORT", 7881, -1, 65535)
	c.LogLevel = r.oneOf("GOVIDU_LOG_LEVEL", "info", "debug", "info", "warn", "error")
	c.CallApp = r.callApp(c)

	fs := flag.NewFlagSet("govidu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	port := fs.Int("port", c.Port, "HTTP listen port (env SERVER_PORT)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *port != c.Port {
		if *port < 0 || *port > 65535 {
			r.fail("--port", "must be between 0 and 65535")
		}
		// The flag sets both the listen port and, unless HTTPS_PORT says
		// otherwise, the advertised one, exactly as SERVER_PORT does.
		if _, set := env("HTTPS_PORT"); !set {
			c.HTTPSPort = *port
		}
		c.Port = *port
	} else if _, set := env("HTTPS_PORT"); !set {
		c.HTTPSPort = c.Port
	}
	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return c, nil
}

type reader struct {
	env  Lookup
	errs []error
}

func (r *reader) fail(name, msg string) {
	r.errs = append(r.errs, fmt.Errorf("invalid configuration: %s %s", name, msg))
}

func (r *reader) str(name, def string) string {
	if v, ok := r.env(name); ok {
		return v
	}
	return def
}

func (r *reader) boolean(name string, def bool) bool {
	v, ok := r.env(name)
	if !ok || v == "" {
		return def
	}
	switch strings.ToLower(v) {
	case "true":
		return true
	case "false":
		return false
	}
	r.fail(name, fmt.Sprintf("must be true or false, got %q", v))
	return def
}

func (r *reader) intRange(name string, def, lo, hi int) int {
	v, ok := r.env(name)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be an integer between %d and %d, got %q", lo, hi, v))
		return def
	}
	return n
}

func (r *reader) port(name string, def int) int { return r.intRange(name, def, 0, 65535) }

func (r *reader) nonNegative(name string, def int) int {
	return r.intRange(name, def, 0, int(^uint32(0)>>1))
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := r.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Sprintf("must be one of %v, got %q", allowed, v))
	return def
}

// stringArray reads a JSON array of strings, OpenVidu's format for list variables.
func (r *reader) stringArray(name string) []string {
	v, ok := r.env(name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	var out []string
	if err := json.Unmarshal([]byte(v), &out); err != nil {
		r.fail(name, fmt.Sprintf("must be a JSON array of strings, e.g. [\"a\",\"b\"]: %v", err))
		return nil
	}
	return out
}

// iceServers parses ["url=turn:h:443,username=u,credential=c", ...].
func (r *reader) iceServers(name string) []core.IceServer {
	var out []core.IceServer
	for _, entry := range r.stringArray(name) {
		var s core.IceServer
		for _, part := range strings.Split(entry, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				r.fail(name, fmt.Sprintf("entry %q: expected key=value pairs", entry))
				return nil
			}
			switch k {
			case "url":
				s.URL = v
			case "username":
				s.Username = v
			case "credential":
				s.Credential = v
			case "staticAuthSecret":
				s.StaticAuthSecret = v
			default:
				r.fail(name, fmt.Sprintf("entry %q: unknown key %q", entry, k))
				return nil
			}
		}
		if err := s.Validate(); err != nil {
			r.fail(name, fmt.Sprintf("entry %q: %v", entry, err))
			return nil
		}
		out = append(out, s)
	}
	return out
}
