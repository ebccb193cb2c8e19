package webhook_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/webhook"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(ms int64)   { c.mu.Lock(); c.t = time.UnixMilli(ms); c.mu.Unlock() }

const t0 = 1700000000000

// The exact bodies of a whole call, with controlled time: every event and
// field of spec §8, in upstream's key order, and the CDR lines that match.
var exactBodies = []string{
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000000000,"event":"sessionCreated"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000001000,"participantId":"$A","connectionId":"$A","location":"unknown","ip":"10.0.0.1","platform":"Chrome 131","clientData":"{\"name\":\"A\"}","serverData":"server-A","event":"participantJoined"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000002000,"participantId":"$B","connectionId":"$B","location":"unknown","ip":"10.0.0.2","platform":"Firefox 133","clientData":"<b>","serverData":"","event":"participantJoined"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000003500,"streamId":"$S","participantId":"$A","connectionId":"$A","connection":"OUTBOUND","videoSource":"CAMERA","videoFramerate":30,"videoDimensions":"{\"width\":640,\"height\":480}","audioEnabled":true,"videoEnabled":true,"event":"webrtcConnectionCreated"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000004000,"streamId":"$S","participantId":"$B","connectionId":"$B","connection":"INBOUND","receivingFrom":"$A","videoSource":"CAMERA","videoFramerate":30,"videoDimensions":"{\"width\":640,\"height\":480}","audioEnabled":true,"videoEnabled":true,"event":"webrtcConnectionCreated"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000005000,"from":null,"to":["$A","$B"],"type":"chat","data":"x","event":"signalSent"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000006000,"from":"$A","to":["$B"],"type":"chat","data":"hi","event":"signalSent"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000006500,"from":null,"to":["$B"],"type":null,"data":"","event":"signalSent"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000009999,"startTime":1700000004000,"duration":5,"reason":"unsubscribe","streamId":"$S","participantId":"$B","connectionId":"$B","connection":"INBOUND","receivingFrom":"$A","videoSource":"CAMERA","videoFramerate":30,"videoDimensions":"{\"width\":640,\"height\":480}","audioEnabled":true,"videoEnabled":true,"event":"webrtcConnectionDestroyed"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000012000,"startTime":1700000003500,"duration":8,"reason":"disconnect","streamId":"$S","participantId":"$A","connectionId":"$A","connection":"OUTBOUND","videoSource":"CAMERA","videoFramerate":30,"videoDimensions":"{\"width\":640,\"height\":480}","audioEnabled":true,"videoEnabled":true,"event":"webrtcConnectionDestroyed"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000012000,"startTime":1700000001000,"duration":11,"reason":"disconnect","participantId":"$A","connectionId":"$A","location":"unknown","ip":"10.0.0.1","platform":"Chrome 131","clientData":"{\"name\":\"A\"}","serverData":"server-A","event":"participantLeft"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000020000,"startTime":1700000002000,"duration":18,"reason":"networkDisconnect","participantId":"$B","connectionId":"$B","location":"unknown","ip":"10.0.0.2","platform":"Firefox 133","clientData":"<b>","serverData":"","event":"participantLeft"}`,
	`{"sessionId":"ses_Exact","uniqueSessionId":"ses_Exact_1700000000000","timestamp":1700000020000,"startTime":1700000000000,"duration":20,"reason":"lastParticipantLeft","event":"sessionDestroyed"}`,
}

func TestExactBodiesAndCDRLines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	clock := &fakeClock{}
	clock.Set(t0)
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443", Now: clock.Now, Logger: quiet})
	defer svc.Close(context.Background())
	rcv := newReceiver(t)
	defer rcv.srv.Close()
	dir := filepath.Join(t.TempDir(), "cdr")
	d, err := webhook.New(webhook.Options{
		Webhook: &webhook.HTTPOptions{Endpoint: rcv.URL()},
		CDR:     &webhook.CDROptions{Dir: dir},
		Now:     clock.Now,
		Logger:  quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc.AddListener(d)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	props := svc.NewSessionProperties()
	props.CustomSessionID = "ses_Exact"
	_, err = svc.CreateSession(props)
	must(err)
	ca, _ := svc.CreateConnection("ses_Exact", core.ConnectionProperties{Data: "server-A"})
	cb, _ := svc.CreateConnection("ses_Exact", core.ConnectionProperties{})
	clock.Set(t0 + 1000)
	_, err = svc.Join(core.JoinRequest{Token: ca.Token, ClientData: `{"name":"A"}`, Platform: "Chrome 131", IP: "10.0.0.1"})
	must(err)
	clock.Set(t0 + 2000)
	_, err = svc.Join(core.JoinRequest{Token: cb.Token, ClientData: "<b>", Platform: "Firefox 133", IP: "10.0.0.2"})
	must(err)
	clock.Set(t0 + 3000)
	st, err := svc.BeginPublish("ses_Exact", ca.ID, core.MediaOptions{
		HasAudio: true, HasVideo: true, AudioActive: true, VideoActive: true,
		TypeOfVideo: core.VideoCamera, FrameRate: 30, VideoDimensions: `{"width":640,"height":480}`,
	})
	must(err)
	clock.Set(t0 + 3500) // negotiation took 500 ms: the created event says 3500
	_, err = svc.CompletePublish("ses_Exact", ca.ID, st.ID)
	must(err)
	clock.Set(t0 + 4000)
	must(svc.Subscribe("ses_Exact", cb.ID, st.ID))
	clock.Set(t0 + 5000)
	must(svc.Signal("ses_Exact", "", nil, "chat", "x")) // REST: type verbatim, to everyone
	clock.Set(t0 + 6000)
	must(svc.Signal("ses_Exact", ca.ID, []string{cb.ID}, "signal:chat", "hi"))
	clock.Set(t0 + 6500)
	must(svc.Signal("ses_Exact", "", []string{cb.ID}, "", "")) // REST without type: null
	clock.Set(t0 + 9999)
	_, err = svc.Unsubscribe("ses_Exact", cb.ID, ca.ID)
	must(err)
	clock.Set(t0 + 12000)
	must(svc.Leave("ses_Exact", ca.ID, core.ReasonDisconnect))
	clock.Set(t0 + 20000)
	must(svc.Leave("ses_Exact", cb.ID, core.ReasonNetworkDisconnect))

	want := make([]string, len(exactBodies))
	for i, b := range exactBodies {
		want[i] = strings.NewReplacer("$A", ca.ID, "$B", cb.ID, "$S", st.ID).Replace(b)
	}
	eventually(t, 5*time.Second, "every webhook", func() bool { return len(rcv.got()) >= len(want) })
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := rcv.got()
	if len(got) != len(want) {
		t.Fatalf("%d webhooks, want %d", len(got), len(want))
	}
	for i := range want {
		if string(got[i].body) != want[i] {
			t.Errorf("webhook %d:\n got %s\nwant %s", i, got[i].body, want[i])
		}
		if ct := got[i].header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("webhook %d: Content-Type %q", i, ct)
		}
	}

	// The CDR: one file named after the start time, one line per event,
	// {"<name>": <the same fields without "event">}.
	files, err := webhook.ListCDRFiles(dir)
	if err != nil || len(files) != 1 {
		t.Fatalf("CDR files %v %v", files, err)
	}
	if wantName := "CDR." + time.UnixMilli(t0).Format("2006-01-02_15-04-05") + ".log"; files[0] != wantName {
		t.Errorf("CDR file %s, want %s", files[0], wantName)
	}
	raw, err := os.ReadFile(filepath.Join(dir, files[0]))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d CDR lines, want %d:\n%s", len(lines), len(want), raw)
	}
	for i, w := range want {
		m := decode(t, []byte(w))
		name := m["event"].(string)
		fields := strings.TrimSuffix(w, `,"event":"`+name+`"}`) + "}"
		if wantLine := `{"` + name + `":` + fields + `}`; lines[i] != wantLine {
			t.Errorf("CDR line %d:\n got %s\nwant %s", i, lines[i], wantLine)
		}
	}
}

// Audio-only streams carry no video keys; unknown frame rate and dimensions are null.
func TestMediaFieldVariants(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443", Logger: quiet})
	dir := t.TempDir()
	d, err := webhook.New(webhook.Options{CDR: &webhook.CDROptions{Dir: dir}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc.AddListener(d)
	props := svc.NewSessionProperties()
	s, _ := svc.CreateSession(props)
	c1, _ := svc.CreateConnection(s.ID, core.ConnectionProperties{})
	c2, _ := svc.CreateConnection(s.ID, core.ConnectionProperties{})
	for _, c := range []core.ConnectionView{c1, c2} {
		if _, err := svc.Join(core.JoinRequest{Token: c.Token}); err != nil {
			t.Fatal(err)
		}
	}
	audio, _ := svc.BeginPublish(s.ID, c1.ID, core.MediaOptions{HasAudio: true, AudioActive: true, FrameRate: -1})
	svc.CompletePublish(s.ID, c1.ID, audio.ID)
	screen, _ := svc.BeginPublish(s.ID, c2.ID, core.MediaOptions{HasVideo: true, TypeOfVideo: core.VideoScreen, FrameRate: -1})
	svc.CompletePublish(s.ID, c2.ID, screen.ID)
	svc.Close(context.Background())
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := webhook.ListCDRFiles(dir)
	raw, _ := os.ReadFile(filepath.Join(dir, files[0]))
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var created []string
	for _, l := range lines {
		if strings.HasPrefix(l, `{"webrtcConnectionCreated":`) {
			created = append(created, l)
		}
	}
	if len(created) != 2 {
		t.Fatalf("CDR:\n%s", raw)
	}
	if strings.Contains(created[0], "video") && !strings.Contains(created[0], `"videoEnabled":false`) ||
		strings.Contains(created[0], "videoSource") || !strings.HasSuffix(created[0], `"audioEnabled":true,"videoEnabled":false}}`) {
		t.Errorf("audio-only: %s", created[0])
	}
	if !strings.Contains(created[1], `"videoSource":"SCREEN","videoFramerate":null,"videoDimensions":null,"audioEnabled":false,"videoEnabled":true}}`) {
		t.Errorf("screen: %s", created[1])
	}
	// Signal-only and other non-CDR events never reach the file.
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"session`) && !strings.HasPrefix(l, `{"participant`) && !strings.HasPrefix(l, `{"webrtc`) {
			t.Errorf("unexpected line %s", l)
		}
	}
}

