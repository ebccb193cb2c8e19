package recording_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/recording/recordingtest"
	"github.com/govidu/govidu/internal/testkit"
)

const restAPI = "/openvidu/api"

type recordingJSON struct {
	ID              string  `json:"id"`
	Object          string  `json:"object"`
	Name            string  `json:"name"`
	OutputMode      string  `json:"outputMode"`
	Resolution      string  `json:"resolution"`
	FrameRate       int     `json:"frameRate"`
	RecordingLayout string  `json:"recordingLayout"`
	SessionID       string  `json:"sessionId"`
	CreatedAt       int64   `json:"createdAt"`
	Size            int64   `json:"size"`
	Duration        float64 `json:"duration"`
	URL             *string `json:"url"`
	HasAudio        bool    `json:"hasAudio"`
	HasVideo        bool    `json:"hasVideo"`
	Status          string  `json:"status"`
}

func tools(t *testing.T) (ffmpeg, ffprobe string) {
	t.Helper()
	a, err1 := exec.LookPath("ffmpeg")
	b, err2 := exec.LookPath("ffprobe")
	if err1 != nil || err2 != nil {
		if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
			t.Fatal("ffmpeg/ffprobe are not installed (scripts/install-deps.sh)")
		}
		t.Skip("ffmpeg/ffprobe are not installed")
	}
	return a, b
}

// webhookLog receives the server's webhooks.
type webhookLog struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (l *webhookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	if json.NewDecoder(r.Body).Decode(&m) == nil {
		l.mu.Lock()
		l.bodies = append(l.bodies, m)
		l.mu.Unlock()
	}
	w.WriteHeader(200)
}

func (l *webhookLog) recordingStatuses(id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, b := range l.bodies {
		if b["event"] == "recordingStatusChanged" && b["id"] == id {
			out = append(out, b["status"].(string))
		}
	}
	return out
}

// call is one session with its participants.
type call struct {
	srv   *testkit.Server
	id    string
	parts []*recordingtest.Participant
}

