package recording_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

// The same call with a real browser: headless Chromium (fake camera and
// microphone) on the unmodified upstream openvidu-browser 2.32.2, the way
// test/e2e drives it, publishing into two sessions recorded INDIVIDUAL and
// COMPOSED at once.

const upstreamBundle = "../../test/e2e/node_modules/openvidu-browser/static/js/openvidu-browser-2.32.2.js"

// browserPage is a tutorial-style app: connect, publish camera and
// microphone, note the recording events.
const browserPage = `<!doctype html><html><head><meta charset="utf-8"><title>recording</title></head>
<body><div id="pub"></div>
<script src="/openvidu-browser.js"></script>
<script>
window.rec = {connected: false, published: false, started: [], stopped: [], errors: []};
window.join = function (token) {
  const OV = new OpenVidu();
  OV.enableProdMode();
  const session = OV.initSession();
  session.on('recordingStarted', e => rec.started.push(e.id));
  session.on('recordingStopped', e => rec.stopped.push({id: e.id, reason: e.reason}));
  session.on('exception', e => rec.errors.push(String(e.message)));
  session.connect(token, {clientData: 'chromium'}).then(() => {
    rec.connected = true;
    const publisher = OV.initPublisher('pub', {audioSource: undefined, videoSource: undefined,
      publishAudio: true, publishVideo: true, resolution: '640x480', frameRate: 15, insertMode: 'APPEND'});
    publisher.on('streamCreated', () => { rec.published = true; });
    return session.publish(publisher);
  }).catch(err => rec.errors.push(String(err && (err.message || err))));
};
</script></body></html>`

