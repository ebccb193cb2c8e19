package webhook

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// Record is one event in upstream's CDR/webhook shape, encoded once and
// shared by every sink.
type Record struct {
	Name      string // CDR event name, e.g. "participantJoined"
	SessionID string
	fields    []byte // the JSON object of the event's fields, without "event"
}

// Fields is the event's JSON object without the "event" key.
func (r Record) Fields() []byte { return r.fields }

// WebhookBody is the POST body: the fields plus "event" as the last key,
// where upstream puts it.
func (r Record) WebhookBody() []byte {
	b := make([]byte, 0, len(r.fields)+len(r.Name)+12)
	b = append(b, r.fields[:len(r.fields)-1]...)
	if len(r.fields) > 2 {
		b = append(b, ',')
	}
	b = append(b, `"event":`...)
	b = strconv.AppendQuote(b, r.Name)
	return append(b, '}')
}

// CDRLine is one line of the CDR file: {"<name>": {fields}} plus a newline.
func (r Record) CDRLine() []byte {
	b := make([]byte, 0, len(r.fields)+len(r.Name)+6)
	b = append(b, '{')
	b = strconv.AppendQuote(b, r.Name)
	b = append(b, ':')
	b = append(b, r.fields...)
	return append(b, '}', '\n')
}

// The structs below fix the key order to upstream's: common fields, the
// end fields of "…Destroyed"/"…Left" events, then the event's own.

type commonFields struct {
	SessionID       string `json:"sessionId"`
	UniqueSessionID string `json:"uniqueSessionId"`
	Timestamp       int64  `json:"timestamp"`
}

type endFields struct {
	StartTime int64  `json:"startTime"`
	Duration  int64  `json:"duration"` // whole seconds, truncated
	Reason    string `json:"reason"`
}

type sessionPayload struct {
	commonFields
	*endFields
}

type participantPayload struct {
	commonFields
	*endFields
	ParticipantID string `json:"participantId"` // deprecated upstream copy of connectionId
	ConnectionID  string `json:"connectionId"`
	Location      string `json:"location"`
	IP            string `json:"ip"`
	Platform      string `json:"platform"`
	ClientData    string `json:"clientData"`
	ServerData    string `json:"serverData"`
}

type webrtcPayload struct {
	commonFields
	*endFields
	StreamID      string `json:"streamId"`
	ParticipantID string `json:"participantId"`
	ConnectionID  string `json:"connectionId"`
	Connection    string `json:"connection"` // OUTBOUND (publisher) or INBOUND (subscriber)
	ReceivingFrom string `json:"receivingFrom,omitempty"`
	// IP cameras only (OUTBOUND).
	RtspURI                 string `json:"rtspUri,omitempty"`
	AdaptativeBitrate       *bool  `json:"adaptativeBitrate,omitempty"`
	NetworkCache            *int   `json:"networkCache,omitempty"`
	OnlyPlayWithSubscribers *bool  `json:"onlyPlayWithSubscribers,omitempty"`
	// Present only for streams with video; JSON null where unknown.
	VideoSource     json.RawMessage `json:"videoSource,omitempty"`
	VideoFramerate  json.RawMessage `json:"videoFramerate,omitempty"`
	VideoDimensions json.RawMessage `json:"videoDimensions,omitempty"` // a JSON string holding JSON
	AudioEnabled    bool            `json:"audioEnabled"`
	VideoEnabled    bool            `json:"videoEnabled"`
}

type signalPayload struct {
	commonFields
	From *string  `json:"from"` // null for the REST API
	To   []string `json:"to"`
	Type *string  `json:"type"`
	Data string   `json:"data"`
}

