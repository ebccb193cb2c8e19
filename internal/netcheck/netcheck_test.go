package netcheck_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/govidu/govidu/internal/netcheck"
	"github.com/govidu/govidu/internal/testkit"
)

// The page and its config are public; the config names the media ports
// and carries fresh TURN credentials for every transport.
func TestPageAndConfig(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0", "GOVIDU_RTC_TCP_PORT": "0"}})
	for _, p := range []string{"/doctor", "/doctor/", "/doctor/doctor.js"} { // /doctor redirects to /doctor/
		r := srv.DoAuth(t, "GET", p, nil, "", "", nil)
		if r.Status != 200 || !strings.Contains(string(r.Body), "doctor") {
			t.Fatalf("GET %s: %d", p, r.Status)
		}
	}
	config := func() (c struct {
		UDPPort    int `json:"udpPort"`
		TCPPort    int `json:"tcpPort"`
		IceServers []struct {
			URLs       []string `json:"urls"`
			Username   string   `json:"username"`
			Credential string   `json:"credential"`
		} `json:"iceServers"`
	}) {
		r := srv.DoAuth(t, "GET", "/doctor/api/config", nil, "", "", nil)
		if r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" || json.Unmarshal(r.Body, &c) != nil {
			t.Fatalf("config: %d %s", r.Status, r.Body)
		}
		return c
	}
	c := config()
	if c.UDPPort == 0 || c.TCPPort == 0 || c.UDPPort == 7882 {
		t.Errorf("ports %d/%d: want the ephemeral ones the engine listens on", c.UDPPort, c.TCPPort)
	}
	if len(c.IceServers) != 2 || !strings.HasPrefix(c.IceServers[0].URLs[0], "turn:127.0.0.1:") ||
		!strings.HasSuffix(c.IceServers[0].URLs[0], "?transport=udp") || !strings.HasSuffix(c.IceServers[1].URLs[0], "?transport=tcp") {
		t.Fatalf("iceServers %+v", c.IceServers)
	}
	if c.IceServers[0].Username == "" || c.IceServers[0].Credential == "" || config().IceServers[0].Username == c.IceServers[0].Username {
		t.Errorf("credentials must be present and fresh per visitor: %+v", c.IceServers[0])
	}
}

// Bad requests get a clear error and open nothing; GOVIDU_DOCTOR_PAGE=false
// removes the page; TURN and ICE-TCP disabled show in the config.
func TestProbeRefusals(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0", "GOVIDU_RTC_TCP_PORT": "-1", "GOVIDU_TURN": "false"}})
	offer := "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
	body := func(tr, sdp string) string {
		b, _ := json.Marshal(map[string]string{"transport": tr, "sdp": sdp})
		return string(b)
	}
	for _, c := range []struct {
		method, body string
		status       int
		message      string
	}{
		{"POST", `{`, 400, "JSON object"},
		{"POST", `[]`, 400, "JSON object"},
		{"POST", `{"transport":"udp","sdp":"x","extra":1}`, 400, "unknown field"},
		{"POST", `{"transport":"udp","sdp":"x"} {}`, 400, "one JSON object"},
		{"POST", body("sctp", offer), 400, "transport must be"},
		{"POST", body("udp", " "), 400, "sdp (the offer) is required"},
		{"POST", body("udp", "not sdp"), 400, "the offer was refused"},
		{"POST", body("udp", offer), 400, "data channel"},
		{"POST", body("tcp", offer), 404, "GOVIDU_RTC_TCP_PORT=-1"},
		{"POST", body("udp", strings.Repeat("a", 70<<10)), 413, "64 KiB"},
		{"GET", "", 405, "POST an offer"},
	} {
		var b []byte
		if c.body != "" {
			b = []byte(c.body)
		}
		r := srv.DoAuth(t, c.method, "/doctor/api/probe", b, "", "", map[string]string{"Content-Type": "application/json"})
		var e struct{ Message string }
		_ = json.Unmarshal(r.Body, &e)
		if r.Status != c.status || !strings.Contains(e.Message, c.message) {
			t.Errorf("%s %.40s: %d %q, want %d %q", c.method, c.body, r.Status, e.Message, c.status, c.message)
		}
	}
	r := srv.DoAuth(t, "GET", "/doctor/api/config", nil, "", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"tcpPort":0`) || !strings.Contains(string(r.Body), `"iceServers":[]`) {
		t.Errorf("config without TURN and ICE-TCP: %d %s", r.Status, r.Body)
	}

	off := testkit.StartServer(t, testkit.Options{Env: map[string]string{"COTURN_PORT": "0", "GOVIDU_DOCTOR_PAGE": "false"}})
	for _, p := range []string{"/doctor/", "/doctor/api/config"} {
		if r := off.DoAuth(t, "GET", p, nil, "", "", nil); r.Status == 200 {
			t.Errorf("GOVIDU_DOCTOR_PAGE=false: GET %s answered 200", p)
		}
	}
}

func FuzzParseProbeRequest(f *testing.F) {
	f.Add([]byte(`{"transport":"udp","sdp":"v=0"}`))
	f.Add([]byte(`{"transport":"relay","sdp":""}`))
	f.Add([]byte(`{"transport":1}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		req, tr, err := netcheck.ParseProbeRequest(b)
		if err != nil {
			return
		}
		if tr == "" || strings.TrimSpace(req.SDP) == "" {
			t.Fatalf("accepted %q as %+v / %q", b, req, tr)
		}
	})
}
