package api

import (
	"encoding/json"

	"github.com/govidu/govidu/internal/core"
)

// EndpointStats is what ?webRtcStats=true shows for one publisher or
// subscriber PeerConnection.
type EndpointStats struct {
	LocalSDP, RemoteSDP                string
	ClientCandidates, ServerCandidates []string
	LocalCandidate, RemoteCandidate    string
}

// StatsProvider gives the media details of live PeerConnections; the
// signaling layer implements it. Nil means no details (keys stay null/[]).
type StatsProvider interface {
	PublisherStats(sessionID, connectionID, streamID string) (EndpointStats, bool)
	SubscriberStats(sessionID, subscriberID, streamID string) (EndpointStats, bool)
}

type viewOptions struct {
	pending bool // include pending connections
	stats   bool // include webRtcStats keys
}

func (h *Handler) sessionJSON(v core.SessionView, o viewOptions) sessionJSON {
	j := sessionJSON{
		ID:                         v.ID,
		Object:                     "session",
		SessionID:                  v.ID,
		CreatedAt:                  millis(v.CreatedAt),
		Recording:                  v.Recording,
		MediaMode:                  v.Properties.MediaMode,
		RecordingMode:              v.Properties.RecordingMode,
		DefaultRecordingProperties: newRecordingProperties(v.Properties.DefaultRecordingProperties),
		CustomSessionID:            v.Properties.CustomSessionID,
		ForcedVideoCodec:           v.Properties.ForcedVideoCodec,
		AllowTranscoding:           v.Properties.AllowTranscoding,
	}
	if v.Properties.MediaNode != "" {
		j.MediaNode = &mediaNodeJSON{ID: v.Properties.MediaNode}
	}
	j.Connections = newList(h.connectionsJSON(v.Connections, o))
	return j
}

func (h *Handler) connectionsJSON(list []core.ConnectionView, o viewOptions) []connectionJSON {
	out := []connectionJSON{}
	for _, c := range list {
		if c.Status == core.StatusActive || o.pending {
			out = append(out, h.connectionJSON(c, o))
		}
	}
	return out
}

func (h *Handler) connectionJSON(c core.ConnectionView, o viewOptions) connectionJSON {
	p := c.Properties
	active := c.Status == core.StatusActive
	j := connectionJSON{
		ID:               c.ID,
		Object:           "connection",
		Status:           c.Status,
		ConnectionID:     c.ID,
		SessionID:        c.SessionID,
		CreatedAt:        millis(c.CreatedAt),
		ActiveAt:         nullableMillis(c.ActiveAt),
		Location:         nullable(c.Location, active),
		IP:               nullable(c.IP, active),
		Platform:         nullable(c.Platform, active),
		Token:            nullable(c.Token, c.Token != ""),
		Type:             p.Type,
		Record:           p.Record,
		KurentoOptions:   newKurentoOptions(p.KurentoOptions),
		CustomIceServers: newIceServers(p.CustomIceServers),
		ServerData:       p.Data,
		ClientData:       nullable(c.ClientData, active && p.Type == core.ConnectionWebRTC),
	}
	if p.Type == core.ConnectionWebRTC {
		role := p.Role
		j.Role = &role
	} else {
		j.RtspURI = &p.RtspURI
		j.AdaptativeBitrate = &p.AdaptativeBitrate
		j.OnlyPlayWithSubscribers = &p.OnlyPlayWithSubscribers
		j.NetworkCache = &p.NetworkCache
	}
	if active {
		j.Publishers = []publisherJSON{}
		j.Subscribers = []subscriberJSON{}
		if st := c.Publisher; st != nil {
			pub := publisherJSON{CreatedAt: millis(st.CreatedAt), StreamID: st.ID, MediaOptions: newMediaOptions(st.Media)}
			if p.Type == core.ConnectionIPCam {
				pub.RtspURI = &p.RtspURI
			}
			if o.stats {
				pub.endpointStatsJSON = h.endpointStats(st.ID, func(sp StatsProvider) (EndpointStats, bool) {
					return sp.PublisherStats(c.SessionID, c.ID, st.ID)
				})
			}
			j.Publishers = append(j.Publishers, pub)
		}
		for _, sub := range c.Subscribers {
			sj := subscriberJSON{CreatedAt: millis(sub.CreatedAt), StreamID: sub.StreamID}
			if o.stats {
				sj.endpointStatsJSON = h.endpointStats(c.ID+"_"+sub.StreamID, func(sp StatsProvider) (EndpointStats, bool) {
					return sp.SubscriberStats(c.SessionID, c.ID, sub.StreamID)
				})
			}
			j.Subscribers = append(j.Subscribers, sj)
		}
	}
	return j
}

func (h *Handler) endpointStats(name string, get func(StatsProvider) (EndpointStats, bool)) *endpointStatsJSON {
	j := &endpointStatsJSON{
		WebrtcEndpointName:  name,
		ClientIceCandidates: []json.RawMessage{},
		ServerIceCandidates: []json.RawMessage{},
		Events:              []json.RawMessage{},
	}
	if h.opts.Stats == nil {
		return j
	}
	st, ok := get(h.opts.Stats)
	if !ok {
		return j
	}
	j.LocalSdp = nullable(st.LocalSDP, st.LocalSDP != "")
	j.RemoteSdp = nullable(st.RemoteSDP, st.RemoteSDP != "")
	j.LocalCandidate = nullable(st.LocalCandidate, st.LocalCandidate != "")
	j.RemoteCandidate = nullable(st.RemoteCandidate, st.RemoteCandidate != "")
	for _, c := range st.ClientCandidates {
		b, _ := json.Marshal(map[string]string{"candidate": c})
		j.ClientIceCandidates = append(j.ClientIceCandidates, b)
	}
	for _, c := range st.ServerCandidates {
		b, _ := json.Marshal(map[string]string{"candidate": c})
		j.ServerIceCandidates = append(j.ServerIceCandidates, b)
	}
	return j
}

func tokenJSONOf(c core.ConnectionView) tokenJSON {
	return tokenJSON{
		ID:             c.Token,
		Token:          c.Token,
		CreatedAt:      millis(c.CreatedAt),
		ConnectionID:   c.ID,
		Session:        c.SessionID,
		Data:           c.Properties.Data,
		Role:           c.Properties.Role,
		KurentoOptions: newKurentoOptions(c.Properties.KurentoOptions),
	}
}
