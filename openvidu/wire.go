package openvidu

import (
	"encoding/json"
	"math"
	"time"
)

// This file holds the REST JSON shapes (OpenVidu 2.32) and their conversion
// to and from the package's types. Keys the server may send as null are
// pointers here; the public types turn null into the zero value.

// mediaNodeRef is {"id": "..."} on the wire; some answers carry the bare id.
type mediaNodeRef struct {
	ID string `json:"id"`
}

func (m *mediaNodeRef) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		m.ID = s
		return nil
	}
	type plain mediaNodeRef
	return json.Unmarshal(b, (*plain)(m))
}

func newMediaNodeRef(id string) *mediaNodeRef {
	if id == "" {
		return nil
	}
	return &mediaNodeRef{ID: id}
}

func (m *mediaNodeRef) id() string {
	if m == nil {
		return ""
	}
	return m.ID
}

type listWire[T any] struct {
	NumberOfElements int `json:"numberOfElements"`
	Content          []T `json:"content"`
}

type sessionWire struct {
	ID                         string                    `json:"id"`
	SessionID                  string                    `json:"sessionId"`
	CreatedAt                  int64                     `json:"createdAt"`
	Recording                  bool                      `json:"recording"`
	Broadcasting               bool                      `json:"broadcasting"`
	MediaMode                  MediaMode                 `json:"mediaMode,omitempty"`
	RecordingMode              RecordingMode             `json:"recordingMode,omitempty"`
	DefaultRecordingProperties *recordingPropertiesWire  `json:"defaultRecordingProperties,omitempty"`
	CustomSessionID            string                    `json:"customSessionId"`
	MediaNode                  *mediaNodeRef             `json:"mediaNode,omitempty"`
	ForcedVideoCodec           VideoCodec                `json:"forcedVideoCodec,omitempty"`
	AllowTranscoding           *bool                     `json:"allowTranscoding,omitempty"`
	Connections                *listWire[connectionWire] `json:"connections,omitempty"`
}

// sessionRequest is the POST /sessions body; empty fields take the server's defaults.
func sessionRequest(p SessionProperties) any {
	return struct {
		MediaMode                  MediaMode                `json:"mediaMode,omitempty"`
		RecordingMode              RecordingMode            `json:"recordingMode,omitempty"`
		CustomSessionID            string                   `json:"customSessionId,omitempty"`
		ForcedVideoCodec           VideoCodec               `json:"forcedVideoCodec,omitempty"`
		AllowTranscoding           *bool                    `json:"allowTranscoding,omitempty"`
		DefaultRecordingProperties *recordingPropertiesWire `json:"defaultRecordingProperties,omitempty"`
		MediaNode                  *mediaNodeRef            `json:"mediaNode,omitempty"`
	}{
		MediaMode:                  p.MediaMode,
		RecordingMode:              p.RecordingMode,
		CustomSessionID:            p.CustomSessionID,
		ForcedVideoCodec:           p.ForcedVideoCodec,
		AllowTranscoding:           p.AllowTranscoding,
		DefaultRecordingProperties: recordingPropertiesToWire(p.DefaultRecordingProperties),
		MediaNode:                  newMediaNodeRef(p.MediaNode),
	}
}

func (w *sessionWire) session(c *Client) *Session {
	id := w.SessionID
	if id == "" { // the POST /sessions answer is read through "id" by the node client
		id = w.ID
	}
	s := &Session{
		ID:           id,
		CreatedAt:    millisTime(w.CreatedAt),
		Recording:    w.Recording,
		Broadcasting: w.Broadcasting,
		Properties: SessionProperties{
			MediaMode:                  w.MediaMode,
			RecordingMode:              w.RecordingMode,
			CustomSessionID:            w.CustomSessionID,
			ForcedVideoCodec:           w.ForcedVideoCodec,
			AllowTranscoding:           w.AllowTranscoding,
			DefaultRecordingProperties: w.DefaultRecordingProperties.properties(),
			MediaNode:                  w.MediaNode.id(),
		},
		client: c,
	}
	if w.Connections != nil {
		s.Connections = make([]*Connection, 0, len(w.Connections.Content))
		for i := range w.Connections.Content {
			s.Connections = append(s.Connections, w.Connections.Content[i].connection())
		}
	}
	return s
}

