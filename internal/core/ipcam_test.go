package core

import (
	"errors"
	"regexp"
	"sync"
	"testing"
)

// cams plays the camera module: it records Start/Stop and can fail, or
// close the session while "starting".
type cams struct {
	mu      sync.Mutex
	started []IPCam
	stopped []string
	fail    error
	during  func()
}

func (c *cams) Start(cam IPCam) error {
	if c.during != nil {
		c.during()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.started = append(c.started, cam)
	return nil
}

func (c *cams) Stop(streamID string) {
	c.mu.Lock()
	c.stopped = append(c.stopped, streamID)
	c.mu.Unlock()
}

func ipcamProps(uri string) ConnectionProperties {
	p := DefaultConnectionProperties()
	p.Type = ConnectionIPCam
	p.RtspURI = uri
	p.Data = "Office camera"
	return p
}

func TestIPCamPublishesAtOnce(t *testing.T) {
	svc := newTestService(t, Options{})
	m := &cams{}
	svc.SetIPCamMedia(m)
	listener := &recorder{}
	svc.AddListener(listener)
	mustSession(t, svc, "s")
	viewer := &recorder{}
	mustJoin(t, svc, "s", RoleSubscriber, viewer)

	c, err := svc.CreateConnection("s", ipcamProps("rtsp://user:pw@10.1.2.3:8554/live/cam-1.sdp"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^ipc_IPCAM_rtsp_[A-Z0-9]{4}_10_1_2_3_8554_live_cam1_sdp$`).MatchString(c.ID) {
		t.Errorf("connection id %q", c.ID)
	}
	if c.Status != StatusActive || c.Platform != "IPCAM" || c.IP != "10.1.2.3" || c.Location != "unknown" ||
		c.Token != "" || c.Properties.Role != "" || c.ActiveAt.IsZero() || c.Publisher == nil {
		t.Fatalf("camera connection: %+v", c)
	}
	st := c.Publisher
	if st.Media.TypeOfVideo != VideoIPCam || !st.Media.HasAudio || !st.Media.HasVideo || st.Media.RtspURI == "" ||
		!regexp.MustCompile(`^str_IPC_[A-Z][0-9A-Za-z]{3}_`+regexp.QuoteMeta(c.ID)+`$`).MatchString(st.ID) {
		t.Errorf("camera stream: %+v", st)
	}
	if len(m.started) != 1 || m.started[0].StreamID != st.ID || m.started[0].ConnectionID != c.ID ||
		m.started[0].ForcedCodec != CodecMediaServerPreferred {
		t.Errorf("module started %+v", m.started)
	}
	equal(t, viewer.names(), []string{"ParticipantJoined", "StreamPublished"})
	equal(t, listener.names(), []string{"SessionCreated", "ParticipantJoined", "ParticipantJoined", "StreamPublished"})

	// The joiner after it sees the camera among the participants.
	res := mustJoin(t, svc, "s", RolePublisher, &recorder{})
	if len(res.Existing) != 2 || res.Existing[1].ID != c.ID || res.Existing[1].Publisher == nil {
		t.Errorf("existing participants: %+v", res.Existing)
	}
	// The stream cannot be unpublished; deleting the connection ends it.
	if err := svc.UnpublishStream("s", st.ID, ReasonForceUnpublishByServer); !errors.Is(err, ErrIPCamStream) {
		t.Errorf("unpublish of the camera's stream: %v", err)
	}
	if err := svc.Subscribe("s", res.Connection.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Disconnect("s", c.ID, ReasonForceDisconnectByServer); err != nil {
		t.Fatal(err)
	}
	equal(t, viewer.names(), []string{"ParticipantJoined", "StreamPublished", "ParticipantJoined",
		"ParticipantLeft:forceDisconnectByServer", "ParticipantEvicted:forceDisconnectByServer"})
	if _, err := svc.Connection("s", c.ID); !errors.Is(err, ErrConnectionNotFound) {
		t.Errorf("deleted camera still there: %v", err)
	}
}

func TestIPCamFailures(t *testing.T) {
	svc := newTestService(t, Options{})
	mustSession(t, svc, "s")
	// No module: a clear 500.
	if _, err := svc.CreateConnection("s", ipcamProps("rtsp://cam/x")); !errors.Is(err, ErrInternal) {
		t.Errorf("without the module: %v", err)
	}
	m := &cams{fail: errors.New("ffmpeg exploded")}
	svc.SetIPCamMedia(m)
	_, err := svc.CreateConnection("s", ipcamProps("rtsp://admin:secret@cam/x"))
	if !errors.Is(err, ErrInternal) {
		t.Fatalf("failed start: %v", err)
	}
	if msg := err.Error(); regexp.MustCompile(`secret`).MatchString(msg) || !regexp.MustCompile(`ffmpeg exploded`).MatchString(msg) {
		t.Errorf("message %q: must explain and must not show the password", msg)
	}
	if v, _ := svc.Session("s"); len(v.View().Connections) != 0 {
		t.Errorf("a failed camera left %d connections", len(v.View().Connections))
	}
	// Unknown session: 404 before anything starts.
	m.fail = nil
	if _, err := svc.CreateConnection("nope", ipcamProps("rtsp://cam/x")); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("unknown session: %v", err)
	}
	// The session closes while the camera starts: stopped again, 404.
	m.during = func() { _ = svc.CloseSession("s", ReasonSessionClosedByServer) }
	if _, err := svc.CreateConnection("s", ipcamProps("rtsp://cam/x")); !errors.Is(err, ErrSessionNotFound) {
		t.Errorf("session closed during start: %v", err)
	}
	if len(m.started) != 1 || len(m.stopped) != 1 || m.stopped[0] != m.started[0].StreamID {
		t.Errorf("started %v, stopped %v", m.started, m.stopped)
	}
}
