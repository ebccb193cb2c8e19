package netcheck_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govidu/govidu/internal/testkit"
)

type pageResult struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	RTT    int    `json:"rtt"`
	Pair   string `json:"pair"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
}

type pageReport struct {
	Verdict string       `json:"verdict"`
	Summary string       `json:"summary"`
	Results []pageResult `json:"results"`
}

// runPage opens /doctor/?run in a fresh Chromium and waits for the verdict.
func runPage(t *testing.T, srv *testkit.Server, o testkit.ChromiumOptions) pageReport {
	t.Helper()
	artifacts := testkit.Artifacts(t, "../..")
	o.Log = filepath.Join(artifacts, "chromium.log")
	ctx := testkit.StartChromium(t, o)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/doctor/?run")); err != nil {
		t.Fatal(err)
	}
	testkit.PollJS(t, ctx, 90*time.Second, "the network test", "window.doctor && window.doctor.done")
	testkit.Screenshot(t, ctx, filepath.Join(artifacts, "doctor.png"))
	rep, err := chromedp.Run(ctx, chromedp.Evaluate[pageReport]("window.doctor"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		t.Logf("%-14s %-8s %3d ms  %s %s %s", r.Name, r.State, r.RTT, r.Pair, r.Detail, r.Fix)
	}
	t.Logf("verdict %s: %s", rep.Verdict, rep.Summary)
	return rep
}

func result(t *testing.T, rep pageReport, name string) pageResult {
	t.Helper()
	for _, r := range rep.Results {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no %q check in %+v", name, rep.Results)
	return pageResult{}
}

// A visitor on an open network: every path works, each over what it
// says (the candidate pair Chromium selected), and the page says so.
func TestPageEveryPath(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0", "GOVIDU_RTC_TCP_PORT": "0"}})
	rep := runPage(t, srv, testkit.ChromiumOptions{})
	for name, want := range map[string]string{"UDP": "host udp", "TCP": "host tcp", "TURN over UDP": "relay udp", "TURN over TCP": "(relay over tcp)"} {
		r := result(t, rep, name)
		if r.State != "ok" || !strings.Contains(r.Pair, want) || r.RTT < 0 {
			t.Errorf("%s: %+v, want ok over %q", name, r, want)
		}
	}
	if len(rep.Results) != 4 || rep.Verdict != "ok" || !strings.Contains(rep.Summary, "over UDP") {
		t.Errorf("report %+v", rep)
	}
}

// A server without TURN nor ICE-TCP: the page says they are not
// available here (not that the visitor's network is at fault).
func TestPageServerWithoutFallbacks(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"GOVIDU_TURN": "false", "GOVIDU_RTC_TCP_PORT": "-1"}})
	rep := runPage(t, srv, testkit.ChromiumOptions{})
	if r := result(t, rep, "UDP"); r.State != "ok" {
		t.Errorf("UDP: %+v", r)
	}
	if r := result(t, rep, "TCP"); r.State != "skipped" || !strings.Contains(r.Detail, "GOVIDU_RTC_TCP_PORT=-1") {
		t.Errorf("TCP: %+v", r)
	}
	if r := result(t, rep, "TURN"); r.State != "skipped" || !strings.Contains(r.Detail, "GOVIDU_TURN=false") {
		t.Errorf("TURN: %+v", r)
	}
}

// A visitor whose network lets no UDP through: Chromium runs in a network
// namespace with only TCP paths to the server (its HTTP, ICE-TCP and TURN
// ports). The page finds UDP and TURN over UDP blocked, TCP and TURN over
// TCP working, and tells the visitor calls will go over TCP.
func TestPageUDPBlocked(t *testing.T) {
	ns := testkit.NewNetNS(t)
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0", "GOVIDU_RTC_TCP_PORT": "0"}})
	ns.ForwardServer(t, srv)
	rep := runPage(t, srv, testkit.ChromiumOptions{NetNS: ns.Name})
	for name, want := range map[string]string{"UDP": "failed", "TURN over UDP": "failed", "TCP": "ok", "TURN over TCP": "ok"} {
		if got := result(t, rep, name); got.State != want {
			t.Errorf("%s: %+v, want %s", name, got, want)
		}
	}
	if r := result(t, rep, "TCP"); !strings.Contains(r.Pair, "tcp") {
		t.Errorf("TCP went over %q", r.Pair)
	}
	if r := result(t, rep, "UDP"); r.Fix == "" {
		t.Errorf("a blocked UDP path says what to open: %+v", r)
	}
	if rep.Verdict != "warn" || !strings.Contains(rep.Summary, "UDP is blocked") {
		t.Errorf("verdict %q: %s", rep.Verdict, rep.Summary)
	}
}
