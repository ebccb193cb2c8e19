package openvidu

// MediaMode says how media flows between participants.
type MediaMode string

const (
	// MediaModeRouted sends media through the server (the only mode govidu serves).
	MediaModeRouted MediaMode = "ROUTED"
	// MediaModeRelayed is accepted for compatibility; media is still routed.
	MediaModeRelayed MediaMode = "RELAYED"
)

// RecordingMode says when a session is recorded.
type RecordingMode string

const (
	RecordingModeManual RecordingMode = "MANUAL" // only through StartRecording
	RecordingModeAlways RecordingMode = "ALWAYS" // as soon as the first stream is published
)

// VideoCodec is the codec a session forces on its publishers.
type VideoCodec string

const (
	VideoCodecMediaServerPreferred VideoCodec = "MEDIA_SERVER_PREFERRED"
	VideoCodecNone                 VideoCodec = "NONE"
	VideoCodecVP8                  VideoCodec = "VP8"
	VideoCodecVP9                  VideoCodec = "VP9"
	VideoCodecH264                 VideoCodec = "H264"
)

// Role decides what a Connection may do in its session.
type Role string

const (
	RoleSubscriber Role = "SUBSCRIBER" // receive only
	RolePublisher  Role = "PUBLISHER"  // receive and publish (the default)
	RoleModerator  Role = "MODERATOR"  // publish, and force others to unpublish or leave
)

// ConnectionType distinguishes browser participants from IP cameras.
type ConnectionType string

const (
	ConnectionTypeWebRTC ConnectionType = "WEBRTC"
	ConnectionTypeIPCam  ConnectionType = "IPCAM"
)

// ConnectionStatus is "pending" until a browser joins with the token.
type ConnectionStatus string

const (
	ConnectionPending ConnectionStatus = "pending"
	ConnectionActive  ConnectionStatus = "active"
)

// OutputMode of a recording.
type OutputMode string

const (
	OutputModeComposed           OutputMode = "COMPOSED"             // one grid video
	OutputModeComposedQuickStart OutputMode = "COMPOSED_QUICK_START" // grid, compositor started with the session
	OutputModeIndividual         OutputMode = "INDIVIDUAL"           // one file per stream, zipped
)

// RecordingLayout of a composed recording.
type RecordingLayout string

const (
	RecordingLayoutBestFit                RecordingLayout = "BEST_FIT"
	RecordingLayoutPictureInPicture       RecordingLayout = "PICTURE_IN_PICTURE"
	RecordingLayoutVerticalPresentation   RecordingLayout = "VERTICAL_PRESENTATION"
	RecordingLayoutHorizontalPresentation RecordingLayout = "HORIZONTAL_PRESENTATION"
	RecordingLayoutCustom                 RecordingLayout = "CUSTOM"
)

// RecordingStatus is the life cycle of a Recording.
type RecordingStatus string

const (
	RecordingStarting RecordingStatus = "starting"
	RecordingStarted  RecordingStatus = "started"
	RecordingStopped  RecordingStatus = "stopped"
	RecordingReady    RecordingStatus = "ready"
	RecordingFailed   RecordingStatus = "failed"
)

// TypeOfVideo of a published stream.
type TypeOfVideo string

const (
	TypeOfVideoCamera TypeOfVideo = "CAMERA"
	TypeOfVideoScreen TypeOfVideo = "SCREEN"
	TypeOfVideoCustom TypeOfVideo = "CUSTOM"
	TypeOfVideoIPCam  TypeOfVideo = "IPCAM"
)