type recordingPropertiesWire struct {
	Name                string          `json:"name,omitempty"`
	HasAudio            *bool           `json:"hasAudio,omitempty"`
	HasVideo            *bool           `json:"hasVideo,omitempty"`
	OutputMode          OutputMode      `json:"outputMode,omitempty"`
	RecordingLayout     RecordingLayout `json:"recordingLayout,omitempty"`
	Resolution          string          `json:"resolution,omitempty"`
	FrameRate           int             `json:"frameRate,omitempty"`
	ShmSize             int64           `json:"shmSize,omitempty"`
	CustomLayout        string          `json:"customLayout,omitempty"`
	IgnoreFailedStreams bool            `json:"ignoreFailedStreams,omitempty"`
	MediaNode           *mediaNodeRef   `json:"mediaNode,omitempty"`
}

func recordingPropertiesToWire(p *RecordingProperties) *recordingPropertiesWire {
	if p == nil {
		return nil
	}
	return &recordingPropertiesWire{
		Name:                p.Name,
		HasAudio:            p.HasAudio,
		HasVideo:            p.HasVideo,
		OutputMode:          p.OutputMode,
		RecordingLayout:     p.RecordingLayout,
		Resolution:          p.Resolution,
		FrameRate:           p.FrameRate,
		ShmSize:             p.ShmSize,
		CustomLayout:        p.CustomLayout,
		IgnoreFailedStreams: p.IgnoreFailedStreams,
		MediaNode:           newMediaNodeRef(p.MediaNode),
	}
}

func (w *recordingPropertiesWire) properties() *RecordingProperties {
	if w == nil {
		return nil
	}
	return &RecordingProperties{
		Name:                w.Name,
		HasAudio:            w.HasAudio,
		HasVideo:            w.HasVideo,
		OutputMode:          w.OutputMode,
		RecordingLayout:     w.RecordingLayout,
		Resolution:          w.Resolution,
		FrameRate:           w.FrameRate,
		ShmSize:             w.ShmSize,
		CustomLayout:        w.CustomLayout,
		IgnoreFailedStreams: w.IgnoreFailedStreams,
		MediaNode:           w.MediaNode.id(),
	}
}

type connectionWire struct {
	ID                      string           `json:"id"`
	ConnectionID            string           `json:"connectionId"`
	Status                  ConnectionStatus `json:"status"`
	SessionID               string           `json:"sessionId"`
	CreatedAt               int64            `json:"createdAt"`
	ActiveAt                *int64           `json:"activeAt"`
	Location                *string          `json:"location"`
	IP                      *string          `json:"ip"`
	Platform                *string          `json:"platform"`
	Token                   *string          `json:"token"`
	Type                    ConnectionType   `json:"type"`
	Record                  *bool            `json:"record"`
	Role                    *Role            `json:"role"`
	KurentoOptions          *KurentoOptions  `json:"kurentoOptions"`
	CustomIceServers        []IceServer      `json:"customIceServers"`
	RtspURI                 *string          `json:"rtspUri"`
	AdaptativeBitrate       *bool            `json:"adaptativeBitrate"`
	OnlyPlayWithSubscribers *bool            `json:"onlyPlayWithSubscribers"`
	NetworkCache            *int             `json:"networkCache"`
	ServerData              *string          `json:"serverData"`
	ClientData              *string          `json:"clientData"`
	Publishers              []publisherWire  `json:"publishers"`
	Subscribers             []subscriberWire `json:"subscribers"`
}

// connectionRequest is the POST .../connection body. Unset properties are
// left out so that the server applies its defaults (record and the IPCAM
// booleans default to true).
func connectionRequest(p ConnectionProperties) any {
	return struct {
		Type                    ConnectionType  `json:"type,omitempty"`
		Data                    string          `json:"data,omitempty"`
		Record                  *bool           `json:"record,omitempty"`
		Role                    Role            `json:"role,omitempty"`
		KurentoOptions          *KurentoOptions `json:"kurentoOptions,omitempty"`
		CustomIceServers        []IceServer     `json:"customIceServers,omitempty"`
		RtspURI                 string          `json:"rtspUri,omitempty"`
		AdaptativeBitrate       *bool           `json:"adaptativeBitrate,omitempty"`
		OnlyPlayWithSubscribers *bool           `json:"onlyPlayWithSubscribers,omitempty"`
		NetworkCache            *int            `json:"networkCache,omitempty"`
	}{
		Type:                    p.Type,
		Data:                    p.Data,
		Record:                  p.Record,
		Role:                    p.Role,
		KurentoOptions:          p.KurentoOptions,
		CustomIceServers:        p.CustomIceServers,
		RtspURI:                 p.RTSPURI,
		AdaptativeBitrate:       p.AdaptativeBitrate,
		OnlyPlayWithSubscribers: p.OnlyPlayWithSubscribers,
		NetworkCache:            p.NetworkCache,
	}
}

