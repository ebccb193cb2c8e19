package signaling

import (
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"strings"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/signaling/jsonrpc"
)

// The wire shapes of protocol §3.2 and §4. Field order follows upstream so
// transcripts read the same; optional members use omitempty so the client
// never sees a member it would misread (role, streams:[], "error":null).

// serverVersion must parse as semver with major 2 and minor 32 or 33.
const serverVersion = "2.32.2"

// mediaServerKind "kurento" makes the client offer for every PeerConnection.
const mediaServerKind = "kurento"

type streamJSON struct {
	ID              string   `json:"id"`
	CreatedAt       int64    `json:"createdAt"`
	HasAudio        bool     `json:"hasAudio"`
	HasVideo        bool     `json:"hasVideo"`
	AudioActive     *bool    `json:"audioActive,omitempty"`
	VideoActive     *bool    `json:"videoActive,omitempty"`
	TypeOfVideo     string   `json:"typeOfVideo,omitempty"`
	FrameRate       int      `json:"frameRate"`
	VideoDimensions string   `json:"videoDimensions,omitempty"`
	Filter          struct{} `json:"filter"`
}

func streamObject(s core.StreamView) streamJSON {
	m := s.Media
	out := streamJSON{
		ID:        s.ID,
		CreatedAt: s.CreatedAt.UnixMilli(),
		HasAudio:  m.HasAudio,
		HasVideo:  m.HasVideo,
		FrameRate: m.FrameRate,
	}
	if m.HasAudio {
		out.AudioActive = &m.AudioActive
	}
	if m.HasVideo {
		out.VideoActive = &m.VideoActive
		out.TypeOfVideo = string(m.TypeOfVideo)
		out.VideoDimensions = m.VideoDimensions
	}
	return out
}

// participantJSON is a remote participant: never a role member (the client
// would take it for its own connection), no streams member unless publishing.
type participantJSON struct {
	ID        string       `json:"id"`
	CreatedAt int64        `json:"createdAt"`
	Metadata  string       `json:"metadata"`
	Streams   []streamJSON `json:"streams,omitempty"`
}

// joinedAt is the participant's createdAt on the wire: when it joined.
func joinedAt(c core.ConnectionView) int64 {
	if !c.ActiveAt.IsZero() {
		return c.ActiveAt.UnixMilli()
	}
	return c.CreatedAt.UnixMilli()
}

func participantObject(c core.ConnectionView) participantJSON {
	p := participantJSON{ID: c.ID, CreatedAt: joinedAt(c), Metadata: c.FullMetadata()}
	if c.Publisher != nil {
		p.Streams = []streamJSON{streamObject(*c.Publisher)}
	}
	return p
}

type iceServerJSON struct {
	URL        string `json:"url"`
	Username   string `json:"username,omitempty"`
	Credential string `json:"credential,omitempty"`
}

type joinRoomResult struct {
	ID               string            `json:"id"`
	CreatedAt        int64             `json:"createdAt"`
	Metadata         string            `json:"metadata"`
	Value            []participantJSON `json:"value"`
	Session          string            `json:"session"`
	Version          string            `json:"version"`
	MediaServer      string            `json:"mediaServer"`
	VideoSimulcast   bool              `json:"videoSimulcast"`
	Record           bool              `json:"record"`
	Role             core.Role         `json:"role"`
	CustomIceServers []iceServerJSON   `json:"customIceServers,omitempty"`
	// Legacy TURN fields read by openvidu-browser 2.20–2.24 (2.25+ uses customIceServers).
	CoturnIP       string `json:"coturnIp,omitempty"`
	CoturnPort     int    `json:"coturnPort,omitempty"`
	TurnUsername   string `json:"turnUsername,omitempty"`
	TurnCredential string `json:"turnCredential,omitempty"`
	SessionID      string `json:"sessionId"`
	// A recording in progress: the client fires recordingStarted after connecting.
	RecordingID   string `json:"recordingId,omitempty"`
	RecordingName string `json:"recordingName,omitempty"`
}

