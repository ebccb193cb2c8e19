package recording_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/recording/recordingtest"
	"github.com/govidu/govidu/internal/testkit"
)

// The real binary, killed with SIGKILL in the middle of recordings and
// started again on the same recording path: every recording is listed at
// once with an honest status (never "started"), the ones with media
// become ready from what was written, the one without media fails with a
// reason, and the files play.

type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	mu   sync.Mutex
	log  []string
}

func buildGovidu(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "govidu")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/govidu").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func startGovidu(t *testing.T, bin, recordings string) *process {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "SERVER_PORT="+strconv.Itoa(port), "DOMAIN_OR_PUBLIC_IP=127.0.0.1", "GOVIDU_LISTEN_ADDRESS=127.0.0.1",
		"GOVIDU_RTC_UDP_PORT=0", "GOVIDU_RTC_TCP_PORT=0", "GOVIDU_TURN=false", "GOVIDU_DATA_DIR="+t.TempDir(),
		"OPENVIDU_RECORDING=true", "OPENVIDU_RECORDING_PATH="+recordings, "OPENVIDU_SECRET=MY_SECRET")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, url: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
	listening := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log = append(p.log, line)
			p.mu.Unlock()
			if strings.Contains(line, "govidu listening") {
				once.Do(func() { close(listening) })
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("log of %s:\n%s", p.url, p.logText())
		}
	})
	select {
	case <-listening:
	case <-p.done:
		t.Fatalf("govidu exited:\n%s", p.logText())
	case <-time.After(60 * time.Second):
		t.Fatalf("govidu did not start:\n%s", p.logText())
	}
	return p
}

func (p *process) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log, "\n")
}

func (p *process) do(method, path, body string) (int, []byte) {
	p.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, p.url+path, rd)
	req.SetBasicAuth("OPENVIDUAPP", "MY_SECRET")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (p *process) session(id string, publish []recordingtest.Colour, watchers int) []*recordingtest.Participant {
	p.t.Helper()
	if st, b := p.do("POST", restAPI+"/sessions", `{"customSessionId":"`+id+`"}`); st != 200 {
		p.t.Fatalf("session: %d %s", st, b)
	}
	token := func() string {
		st, b := p.do("POST", restAPI+"/sessions/"+id+"/connection", `{}`)
		var c struct{ Token string }
		if st != 200 || json.Unmarshal(b, &c) != nil {
			p.t.Fatalf("connection: %d %s", st, b)
		}
		return c.Token
	}
	var parts []*recordingtest.Participant
	for _, c := range publish {
		pt := recordingtest.Join(p.t, token(), recordingtest.Options{Colour: c, Audio: true})
		if err := pt.WaitConnected(30 * time.Second); err != nil {
			p.t.Fatal(err)
		}
		parts = append(parts, pt)
	}
	for i := 0; i < watchers; i++ {
		parts = append(parts, recordingtest.JoinOnly(p.t, token()))
	}
	return parts
}

func (p *process) recording(id string) recordingJSON {
	p.t.Helper()
	st, b := p.do("GET", restAPI+"/recordings/"+id, "")
	var r recordingJSON
	if st != 200 || json.Unmarshal(b, &r) != nil {
		p.t.Fatalf("get %s: %d %s", id, st, b)
	}
	return r
}

