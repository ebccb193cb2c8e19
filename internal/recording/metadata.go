package recording

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// The files beside the media (spec §7, upstream's layout):
//
//	{path}/{id}/.recording.{id}      the Recording, rewritten at each status
//	{path}/{id}/.stream.{file}       one per recorded stream file, while recording
//	{path}/{id}/{name}.zip           INDIVIDUAL: the files and {name}.json
//	{path}/{id}/{name}.mp4|.webm     COMPOSED, and the thumbnail {id}.jpg
//	{path}/{id}/.parts/              COMPOSED while recording: per-stream files,
//	                                 their .stream.* files and composed segments
//
// Every write goes to a temporary file that is synced and renamed over
// the old one, so that a crash leaves the previous version or the new one.

// Recording is one recording as GET /recordings shows it.
type Recording struct {
	ID              string
	Name            string
	SessionID       string
	UniqueSessionID string
	Properties      core.RecordingProperties
	CreatedAt       time.Time
	Size            int64
	Duration        float64 // seconds
	Status          core.RecordingStatus
	// File is the output's name in the recording's folder ("" while none);
	// its URL is <public URL>/openvidu/recordings/{ID}/{File}.
	File string
	// Reason tells why it stopped; Error why it failed.
	Reason core.Reason
	Error  string
}

// Info is the recording as events carry it.
func (r Recording) Info() core.RecordingInfo {
	return core.RecordingInfo{ID: r.ID, Name: r.Name, Properties: r.Properties, CreatedAt: r.CreatedAt, Size: r.Size, Duration: r.Duration, Status: r.Status}
}

// metadataJSON is .recording.{id}: upstream's Recording JSON plus
// uniqueSessionId, and govidu's own block (ignored by other readers).
type metadataJSON struct {
	ID              string               `json:"id"`
	Object          string               `json:"object"`
	Name            string               `json:"name"`
	OutputMode      core.OutputMode      `json:"outputMode"`
	Resolution      string               `json:"resolution,omitempty"`
	FrameRate       *int                 `json:"frameRate,omitempty"`
	RecordingLayout core.RecordingLayout `json:"recordingLayout,omitempty"`
	CustomLayout    *string              `json:"customLayout,omitempty"`
	SessionID       string               `json:"sessionId"`
	CreatedAt       int64                `json:"createdAt"`
	Size            int64                `json:"size"`
	Duration        float64              `json:"duration"`
	URL             *string              `json:"url"`
	HasAudio        bool                 `json:"hasAudio"`
	HasVideo        bool                 `json:"hasVideo"`
	Status          core.RecordingStatus `json:"status"`
	UniqueSessionID string               `json:"uniqueSessionId"`
	Govidu          *metadataExtra       `json:"govidu,omitempty"`
}

type metadataExtra struct {
	Properties recordingPropsJSON `json:"properties"`
	File       string             `json:"file,omitempty"`
	Reason     core.Reason        `json:"reason,omitempty"`
	Error      string             `json:"error,omitempty"`
	StoppedAt  int64              `json:"stoppedAt,omitempty"` // ms after createdAt
}

type recordingPropsJSON struct {
	OutputMode          core.OutputMode      `json:"outputMode"`
	HasAudio            bool                 `json:"hasAudio"`
	HasVideo            bool                 `json:"hasVideo"`
	RecordingLayout     core.RecordingLayout `json:"recordingLayout"`
	CustomLayout        string               `json:"customLayout"`
	Resolution          string               `json:"resolution"`
	FrameRate           int                  `json:"frameRate"`
	ShmSize             int64                `json:"shmSize"`
	IgnoreFailedStreams bool                 `json:"ignoreFailedStreams"`
}

func metadataName(id string) string { return ".recording." + id }

func toMetadata(r Recording, stoppedAt int64) metadataJSON {
	p := r.Properties
	m := metadataJSON{
		ID: r.ID, Object: "recording", Name: r.Name, OutputMode: p.OutputMode, SessionID: r.SessionID,
		CreatedAt: r.CreatedAt.UnixMilli(), Size: r.Size, Duration: r.Duration, HasAudio: p.HasAudio, HasVideo: p.HasVideo,
		Status: r.Status, UniqueSessionID: r.UniqueSessionID,
		Govidu: &metadataExtra{
			Properties: recordingPropsJSON{
				OutputMode: p.OutputMode, HasAudio: p.HasAudio, HasVideo: p.HasVideo, RecordingLayout: p.RecordingLayout,
				CustomLayout: p.CustomLayout, Resolution: p.Resolution, FrameRate: p.FrameRate, ShmSize: p.ShmSize,
				IgnoreFailedStreams: p.IgnoreFailedStreams,
			},
			File: r.File, Reason: r.Reason, Error: r.Error, StoppedAt: stoppedAt,
		},
	}
	if p.OutputMode.IsComposed() && p.HasVideo {
		fr := p.FrameRate
		m.Resolution, m.FrameRate, m.RecordingLayout = p.Resolution, &fr, p.RecordingLayout
		if p.RecordingLayout == core.LayoutCustom {
			cl := p.CustomLayout
			m.CustomLayout = &cl
		}
	}
	return m
}

