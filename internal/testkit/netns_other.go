//go:build !linux

package testkit

import (
	"os/exec"
	"testing"
)

// NetNS is Linux only; elsewhere the tests that need one are skipped.
type NetNS struct{ Name string }

// NewNetNS skips the test: network namespaces are a Linux feature.
func NewNetNS(t testing.TB) *NetNS {
	t.Skip("network namespaces are Linux only")
	return nil
}

// ForwardTCP is never reached (NewNetNS skips).
func (n *NetNS) ForwardTCP(t testing.TB, port int) {}

func inNetNS(cmd *exec.Cmd, name string) {}

// ForwardServer is never reached (NewNetNS skips).
func (n *NetNS) ForwardServer(t testing.TB, srv *Server) {}
