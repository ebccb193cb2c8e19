package webhook_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/govidu/govidu/internal/core"
	"github.com/govidu/govidu/internal/webhook"
)

// recordingStatusChanged in upstream's key order: the end fields (startTime
// = the recording's createdAt, a float duration, reason except for
// started), then the recording; layout fields only for COMPOSED* with video.
func TestRecordingStatusChangedBodies(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	d, err := webhook.New(webhook.Options{CDR: &webhook.CDROptions{Dir: dir}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443", Logger: quiet})
	svc.AddListener(d)
	ref := core.SessionRef{ID: "ses_Rec", UniqueID: "ses_Rec_1700000000000", CreatedAt: time.UnixMilli(t0)}
	composed := core.DefaultRecordingProperties()
	custom := composed
	custom.RecordingLayout, custom.CustomLayout, custom.OutputMode = core.LayoutCustom, "grid/index.html", core.OutputComposedQuickStart
	audioOnly := composed
	audioOnly.HasVideo = false
	individual := composed
	individual.OutputMode = core.OutputIndividual
	created := time.UnixMilli(t0 + 1000)
	emit := func(props core.RecordingProperties, st core.RecordingStatus, size int64, dur float64, reason core.Reason, at int64) {
		svc.EmitRecordingStatus(ref, core.RecordingInfo{
			ID: "ses_Rec~1", Name: "ses_Rec~1", Properties: props, CreatedAt: created, Size: size, Duration: dur, Status: st,
		}, reason, time.UnixMilli(at))
	}
	emit(composed, core.RecordingStarted, 0, 0, "", t0+1000)
	emit(composed, core.RecordingStopped, 0, 0, core.ReasonRecordingStoppedByServer, t0+9000)
	emit(composed, core.RecordingReady, 123456, 7.96, core.ReasonRecordingStoppedByServer, t0+9500)
	emit(custom, core.RecordingFailed, 0, 0, core.ReasonSessionClosedByServer, t0+9600)
	emit(audioOnly, core.RecordingReady, 10, 1.5, core.ReasonAutomaticStop, t0+9700)
	emit(individual, core.RecordingFailed, 0, 0, "", t0+9800)
	svc.Close(context.Background())
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	common := `"sessionId":"ses_Rec","uniqueSessionId":"ses_Rec_1700000000000","timestamp":`
	want := []string{
		`{"recordingStatusChanged":{` + common + `1700000001000,"startTime":1700000001000,"duration":0,"id":"ses_Rec~1","name":"ses_Rec~1","outputMode":"COMPOSED","resolution":"1280x720","frameRate":25,"recordingLayout":"BEST_FIT","hasAudio":true,"hasVideo":true,"size":0,"status":"started"}}`,
		`{"recordingStatusChanged":{` + common + `1700000009000,"startTime":1700000001000,"duration":0,"reason":"recordingStoppedByServer","id":"ses_Rec~1","name":"ses_Rec~1","outputMode":"COMPOSED","resolution":"1280x720","frameRate":25,"recordingLayout":"BEST_FIT","hasAudio":true,"hasVideo":true,"size":0,"status":"stopped"}}`,
		`{"recordingStatusChanged":{` + common + `1700000009500,"startTime":1700000001000,"duration":7.96,"reason":"recordingStoppedByServer","id":"ses_Rec~1","name":"ses_Rec~1","outputMode":"COMPOSED","resolution":"1280x720","frameRate":25,"recordingLayout":"BEST_FIT","hasAudio":true,"hasVideo":true,"size":123456,"status":"ready"}}`,
		`{"recordingStatusChanged":{` + common + `1700000009600,"startTime":1700000001000,"duration":0,"reason":"sessionClosedByServer","id":"ses_Rec~1","name":"ses_Rec~1","outputMode":"COMPOSED_QUICK_START","resolution":"1280x720","frameRate":25,"recordingLayout":"CUSTOM","customLayout":"grid/index.html","hasAudio":true,"hasVideo":true,"size":0,"status":"failed"}}`,
		`{"recordingStatusChanged":{` + common + `1700000009700,"startTime":1700000001000,"duration":1.5,"reason":"automaticStop","id":"ses_Rec~1","name":"ses_Rec~1","outputMode":"COMPOSED","hasAudio":true,"hasVideo":false,"size":10,"status":"ready"}}`,
		`{"recordingStatusChanged":{` + common + `1700000009800,"startTime":1700000001000,"duration":0,"id":"ses_Rec~1","name":"ses_Rec~1","outputMode":"INDIVIDUAL","hasAudio":true,"hasVideo":true,"size":0,"status":"failed"}}`,
	}
	files, _ := webhook.ListCDRFiles(dir)
	if len(files) != 1 {
		t.Fatalf("CDR files %v", files)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, files[0]))
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("CDR:\n%s", raw)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
}