// fromMetadata reads a metadata file, govidu's or upstream's.
func fromMetadata(b []byte) (Recording, int64, error) {
	var m metadataJSON
	if err := json.Unmarshal(b, &m); err != nil {
		return Recording{}, 0, err
	}
	if m.ID == "" || m.Status == "" {
		return Recording{}, 0, fmt.Errorf("not a recording")
	}
	r := Recording{
		ID: m.ID, Name: m.Name, SessionID: m.SessionID, UniqueSessionID: m.UniqueSessionID,
		CreatedAt: time.UnixMilli(m.CreatedAt), Size: m.Size, Duration: m.Duration, Status: m.Status,
	}
	p := core.DefaultRecordingProperties()
	p.Name, p.OutputMode, p.HasAudio, p.HasVideo = m.Name, m.OutputMode, m.HasAudio, m.HasVideo
	if m.Resolution != "" {
		p.Resolution = m.Resolution
	}
	if m.FrameRate != nil {
		p.FrameRate = *m.FrameRate
	}
	if m.RecordingLayout != "" {
		p.RecordingLayout = m.RecordingLayout
	}
	if m.CustomLayout != nil {
		p.CustomLayout = *m.CustomLayout
	}
	var stoppedAt int64
	if g := m.Govidu; g != nil {
		gp := g.Properties
		p.OutputMode, p.HasAudio, p.HasVideo, p.RecordingLayout = gp.OutputMode, gp.HasAudio, gp.HasVideo, gp.RecordingLayout
		p.CustomLayout, p.Resolution, p.FrameRate, p.ShmSize, p.IgnoreFailedStreams = gp.CustomLayout, gp.Resolution, gp.FrameRate, gp.ShmSize, gp.IgnoreFailedStreams
		r.File, r.Reason, r.Error, stoppedAt = g.File, g.Reason, g.Error, g.StoppedAt
	} else {
		r.File = guessFile(r, p)
	}
	r.Properties = p
	return r, stoppedAt, nil
}

// guessFile names the output of a recording made by upstream OpenVidu.
func guessFile(r Recording, p core.RecordingProperties) string {
	if r.Status != core.RecordingReady {
		return ""
	}
	switch {
	case p.OutputMode == core.OutputIndividual:
		return r.Name + ".zip"
	case p.HasVideo:
		return r.Name + ".mp4"
	}
	return r.Name + ".webm"
}

// writeJSONFile writes v (indented when pretty) with a synced rename.
func writeJSONFile(path string, v any, pretty bool) error {
	var b []byte
	var err error
	if pretty {
		b, err = json.MarshalIndent(v, "", "  ")
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err = enc.Encode(v)
		b = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

func writeFileAtomic(path string, b []byte) error {
	tmp := filepath.Join(filepath.Dir(path), ".tmp."+filepath.Base(path))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// streamFile describes one recorded stream file: the .stream.* sidecar
// while recording and an entry of the INDIVIDUAL sync file.
type streamFile struct {
	Name            string `json:"name"` // file name with extension
	ConnectionID    string `json:"connectionId"`
	StreamID        string `json:"streamId"`
	Size            int64  `json:"size"`
	ClientData      string `json:"clientData"`
	ServerData      string `json:"serverData"`
	HasAudio        bool   `json:"hasAudio"`
	HasVideo        bool   `json:"hasVideo"`
	TypeOfVideo     string `json:"typeOfVideo,omitempty"`
	StartTimeOffset int64  `json:"startTimeOffset"` // ms after the recording's createdAt; -1 before media
	EndTimeOffset   int64  `json:"endTimeOffset"`   // -1 while recording
	// For COMPOSED layouts: when the stream's video starts (ms after createdAt), -1 without.
	VideoStartOffset int64 `json:"videoStartOffset,omitempty"`
}

func sidecarName(file string) string {
	return ".stream." + trimExt(file)
}

func trimExt(name string) string {
	return name[:len(name)-len(filepath.Ext(name))]
}

// syncFile is the INDIVIDUAL {name}.json.
type syncFile struct {
	CreatedAt int64        `json:"createdAt"`
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	SessionID string       `json:"sessionId"`
	Files     []syncFileV1 `json:"files"`
}

// syncFileV1 is one entry of the sync file: streamFile without govidu's field.
type syncFileV1 struct {
	Name            string `json:"name"`
	ConnectionID    string `json:"connectionId"`
	StreamID        string `json:"streamId"`
	Size            int64  `json:"size"`
	ClientData      string `json:"clientData"`
	ServerData      string `json:"serverData"`
	HasAudio        bool   `json:"hasAudio"`
	HasVideo        bool   `json:"hasVideo"`
	TypeOfVideo     string `json:"typeOfVideo,omitempty"`
	StartTimeOffset int64  `json:"startTimeOffset"`
	EndTimeOffset   int64  `json:"endTimeOffset"`
}
