package api

import (
	"encoding/json"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// This file holds every JSON shape the REST API emits. Field order is
// upstream's (openvidu-node-client compares JSON text, pitfall 9), keys that
// upstream always emits are never omitted (the Java client reads them with
// get(...)), and timestamps are integer epoch milliseconds.

func millis(t time.Time) int64 { return t.UnixMilli() }

func nullableMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

func nullable(s string, present bool) *string {
	if !present {
		return nil
	}
	return &s
}

type sessionJSON struct {
	ID                         string                   `json:"id"`
	Object                     string                   `json:"object"`
	SessionID                  string                   `json:"sessionId"`
	CreatedAt                  int64                    `json:"createdAt"`
	Recording                  bool                     `json:"recording"`
	Broadcasting               bool                     `json:"broadcasting"`
	MediaMode                  core.MediaMode           `json:"mediaMode"`
	RecordingMode              core.RecordingMode       `json:"recordingMode"`
	DefaultRecordingProperties recordingPropertiesJSON  `json:"defaultRecordingProperties"`
	CustomSessionID            string                   `json:"customSessionId"`
	MediaNode                  *mediaNodeJSON           `json:"mediaNode,omitempty"`
	ForcedVideoCodec           core.VideoCodec          `json:"forcedVideoCodec"`
	AllowTranscoding           bool                     `json:"allowTranscoding"`
	Connections                listJSON[connectionJSON] `json:"connections"`
}

type mediaNodeJSON struct {
	ID string `json:"id"`
}

type listJSON[T any] struct {
	NumberOfElements int `json:"numberOfElements"`
	Content          []T `json:"content"`
}

func newList[T any](items []T) listJSON[T] {
	if items == nil {
		items = []T{}
	}
	return listJSON[T]{NumberOfElements: len(items), Content: items}
}

// recordingPropertiesJSON serialises like openvidu-java-client's
// RecordingProperties.toJson: layout fields only for COMPOSED* with video,
// ignoreFailedStreams only for INDIVIDUAL.
type recordingPropertiesJSON struct {
	Name                string               `json:"name"`
	HasAudio            bool                 `json:"hasAudio"`
	HasVideo            bool                 `json:"hasVideo"`
	OutputMode          core.OutputMode      `json:"outputMode"`
	RecordingLayout     core.RecordingLayout `json:"recordingLayout,omitempty"`
	Resolution          string               `json:"resolution,omitempty"`
	FrameRate           *int                 `json:"frameRate,omitempty"`
	ShmSize             *int64               `json:"shmSize,omitempty"`
	CustomLayout        *string              `json:"customLayout,omitempty"`
	IgnoreFailedStreams *bool                `json:"ignoreFailedStreams,omitempty"`
	MediaNode           string               `json:"mediaNode,omitempty"`
}

func newRecordingProperties(p core.RecordingProperties) recordingPropertiesJSON {
	j := recordingPropertiesJSON{Name: p.Name, HasAudio: p.HasAudio, HasVideo: p.HasVideo, OutputMode: p.OutputMode, MediaNode: p.MediaNode}
	if p.OutputMode.IsComposed() && p.HasVideo {
		j.RecordingLayout = p.RecordingLayout
		j.Resolution = p.Resolution
		j.FrameRate = &p.FrameRate
		j.ShmSize = &p.ShmSize
		if p.RecordingLayout == core.LayoutCustom {
			j.CustomLayout = &p.CustomLayout
		}
	}
	if p.OutputMode == core.OutputIndividual {
		j.IgnoreFailedStreams = &p.IgnoreFailedStreams
	}
	return j
}

// connectionJSON has exactly upstream's 24 keys, all always present.
type connectionJSON struct {
	ID                      string                `json:"id"`
	Object                  string                `json:"object"`
	Status                  core.ConnectionStatus `json:"status"`
	ConnectionID            string                `json:"connectionId"`
	SessionID               string                `json:"sessionId"`
	CreatedAt               int64                 `json:"createdAt"`
	ActiveAt                *int64                `json:"activeAt"`
	Location                *string               `json:"location"`
	IP                      *string               `json:"ip"`
	Platform                *string               `json:"platform"`
	Token                   *string               `json:"token"`
	Type                    core.ConnectionType   `json:"type"`
	Record                  bool                  `json:"record"`
	Role                    *core.Role            `json:"role"`
	KurentoOptions          *kurentoOptionsJSON   `json:"kurentoOptions"`
	CustomIceServers        []iceServerJSON       `json:"customIceServers"`
	RtspURI                 *string               `json:"rtspUri"`
	AdaptativeBitrate       *bool                 `json:"adaptativeBitrate"`
	OnlyPlayWithSubscribers *bool                 `json:"onlyPlayWithSubscribers"`
	NetworkCache            *int                  `json:"networkCache"`
	ServerData              string                `json:"serverData"`
	ClientData              *string               `json:"clientData"`
	Publishers              []publisherJSON       `json:"publishers"`
	Subscribers             []subscriberJSON      `json:"subscribers"`
}

type kurentoOptionsJSON struct {
	VideoMaxRecvBandwidth *int     `json:"videoMaxRecvBandwidth,omitempty"`
	VideoMinRecvBandwidth *int     `json:"videoMinRecvBandwidth,omitempty"`
	VideoMaxSendBandwidth *int     `json:"videoMaxSendBandwidth,omitempty"`
	VideoMinSendBandwidth *int     `json:"videoMinSendBandwidth,omitempty"`
	AllowedFilters        []string `json:"allowedFilters,omitempty"`
}

func newKurentoOptions(k *core.KurentoOptions) *kurentoOptionsJSON {
	if k == nil {
		return nil
	}
	return &kurentoOptionsJSON{
		VideoMaxRecvBandwidth: k.VideoMaxRecvBandwidth,
		VideoMinRecvBandwidth: k.VideoMinRecvBandwidth,
		VideoMaxSendBandwidth: k.VideoMaxSendBandwidth,
		VideoMinSendBandwidth: k.VideoMinSendBandwidth,
		AllowedFilters:        k.AllowedFilters,
	}
}

type iceServerJSON struct {
	URL        string `json:"url"`
	Username   string `json:"username,omitempty"`
	Credential string `json:"credential,omitempty"`
}

func newIceServers(list []core.IceServer) []iceServerJSON {
	out := make([]iceServerJSON, 0, len(list))
	for _, s := range list {
		out = append(out, iceServerJSON{URL: s.URL, Username: s.Username, Credential: s.Credential})
	}
	return out
}

type publisherJSON struct {
	CreatedAt    int64            `json:"createdAt"`
	StreamID     string           `json:"streamId"`
	RtspURI      *string          `json:"rtspUri,omitempty"`
	MediaOptions mediaOptionsJSON `json:"mediaOptions"`
	*endpointStatsJSON
}

type mediaOptionsJSON struct {
	HasAudio                bool              `json:"hasAudio"`
	AudioActive             *bool             `json:"audioActive,omitempty"`
	HasVideo                bool              `json:"hasVideo"`
	VideoActive             *bool             `json:"videoActive,omitempty"`
	TypeOfVideo             *core.TypeOfVideo `json:"typeOfVideo,omitempty"`
	FrameRate               *int              `json:"frameRate,omitempty"`
	VideoDimensions         *string           `json:"videoDimensions,omitempty"`
	Filter                  struct{}          `json:"filter"`
	AdaptativeBitrate       *bool             `json:"adaptativeBitrate,omitempty"`
	OnlyPlayWithSubscribers *bool             `json:"onlyPlayWithSubscribers,omitempty"`
	NetworkCache            *int              `json:"networkCache,omitempty"`
}

func newMediaOptions(m core.MediaOptions) mediaOptionsJSON {
	j := mediaOptionsJSON{HasAudio: m.HasAudio, HasVideo: m.HasVideo}
	if m.HasAudio {
		j.AudioActive = &m.AudioActive
	}
	if m.HasVideo {
		j.VideoActive = &m.VideoActive
		j.TypeOfVideo = &m.TypeOfVideo
		if m.TypeOfVideo != core.VideoIPCam { // a camera's rate is not known: left out, as upstream does with null
			j.FrameRate = &m.FrameRate
		}
		if m.VideoDimensions != "" {
			j.VideoDimensions = &m.VideoDimensions
		}
	}
	if m.TypeOfVideo == core.VideoIPCam {
		j.AdaptativeBitrate = &m.AdaptativeBitrate
		j.OnlyPlayWithSubscribers = &m.OnlyPlayWithSubscribers
		j.NetworkCache = &m.NetworkCache
	}
	return j
}

type subscriberJSON struct {
	CreatedAt int64  `json:"createdAt"`
	StreamID  string `json:"streamId"`
	*endpointStatsJSON
}

// endpointStatsJSON is added to publishers/subscribers with ?webRtcStats=true.
type endpointStatsJSON struct {
	WebrtcEndpointName  string            `json:"webrtcEndpointName"`
	LocalSdp            *string           `json:"localSdp"`
	RemoteSdp           *string           `json:"remoteSdp"`
	ClientIceCandidates []json.RawMessage `json:"clientIceCandidates"`
	ServerIceCandidates []json.RawMessage `json:"serverIceCandidates"`
	LocalCandidate      *string           `json:"localCandidate"`
	RemoteCandidate     *string           `json:"remoteCandidate"`
	Events              []json.RawMessage `json:"events"`
}

type tokenJSON struct {
	ID             string              `json:"id"`
	Token          string              `json:"token"`
	CreatedAt      int64               `json:"createdAt"`
	ConnectionID   string              `json:"connectionId"`
	Session        string              `json:"session"`
	Data           string              `json:"data"`
	Role           core.Role           `json:"role"`
	KurentoOptions *kurentoOptionsJSON `json:"kurentoOptions,omitempty"`
}

// errorJSON is Spring's error body, which upstream uses for its error responses.
type errorJSON struct {
	Timestamp int64  `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path"`
}
