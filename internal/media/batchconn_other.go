//go:build !(linux && (amd64 || arm64))

package media

import "net"

// newBatchConn: write batching (sendmmsg) is Linux-only; elsewhere every
// packet is its own write.
func newBatchConn(c *net.UDPConn) net.PacketConn { return c }
