package turn

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCoturnClient checks the embedded server with coturn's own client
// (Debian package coturn: turnutils_uclient and turnutils_peer), the tool
// people use to test a TURN deployment: UDP and TCP allocations relay every
// message to a peer and back, and wrong credentials are refused.
func TestCoturnClient(t *testing.T) {
	uclient, err1 := exec.LookPath("turnutils_uclient")
	peerBin, err2 := exec.LookPath("turnutils_peer")
	if err1 != nil || err2 != nil {
		msg := "coturn's client tools are missing (apt-get install -y coturn)"
		if os.Getenv("CI") != "" || os.Getenv("GOVIDU_REQUIRE_E2E") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s := startServer(t, nil, loopback)
	user, pass := s.Credentials("coturn-probe")

	// The peer echoes what the relay sends it; it needs a free UDP port.
	probe, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	peerPort := strconv.Itoa(probe.LocalAddr().(*net.UDPAddr).Port)
	probe.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	peer := exec.CommandContext(ctx, peerBin, "-L", "127.0.0.1", "-p", peerPort)
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = peer.Process.Kill(); _ = peer.Wait() }()

	run := func(extra ...string) (string, error) {
		args := append(extra, "-n", "20", "-c", "-X", "-e", "127.0.0.1", "-r", peerPort, "-p", strconv.Itoa(s.UDPAddr().Port), "127.0.0.1")
		out, err := exec.CommandContext(ctx, uclient, args...).CombinedOutput()
		return string(out), err
	}
	for _, transport := range []string{"udp", "tcp"} {
		t.Run(transport, func(t *testing.T) {
			var flags []string
			if transport == "tcp" {
				flags = append(flags, "-t")
			}
			// The peer may need a moment to bind: retry a bounded number of times.
			var out string
			for attempt := 0; attempt < 5; attempt++ {
				out, _ = run(append(flags, "-u", user, "-w", pass)...)
				if strings.Contains(out, "tot_recv_msgs=20") {
					break
				}
			}
			if !strings.Contains(out, "tot_send_msgs=20, tot_recv_msgs=20") || !strings.Contains(out, "Total lost packets 0 ") {
				t.Fatalf("relay through %s lost messages:\n%s", transport, out)
			}
		})
	}
	t.Run("wrong credentials", func(t *testing.T) {
		out, _ := run("-u", user, "-w", "not-the-password")
		if !strings.Contains(out, "Cannot complete Allocation") || strings.Contains(out, "tot_recv_msgs=20") {
			t.Fatalf("allocation with a wrong password was not refused:\n%s", out)
		}
	})
}
