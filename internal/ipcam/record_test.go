package ipcam_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// TestRecordedCamera: an INDIVIDUAL recording of a session where only a
// camera publishes, and nobody watches. The recording is a consumer: the
// camera (onlyPlayWithSubscribers) plays for it, and the zip holds the
// camera's track as a playable 320×240 VP8 file.
func TestRecordedCamera(t *testing.T) {
	dir := t.TempDir()
	c := newCall(t, map[string]string{"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": dir})
	file := cameraFile(t)
	c.rest("POST", api+"/sessions", `{"customSessionId":"vault"}`, 200)
	cam := c.rest("POST", api+"/sessions/vault/connection", map[string]any{"type": "IPCAM", "rtspUri": "file://" + file}, 200)
	rec := c.rest("POST", api+"/recordings/start", `{"session":"vault","outputMode":"INDIVIDUAL","hasAudio":false}`, 200)
	id := rec["id"].(string)

	// The stream file grows once the camera plays for the recording.
	testkit.Eventually(t, 30*time.Second, "the camera's file in the recording", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, id, "*.webm"))
		for _, f := range files {
			if fi, err := os.Stat(f); err == nil && fi.Size() > 40_000 {
				return true
			}
		}
		return false
	})
	stopped := c.rest("POST", api+"/recordings/stop/"+id, nil, 200)
	if stopped["status"] != "ready" || stopped["duration"].(float64) < 1 {
		t.Fatalf("stopped: %v", stopped)
	}
	r := c.srv.Do(t, "GET", "/openvidu/recordings/"+id+"/"+id+".zip", nil)
	if r.Status != 200 {
		t.Fatalf("download: %d", r.Status)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var video string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.HasSuffix(f.Name, ".webm") && strings.Contains(f.Name, cam["connectionId"].(string)) {
			video = filepath.Join(out, "cam.webm")
			if err := os.WriteFile(video, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if video == "" {
		t.Fatalf("no camera file in the zip: %v", zr.File)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	probe, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
		"-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "json", video).Output()
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var p struct {
		Streams []struct {
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
			Frames    string `json:"nb_read_frames"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(probe, &p); err != nil || len(p.Streams) != 1 {
		t.Fatalf("ffprobe: %v %s", err, probe)
	}
	s := p.Streams[0]
	if s.CodecName != "vp8" || s.Width != 320 || s.Height != 240 || len(s.Frames) < 2 {
		t.Errorf("recorded camera: %+v", s)
	}
	t.Logf("recorded camera: %s %dx%d, %s frames, %.2f s", s.CodecName, s.Width, s.Height, s.Frames, stopped["duration"])
}
