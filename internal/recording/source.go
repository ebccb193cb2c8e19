package recording

import (
	"errors"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/govidu/govidu/internal/media"
)

// Source gives the recorder the media of published streams.
type Source interface {
	// Track returns the codec (MIME type) a stream's track sends; ok is
	// false when the stream has no such track (or is gone).
	Track(streamID string, video bool) (mime string, ok bool)
	// Attach taps the track; detach stops the tap.
	Attach(streamID string, video bool, s media.Sink) (detach func(), err error)
	// RequestKeyframe asks the publisher for a video keyframe.
	RequestKeyframe(streamID string)
}

// EngineSource taps the SFU's publishers.
func EngineSource(e *media.Engine) Source { return engineSource{e} }

type engineSource struct{ e *media.Engine }

func kindOf(video bool) webrtc.RTPCodecType {
	if video {
		return webrtc.RTPCodecTypeVideo
	}
	return webrtc.RTPCodecTypeAudio
}

func (s engineSource) Track(streamID string, video bool) (string, bool) {
	p := s.e.Publisher(streamID)
	if p == nil {
		return "", false
	}
	r := p.Receiver(kindOf(video))
	if r == nil {
		return "", false
	}
	return r.Codec().MimeType, true
}

func (s engineSource) Attach(streamID string, video bool, sink media.Sink) (func(), error) {
	p := s.e.Publisher(streamID)
	if p == nil {
		return nil, errors.New("recording: stream " + streamID + " has no media")
	}
	_, detach, err := p.AddSink(kindOf(video), sink)
	return detach, err
}

func (s engineSource) RequestKeyframe(streamID string) {
	if p := s.e.Publisher(streamID); p != nil {
		p.RequestKeyframe()
	}
}

// codecOf maps a MIME type to the codecs we record (0 = not recordable).
func codecOf(mime string) codec {
	switch strings.ToLower(mime) {
	case "audio/opus":
		return codecOpus
	case "video/vp8":
		return codecVP8
	case "video/vp9":
		return codecVP9
	case "video/h264":
		return codecH264
	}
	return 0
}
