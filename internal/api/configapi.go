package api

import (
	"net/http"
	"strconv"

	"github.com/govidu/govidu/internal/config"
	"github.com/govidu/govidu/internal/core"
)

// configJSON is GET /config. Optional blocks only appear when their module is on.
type configJSON struct {
	Version                  string          `json:"VERSION"`
	DomainOrPublicIP         string          `json:"DOMAIN_OR_PUBLIC_IP"`
	HTTPSPort                int             `json:"HTTPS_PORT"`
	PublicURL                string          `json:"OPENVIDU_PUBLICURL"`
	CDR                      bool            `json:"OPENVIDU_CDR"`
	CDRPath                  string          `json:"OPENVIDU_CDR_PATH,omitempty"`
	MaxRecvBandwidth         int             `json:"OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH"`
	MinRecvBandwidth         int             `json:"OPENVIDU_STREAMS_VIDEO_MIN_RECV_BANDWIDTH"`
	MaxSendBandwidth         int             `json:"OPENVIDU_STREAMS_VIDEO_MAX_SEND_BANDWIDTH"`
	MinSendBandwidth         int             `json:"OPENVIDU_STREAMS_VIDEO_MIN_SEND_BANDWIDTH"`
	ForcedVideoCodec         core.VideoCodec `json:"OPENVIDU_STREAMS_FORCED_VIDEO_CODEC"`
	AllowTranscoding         bool            `json:"OPENVIDU_STREAMS_ALLOW_TRANSCODING"`
	Simulcast                bool            `json:"OPENVIDU_WEBRTC_SIMULCAST"`
	GCInterval               int             `json:"OPENVIDU_SESSIONS_GARBAGE_INTERVAL"`
	GCThreshold              int             `json:"OPENVIDU_SESSIONS_GARBAGE_THRESHOLD"`
	Recording                bool            `json:"OPENVIDU_RECORDING"`
	RecordingVersion         string          `json:"OPENVIDU_RECORDING_VERSION,omitempty"`
	RecordingPath            string          `json:"OPENVIDU_RECORDING_PATH,omitempty"`
	RecordingPublicAccess    *bool           `json:"OPENVIDU_RECORDING_PUBLIC_ACCESS,omitempty"`
	RecordingNotification    string          `json:"OPENVIDU_RECORDING_NOTIFICATION,omitempty"`
	RecordingCustomLayout    string          `json:"OPENVIDU_RECORDING_CUSTOM_LAYOUT,omitempty"`
	RecordingAutostopTimeout *int            `json:"OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT,omitempty"`
	RecordingComposedURL     string          `json:"OPENVIDU_RECORDING_COMPOSED_URL,omitempty"`
	Webhook                  bool            `json:"OPENVIDU_WEBHOOK"`
	WebhookEndpoint          string          `json:"OPENVIDU_WEBHOOK_ENDPOINT,omitempty"`
	WebhookHeaders           []string        `json:"OPENVIDU_WEBHOOK_HEADERS,omitempty"`
	WebhookEvents            []string        `json:"OPENVIDU_WEBHOOK_EVENTS,omitempty"`
}

func newConfigJSON(c *config.Config) configJSON {
	j := configJSON{
		Version:          config.Version,
		DomainOrPublicIP: c.DomainOrPublicIP,
		HTTPSPort:        c.HTTPSPort,
		PublicURL:        c.PublicURL(),
		CDR:              c.CDR,
		MaxRecvBandwidth: c.VideoMaxRecvBandwidth,
		MinRecvBandwidth: c.VideoMinRecvBandwidth,
		MaxSendBandwidth: c.VideoMaxSendBandwidth,
		MinSendBandwidth: c.VideoMinSendBandwidth,
		ForcedVideoCodec: c.ForcedVideoCodec,
		AllowTranscoding: c.AllowTranscoding,
		Simulcast:        c.WebRTCSimulcast,
		GCInterval:       int(c.GCInterval.Seconds()),
		GCThreshold:      int(c.GCThreshold.Seconds()),
		Recording:        c.Recording,
		Webhook:          c.Webhook,
	}
	if c.CDR {
		j.CDRPath = c.CDRPath
	}
	if c.Recording {
		autostop := int(c.RecordingAutostop.Seconds())
		j.RecordingVersion = config.Version
		j.RecordingPath = c.RecordingPath + "/"
		j.RecordingPublicAccess = &c.RecordingPublicAccess
		j.RecordingNotification = c.RecordingNotification
		j.RecordingCustomLayout = c.RecordingCustomLayout
		j.RecordingAutostopTimeout = &autostop
		j.RecordingComposedURL = c.RecordingComposedURL
	}
	if c.Webhook {
		j.WebhookEndpoint = c.WebhookEndpoint
		j.WebhookHeaders = append([]string{}, c.WebhookHeaders...)
		j.WebhookEvents = append([]string{}, c.WebhookEvents...)
	}
	return j
}

func (h *Handler) getConfig(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, http.StatusOK, newConfigJSON(h.opts.Config))
}

func (h *Handler) getConfigItem(w http.ResponseWriter, r *http.Request) {
	c := h.opts.Config
	var text string
	switch r.PathValue("item") {
	case "openvidu-version":
		text = config.Version
	case "openvidu-publicurl":
		text = c.PublicURL() + "/"
	case "openvidu-recording":
		text = strconv.FormatBool(c.Recording)
	case "openvidu-recording-path":
		text = c.RecordingPath + "/"
	case "openvidu-cdr":
		text = strconv.FormatBool(c.CDR)
	default:
		h.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(text))
}

func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	h.writeJSON(w, http.StatusOK, struct {
		Status                 string   `json:"status"`
		DisconnectedMediaNodes []string `json:"disconnectedMediaNodes"`
	}{"UP", []string{}})
}

// acceptCertificate is the page browsers open to accept a self-signed
// certificate; it only navigates back.
func (h *Handler) acceptCertificate(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><title>govidu</title></head>` +
		`<body><p>Certificate accepted. You can go back to your application.</p>` +
		`<script>if (history.length > 1) history.back();</script></body></html>`))
}