// recordingPayload is recordingStatusChanged: the end fields (startTime is
// the recording's createdAt; duration is the recording's, in float seconds;
// no reason for started), then the recording.
type recordingPayload struct {
	commonFields
	StartTime       int64                `json:"startTime"`
	Duration        float64              `json:"duration"`
	Reason          string               `json:"reason,omitempty"`
	ID              string               `json:"id"`
	Name            string               `json:"name"`
	OutputMode      core.OutputMode      `json:"outputMode"`
	Resolution      string               `json:"resolution,omitempty"`
	FrameRate       *int                 `json:"frameRate,omitempty"`
	RecordingLayout core.RecordingLayout `json:"recordingLayout,omitempty"`
	CustomLayout    string               `json:"customLayout,omitempty"`
	HasAudio        bool                 `json:"hasAudio"`
	HasVideo        bool                 `json:"hasVideo"`
	Size            int64                `json:"size"`
	Status          core.RecordingStatus `json:"status"`
}

func recording(c commonFields, e core.RecordingStatusChanged) recordingPayload {
	r := e.Recording
	p := recordingPayload{
		commonFields: c, StartTime: ms(r.CreatedAt), Duration: r.Duration, ID: r.ID, Name: r.Name,
		OutputMode: r.Properties.OutputMode, HasAudio: r.Properties.HasAudio, HasVideo: r.Properties.HasVideo,
		Size: r.Size, Status: r.Status,
	}
	if r.Status != core.RecordingStarted {
		p.Reason = string(e.Reason)
	}
	if r.Properties.OutputMode.IsComposed() && r.Properties.HasVideo {
		fr := r.Properties.FrameRate
		p.Resolution, p.FrameRate, p.RecordingLayout = r.Properties.Resolution, &fr, r.Properties.RecordingLayout
		if r.Properties.RecordingLayout == core.LayoutCustom {
			p.CustomLayout = r.Properties.CustomLayout
		}
	}
	return p
}

// encoder turns core events into Records. It remembers when each stream's
// webrtcConnectionCreated was sent, so that the matching Destroyed event
// carries that instant as startTime, as upstream does.
type encoder struct {
	mu        sync.Mutex
	published map[string]map[string]int64 // uniqueSessionId → streamId → created ms
}

func newEncoder() *encoder { return &encoder{published: map[string]map[string]int64{}} }

func ms(t time.Time) int64 { return t.UnixMilli() }

func common(e core.Event) commonFields {
	ref := e.Ref()
	return commonFields{SessionID: ref.ID, UniqueSessionID: ref.UniqueID, Timestamp: ms(e.At())}
}

func ended(e core.Event, start time.Time, reason core.Reason) *endFields {
	return endedMs(e, ms(start), reason)
}

func endedMs(e core.Event, start int64, reason core.Reason) *endFields {
	return &endFields{StartTime: start, Duration: (ms(e.At()) - start) / 1000, Reason: string(reason)}
}

// encode converts e; ok is false for events that are not CDR events (or
// concern hidden connections, which upstream never reports).
func (enc *encoder) encode(e core.Event) (Record, bool) {
	var payload any
	switch e := e.(type) {
	case core.SessionCreated:
		payload = sessionPayload{commonFields: common(e)}
	case core.SessionDestroyed:
		enc.forgetSession(e.Session.UniqueID)
		payload = sessionPayload{commonFields: common(e), endFields: ended(e, e.Session.CreatedAt, e.Reason)}
	case core.ParticipantJoined:
		if e.Connection.Hidden {
			return Record{}, false
		}
		payload = participant(common(e), nil, e.Connection)
	case core.ParticipantLeft:
		if e.Connection.Hidden {
			return Record{}, false
		}
		payload = participant(common(e), ended(e, e.Connection.ActiveAt, e.Reason), e.Connection)
	case core.StreamPublished:
		if e.Connection.Hidden {
			return Record{}, false
		}
		enc.remember(e.Session.UniqueID, e.Stream.ID, ms(e.Timestamp))
		payload = webrtc(common(e), nil, e.Connection.ID, "", e.Stream)
	case core.StreamUnpublished:
		if e.Connection.Hidden {
			return Record{}, false
		}
		start := enc.forget(e.Session.UniqueID, e.Stream.ID, ms(e.Stream.CreatedAt))
		payload = webrtc(common(e), endedMs(e, start, e.Reason), e.Connection.ID, "", e.Stream)
	case core.StreamSubscribed:
		if e.Subscriber.Hidden {
			return Record{}, false
		}
		payload = webrtc(common(e), nil, e.Subscriber.ID, e.Stream.ConnectionID, e.Stream)
	case core.StreamUnsubscribed:
		if e.Subscriber.Hidden {
			return Record{}, false
		}
		payload = webrtc(common(e), ended(e, e.Since, e.Reason), e.Subscriber.ID, e.Stream.ConnectionID, e.Stream)
	case core.SignalSent:
		payload = signal(common(e), e)
	case core.RecordingStatusChanged:
		payload = recording(common(e), e)
	default:
		return Record{}, false
	}
	var buf bytes.Buffer
	je := json.NewEncoder(&buf)
	je.SetEscapeHTML(false) // as upstream: client data stays readable
	if err := je.Encode(payload); err != nil {
		return Record{}, false // the payloads above always marshal
	}
	return Record{Name: e.CDRName(), SessionID: e.Ref().ID, fields: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}, true
}