// A new file starts each day (same start-time part, as upstream's logback
// names them) and only the newest MaxFiles are kept.
func TestCDRDailyRolloverAndPruning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	day := func(n int) time.Time { return time.Date(2026, 3, n, 9, 30, 5, 0, time.Local) }
	// An old file from another run, and something that is not a CDR file.
	for _, name := range []string{"CDR.2026-02-01_08-00-00.log", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	clock := &fakeClock{}
	clock.Set(day(1).UnixMilli())
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443", Now: clock.Now, Logger: quiet})
	d, err := webhook.New(webhook.Options{CDR: &webhook.CDROptions{Dir: dir, MaxFiles: 2}, Now: clock.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc.AddListener(d)
	var created []string
	for n := 1; n <= 3; n++ {
		clock.Set(day(n).Add(time.Hour).UnixMilli())
		s, err := svc.CreateSession(svc.NewSessionProperties())
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, s.ID)
		// The worker writes asynchronously and reads the clock when it does.
		eventually(t, 5*time.Second, "the line", func() bool { return d.Pending(webhook.SinkCDR) == 0 })
		want := "CDR." + day(n).Format("2006-01-02") + "_09-30-05.log"
		eventually(t, 5*time.Second, want, func() bool {
			b, _ := os.ReadFile(filepath.Join(dir, want))
			return strings.Contains(string(b), s.ID)
		})
	}
	svc.Close(context.Background())
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := webhook.ListCDRFiles(dir)
	if want := []string{"CDR.2026-03-02_09-30-05.log", "CDR.2026-03-03_09-30-05.log"}; strings.Join(files, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", files, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Errorf("pruning touched another file: %v", err)
	}
	// Each day's file holds that day's events: day 2's sessionCreated is not in day 3's.
	b, _ := os.ReadFile(filepath.Join(dir, files[1]))
	if strings.Contains(string(b), `{"sessionCreated":{"sessionId":"`+created[1]) ||
		!strings.Contains(string(b), `{"sessionCreated":{"sessionId":"`+created[2]) {
		t.Errorf("last file:\n%s", b)
	}
}
