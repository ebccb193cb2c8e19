package media

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/pion/webrtc/v4"
)

// An ingested stream is published by a local process that sends plain RTP
// (an IP camera's ffmpeg), not by a browser: no PeerConnection, no ICE,
// no RTCP back. Subscribers see it like any other stream.

// IngestRequest describes an ingested stream's tracks.
type IngestRequest struct {
	StreamID string
	Video    string // mime type (IngestCodec), "" = no video
	Audio    string // mime type, "" = no audio
	// OnDemand is called, without locks held, each time the stream's
	// consumers (Publisher.Consumers) may have changed; it must not
	// block. An ingest may run its source only while someone consumes it.
	OnDemand func()
}

// IngestCodec is the codec an ingest of mime is declared with (what
// subscribers negotiate): VP8, VP9, H.264 constrained baseline with
// packetization-mode 1, or Opus stereo.
func IngestCodec(mime string) (webrtc.RTPCodecParameters, error) {
	var c webrtc.RTPCodecCapability
	switch strings.ToLower(mime) {
	case strings.ToLower(webrtc.MimeTypeVP8):
		c = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
	case strings.ToLower(webrtc.MimeTypeVP9):
		c = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP9, ClockRate: 90000, SDPFmtpLine: "profile-id=0"}
	case strings.ToLower(webrtc.MimeTypeH264):
		c = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"}
	case strings.ToLower(webrtc.MimeTypeOpus):
		c = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1"}
	default:
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %q cannot be ingested", ErrUnsupportedCodec, mime)
	}
	return webrtc.RTPCodecParameters{RTPCodecCapability: c, PayloadType: 96}, nil
}

// Ingest publishes a stream fed by Feed. Keyframe requests of its
// subscribers go nowhere (the source must send keyframes regularly);
// Reconnect is refused. Close it like any Publisher.
func (e *Engine) Ingest(req IngestRequest) (*Publisher, error) {
	plan := publishPlan{codecs: map[webrtc.RTPCodecType]webrtc.RTPCodecParameters{}}
	for kind, mime := range map[webrtc.RTPCodecType]string{webrtc.RTPCodecTypeVideo: req.Video, webrtc.RTPCodecTypeAudio: req.Audio} {
		if mime == "" {
			continue
		}
		c, err := IngestCodec(mime)
		if err != nil {
			return nil, err
		}
		plan.codecs[kind] = c
	}
	if len(plan.codecs) == 0 {
		return nil, fmt.Errorf("%w: an ingest needs audio or video", ErrNoMedia)
	}
	if !e.enter() {
		return nil, ErrClosed
	}
	defer e.wg.Done()
	p := e.newPublisher(req.StreamID)
	p.ingest, p.onDemand = true, req.OnDemand
	p.ensureReceivers(plan)
	if !e.addPublisher(p) {
		_ = p.Close()
		return nil, ErrClosed
	}
	p.log.Debug("ingest published", "codecs", describePlan(plan))
	return p, nil
}

// errNotIngest: Feed on a browser's stream.
var errNotIngest = errors.New("media: only an ingested stream can be fed")

// Feed makes conn the source of the ingested stream's track of kind and
// forwards what arrives on it until conn is closed (or fails), on the
// caller's goroutine. Only packets of ssrc are taken: whatever else
// reaches the socket is dropped. A newer Feed of the same kind takes over
// once this one has returned, so close the old conn first.
func (p *Publisher) Feed(kind webrtc.RTPCodecType, ssrc uint32, conn net.PacketConn) error {
	if !p.ingest {
		return errNotIngest
	}
	r := p.Receiver(kind)
	if r == nil {
		return fmt.Errorf("media: stream %s publishes no %s", p.streamID, kind)
	}
	run := r.attachSource(&socketSource{conn: conn, ssrc: ssrc}, ssrc)
	if run == nil {
		return ErrClosed
	}
	run()
	return nil
}

// socketSource reads RTP datagrams of one SSRC from a local socket.
type socketSource struct {
	conn net.PacketConn
	ssrc uint32
}

func (s *socketSource) readRTP(buf []byte) (int, error) {
	for {
		n, _, err := s.conn.ReadFrom(buf)
		if err != nil {
			return 0, err
		}
		if n >= 12 && uint32(buf[8])<<24|uint32(buf[9])<<16|uint32(buf[10])<<8|uint32(buf[11]) == s.ssrc {
			return n, nil
		}
	}
}
