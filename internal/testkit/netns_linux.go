package testkit

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// NetNS is a network namespace a test creates for a browser that must not
// reach the server the usual way. It has its own loopback and one veth link
// to the host (198.18.x.y/30, a benchmarking range: a browser wants a real
// interface to gather on), but no route to the server: the server listens
// on the host's 127.0.0.1, which the namespace cannot reach, and a packet
// from the host's loopback address never crosses the link. So no UDP gets
// through, either way; the test opens TCP paths one port at a time
// (ForwardTCP), like a firewall that lets only TCP through.
type NetNS struct {
	Name string // for ChromiumOptions.NetNS
	path string
}

var nsCounter atomic.Int64

// NewNetNS creates a namespace that is deleted when the test ends. It
// needs root and iproute2's ip; without them the test is skipped, unless
// GOVIDU_REQUIRE_NETNS is set (make test sets it), where it fails.
func NewNetNS(t testing.TB) *NetNS {
	t.Helper()
	unavailable := func(msg string) {
		if os.Getenv("GOVIDU_REQUIRE_NETNS") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; set GOVIDU_REQUIRE_NETNS=1 to make this a failure")
	}
	ip, err := exec.LookPath("ip")
	if err != nil || os.Geteuid() != 0 {
		unavailable("network namespaces need root and iproute2 (apt-get install -y iproute2)")
	}
	k := int(nsCounter.Add(1))
	n := &NetNS{Name: fmt.Sprintf("govidu-%d-%d", os.Getpid(), k)}
	n.path = filepath.Join("/run/netns", n.Name)
	if out, err := exec.Command(ip, "netns", "add", n.Name).CombinedOutput(); err != nil {
		unavailable(fmt.Sprintf("ip netns add: %v: %s", err, out))
	}
	t.Cleanup(func() { _ = exec.Command(ip, "netns", "del", n.Name).Run() })
	host, peer := fmt.Sprintf("gvh%d-%d", os.Getpid()%100000, k), fmt.Sprintf("gvn%d-%d", os.Getpid()%100000, k)
	third, base := os.Getpid()%256, (k*4)%256
	hostIP, nsIP := fmt.Sprintf("198.18.%d.%d", third, base+1), fmt.Sprintf("198.18.%d.%d", third, base+2)
	t.Cleanup(func() { _ = exec.Command(ip, "link", "del", host).Run() }) // gone with the namespace, unless setup failed half-way
	for _, args := range [][]string{
		{"-n", n.Name, "link", "set", "lo", "up"},
		{"link", "add", host, "type", "veth", "peer", "name", peer},
		{"link", "set", peer, "netns", n.Name},
		{"addr", "add", hostIP + "/30", "dev", host},
		{"link", "set", host, "up"},
		{"-n", n.Name, "addr", "add", nsIP + "/30", "dev", peer},
		{"-n", n.Name, "link", "set", peer, "up"},
	} {
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	return n
}

// inNetNS makes cmd run inside the namespace named name (ip netns exec),
// and die with the test process, as chromedp's own setup would have it.
func inNetNS(cmd *exec.Cmd, name string) {
	if ip, err := exec.LookPath("ip"); err == nil {
		cmd.Args = append([]string{ip, "netns", "exec", name}, cmd.Args...)
		cmd.Path = ip
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = new(syscall.SysProcAttr)
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// inside runs f on an OS thread that has joined the namespace. The thread
// is never handed back: it ends with f's goroutine (Go then discards it),
// while the sockets f made stay in the namespace.
func (n *NetNS) inside(f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no Unlock: see above
		fd, err := unix.Open(n.path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			errc <- fmt.Errorf("open %s: %w", n.path, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		errc <- f()
	}()
	return <-errc
}

// ForwardTCP opens TCP port of the namespace's 127.0.0.1 onto the same
// port of the host's 127.0.0.1 (where the test server listens), until the
// test ends. UDP stays closed.
func (n *NetNS) ForwardTCP(t testing.TB, port int) {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	var ln net.Listener
	if err := n.inside(func() (err error) {
		ln, err = net.Listen("tcp", addr)
		return err
	}); err != nil {
		t.Fatalf("listen in the namespace: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := map[net.Conn]struct{}{}
	track := func(c net.Conn, add bool) {
		mu.Lock()
		defer mu.Unlock()
		if add {
			open[c] = struct{}{}
		} else {
			delete(open, c)
		}
	}
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				in.Close()
				continue
			}
			track(in, true)
			track(out, true)
			wg.Go(func() {
				pipe(in, out)
				track(in, false)
				track(out, false)
			})
		}
	})
}

// pipe copies both ways between a and b until both directions end, then
// closes them.
func pipe(a, b net.Conn) {
	defer a.Close()
	defer b.Close()
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go cp(a, b)
	go cp(b, a)
	<-done
	<-done
}

// ForwardServer opens into the namespace the TCP ports a browser uses to
// reach srv: HTTP (REST, signaling, pages), ICE over TCP and TURN over TCP,
// as the server announces them at /doctor/api/config.
func (n *NetNS) ForwardServer(t testing.TB, srv *Server) {
	t.Helper()
	for _, p := range ServerTCPPorts(t, srv) {
		n.ForwardTCP(t, p)
	}
}