func startCall(t *testing.T, srv *testkit.Server, id string, colours ...recordingtest.Colour) *call {
	t.Helper()
	if r := srv.Do(t, "POST", restAPI+"/sessions", `{"customSessionId":"`+id+`"}`); r.Status != 200 {
		t.Fatalf("create session: %d %s", r.Status, r.Body)
	}
	c := &call{srv: srv, id: id}
	for _, col := range colours {
		r := srv.Do(t, "POST", restAPI+"/sessions/"+id+"/connection", `{"data":"server-`+col.Name+`"}`)
		var conn struct{ Token string }
		if err := json.Unmarshal(r.Body, &conn); err != nil || r.Status != 200 {
			t.Fatalf("connection: %d %s", r.Status, r.Body)
		}
		c.parts = append(c.parts, recordingtest.Join(t, conn.Token, recordingtest.Options{Colour: col, Audio: true}))
	}
	for _, p := range c.parts {
		if err := p.WaitConnected(30 * time.Second); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func decodeRecording(t *testing.T, r testkit.Response) recordingJSON {
	t.Helper()
	var rec recordingJSON
	if r.Status != 200 || json.Unmarshal(r.Body, &rec) != nil {
		t.Fatalf("recording response %d %s", r.Status, r.Body)
	}
	return rec
}

// download fetches a recording URL with the server's credentials.
func download(t *testing.T, srv *testkit.Server, url string, hdr map[string]string) testkit.Response {
	t.Helper()
	path := strings.TrimPrefix(url, srv.URL)
	return srv.DoAuth(t, "GET", path, nil, "OPENVIDUAPP", srv.Secret, hdr)
}

type probe struct {
	Format struct {
		Duration string `json:"duration"`
	} `json:"format"`
	Streams []struct {
		CodecType string `json:"codec_type"`
		CodecName string `json:"codec_name"`
		Width     int    `json:"width"`
		Height    int    `json:"height"`
	} `json:"streams"`
}

func ffprobe(t *testing.T, bin, path string) (probe, float64) {
	t.Helper()
	out, err := exec.Command(bin, "-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name,width,height", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatal(err)
	}
	d, _ := strconv.ParseFloat(p.Format.Duration, 64)
	return p, d
}

func (p probe) codecs() string {
	var out []string
	for _, s := range p.Streams {
		out = append(out, s.CodecType+":"+s.CodecName)
	}
	return strings.Join(out, ",")
}

func within(got, want, tolerance float64) bool { return math.Abs(got-want) <= want*tolerance }

// TestCallRecordedIndividualAndComposed: two ~10 s calls of Pion
// participants (real WebRTC through the signaling protocol, fixture media
// with a colour per participant), one recorded INDIVIDUAL and one COMPOSED
// at the same time, checked with ffprobe and ffmpeg.
func TestCallRecordedIndividualAndComposed(t *testing.T) {
	t.Parallel()
	ffmpegBin, ffprobeBin := tools(t)
	hooks := &webhookLog{}
	hookSrv := newLoopbackServer(t, hooks)
	dir := t.TempDir()
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": dir,
		"OPENVIDU_WEBHOOK": "true", "OPENVIDU_WEBHOOK_ENDPOINT": hookSrv,
	}})
	ind := startCall(t, srv, "call-individual", recordingtest.Red, recordingtest.Green)
	comp := startCall(t, srv, "call-composed", recordingtest.Red, recordingtest.Green, recordingtest.Blue)

	t0 := time.Now()
	var wg sync.WaitGroup
	starts := map[string]recordingJSON{}
	var mu sync.Mutex
	for _, c := range []struct{ session, body string }{
		{ind.id, `{"session":"call-individual","outputMode":"INDIVIDUAL","name":"ind-rec"}`},
		{comp.id, `{"session":"call-composed"}`},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := decodeRecording(t, srv.Do(t, "POST", restAPI+"/recordings/start", c.body))
			mu.Lock()
			starts[c.session] = rec
			mu.Unlock()
		}()
	}
	wg.Wait()
	t1 := time.Now()
	for session, rec := range starts {
		if rec.Status != "started" || rec.URL != nil || rec.Size != 0 || rec.Duration != 0 || rec.SessionID != session {
			t.Errorf("start answer %+v", rec)
		}
	}
	if r := srv.Do(t, "GET", restAPI+"/sessions/call-composed", nil); !bytes.Contains(r.Body, []byte(`"recording":true`)) {
		t.Errorf("session is not flagged as recording: %s", r.Body)
	}
	for _, p := range append(ind.parts, comp.parts...) {
		testkit.Eventually(t, 10*time.Second, "recordingStarted", func() bool { return hasNote(p, "recordingStarted") })
	}

	time.Sleep(10*time.Second - time.Since(t0)) // the calls' length

	var indRec, compRec recordingJSON
	t2 := time.Now()
	for _, c := range []struct {
		id  string
		out *recordingJSON
	}{{starts[ind.id].ID, &indRec}, {starts[comp.id].ID, &compRec}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*c.out = decodeRecording(t, srv.Do(t, "POST", restAPI+"/recordings/stop/"+c.id, nil))
		}()
	}
	wg.Wait()
	t.Logf("stop to ready: %v (both at once)", time.Since(t2).Round(time.Millisecond))
	recorded := t2.Sub(t1).Seconds() // media flowed at least this long
	for _, rec := range []recordingJSON{indRec, compRec} {
		if rec.Status != "ready" || rec.URL == nil || rec.Size == 0 {
			t.Fatalf("stop answer %+v", rec)
		}
		if !within(rec.Duration, recorded, 0.1) && !within(rec.Duration, t2.Sub(t0).Seconds(), 0.1) {
			t.Errorf("%s: duration %.3f s, recorded for %.3f s", rec.ID, rec.Duration, recorded)
		}
	}
	for _, p := range append(ind.parts, comp.parts...) {
		testkit.Eventually(t, 10*time.Second, "recordingStopped", func() bool { return hasNote(p, "recordingStopped") })
	}
	for _, id := range []string{indRec.ID, compRec.ID} {
		testkit.Eventually(t, 10*time.Second, "webhooks", func() bool {
			return strings.Join(hooks.recordingStatuses(id), ",") == "started,stopped,ready"
		})
	}
	t.Run("individual", func(t *testing.T) { checkIndividual(t, srv, ffprobeBin, indRec, ind, recorded) })
	t.Run("composed", func(t *testing.T) { checkComposed(t, srv, ffmpegBin, ffprobeBin, compRec, recorded) })
}

