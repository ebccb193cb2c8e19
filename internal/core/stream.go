package core

import (
	"encoding/json"
	"time"
)

// MediaOptions describe a published Stream as the browser announced it.
type MediaOptions struct {
	HasAudio        bool
	HasVideo        bool
	AudioActive     bool
	VideoActive     bool
	TypeOfVideo     TypeOfVideo // only meaningful with video
	FrameRate       int         // -1 = unknown
	VideoDimensions string      // JSON text {"width":W,"height":H}; "" = unknown
	// IPCAM only
	RtspURI                 string
	AdaptativeBitrate       bool
	OnlyPlayWithSubscribers bool
	NetworkCache            int
}

// Stream is the media a Connection publishes. Guarded by its Session's mu.
type Stream struct {
	id        string
	owner     *Connection
	createdAt time.Time
	media     MediaOptions
	live      bool // false while media negotiation is still running (BeginPublish)
}

// StreamView is an immutable copy of a Stream.
type StreamView struct {
	ID           string
	ConnectionID string
	CreatedAt    time.Time
	Media        MediaOptions
}

func (s *Stream) view() StreamView {
	return StreamView{ID: s.id, ConnectionID: s.owner.id, CreatedAt: s.createdAt, Media: s.media}
}

// subscription records that a Connection receives a Stream.
type subscription struct {
	stream    *Stream
	createdAt time.Time
}

// SubscriptionView is an immutable copy of a subscription.
type SubscriptionView struct {
	StreamID  string
	CreatedAt time.Time
}

// applyProperty updates the stored state that later joiners read.
// Properties the server does not keep (videoTrack, audioTrack, …) are accepted and ignored.
func (m *MediaOptions) applyProperty(property string, value json.RawMessage) error {
	switch property {
	case "audioActive", "videoActive":
		var b bool
		if err := json.Unmarshal(value, &b); err != nil {
			// openvidu-browser sends booleans; accept the string form too.
			var s string
			if json.Unmarshal(value, &s) != nil || (s != "true" && s != "false") {
				return ErrBadRequest.Withf("%s must be a boolean", property)
			}
			b = s == "true"
		}
		if property == "audioActive" {
			m.AudioActive = b
		} else {
			m.VideoActive = b
		}
	case "videoDimensions":
		var s string
		if err := json.Unmarshal(value, &s); err != nil {
			return ErrBadRequest.Withf("videoDimensions must be a JSON string")
		}
		m.VideoDimensions = s
	}
	return nil
}
