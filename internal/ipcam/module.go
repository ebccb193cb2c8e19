// Package ipcam publishes IP cameras (OpenVidu connections of type IPCAM)
// into the SFU. Each camera is pulled by an ffmpeg child process (RTSP,
// RTSPS, HTTP(S) or a file), re-encoded for browsers (VP8, or the
// session's forced codec) or passed through (adaptativeBitrate=false with
// an H.264 camera), and sent as plain RTP over loopback to a media.Engine
// ingest that subscribers receive like any other stream.
package ipcam

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/media"
	"github.com/govidu/govidu/internal/waitctx"
	"github.com/pion/webrtc/v4"
)

// Module is the camera module: core's IPCamMedia and an event listener (a
// camera ends with its stream's StreamUnpublished). Who watches a camera
// is the media engine's business: its ingest tells the camera when its
// consumers change.
type Module struct {
	engine  *media.Engine
	log     *slog.Logger
	ffmpeg  string
	ffprobe string

	mu      sync.Mutex // guards cameras and closed
	cameras map[string]*camera
	closed  bool
	wg      sync.WaitGroup // the cameras' goroutines
}

// ErrNoFFmpeg: the module needs ffmpeg and ffprobe on the PATH.
var ErrNoFFmpeg = errors.New("ipcam: ffmpeg and ffprobe are needed for IP cameras")

// New returns the module, or ErrNoFFmpeg when ffmpeg or ffprobe is missing.
// Connect it with svc.SetIPCamMedia(m) and svc.AddListener(m).
func New(engine *media.Engine, log *slog.Logger) (*Module, error) {
	ff, err1 := exec.LookPath("ffmpeg")
	fp, err2 := exec.LookPath("ffprobe")
	if err1 != nil || err2 != nil {
		return nil, ErrNoFFmpeg
	}
	if log == nil {
		log = slog.Default()
	}
	return &Module{engine: engine, log: log, ffmpeg: ff, ffprobe: fp, cameras: map[string]*camera{}}, nil
}

// Start publishes cam's stream and starts its goroutine.
func (m *Module) Start(cam core.IPCam) error {
	c := &camera{
		cam: cam, target: targetCodec(string(cam.ForcedCodec), cam.Props.AdaptativeBitrate),
		ffmpeg: m.ffmpeg, ffprobe: m.ffprobe,
		log:  m.log.With("sessionId", cam.SessionID, "connectionId", cam.ConnectionID),
		poke: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	pub, err := m.engine.Ingest(media.IngestRequest{
		StreamID: cam.StreamID, Video: c.target, Audio: webrtc.MimeTypeOpus, OnDemand: c.nudge,
	})
	if err != nil {
		return err
	}
	c.pub = pub
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		_ = pub.Close()
		return fmt.Errorf("ipcam: the server is shutting down")
	}
	m.cameras[cam.StreamID] = c
	m.wg.Go(c.run)
	m.mu.Unlock()
	return nil
}

// Stop ends a camera (never announced, or unpublished).
func (m *Module) Stop(streamID string) {
	m.mu.Lock()
	c := m.cameras[streamID]
	delete(m.cameras, streamID)
	m.mu.Unlock()
	if c != nil {
		c.close()
	}
}

func (m *Module) camera(streamID string) *camera {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cameras[streamID]
}

// OnEvent ends unpublished cameras. It never blocks: the camera's
// goroutine stops ffmpeg and closes the ingest.
func (m *Module) OnEvent(e core.Event) {
	if ev, ok := e.(core.StreamUnpublished); ok {
		m.Stop(ev.Stream.ID)
	}
}

// Close stops every camera and waits for their ffmpegs to end (bounded
// by ctx).
func (m *Module) Close(ctx context.Context) error {
	m.mu.Lock()
	m.closed = true
	cams := m.cameras
	m.cameras = map[string]*camera{}
	m.mu.Unlock()
	for _, c := range cams {
		c.close()
	}
	if err := waitctx.Wait(ctx, &m.wg); err != nil {
		return fmt.Errorf("ipcam: cameras still stopping: %w", err)
	}
	return nil
}