func joinResult(res core.JoinResult, rpcSessionID string) joinRoomResult {
	c := res.Connection
	out := joinRoomResult{
		ID:             c.ID,
		CreatedAt:      joinedAt(c),
		Metadata:       c.FullMetadata(),
		Value:          make([]participantJSON, 0, len(res.Existing)),
		Session:        res.Session.ID,
		Version:        serverVersion,
		MediaServer:    mediaServerKind,
		VideoSimulcast: false,
		Record:         c.Properties.Record,
		Role:           c.Properties.Role,
		SessionID:      rpcSessionID,
	}
	if res.RecordingID != "" {
		out.RecordingID, out.RecordingName = res.RecordingID, res.RecordingName
	}
	for _, e := range res.Existing {
		out.Value = append(out.Value, participantObject(e))
	}
	for _, ice := range c.Properties.CustomIceServers {
		out.CustomIceServers = append(out.CustomIceServers, iceServerJSON{URL: ice.URL, Username: ice.Username, Credential: ice.Credential})
		if out.CoturnIP == "" && strings.HasPrefix(ice.URL, "turn:") {
			if host, port, ok := turnHostPort(ice.URL); ok {
				out.CoturnIP, out.CoturnPort, out.TurnUsername, out.TurnCredential = host, port, ice.Username, ice.Credential
			}
		}
	}
	return out
}

type connectionReason struct {
	ConnectionID string      `json:"connectionId"`
	Reason       core.Reason `json:"reason"`
}

type signalJSON struct {
	Data string `json:"data"`
	Type string `json:"type"`
	From string `json:"from,omitempty"`
}

type streamPropertyJSON struct {
	ConnectionID string `json:"connectionId"`
	StreamID     string `json:"streamId"`
	Property     string `json:"property"`
	NewValue     string `json:"newValue"`
	Reason       string `json:"reason"`
}

type recordingJSON struct {
	ID     string      `json:"id"`
	Name   string      `json:"name"`
	Reason core.Reason `json:"reason,omitempty"`
}

type connectionPropertyJSON struct {
	Property string `json:"property"`
	NewValue string `json:"newValue"`
}

type iceCandidateJSON struct {
	SenderConnectionID string `json:"senderConnectionId"`
	EndpointName       string `json:"endpointName"`
	Candidate          string `json:"candidate"`
	SDPMid             string `json:"sdpMid"`
	SDPMLineIndex      uint16 `json:"sdpMLineIndex"`
}

// relayedValue is streamPropertyChanged's newValue on the wire: the JSON
// text the publisher sent, as a string (pitfalls 7 and 8): false → "false",
// "{\"width\":…}" → "\"{\\\"width\\\":…}\"".
func relayedValue(raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// notification converts an event into the frame one participant receives,
// or nil when the event has no wire form.
func notification(e core.Event) []byte {
	var method string
	var params any
	switch e := e.(type) {
	case core.ParticipantJoined:
		method, params = "participantJoined", participantJSON{ID: e.Connection.ID, CreatedAt: joinedAt(e.Connection), Metadata: e.Connection.FullMetadata()}
	case core.ParticipantLeft:
		method, params = "participantLeft", connectionReason{e.Connection.ID, e.Reason}
	case core.StreamPublished:
		p := participantJSON{ID: e.Connection.ID, CreatedAt: joinedAt(e.Connection), Metadata: e.Connection.FullMetadata()}
		p.Streams = []streamJSON{streamObject(e.Stream)}
		method, params = "participantPublished", p
	case core.StreamUnpublished:
		method, params = "participantUnpublished", connectionReason{e.Connection.ID, e.Reason}
	case core.ParticipantEvicted:
		method, params = "participantEvicted", connectionReason{e.ConnectionID, e.Reason}
	case core.SignalSent:
		method, params = "sendMessage", signalJSON{Data: e.Data, Type: e.Type, From: e.From}
	case core.StreamPropertyChanged:
		method, params = "streamPropertyChanged", streamPropertyJSON{
			ConnectionID: e.ConnectionID, StreamID: e.StreamID, Property: e.Property,
			NewValue: relayedValue(e.NewValue), Reason: e.Reason,
		}
	case core.ConnectionPropertyChanged:
		method, params = "connectionPropertyChanged", connectionPropertyJSON{Property: e.Property, NewValue: e.NewValue}
	case core.RecordingStatusChanged:
		switch e.Recording.Status {
		case core.RecordingStarted:
			method, params = "recordingStarted", recordingJSON{ID: e.Recording.ID, Name: e.Recording.Name}
		case core.RecordingStopped:
			method, params = "recordingStopped", recordingJSON{ID: e.Recording.ID, Name: e.Recording.Name, Reason: e.Reason}
		default:
			return nil
		}
	default:
		return nil
	}
	b, err := jsonrpc.EncodeNotification(method, params)
	if err != nil {
		return nil // the shapes above always marshal
	}
	return b
}

// turnHostPort splits "turn:host:port[?query]".
func turnHostPort(url string) (string, int, bool) {
	hp, _, _ := strings.Cut(strings.TrimPrefix(url, "turn:"), "?")
	host, portText, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, false
	}
	port, err := strconv.Atoi(portText)
	return host, port, err == nil
}
