package core

import (
	"context"
	"net"
	"net/url"
	"strings"
	"time"
)

// IP cameras (connections of type IPCAM). Creating one publishes the
// camera at once: the connection is active from the start, joins with
// platform "IPCAM" and publishes a stream of typeOfVideo IPCAM that
// browsers subscribe to like any other. Deleting the connection
// (forceDisconnect) ends it; the stream itself cannot be unpublished.

// IPCam is what the camera module needs to publish one camera.
type IPCam struct {
	SessionID    string
	ConnectionID string
	StreamID     string
	ForcedCodec  VideoCodec // the session's forcedVideoCodec
	Props        ConnectionProperties
}

// IPCamMedia is the IP camera module as core drives it. Core calls it
// without holding any lock.
type IPCamMedia interface {
	// Start publishes the camera's stream in the media engine. It returns
	// once subscribers can be attached; the camera itself may be reached
	// later (or only while someone watches: onlyPlayWithSubscribers).
	Start(cam IPCam) error
	// Stop ends a camera whose stream could not be announced after Start
	// (the session closed meanwhile). An announced camera stops when its
	// stream is unpublished (StreamUnpublished reaches the module's listener).
	Stop(streamID string)
}

// SetIPCamMedia connects the camera module (nil: IPCAM connections fail
// with a message saying so).
func (svc *Service) SetIPCamMedia(m IPCamMedia) {
	if m == nil {
		svc.cams.Store(nil)
		return
	}
	svc.cams.Store(&m)
}

func (svc *Service) ipcamMedia() IPCamMedia {
	if p := svc.cams.Load(); p != nil {
		return *p
	}
	return nil
}

// createIPCam publishes a camera: reserve ids, start the media outside
// the session's locks, then add the active connection and announce it
// (participantJoined, then the stream).
func (svc *Service) createIPCam(sessionID string, props ConnectionProperties) (ConnectionView, error) {
	m := svc.ipcamMedia()
	if m == nil {
		return ConnectionView{}, ErrInternal.Withf("IP cameras are not available on this server (they need ffmpeg on the PATH)")
	}
	s, err := svc.Session(sessionID)
	if err != nil {
		return ConnectionView{}, err
	}
	props.Role = ""
	props.KurentoOptions = nil
	if len(props.CustomIceServers) == 0 {
		props.CustomIceServers = append([]IceServer(nil), svc.opts.DefaultIceServers...)
	}
	media := MediaOptions{
		HasAudio: true, AudioActive: true, HasVideo: true, VideoActive: true,
		TypeOfVideo: VideoIPCam, FrameRate: -1,
		RtspURI: props.RtspURI, AdaptativeBitrate: props.AdaptativeBitrate,
		OnlyPlayWithSubscribers: props.OnlyPlayWithSubscribers, NetworkCache: props.NetworkCache,
	}
	id := newIPCamConnectionID(props.RtspURI)
	cam := IPCam{SessionID: sessionID, ConnectionID: id, StreamID: newStreamID(id, media),
		ForcedCodec: s.View().Properties.ForcedVideoCodec, Props: props}
	ip := cameraIP(props.RtspURI)
	if err := m.Start(cam); err != nil {
		return ConnectionView{}, ErrInternal.Withf("the IP camera %s could not be published: %v", redactURI(props.RtspURI), err)
	}

	s, err = svc.lockSession(sessionID)
	if err != nil {
		m.Stop(cam.StreamID)
		return ConnectionView{}, ErrSessionNotFound.Withf("session %s closed while its IP camera was being published", sessionID)
	}
	defer s.opMu.Unlock()
	now := svc.now()
	for i, ice := range props.CustomIceServers {
		props.CustomIceServers[i] = ice.Resolve(now)
	}
	c := &Connection{
		id: id, session: s, createdAt: now, props: props,
		status: StatusActive, activeAt: now, platform: "IPCAM", ip: ip, location: "unknown",
	}
	c.publisher = &Stream{id: cam.StreamID, owner: c, createdAt: now, media: media, live: true}
	s.mu.Lock()
	others := s.notifiersExcept(nil)
	s.conns = append(s.conns, c)
	s.active = true
	v := c.view()
	joined := ParticipantJoined{EventBase: s.base(now), Connection: v}
	published := StreamPublished{EventBase: s.base(now), Connection: v, Stream: *v.Publisher}
	autostart := svc.afterPublishLocked(s)
	s.mu.Unlock()
	svc.dispatch([]delivery{{event: joined, to: others}, {event: published, to: others}})
	if autostart != nil {
		autostart()
	}
	svc.log.Info("IP camera published", "sessionId", s.id, "connectionId", id, "uri", redactURI(props.RtspURI))
	return v, nil
}

// newIPCamConnectionID is upstream's ipc_IPCAM_<scheme>_<4 random>_<host>[_<port>]<path>,
// reduced to characters that are safe in a URL path.
func newIPCamConnectionID(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		u = &url.URL{Scheme: "rtsp"}
	}
	tail := u.Hostname()
	if p := u.Port(); p != "" {
		tail += "_" + p
	}
	tail += u.Path
	var b strings.Builder
	for _, r := range tail {
		switch {
		case r == '-':
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return "ipc_IPCAM_" + strings.ToLower(u.Scheme) + "_" + randomFrom(upperLetters+"0123456789", 4) + "_" + b.String()
}

// cameraIP is the connection's ip: the camera host's address (resolved
// with a short deadline; the name itself when it does not resolve), or
// the loopback address for a file.
func cameraIP(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Hostname() == "" {
		return "127.0.0.1"
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return host
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host); err == nil && len(addrs) > 0 {
		return addrs[0].IP.String()
	}
	return host
}

// redactURI hides a camera URI's password in logs.
func redactURI(uri string) string {
	if u, err := url.Parse(uri); err == nil {
		return u.Redacted()
	}
	return "(unparsable URI)"
}
