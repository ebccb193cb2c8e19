package core

import (
	"regexp"
	"strconv"
)

// SessionProperties are fixed when a Session is created.
type SessionProperties struct {
	MediaMode                  MediaMode
	RecordingMode              RecordingMode
	CustomSessionID            string
	ForcedVideoCodec           VideoCodec
	AllowTranscoding           bool
	DefaultRecordingProperties RecordingProperties
	MediaNode                  string // PRO meaning; echoed only when supplied
}

// RecordingProperties as in openvidu-java-client's RecordingProperties.
type RecordingProperties struct {
	Name                string
	HasAudio            bool
	HasVideo            bool
	OutputMode          OutputMode
	RecordingLayout     RecordingLayout
	CustomLayout        string
	Resolution          string
	FrameRate           int
	ShmSize             int64
	IgnoreFailedStreams bool
	MediaNode           string
}

// DefaultRecordingProperties is upstream's built-in default object.
func DefaultRecordingProperties() RecordingProperties {
	return RecordingProperties{
		HasAudio:        true,
		HasVideo:        true,
		OutputMode:      OutputComposed,
		RecordingLayout: LayoutBestFit,
		Resolution:      "1280x720",
		FrameRate:       25,
		ShmSize:         536870912,
	}
}

var (
	recordingNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-~]+$`)
	resolutionPattern    = regexp.MustCompile(`^([1-9][0-9]{2,3})x([1-9][0-9]{2,3})$`)
)

// ValidRecordingName reports whether name is acceptable (an empty name means "use the id").
func ValidRecordingName(name string) bool {
	return name == "" || recordingNamePattern.MatchString(name)
}

// Validate applies upstream's checks. Syntax problems are ErrBadRequest, range
// problems ErrUnprocessable (POST /sessions turns both into 400).
func (p RecordingProperties) Validate() error {
	if !ValidRecordingName(p.Name) {
		return ErrBadRequest.Withf("name %q must match [a-zA-Z0-9_-~]+", p.Name)
	}
	if !p.HasAudio && !p.HasVideo {
		return ErrUnprocessable.Withf("cannot start a recording with both hasAudio and hasVideo set to false")
	}
	if p.OutputMode.IsComposed() {
		m := resolutionPattern.FindStringSubmatch(p.Resolution)
		if m == nil || !inRange(m[1], 100, 1999) || !inRange(m[2], 100, 1999) {
			return ErrUnprocessable.Withf("resolution %q must be WIDTHxHEIGHT with each side between 100 and 1999", p.Resolution)
		}
		if p.FrameRate < 1 || p.FrameRate > 120 {
			return ErrUnprocessable.Withf("frameRate %d must be between 1 and 120", p.FrameRate)
		}
		if p.ShmSize < 134217728 {
			return ErrUnprocessable.Withf("shmSize %d must be at least 134217728 bytes", p.ShmSize)
		}
	}
	return nil
}

func inRange(s string, lo, hi int) bool {
	v, err := strconv.Atoi(s)
	return err == nil && v >= lo && v <= hi
}

// KurentoOptions per Connection; nil fields were not supplied (and are not echoed).
type KurentoOptions struct {
	VideoMaxRecvBandwidth *int
	VideoMinRecvBandwidth *int
	VideoMaxSendBandwidth *int
	VideoMinSendBandwidth *int
	AllowedFilters        []string
}

// ConnectionProperties requested by the application server.
type ConnectionProperties struct {
	Type             ConnectionType
	Data             string
	Record           bool
	Role             Role
	KurentoOptions   *KurentoOptions
	CustomIceServers []IceServer
	// IPCAM only
	RtspURI                 string
	AdaptativeBitrate       bool
	OnlyPlayWithSubscribers bool
	NetworkCache            int
}

// DefaultConnectionProperties mirrors upstream's defaults.
func DefaultConnectionProperties() ConnectionProperties {
	return ConnectionProperties{
		Type:                    ConnectionWebRTC,
		Record:                  true,
		Role:                    RolePublisher,
		AdaptativeBitrate:       true,
		OnlyPlayWithSubscribers: true,
		NetworkCache:            2000,
	}
}

// ConnectionPatch is the PATCH body: nil means unchanged.
type ConnectionPatch struct {
	Role   *Role
	Record *bool
}
