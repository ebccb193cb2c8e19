package api

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"

	"github.com/govidu/govidu/internal/core"
)

// decodeSessionProperties reads a POST /sessions body over the service's defaults.
func decodeSessionProperties(o object, p core.SessionProperties) (core.SessionProperties, error) {
	err := fields(
		setEnum(o, "mediaMode", &p.MediaMode, core.ParseMediaMode),
		setEnum(o, "recordingMode", &p.RecordingMode, core.ParseRecordingMode),
		setStr(o, "customSessionId", &p.CustomSessionID),
		setEnum(o, "forcedVideoCodec", &p.ForcedVideoCodec, core.ParseVideoCodec),
		setBool(o, "allowTranscoding", &p.AllowTranscoding),
		func() error {
			d, ok, err := o.object("defaultRecordingProperties")
			if err != nil || !ok {
				return err
			}
			p.DefaultRecordingProperties, err = decodeRecordingProperties(d, core.DefaultRecordingProperties())
			return err
		},
		func() error {
			id, ok, err := decodeMediaNode(o)
			if ok && err == nil {
				p.MediaNode = id
			}
			return err
		},
	)
	return p, err
}

// decodeMediaNode accepts {"id": "..."} or a plain string.
func decodeMediaNode(o object) (string, bool, error) {
	raw, ok := o.raw("mediaNode")
	if !ok {
		return "", false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true, nil
	}
	var m object
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return "", true, typeError("mediaNode", `an object {"id": string}`)
	}
	id, _, err := m.str("id")
	return id, true, err
}

// decodeRecordingProperties reads recording properties over base (the
// session's defaults or the built-in ones). Range checks are left to
// RecordingProperties.Validate.
func decodeRecordingProperties(o object, p core.RecordingProperties) (core.RecordingProperties, error) {
	err := fields(
		setStr(o, "name", &p.Name),
		setBool(o, "hasAudio", &p.HasAudio),
		setBool(o, "hasVideo", &p.HasVideo),
		setEnum(o, "outputMode", &p.OutputMode, core.ParseOutputMode),
		setEnum(o, "recordingLayout", &p.RecordingLayout, core.ParseRecordingLayout),
		setStr(o, "customLayout", &p.CustomLayout),
		setStr(o, "resolution", &p.Resolution),
		setInt(o, "frameRate", &p.FrameRate, math.MinInt32, math.MaxInt32),
		func() error {
			v, ok, err := o.integer("shmSize")
			if ok && err == nil {
				p.ShmSize = v
			}
			return err
		},
		setBool(o, "ignoreFailedStreams", &p.IgnoreFailedStreams),
		func() error {
			id, ok, err := decodeMediaNode(o)
			if ok && err == nil {
				p.MediaNode = id
			}
			return err
		},
	)
	return p, err
}

// decodeConnectionProperties reads a POST .../connection or /tokens body.
func decodeConnectionProperties(o object) (core.ConnectionProperties, error) {
	p := core.DefaultConnectionProperties()
	err := fields(
		setEnum(o, "type", &p.Type, core.ParseConnectionType),
		setStr(o, "data", &p.Data),
		setBool(o, "record", &p.Record),
		setEnum(o, "role", &p.Role, core.ParseRole),
		func() error {
			k, ok, err := o.object("kurentoOptions")
			if err != nil || !ok {
				return err
			}
			p.KurentoOptions, err = decodeKurentoOptions(k)
			return err
		},
		func() error {
			items, ok, err := o.array("customIceServers")
			if err != nil || !ok {
				return err
			}
			p.CustomIceServers, err = decodeIceServers(items)
			return err
		},
		setStr(o, "rtspUri", &p.RtspURI),
		setBool(o, "adaptativeBitrate", &p.AdaptativeBitrate),
		setBool(o, "onlyPlayWithSubscribers", &p.OnlyPlayWithSubscribers),
		setInt(o, "networkCache", &p.NetworkCache, 0, math.MaxInt32),
	)
	if err != nil {
		return p, err
	}
	if p.Type == core.ConnectionIPCam {
		if err := validateRtspURI(p.RtspURI); err != nil {
			return p, err
		}
	}
	return p, nil
}

func validateRtspURI(uri string) error {
	if uri == "" {
		return core.ErrBadRequest.Withf("property \"rtspUri\" is required for IPCAM connections")
	}
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" && u.Scheme != "file" {
		return core.ErrBadRequest.Withf("property \"rtspUri\" %q is not a valid URI", uri)
	}
	switch strings.ToLower(u.Scheme) {
	case "file", "rtsp", "rtsps", "http", "https":
		return nil
	}
	return core.ErrBadRequest.Withf("property \"rtspUri\" must use file, rtsp, rtsps, http or https (got %q)", u.Scheme)
}

func decodeKurentoOptions(o object) (*core.KurentoOptions, error) {
	k := &core.KurentoOptions{}
	intp := func(key string, dst **int) func() error {
		return func() error {
			v, ok, err := o.integer(key)
			if err != nil || !ok {
				return err
			}
			if v < 0 || v > math.MaxInt32 {
				return core.ErrBadRequest.Withf("kurentoOptions.%s must be a non-negative integer", key)
			}
			n := int(v)
			*dst = &n
			return nil
		}
	}
	err := fields(
		intp("videoMaxRecvBandwidth", &k.VideoMaxRecvBandwidth),
		intp("videoMinRecvBandwidth", &k.VideoMinRecvBandwidth),
		intp("videoMaxSendBandwidth", &k.VideoMaxSendBandwidth),
		intp("videoMinSendBandwidth", &k.VideoMinSendBandwidth),
		func() error {
			v, ok, err := o.strings("allowedFilters")
			if ok && err == nil && len(v) > 0 {
				k.AllowedFilters = v
			}
			return err
		},
	)
	return k, err
}

func decodeIceServers(items []json.RawMessage) ([]core.IceServer, error) {
	out := make([]core.IceServer, 0, len(items))
	for i, it := range items {
		var o object
		if json.Unmarshal(it, &o) != nil || o == nil {
			return nil, core.ErrBadRequest.Withf("customIceServers[%d] must be a JSON object", i)
		}
		var s core.IceServer
		if err := fields(
			setStr(o, "url", &s.URL),
			setStr(o, "username", &s.Username),
			setStr(o, "credential", &s.Credential),
			setStr(o, "staticAuthSecret", &s.StaticAuthSecret),
		); err != nil {
			return nil, err
		}
		if s.URL == "" {
			return nil, core.ErrBadRequest.Withf("customIceServers[%d].url is required", i)
		}
		out = append(out, s)
	}
	return out, nil
}
