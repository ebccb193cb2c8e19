package testkit

import (
	"encoding/json"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ServerTCPPorts are the TCP ports a browser may use to reach srv: its
// HTTP port, ICE over TCP and its TURN servers' ports (UDP and TCP share
// a TURN port), as announced at /doctor/api/config.
func ServerTCPPorts(t testing.TB, srv *Server) []int {
	t.Helper()
	var cfg struct {
		TCPPort    int `json:"tcpPort"`
		IceServers []struct {
			URLs []string `json:"urls"`
		} `json:"iceServers"`
	}
	r := srv.Do(t, "GET", "/doctor/api/config", nil)
	if err := json.Unmarshal(r.Body, &cfg); err != nil || r.Status != 200 {
		t.Fatalf("/doctor/api/config: %d %s: %v", r.Status, r.Body, err)
	}
	var ports []int
	add := func(p int) {
		if p > 0 && !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	if u, err := url.Parse(srv.URL); err == nil {
		p, _ := strconv.Atoi(u.Port())
		add(p)
	}
	add(cfg.TCPPort)
	for _, s := range cfg.IceServers {
		for _, turn := range s.URLs {
			// turn:HOST:PORT?transport=…, turns:HOST:PORT?transport=tcp
			_, rest, _ := strings.Cut(turn, ":")
			hostPort, _, _ := strings.Cut(rest, "?")
			if _, p, err := net.SplitHostPort(hostPort); err == nil {
				n, _ := strconv.Atoi(p)
				add(n)
			}
		}
	}
	return ports
}
