package core

// Role of a Connection.
type Role string

const (
	RoleSubscriber Role = "SUBSCRIBER"
	RolePublisher  Role = "PUBLISHER"
	RoleModerator  Role = "MODERATOR"
)

// ConnectionType distinguishes browser connections from IP cameras.
type ConnectionType string

const (
	ConnectionWebRTC ConnectionType = "WEBRTC"
	ConnectionIPCam  ConnectionType = "IPCAM"
)

// ConnectionStatus is what REST shows in "status".
type ConnectionStatus string

const (
	StatusPending ConnectionStatus = "pending"
	StatusActive  ConnectionStatus = "active"
)

type MediaMode string

const (
	MediaModeRouted  MediaMode = "ROUTED"
	MediaModeRelayed MediaMode = "RELAYED"
)

type RecordingMode string

const (
	RecordingModeManual RecordingMode = "MANUAL"
	RecordingModeAlways RecordingMode = "ALWAYS"
)

type VideoCodec string

const (
	CodecMediaServerPreferred VideoCodec = "MEDIA_SERVER_PREFERRED"
	CodecNone                 VideoCodec = "NONE"
	CodecVP8                  VideoCodec = "VP8"
	CodecVP9                  VideoCodec = "VP9"
	CodecH264                 VideoCodec = "H264"
)

type OutputMode string

const (
	OutputComposed           OutputMode = "COMPOSED"
	OutputComposedQuickStart OutputMode = "COMPOSED_QUICK_START"
	OutputIndividual         OutputMode = "INDIVIDUAL"
)

// IsComposed reports whether the mode produces one grid file.
func (m OutputMode) IsComposed() bool { return m == OutputComposed || m == OutputComposedQuickStart }

type RecordingLayout string

const (
	LayoutBestFit                RecordingLayout = "BEST_FIT"
	LayoutPictureInPicture       RecordingLayout = "PICTURE_IN_PICTURE"
	LayoutVerticalPresentation   RecordingLayout = "VERTICAL_PRESENTATION"
	LayoutHorizontalPresentation RecordingLayout = "HORIZONTAL_PRESENTATION"
	LayoutCustom                 RecordingLayout = "CUSTOM"
)

type TypeOfVideo string

const (
	VideoCamera TypeOfVideo = "CAMERA"
	VideoScreen TypeOfVideo = "SCREEN"
	VideoCustom TypeOfVideo = "CUSTOM"
	VideoIPCam  TypeOfVideo = "IPCAM"
)

// Reason is an upstream EndReason value, used in events and notifications.
type Reason string

const (
	ReasonDisconnect               Reason = "disconnect"
	ReasonForceDisconnectByUser    Reason = "forceDisconnectByUser"
	ReasonForceDisconnectByServer  Reason = "forceDisconnectByServer"
	ReasonSessionClosedByServer    Reason = "sessionClosedByServer"
	ReasonNetworkDisconnect        Reason = "networkDisconnect"
	ReasonUnpublish                Reason = "unpublish"
	ReasonForceUnpublishByUser     Reason = "forceUnpublishByUser"
	ReasonForceUnpublishByServer   Reason = "forceUnpublishByServer"
	ReasonUnsubscribe              Reason = "unsubscribe"
	ReasonLastParticipantLeft      Reason = "lastParticipantLeft"
	ReasonRecordingStoppedByServer Reason = "recordingStoppedByServer"
	ReasonAutomaticStop            Reason = "automaticStop"
	ReasonOpenViduServerStopped    Reason = "openviduServerStopped"
	// ReasonNodeCrashed finalizes a recording the server was killed in the
	// middle of (found at the next start).
	ReasonNodeCrashed Reason = "nodeCrashed"
)

// evicts reports whether a participant removed for this reason must be told
// with participantEvicted (as opposed to leaving on its own or losing its network).
func (r Reason) evicts() bool {
	switch r {
	case ReasonForceDisconnectByUser, ReasonForceDisconnectByServer, ReasonSessionClosedByServer, ReasonOpenViduServerStopped:
		return true
	}
	return false
}

// forcesUnpublish reports whether the publisher itself must be told its stream ended.
func (r Reason) forcesUnpublish() bool {
	return r == ReasonForceUnpublishByUser || r == ReasonForceUnpublishByServer
}

func parseEnum[T ~string](field, v string, allowed ...T) (T, error) {
	for _, a := range allowed {
		if string(a) == v {
			return a, nil
		}
	}
	return "", ErrBadRequest.Withf("%s: invalid value %q (allowed: %v)", field, v, allowed)
}

func ParseRole(v string) (Role, error) {
	return parseEnum("role", v, RoleSubscriber, RolePublisher, RoleModerator)
}
func ParseConnectionType(v string) (ConnectionType, error) {
	return parseEnum("type", v, ConnectionWebRTC, ConnectionIPCam)
}
func ParseMediaMode(v string) (MediaMode, error) {
	return parseEnum("mediaMode", v, MediaModeRouted, MediaModeRelayed)
}
func ParseRecordingMode(v string) (RecordingMode, error) {
	return parseEnum("recordingMode", v, RecordingModeManual, RecordingModeAlways)
}
func ParseVideoCodec(v string) (VideoCodec, error) {
	return parseEnum("forcedVideoCodec", v, CodecMediaServerPreferred, CodecNone, CodecVP8, CodecVP9, CodecH264)
}
func ParseOutputMode(v string) (OutputMode, error) {
	return parseEnum("outputMode", v, OutputComposed, OutputComposedQuickStart, OutputIndividual)
}
func ParseRecordingLayout(v string) (RecordingLayout, error) {
	return parseEnum("recordingLayout", v, LayoutBestFit, LayoutPictureInPicture, LayoutVerticalPresentation, LayoutHorizontalPresentation, LayoutCustom)
}
func ParseTypeOfVideo(v string) (TypeOfVideo, error) {
	return parseEnum("typeOfVideo", v, VideoCamera, VideoScreen, VideoCustom, VideoIPCam)
}