func hasNote(p *recordingtest.Participant, method string) bool {
	for _, n := range p.Notifications() {
		if n.Method == method {
			return true
		}
	}
	return false
}

func checkIndividual(t *testing.T, srv *testkit.Server, ffprobeBin string, rec recordingJSON, c *call, recorded float64) {
	if rec.Name != "ind-rec" || !strings.HasSuffix(*rec.URL, "/openvidu/recordings/"+rec.ID+"/ind-rec.zip") || rec.Resolution != "" {
		t.Errorf("recording %+v", rec)
	}
	r := download(t, srv, *rec.URL, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %v", r.Status, r.Header)
	}
	zr, err := zip.NewReader(bytes.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var sync struct {
		CreatedAt int64  `json:"createdAt"`
		ID        string `json:"id"`
		Name      string `json:"name"`
		SessionID string `json:"sessionId"`
		Files     []struct {
			Name, ConnectionID, StreamID, ClientData, ServerData, TypeOfVideo string
			Size                                                              int64
			HasAudio, HasVideo                                                bool
			StartTimeOffset, EndTimeOffset                                    int64
		} `json:"files"`
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "ind-rec.json" {
			if err := json.Unmarshal(b, &sync); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if sync.ID != rec.ID || sync.Name != "ind-rec" || sync.SessionID != c.id || sync.CreatedAt != rec.CreatedAt || len(sync.Files) != len(c.parts) || len(zr.File) != len(c.parts)+1 {
		t.Fatalf("sync file %+v, zip holds %d files", sync, len(zr.File))
	}
	var total int64
	first, last := int64(math.MaxInt64), int64(0)
	for _, f := range sync.Files {
		var p *recordingtest.Participant
		for _, x := range c.parts {
			if x.StreamID == f.StreamID {
				p = x
			}
		}
		if p == nil || f.ConnectionID != p.ConnectionID || f.Name != f.StreamID+".webm" || !f.HasAudio || !f.HasVideo || f.TypeOfVideo != "CAMERA" {
			t.Errorf("file entry %+v", f)
			continue
		}
		if !strings.HasPrefix(f.ServerData, "server-") || !strings.Contains(f.ClientData, strings.TrimPrefix(f.ServerData, "server-")) {
			t.Errorf("data of %s: server %q client %q", f.Name, f.ServerData, f.ClientData)
		}
		st, err := os.Stat(filepath.Join(dir, f.Name))
		if err != nil || st.Size() != f.Size {
			t.Errorf("%s: size %d in the sync file, %v on disk", f.Name, f.Size, st)
			continue
		}
		pr, d := ffprobe(t, ffprobeBin, filepath.Join(dir, f.Name))
		if pr.codecs() != "audio:opus,video:vp8" && pr.codecs() != "video:vp8,audio:opus" {
			t.Errorf("%s: streams %s", f.Name, pr.codecs())
		}
		if want := float64(f.EndTimeOffset-f.StartTimeOffset) / 1000; !within(d, want, 0.05) || !within(d, recorded, 0.1) {
			t.Errorf("%s: ffprobe %.3f s, sync file %.3f s (%d–%d ms), recorded %.3f s", f.Name, d, want, f.StartTimeOffset, f.EndTimeOffset, recorded)
		}
		total += f.Size
		first, last = min(first, f.StartTimeOffset), max(last, f.EndTimeOffset)
	}
	if total != rec.Size || math.Abs(float64(last-first)/1000-rec.Duration) > 0.002 {
		t.Errorf("recording size %d duration %.3f; files %d bytes over %d–%d ms", rec.Size, rec.Duration, total, first, last)
	}
}

func checkComposed(t *testing.T, srv *testkit.Server, ffmpegBin, ffprobeBin string, rec recordingJSON, recorded float64) {
	if rec.OutputMode != "COMPOSED" || rec.Resolution != "1280x720" || rec.FrameRate != 25 || rec.RecordingLayout != "BEST_FIT" ||
		!strings.HasSuffix(*rec.URL, "/"+rec.ID+".mp4") {
		t.Errorf("recording %+v", rec)
	}
	r := download(t, srv, *rec.URL, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "video/mp4" || int64(len(r.Body)) != rec.Size {
		t.Fatalf("download: %d %v (%d bytes)", r.Status, r.Header, len(r.Body))
	}
	part := download(t, srv, *rec.URL, map[string]string{"Range": "bytes=0-99"})
	if part.Status != 206 || len(part.Body) != 100 || !bytes.Equal(part.Body, r.Body[:100]) {
		t.Errorf("range request: %d, %d bytes", part.Status, len(part.Body))
	}
	path := filepath.Join(t.TempDir(), "c.mp4")
	if err := os.WriteFile(path, r.Body, 0o644); err != nil {
		t.Fatal(err)
	}
	pr, d := ffprobe(t, ffprobeBin, path)
	if pr.codecs() != "video:h264,audio:aac" || pr.Streams[0].Width != 1280 || pr.Streams[0].Height != 720 {
		t.Errorf("streams %s %+v", pr.codecs(), pr.Streams)
	}
	if !within(d, recorded, 0.1) || math.Abs(d-rec.Duration) > 0.05 {
		t.Errorf("duration %.3f s (REST %.3f), recorded %.3f s", d, rec.Duration, recorded)
	}
	thumb := download(t, srv, strings.TrimSuffix(*rec.URL, rec.ID+".mp4")+rec.ID+".jpg", nil)
	if thumb.Status != 200 || thumb.Header.Get("Content-Type") != "image/jpeg" || len(thumb.Body) < 1000 {
		t.Errorf("thumbnail: %d %d bytes", thumb.Status, len(thumb.Body))
	}
	// A frame 2 s before the end as raw RGB: three 426x640 tiles side by
	// side (BEST_FIT for three at 1280x720) in join order, black bands
	// above and below.
	at := fmt.Sprintf("%.2f", d-2)
	out, err := exec.Command(ffmpegBin, "-v", "error", "-ss", at, "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-").Output()
	if err != nil || len(out) != 1280*720*3 {
		t.Fatalf("frame: %v (%d bytes)", err, len(out))
	}
	mean := func(x0, y0, x1, y1 int) (r, g, b float64) {
		n := 0.0
		for y := y0; y < y1; y += 2 {
			for x := x0; x < x1; x += 2 {
				i := (y*1280 + x) * 3
				r, g, b = r+float64(out[i]), g+float64(out[i+1]), b+float64(out[i+2])
				n++
			}
		}
		return r / n, g / n, b / n
	}
	for i, want := range []recordingtest.Colour{recordingtest.Red, recordingtest.Green, recordingtest.Blue} {
		x0 := 2 + i*426
		// The top third of the tile: the moving square runs across the middle.
		r, g, b := mean(x0+20, 60, x0+400, 220)
		if r+g+b < 150 {
			t.Errorf("tile %d (%s) is black: %.0f %.0f %.0f", i, want.Name, r, g, b)
		}
		got := [3]float64{r, g, b}
		ref := [3]float64{float64(want.R), float64(want.G), float64(want.B)}
		for k := range got {
			if math.Abs(got[k]-ref[k]) > 60 {
				t.Errorf("tile %d should be %s: mean colour %.0f %.0f %.0f", i, want.Name, r, g, b)
				break
			}
		}
	}
	for _, band := range [][2]int{{0, 36}, {684, 720}} {
		if r, g, b := mean(0, band[0], 1280, band[1]); r+g+b > 30 {
			t.Errorf("band %v is not black: %.0f %.0f %.0f", band, r, g, b)
		}
	}
	if t.Failed() {
		for _, at := range []float64{1, d / 2, d - 1} {
			f, _ := exec.Command(ffmpegBin, "-v", "error", "-ss", fmt.Sprintf("%.2f", at), "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-").Output()
			sum := 0
			for _, v := range f {
				sum += int(v)
			}
			t.Logf("mean brightness at %.1f s: %.1f", at, float64(sum)/float64(max(len(f), 1)))
		}
	}
	if t.Failed() || os.Getenv("GOVIDU_KEEP_FRAME") != "" {
		png := filepath.Join(testkit.Artifacts(t, "../.."), "frame.png")
		_ = exec.Command(ffmpegBin, "-v", "error", "-y", "-ss", at, "-i", path, "-frames:v", "1", png).Run()
		t.Logf("frame saved to %s", png)
	}
}

// newLoopbackServer serves h on 127.0.0.1 for the test and returns its URL.
func newLoopbackServer(t *testing.T, h http.Handler) string {
	t.Helper()
	s := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	ln, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return "http://" + ln.Addr().String()
}

func listenLoopback() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
