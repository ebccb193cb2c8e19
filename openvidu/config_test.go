package openvidu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/openvidu"
)

func TestConfigAndHealth(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_STREAMS_FORCED_VIDEO_CODEC":       "VP8",
		"OPENVIDU_STREAMS_VIDEO_MAX_SEND_BANDWIDTH": "2000",
		"OPENVIDU_SESSIONS_GARBAGE_THRESHOLD":       "60",
	}})
	ov := openvidu.New(srv.URL, srv.Secret)
	ctx := testContext(t)

	cfg, err := ov.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	if !strings.HasPrefix(cfg.Version, "2.") || cfg.DomainOrPublicIP != "127.0.0.1" || cfg.PublicURL != "http://127.0.0.1:"+port {
		t.Errorf("Version/Domain/PublicURL = %q/%q/%q", cfg.Version, cfg.DomainOrPublicIP, cfg.PublicURL)
	}
	if cfg.ForcedVideoCodec != openvidu.VideoCodecVP8 || cfg.VideoMaxSendBandwidth != 2000 || cfg.VideoMaxRecvBandwidth != 1000 {
		t.Errorf("codec/bandwidth = %s/%d/%d", cfg.ForcedVideoCodec, cfg.VideoMaxSendBandwidth, cfg.VideoMaxRecvBandwidth)
	}
	if cfg.SessionsGarbageThreshold != time.Minute || cfg.SessionsGarbageInterval != 900*time.Second {
		t.Errorf("GC = %v/%v", cfg.SessionsGarbageInterval, cfg.SessionsGarbageThreshold)
	}
	if cfg.Recording || cfg.Webhook || cfg.CDR {
		t.Errorf("modules on: recording=%v webhook=%v cdr=%v", cfg.Recording, cfg.Webhook, cfg.CDR)
	}

	// The configured codec is the default of new sessions.
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	if s.Properties.ForcedVideoCodec != openvidu.VideoCodecVP8 {
		t.Errorf("session codec = %s, want the configured VP8", s.Properties.ForcedVideoCodec)
	}

	h, err := ov.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != "UP" || h.DisconnectedMediaNodes == nil || len(h.DisconnectedMediaNodes) != 0 {
		t.Errorf("Health = %+v", h)
	}
}