func (w *connectionWire) connection() *Connection {
	id := w.ConnectionID
	if id == "" {
		id = w.ID
	}
	c := &Connection{
		ID:                      id,
		SessionID:               w.SessionID,
		Status:                  w.Status,
		Type:                    w.Type,
		Token:                   deref(w.Token),
		Role:                    deref(w.Role),
		Record:                  deref(w.Record),
		ServerData:              deref(w.ServerData),
		ClientData:              deref(w.ClientData),
		KurentoOptions:          w.KurentoOptions,
		CustomIceServers:        w.CustomIceServers,
		CreatedAt:               millisTime(w.CreatedAt),
		ActiveAt:                nullableMillis(w.ActiveAt),
		Location:                deref(w.Location),
		IP:                      deref(w.IP),
		Platform:                deref(w.Platform),
		RTSPURI:                 deref(w.RtspURI),
		AdaptativeBitrate:       deref(w.AdaptativeBitrate),
		OnlyPlayWithSubscribers: deref(w.OnlyPlayWithSubscribers),
		NetworkCache:            deref(w.NetworkCache),
	}
	// Pending connections have null lists, active ones arrays: keep the difference.
	if w.Publishers != nil {
		c.Publishers = make([]Publisher, 0, len(w.Publishers))
		for i := range w.Publishers {
			c.Publishers = append(c.Publishers, w.Publishers[i].publisher())
		}
	}
	if w.Subscribers != nil {
		c.Subscribers = make([]Subscriber, 0, len(w.Subscribers))
		for i := range w.Subscribers {
			c.Subscribers = append(c.Subscribers, w.Subscribers[i].subscriber())
		}
	}
	return c
}

// endpointStatsWire is present on publishers and subscribers with ?webRtcStats=true.
type endpointStatsWire struct {
	WebrtcEndpointName  *string           `json:"webrtcEndpointName"`
	LocalSdp            *string           `json:"localSdp"`
	RemoteSdp           *string           `json:"remoteSdp"`
	ClientIceCandidates []json.RawMessage `json:"clientIceCandidates"`
	ServerIceCandidates []json.RawMessage `json:"serverIceCandidates"`
	LocalCandidate      *string           `json:"localCandidate"`
	RemoteCandidate     *string           `json:"remoteCandidate"`
	Events              []json.RawMessage `json:"events"`
}

func (w *endpointStatsWire) stats() *EndpointStats {
	if w.WebrtcEndpointName == nil {
		return nil
	}
	return &EndpointStats{
		WebRTCEndpointName:  *w.WebrtcEndpointName,
		LocalSDP:            deref(w.LocalSdp),
		RemoteSDP:           deref(w.RemoteSdp),
		ClientIceCandidates: w.ClientIceCandidates,
		ServerIceCandidates: w.ServerIceCandidates,
		LocalCandidate:      deref(w.LocalCandidate),
		RemoteCandidate:     deref(w.RemoteCandidate),
		Events:              w.Events,
	}
}

type publisherWire struct {
	CreatedAt    int64             `json:"createdAt"`
	StreamID     string            `json:"streamId"`
	RtspURI      *string           `json:"rtspUri"`
	MediaOptions *mediaOptionsWire `json:"mediaOptions"`
	endpointStatsWire
}

type mediaOptionsWire struct {
	HasAudio                bool            `json:"hasAudio"`
	AudioActive             *bool           `json:"audioActive"`
	HasVideo                bool            `json:"hasVideo"`
	VideoActive             *bool           `json:"videoActive"`
	TypeOfVideo             *TypeOfVideo    `json:"typeOfVideo"`
	FrameRate               *float64        `json:"frameRate"`
	VideoDimensions         *string         `json:"videoDimensions"`
	Filter                  json.RawMessage `json:"filter"`
	AdaptativeBitrate       *bool           `json:"adaptativeBitrate"`
	OnlyPlayWithSubscribers *bool           `json:"onlyPlayWithSubscribers"`
	NetworkCache            *int            `json:"networkCache"`
}

