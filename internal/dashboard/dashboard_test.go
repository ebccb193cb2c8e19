package dashboard_test

import (
	"encoding/base64"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

func TestDashboardNeedsCredentials(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	r := srv.DoAuth(t, "GET", "/dashboard/", nil, "", "", nil)
	if r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") != `Basic realm="Realm"` {
		t.Fatalf("unauthenticated: %d %v", r.Status, r.Header)
	}
	for _, p := range []string{"/dashboard/", "/dashboard/dashboard.js", "/dashboard/dashboard.css"} {
		if r := srv.Do(t, "GET", p, nil); r.Status != 200 || len(r.Body) == 0 {
			t.Fatalf("%s: %d", p, r.Status)
		}
	}
}

// TestDashboardTestCall opens the dashboard in Chromium, runs its test call
// (our SDK publishing a fake camera and subscribing to it through the SFU)
// and checks that frames arrive and that the session list shows the call.
func TestDashboardTestCall(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{})
	dir := testkit.Artifacts(t, filepath.Join("..", ".."))
	ctx := testkit.StartChromium(t, testkit.ChromiumOptions{Log: filepath.Join(dir, "chromium.log")})
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("OPENVIDUAPP:"+srv.Secret))
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": auth}}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/dashboard/")); err != nil {
		t.Fatal(err)
	}
	testkit.PollJS(t, ctx, 20*time.Second, "server line", `document.getElementById('server').textContent.includes('2.32.2')`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('test-start').click(), true`)); err != nil {
		t.Fatal(err)
	}
	testkit.PollJS(t, ctx, 60*time.Second, "frames through the SFU", `window.govidu.error ? (()=>{throw new Error(window.govidu.error)})() : window.govidu.frames > 10`)
	testkit.PollJS(t, ctx, 20*time.Second, "the test session listed with its publisher",
		`[...document.querySelectorAll('[data-session]')].some(s => s.dataset.session === window.govidu.sessionId && s.textContent.includes('str_CAM_'))`)
	testkit.Screenshot(t, ctx, filepath.Join(dir, "dashboard.png"))
	sid, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.govidu.sessionId`))
	if err != nil {
		t.Fatal(err)
	}
	s := srv.Do(t, "GET", "/openvidu/api/sessions/"+sid, nil)
	if s.Status != 200 {
		t.Fatalf("test session %s: %d", sid, s.Status)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('test-stop').click(), true`)); err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, 20*time.Second, "test session closed", func() bool {
		return srv.Do(t, "GET", "/openvidu/api/sessions/"+sid, nil).Status == 404
	})
}
