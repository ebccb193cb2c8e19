package openvidu

import (
	"context"
	"net/http"
	"time"
)

// RecordingProperties configure a recording, or a session's default ones.
// Zero values take the session's defaults, then the server's (COMPOSED,
// BEST_FIT, 1280x720, 25 fps, audio and video).
type RecordingProperties struct {
	Name                string // file name; "" = the recording id
	HasAudio            *bool  // nil = true
	HasVideo            *bool  // nil = true
	OutputMode          OutputMode
	RecordingLayout     RecordingLayout
	CustomLayout        string // path below OPENVIDU_RECORDING_CUSTOM_LAYOUT, for CUSTOM
	Resolution          string // "WIDTHxHEIGHT"
	FrameRate           int
	ShmSize             int64 // bytes of shared memory for the compositor
	IgnoreFailedStreams bool  // INDIVIDUAL: skip streams that send no media
	MediaNode           string
}

// Recording is a snapshot of a recording.
type Recording struct {
	ID              string
	Name            string
	SessionID       string
	Status          RecordingStatus
	OutputMode      OutputMode
	RecordingLayout RecordingLayout // composed recordings with video only
	CustomLayout    string
	Resolution      string // composed recordings with video only
	FrameRate       int    // composed recordings with video only
	HasAudio        bool
	HasVideo        bool
	MediaNode       string
	CreatedAt       time.Time
	Size            int64 // bytes
	Duration        time.Duration
	URL             string // where to download it, once ready
}

// StartRecording starts recording a session. ErrRecordingDisabled when the
// server runs without recording; ErrNotFound for an unknown session;
// ErrNotAcceptable if nobody is connected; ErrConflict if it is already
// being recorded; ErrUnprocessable for out-of-range properties.
func (c *Client) StartRecording(ctx context.Context, sessionID string, props RecordingProperties) (*Recording, error) {
	var w recordingWire
	err := c.do(ctx, call{method: http.MethodPost, path: "/recordings/start", body: recordingRequest(sessionID, props), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.recording(), nil
}

// StopRecording stops a recording and returns it in its final state.
// ErrNotFound if it is unknown or already stopped; ErrNotAcceptable while
// it is still starting.
func (c *Client) StopRecording(ctx context.Context, recordingID string) (*Recording, error) {
	var w recordingWire
	err := c.do(ctx, call{method: http.MethodPost, path: "/recordings/stop/" + seg(recordingID), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.recording(), nil
}

// Recording fetches one recording. ErrNotFound if it does not exist.
func (c *Client) Recording(ctx context.Context, recordingID string) (*Recording, error) {
	var w recordingWire
	err := c.do(ctx, call{method: http.MethodGet, path: "/recordings/" + seg(recordingID), want: http.StatusOK, out: &w})
	if err != nil {
		return nil, err
	}
	return w.recording(), nil
}

// Recordings lists every recording, in any status.
func (c *Client) Recordings(ctx context.Context) ([]*Recording, error) {
	var w struct {
		Count int             `json:"count"`
		Items []recordingWire `json:"items"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/recordings", want: http.StatusOK, out: &w}); err != nil {
		return nil, err
	}
	out := make([]*Recording, 0, len(w.Items))
	for i := range w.Items {
		out = append(out, w.Items[i].recording())
	}
	return out, nil
}

// DeleteRecording deletes a stopped recording and its files. ErrNotFound if
// it does not exist; ErrConflict while it is still running.
func (c *Client) DeleteRecording(ctx context.Context, recordingID string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/recordings/" + seg(recordingID), want: http.StatusNoContent})
}
