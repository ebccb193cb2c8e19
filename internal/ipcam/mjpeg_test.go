package ipcam_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
)

// mjpegCamera serves what many IP cameras (and OpenVidu's IP camera
// tutorial) offer: an endless multipart/x-mixed-replace stream of JPEG
// frames over HTTP, 15 a second, from frames ffmpeg drew once.
func mjpegCamera(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-frames:v", "30", "-q:v", "5",
		filepath.Join(dir, "f%03d.jpg")).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.jpg"))
	sort.Strings(names)
	var frames [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, b)
	}
	if len(frames) != 30 {
		t.Fatalf("%d frames", len(frames))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		if r.URL.Path != "/mjpg/video.mjpg" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=frame")
		tick := time.NewTicker(time.Second / 15)
		defer tick.Stop()
		for i := 0; ; i++ {
			f := frames[i%len(frames)]
			if _, err := fmt.Fprintf(w, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(f)); err != nil {
				return
			}
			if _, err := w.Write(append(f, '\r', '\n')); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
			case <-stop:
				return
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(func() {
		close(stop)
		srv.CloseClientConnections()
		srv.Close()
		wg.Wait()
	})
	return srv.URL + "/mjpg/video.mjpg"
}

// TestMJPEGCamera: an MJPEG-over-HTTP camera is re-encoded to VP8 and
// the subscriber decodes its 320×240 picture.
func TestMJPEGCamera(t *testing.T) {
	c := newCall(t, nil)
	uri := mjpegCamera(t)
	c.rest("POST", api+"/sessions", `{"customSessionId":"street"}`, 200)
	viewer := c.join("street")
	_, st := c.cameraStream(viewer, "street", map[string]any{"rtspUri": uri, "data": "Street"})
	sub, err := viewer.Subscribe(c.ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.WaitKeyframe(c.ctx); err != nil {
		t.Fatalf("no keyframe from the MJPEG camera: %v", err)
	}
	testkit.Eventually(t, 20*time.Second, "video frames", func() bool { return sub.Stats().Video.Packets > 30 })
	v := sub.Stats().Video
	if v.Codec != "video/VP8" || v.Width != 320 || v.Height != 240 || v.DecodeErrors != 0 {
		t.Errorf("MJPEG camera as received: %+v", v)
	}
	t.Logf("MJPEG camera: first keyframe %v after subscribing", v.FirstKeyframe.Round(time.Millisecond))
}
