package openvidu

import (
	"context"
	"net/http"
	"time"
)

// ServerConfig is the server's configuration as GET /config reports it.
// Fields of disabled modules (CDR, recording, webhook) are zero.
type ServerConfig struct {
	Version          string
	DomainOrPublicIP string
	HTTPSPort        int
	PublicURL        string // no trailing slash

	VideoMaxRecvBandwidth int // kbps
	VideoMinRecvBandwidth int
	VideoMaxSendBandwidth int
	VideoMinSendBandwidth int
	ForcedVideoCodec      VideoCodec
	AllowTranscoding      bool
	Simulcast             bool

	SessionsGarbageInterval  time.Duration
	SessionsGarbageThreshold time.Duration

	CDR     bool
	CDRPath string

	Recording                bool
	RecordingVersion         string
	RecordingPath            string
	RecordingPublicAccess    bool
	RecordingNotification    string
	RecordingCustomLayout    string
	RecordingAutostopTimeout time.Duration
	RecordingComposedURL     string

	Webhook         bool
	WebhookEndpoint string
	WebhookHeaders  []string
	WebhookEvents   []string
}

type configWire struct {
	Version                  string     `json:"VERSION"`
	DomainOrPublicIP         string     `json:"DOMAIN_OR_PUBLIC_IP"`
	HTTPSPort                int        `json:"HTTPS_PORT"`
	PublicURL                string     `json:"OPENVIDU_PUBLICURL"`
	CDR                      bool       `json:"OPENVIDU_CDR"`
	CDRPath                  string     `json:"OPENVIDU_CDR_PATH"`
	MaxRecvBandwidth         int        `json:"OPENVIDU_STREAMS_VIDEO_MAX_RECV_BANDWIDTH"`
	MinRecvBandwidth         int        `json:"OPENVIDU_STREAMS_VIDEO_MIN_RECV_BANDWIDTH"`
	MaxSendBandwidth         int        `json:"OPENVIDU_STREAMS_VIDEO_MAX_SEND_BANDWIDTH"`
	MinSendBandwidth         int        `json:"OPENVIDU_STREAMS_VIDEO_MIN_SEND_BANDWIDTH"`
	ForcedVideoCodec         VideoCodec `json:"OPENVIDU_STREAMS_FORCED_VIDEO_CODEC"`
	AllowTranscoding         bool       `json:"OPENVIDU_STREAMS_ALLOW_TRANSCODING"`
	Simulcast                bool       `json:"OPENVIDU_WEBRTC_SIMULCAST"`
	GCInterval               int64      `json:"OPENVIDU_SESSIONS_GARBAGE_INTERVAL"`
	GCThreshold              int64      `json:"OPENVIDU_SESSIONS_GARBAGE_THRESHOLD"`
	Recording                bool       `json:"OPENVIDU_RECORDING"`
	RecordingVersion         string     `json:"OPENVIDU_RECORDING_VERSION"`
	RecordingPath            string     `json:"OPENVIDU_RECORDING_PATH"`
	RecordingPublicAccess    bool       `json:"OPENVIDU_RECORDING_PUBLIC_ACCESS"`
	RecordingNotification    string     `json:"OPENVIDU_RECORDING_NOTIFICATION"`
	RecordingCustomLayout    string     `json:"OPENVIDU_RECORDING_CUSTOM_LAYOUT"`
	RecordingAutostopTimeout int64      `json:"OPENVIDU_RECORDING_AUTOSTOP_TIMEOUT"`
	RecordingComposedURL     string     `json:"OPENVIDU_RECORDING_COMPOSED_URL"`
	Webhook                  bool       `json:"OPENVIDU_WEBHOOK"`
	WebhookEndpoint          string     `json:"OPENVIDU_WEBHOOK_ENDPOINT"`
	WebhookHeaders           []string   `json:"OPENVIDU_WEBHOOK_HEADERS"`
	WebhookEvents            []string   `json:"OPENVIDU_WEBHOOK_EVENTS"`
}

// Config fetches the server's configuration.
func (c *Client) Config(ctx context.Context) (*ServerConfig, error) {
	var w configWire
	if err := c.do(ctx, call{method: http.MethodGet, path: "/config", want: http.StatusOK, out: &w}); err != nil {
		return nil, err
	}
	return &ServerConfig{
		Version:                  w.Version,
		DomainOrPublicIP:         w.DomainOrPublicIP,
		HTTPSPort:                w.HTTPSPort,
		PublicURL:                w.PublicURL,
		VideoMaxRecvBandwidth:    w.MaxRecvBandwidth,
		VideoMinRecvBandwidth:    w.MinRecvBandwidth,
		VideoMaxSendBandwidth:    w.MaxSendBandwidth,
		VideoMinSendBandwidth:    w.MinSendBandwidth,
		ForcedVideoCodec:         w.ForcedVideoCodec,
		AllowTranscoding:         w.AllowTranscoding,
		Simulcast:                w.Simulcast,
		SessionsGarbageInterval:  time.Duration(w.GCInterval) * time.Second,
		SessionsGarbageThreshold: time.Duration(w.GCThreshold) * time.Second,
		CDR:                      w.CDR,
		CDRPath:                  w.CDRPath,
		Recording:                w.Recording,
		RecordingVersion:         w.RecordingVersion,
		RecordingPath:            w.RecordingPath,
		RecordingPublicAccess:    w.RecordingPublicAccess,
		RecordingNotification:    w.RecordingNotification,
		RecordingCustomLayout:    w.RecordingCustomLayout,
		RecordingAutostopTimeout: time.Duration(w.RecordingAutostopTimeout) * time.Second,
		RecordingComposedURL:     w.RecordingComposedURL,
		Webhook:                  w.Webhook,
		WebhookEndpoint:          w.WebhookEndpoint,
		WebhookHeaders:           w.WebhookHeaders,
		WebhookEvents:            w.WebhookEvents,
	}, nil
}

// Health is the server's health report.
type Health struct {
	Status                 string   `json:"status"` // "UP" when healthy
	DisconnectedMediaNodes []string `json:"disconnectedMediaNodes"`
}

// Health asks the server whether it is up (an OpenVidu Pro endpoint that
// govidu also serves; OpenVidu CE answers ErrNotFound).
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.do(ctx, call{method: http.MethodGet, path: "/health", want: http.StatusOK, out: &h}); err != nil {
		return nil, err
	}
	return &h, nil
}