func TestBrowserCallRecorded(t *testing.T) {
	ffmpegBin, ffprobeBin := tools(t)
	if _, err := os.Stat(upstreamBundle); err != nil {
		msg := "openvidu-browser 2.32.2 is not installed: npm ci --prefix test/e2e"
		if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Parallel()
	artifacts := testkit.Artifacts(t, "../..")
	// The camera shows a Y4M clip (orange with a moving box) made with ffmpeg.
	y4m := filepath.Join(t.TempDir(), "camera.y4m")
	if out, err := exec.Command(ffmpegBin, "-v", "error", "-f", "lavfi", "-i",
		"color=c=0xE08020:s=640x480:r=15,drawbox=x='mod(t*100,560)':y=200:w=80:h=80:color=white:t=fill", "-t", "3",
		"-pix_fmt", "yuv420p", y4m).CombinedOutput(); err != nil {
		t.Fatalf("camera clip: %v %s", err, out)
	}
	ctx := testkit.StartChromium(t, testkit.ChromiumOptions{Log: filepath.Join(artifacts, "chromium.log"),
		Flags: map[string]any{"use-file-for-fake-video-capture": y4m}})
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_RECORDING": "true", "OPENVIDU_RECORDING_PATH": t.TempDir(),
	}})
	mux := http.NewServeMux()
	mux.HandleFunc("/openvidu-browser.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, upstreamBundle) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(browserPage))
	})
	app := newLoopbackServer(t, mux)

	sessions := []string{"chromium-individual", "chromium-composed"}
	var tabs []context.Context
	for _, id := range sessions {
		if r := srv.Do(t, "POST", restAPI+"/sessions", `{"customSessionId":"`+id+`"}`); r.Status != 200 {
			t.Fatalf("session: %d %s", r.Status, r.Body)
		}
		r := srv.Do(t, "POST", restAPI+"/sessions/"+id+"/connection", `{"data":"browser"}`)
		var conn struct{ Token string }
		if r.Status != 200 || json.Unmarshal(r.Body, &conn) != nil {
			t.Fatalf("connection: %d %s", r.Status, r.Body)
		}
		tab, cancel := chromedp.NewContext(ctx)
		t.Cleanup(cancel)
		if _, err := chromedp.Run(tab, chromedp.Navigate(app+"/")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("join(%q)", conn.Token))); err != nil {
			t.Fatal(err)
		}
		tabs = append(tabs, tab)
	}
	for i, tab := range tabs {
		testkit.PollJS(t, tab, 60*time.Second, sessions[i]+" published", "rec.published || rec.errors.length > 0")
		if errs, _ := chromedp.Run(tab, chromedp.Evaluate[[]string]("rec.errors")); len(errs) > 0 {
			t.Fatalf("%s: %v", sessions[i], errs)
		}
	}
	// Media flows before recording (the publisher PeerConnection is up).
	testkit.Eventually(t, 30*time.Second, "browser media at the SFU", func() bool {
		for _, id := range sessions {
			r := srv.Do(t, "GET", restAPI+"/sessions/"+id+"?webRtcStats=true", nil)
			if !strings.Contains(string(r.Body), `"publishers":[{`) {
				return false
			}
		}
		return true
	})

	var wg sync.WaitGroup
	recs := make([]recordingJSON, 2)
	bodies := []string{`{"session":"chromium-individual","outputMode":"INDIVIDUAL"}`, `{"session":"chromium-composed"}`}
	t1 := time.Now()
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = decodeRecording(t, srv.Do(t, "POST", restAPI+"/recordings/start", bodies[i]))
		}()
	}
	wg.Wait()
	for i, tab := range tabs {
		testkit.PollJS(t, tab, 20*time.Second, "recordingStarted in the page", fmt.Sprintf("rec.started.includes(%q)", recs[i].ID))
	}
	time.Sleep(8 * time.Second) // recording
	t2 := time.Now()
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i] = decodeRecording(t, srv.Do(t, "POST", restAPI+"/recordings/stop/"+recs[i].ID, nil))
		}()
	}
	wg.Wait()
	for i, tab := range tabs {
		testkit.PollJS(t, tab, 20*time.Second, "recordingStopped in the page",
			fmt.Sprintf("rec.stopped.some(s => s.id === %q && s.reason === 'recordingStoppedByServer')", recs[i].ID))
		testkit.Screenshot(t, tab, filepath.Join(artifacts, sessions[i]+".png"))
	}
	recorded := t2.Sub(t1).Seconds()
	dir := t.TempDir()

	ind := recs[0]
	if ind.Status != "ready" || ind.URL == nil {
		t.Fatalf("INDIVIDUAL: %+v", ind)
	}
	zipPath := filepath.Join(dir, "ind.zip")
	os.WriteFile(zipPath, download(t, srv, *ind.URL, nil).Body, 0o644)
	if out, err := exec.Command("unzip", "-o", "-q", zipPath, "-d", dir).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v %s", err, out)
	}
	media, _ := filepath.Glob(filepath.Join(dir, "str_*"))
	if len(media) != 1 {
		t.Fatalf("zip holds %v", media)
	}
	pr, d := ffprobe(t, ffprobeBin, media[0])
	c := pr.codecs()
	if !strings.Contains(c, "audio:opus") || !(strings.Contains(c, "video:vp8") || strings.Contains(c, "video:h264") || strings.Contains(c, "video:vp9")) {
		t.Errorf("browser stream file %s: %s", filepath.Base(media[0]), c)
	}
	if !within(d, recorded, 0.1) {
		t.Errorf("browser stream file: %.3f s, recorded %.3f s", d, recorded)
	}
	t.Logf("Chromium's stream: %s, %.2f s (%s)", c, d, filepath.Base(media[0]))
	_ = exec.Command("cp", media[0], filepath.Join(artifacts, filepath.Base(media[0]))).Run()

	comp := recs[1]
	if comp.Status != "ready" || comp.URL == nil {
		t.Fatalf("COMPOSED: %+v", comp)
	}
	mp4 := filepath.Join(dir, "comp.mp4")
	os.WriteFile(mp4, download(t, srv, *comp.URL, nil).Body, 0o644)
	pr, d = ffprobe(t, ffprobeBin, mp4)
	if pr.codecs() != "video:h264,audio:aac" || !within(d, recorded, 0.1) {
		t.Errorf("composed: %s, %.3f s, recorded %.3f s", pr.codecs(), d, recorded)
	}
	// One publisher fills the frame with its camera: orange, never black.
	frame, err := exec.Command(ffmpegBin, "-v", "error", "-ss", fmt.Sprintf("%.2f", d/2), "-i", mp4, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-").Output()
	if err != nil || len(frame) != 1280*720*3 {
		t.Fatalf("frame: %v (%d bytes)", err, len(frame))
	}
	var sum [3]float64
	n := 0.0
	for y := 40; y < 200; y += 3 { // above the moving box
		for x := 100; x < 1180; x += 3 {
			i := (y*1280 + x) * 3
			sum[0], sum[1], sum[2] = sum[0]+float64(frame[i]), sum[1]+float64(frame[i+1]), sum[2]+float64(frame[i+2])
			n++
		}
	}
	r, g, b := sum[0]/n, sum[1]/n, sum[2]/n
	if math.Abs(r-224) > 50 || math.Abs(g-128) > 50 || math.Abs(b-32) > 50 {
		t.Errorf("the composed frame should show the orange camera: mean colour %.0f %.0f %.0f", r, g, b)
		_ = exec.Command(ffmpegBin, "-v", "error", "-y", "-ss", fmt.Sprintf("%.2f", d/2), "-i", mp4, "-frames:v", "1", filepath.Join(artifacts, "composed.png")).Run()
		_ = exec.Command("cp", mp4, filepath.Join(artifacts, "composed.mp4")).Run()
	}
}