func participant(c commonFields, end *endFields, conn core.ConnectionView) participantPayload {
	return participantPayload{
		commonFields:  c,
		endFields:     end,
		ParticipantID: conn.ID,
		ConnectionID:  conn.ID,
		Location:      conn.Location,
		IP:            conn.IP,
		Platform:      conn.Platform,
		ClientData:    conn.ClientData,
		ServerData:    conn.Properties.Data,
	}
}

// webrtc describes one media connection: connID's publisher side when
// receivingFrom is "", else connID receiving the stream of receivingFrom.
// Both directions carry the published stream's media fields.
func webrtc(c commonFields, end *endFields, connID, receivingFrom string, st core.StreamView) webrtcPayload {
	p := webrtcPayload{
		commonFields:  c,
		endFields:     end,
		StreamID:      st.ID,
		ParticipantID: connID,
		ConnectionID:  connID,
		Connection:    "OUTBOUND",
		AudioEnabled:  st.Media.HasAudio,
		VideoEnabled:  st.Media.HasVideo,
	}
	if receivingFrom != "" {
		p.Connection, p.ReceivingFrom = "INBOUND", receivingFrom
	} else if m := st.Media; m.RtspURI != "" {
		p.RtspURI = m.RtspURI
		p.AdaptativeBitrate, p.NetworkCache, p.OnlyPlayWithSubscribers = &m.AdaptativeBitrate, &m.NetworkCache, &m.OnlyPlayWithSubscribers
	}
	if st.Media.HasVideo {
		p.VideoSource = jsonString(string(st.Media.TypeOfVideo))
		p.VideoFramerate = json.RawMessage("null")
		if st.Media.FrameRate >= 0 {
			p.VideoFramerate = json.RawMessage(strconv.Itoa(st.Media.FrameRate))
		}
		p.VideoDimensions = jsonString(st.Media.VideoDimensions)
	}
	return p
}

// jsonString encodes s as a JSON string, or null when empty (unknown).
func jsonString(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(s)
	return b
}

func signal(c commonFields, e core.SignalSent) signalPayload {
	p := signalPayload{commonFields: c, To: append([]string{}, e.To...), Data: e.Data}
	typ := e.Type
	if e.From != "" {
		from := e.From
		p.From = &from
		// Browsers prefix their types; the CDR shows them without it. REST
		// types are reported as given.
		typ = strings.TrimPrefix(typ, "signal:")
	}
	if e.Type != "" {
		p.Type = &typ
	}
	return p
}

func (enc *encoder) remember(session, stream string, at int64) {
	enc.mu.Lock()
	defer enc.mu.Unlock()
	m := enc.published[session]
	if m == nil {
		m = map[string]int64{}
		enc.published[session] = m
	}
	m[stream] = at
}

// forget returns when stream was announced (def if unknown) and forgets it.
func (enc *encoder) forget(session, stream string, def int64) int64 {
	enc.mu.Lock()
	defer enc.mu.Unlock()
	if at, ok := enc.published[session][stream]; ok {
		delete(enc.published[session], stream)
		return at
	}
	return def
}

func (enc *encoder) forgetSession(session string) {
	enc.mu.Lock()
	delete(enc.published, session)
	enc.mu.Unlock()
}