func (w *publisherWire) publisher() Publisher {
	p := Publisher{
		CreatedAt: millisTime(w.CreatedAt),
		StreamID:  w.StreamID,
		RTSPURI:   deref(w.RtspURI),
		WebRTC:    w.stats(),
	}
	if m := w.MediaOptions; m != nil {
		p.MediaOptions = MediaOptions{
			HasAudio:                m.HasAudio,
			AudioActive:             deref(m.AudioActive),
			HasVideo:                m.HasVideo,
			VideoActive:             deref(m.VideoActive),
			TypeOfVideo:             deref(m.TypeOfVideo),
			FrameRate:               int(math.Round(deref(m.FrameRate))),
			Filter:                  m.Filter,
			AdaptativeBitrate:       deref(m.AdaptativeBitrate),
			OnlyPlayWithSubscribers: deref(m.OnlyPlayWithSubscribers),
			NetworkCache:            deref(m.NetworkCache),
		}
		// videoDimensions is a string holding JSON, e.g. "{\"width\":640,\"height\":480}".
		if m.VideoDimensions != nil {
			_ = json.Unmarshal([]byte(*m.VideoDimensions), &p.MediaOptions.VideoDimensions)
		}
	}
	return p
}

type subscriberWire struct {
	CreatedAt int64  `json:"createdAt"`
	StreamID  string `json:"streamId"`
	endpointStatsWire
}

func (w *subscriberWire) subscriber() Subscriber {
	return Subscriber{CreatedAt: millisTime(w.CreatedAt), StreamID: w.StreamID, WebRTC: w.stats()}
}

type tokenWire struct {
	ID             string          `json:"id"`
	Token          string          `json:"token"`
	CreatedAt      int64           `json:"createdAt"`
	ConnectionID   string          `json:"connectionId"`
	Session        string          `json:"session"`
	Data           string          `json:"data"`
	Role           Role            `json:"role"`
	KurentoOptions *KurentoOptions `json:"kurentoOptions"`
}

func (w *tokenWire) token() *Token {
	t := w.Token
	if t == "" {
		t = w.ID
	}
	return &Token{
		Token:          t,
		ConnectionID:   w.ConnectionID,
		SessionID:      w.Session,
		CreatedAt:      millisTime(w.CreatedAt),
		Data:           w.Data,
		Role:           w.Role,
		KurentoOptions: w.KurentoOptions,
	}
}

type recordingWire struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	OutputMode      OutputMode      `json:"outputMode"`
	Resolution      string          `json:"resolution"`
	FrameRate       int             `json:"frameRate"`
	RecordingLayout RecordingLayout `json:"recordingLayout"`
	CustomLayout    string          `json:"customLayout"`
	SessionID       string          `json:"sessionId"`
	MediaNode       *mediaNodeRef   `json:"mediaNode"`
	CreatedAt       int64           `json:"createdAt"`
	Size            int64           `json:"size"`
	Duration        float64         `json:"duration"`
	URL             *string         `json:"url"`
	HasAudio        bool            `json:"hasAudio"`
	HasVideo        bool            `json:"hasVideo"`
	Status          RecordingStatus `json:"status"`
}

func (w *recordingWire) recording() *Recording {
	name := w.Name
	if name == "" { // as both official clients do
		name = w.ID
	}
	return &Recording{
		ID:              w.ID,
		Name:            name,
		OutputMode:      w.OutputMode,
		Resolution:      w.Resolution,
		FrameRate:       w.FrameRate,
		RecordingLayout: w.RecordingLayout,
		CustomLayout:    w.CustomLayout,
		SessionID:       w.SessionID,
		MediaNode:       w.MediaNode.id(),
		CreatedAt:       millisTime(w.CreatedAt),
		Size:            w.Size,
		Duration:        time.Duration(math.Round(w.Duration * float64(time.Second))),
		URL:             deref(w.URL),
		HasAudio:        w.HasAudio,
		HasVideo:        w.HasVideo,
		Status:          w.Status,
	}
}

// recordingRequest is the POST /recordings/start body.
func recordingRequest(sessionID string, p RecordingProperties) any {
	return struct {
		Session string `json:"session"`
		*recordingPropertiesWire
	}{sessionID, recordingPropertiesToWire(&p)}
}