func TestKillDuringRecording(t *testing.T) {
	t.Parallel()
	_, ffprobeBin := tools(t)
	t0 := time.Now()
	bin := buildGovidu(t)
	t.Logf("built in %v", time.Since(t0).Round(time.Millisecond))
	dir := t.TempDir()
	first := startGovidu(t, bin, dir)
	var parts []*recordingtest.Participant
	parts = append(parts, first.session("k-ind", []recordingtest.Colour{recordingtest.Red, recordingtest.Green}, 0)...)
	parts = append(parts, first.session("k-comp", []recordingtest.Colour{recordingtest.Blue, recordingtest.White}, 0)...)
	parts = append(parts, first.session("k-empty", nil, 1)...)
	began := time.Now()
	for _, body := range []string{
		`{"session":"k-ind","outputMode":"INDIVIDUAL"}`, `{"session":"k-comp"}`, `{"session":"k-empty","outputMode":"INDIVIDUAL"}`,
	} {
		if st, b := first.do("POST", restAPI+"/recordings/start", body); st != 200 {
			t.Fatalf("start %s: %d %s", body, st, b)
		}
	}
	time.Sleep(8 * time.Second) // recording
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	recorded := time.Since(began).Seconds()
	<-first.done
	for _, p := range parts {
		p.Leave()
	}

	restart := time.Now()
	second := startGovidu(t, bin, dir)
	st, b := second.do("GET", restAPI+"/recordings", "")
	var list struct {
		Count int             `json:"count"`
		Items []recordingJSON `json:"items"`
	}
	if st != 200 || json.Unmarshal(b, &list) != nil || list.Count != 3 {
		t.Fatalf("list after the restart: %d %s", st, b)
	}
	for _, r := range list.Items {
		if r.Status == "started" || r.Status == "starting" {
			t.Errorf("%s is listed as %s after the crash", r.ID, r.Status)
		}
	}
	final := map[string]recordingJSON{}
	for id, want := range map[string]string{"k-ind": "ready", "k-comp": "ready", "k-empty": "failed"} {
		deadline := time.Now().Add(90 * time.Second)
		for {
			r := second.recording(id)
			if r.Status == want {
				final[id] = r
				break
			}
			if r.Status != "stopped" || time.Now().After(deadline) {
				t.Fatalf("%s: %s, want %s", id, r.Status, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Logf("restarted and recovered 3 recordings in %v", time.Since(restart).Round(time.Millisecond))
	testkit.Eventually(t, 10*time.Second, "three recoveries logged", func() bool {
		return strings.Count(second.logText(), "interrupted recording finalized") == 3
	})
	// At most the last moments (unwritten clusters) are lost, and the
	// first ones while each start waits for media.
	minimum := recorded - 4
	ind := final["k-ind"]
	if ind.URL == nil || ind.Duration < minimum || ind.Duration > recorded {
		t.Errorf("INDIVIDUAL after the crash: %+v (recorded %.1f s)", ind, recorded)
	}
	zipBody := get(t, second, ind)
	zr, err := zip.NewReader(bytes.NewReader(zipBody), int64(len(zipBody)))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	webms := 0
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		path := filepath.Join(out, f.Name)
		os.WriteFile(path, data, 0o644)
		if strings.HasSuffix(f.Name, ".webm") {
			webms++
			pr, d := ffprobe(t, ffprobeBin, path)
			if !strings.Contains(pr.codecs(), "video:vp8") || !strings.Contains(pr.codecs(), "audio:opus") || d < minimum {
				t.Errorf("%s: %s, %.2f s", f.Name, pr.codecs(), d)
			}
		}
	}
	if webms != 2 {
		t.Errorf("%d stream files in the zip", webms)
	}
	comp := final["k-comp"]
	mp4 := filepath.Join(out, "comp.mp4")
	os.WriteFile(mp4, get(t, second, comp), 0o644)
	pr, d := ffprobe(t, ffprobeBin, mp4)
	if pr.codecs() != "video:h264,audio:aac" || d < minimum || d > recorded {
		t.Errorf("COMPOSED after the crash: %s, %.2f s (recorded %.1f s)", pr.codecs(), d, recorded)
	}
	if empty := final["k-empty"]; empty.URL != nil || empty.Size != 0 {
		t.Errorf("the recording without media: %+v", empty)
	}

	// A graceful stop (SIGTERM) during a recording: finalized at shutdown,
	// or at the next start; either way ready.
	parts = second.session("k-term", []recordingtest.Colour{recordingtest.Green}, 0)
	if st, b := second.do("POST", restAPI+"/recordings/start", `{"session":"k-term","outputMode":"INDIVIDUAL"}`); st != 200 {
		t.Fatalf("start: %d %s", st, b)
	}
	time.Sleep(3 * time.Second) // recording
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second.done:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit after SIGTERM")
	}
	for _, p := range parts {
		p.Leave()
	}
	if !strings.Contains(second.logText(), "recording stopped") {
		t.Errorf("shutdown log:\n%s", second.logText())
	}
	third := startGovidu(t, bin, dir)
	deadline := time.Now().Add(60 * time.Second)
	for r := third.recording("k-term"); r.Status != "ready"; r = third.recording("k-term") {
		if r.Status != "stopped" || time.Now().After(deadline) {
			t.Fatalf("after SIGTERM: %+v", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var urlPath = regexp.MustCompile(`^https?://[^/]+`)

func get(t *testing.T, p *process, r recordingJSON) []byte {
	t.Helper()
	if r.URL == nil {
		t.Fatalf("%s has no url", r.ID)
	}
	st, b := p.do("GET", urlPath.ReplaceAllString(*r.URL, ""), "")
	if st != 200 {
		t.Fatalf("download %s: %d", *r.URL, st)
	}
	return b
}
