//go:build linux && (amd64 || arm64)

package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// batchConn is the ICE UDP socket with its writes gathered into
// sendmmsg(2) calls. A publisher's packet fans out to every subscriber
// on one goroutine, back to back: instead of one system call per copy,
// the copies are queued and the forwarding goroutine sends them all with
// Flush when its fan-out is done (Receiver.forward). Writes from other
// goroutines (RTCP, ICE, DTLS, retransmissions) are sent by a flusher
// goroutine woken by the first queued packet. No timer is involved, so
// batching adds no latency of its own. Senders take sendMu before taking
// batches, so packets leave in the order they were written; full
// batches wait in a bounded list (beyond it packets are dropped, as by a
// full socket buffer).
//
// Writes are reported successful when queued: UDP gives no delivery
// guarantee anyway, and an unconnected socket reports no ICMP errors.
type batchConn struct {
	*net.UDPConn
	raw syscall.RawConn

	sendMu  sync.Mutex   // one sender at a time, in queue order; taken before mu
	flushed []*sendBatch // the sender's list, reused (guarded by sendMu)

	mu     sync.Mutex // guards queue, full, closed
	queue  *sendBatch
	full   []*sendBatch // full batches waiting to be sent, oldest first
	closed bool

	holds atomic.Int32    // fan-outs in progress that will Flush: no need to wake the flusher
	free  chan *sendBatch // recycled batches
	wake  chan struct{}   // capacity 1: the queue became non-empty
	done  chan struct{}   // closed when the flusher ends
}

const (
	batchMax     = 64 // messages per sendmmsg
	maxFullQueue = 64 // full batches waiting (4096 packets) before dropping
)

// mmsghdr is struct mmsghdr of <sys/socket.h> on 64-bit Linux.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

// sendBatch holds up to batchMax packets with their headers, wired once:
// queueing a packet is a copy, sending is one system call, no allocation.
type sendBatch struct {
	n     int
	hdrs  [batchMax]mmsghdr
	iovs  [batchMax]unix.Iovec
	addrs [batchMax]unix.RawSockaddrInet4
	bufs  [batchMax][maxPacketSize]byte

	// for the RawConn.Write callback, made once (a closure per call would allocate)
	off, sent int
	errno     syscall.Errno
	send      func(fd uintptr) bool
}

func newSendBatch() *sendBatch {
	b := &sendBatch{}
	for i := range b.hdrs {
		b.iovs[i].Base = &b.bufs[i][0]
		b.hdrs[i].hdr.Iov = &b.iovs[i]
		b.hdrs[i].hdr.SetIovlen(1)
		b.hdrs[i].hdr.Name = (*byte)(unsafe.Pointer(&b.addrs[i]))
		b.hdrs[i].hdr.Namelen = unix.SizeofSockaddrInet4
		b.addrs[i].Family = unix.AF_INET
	}
	b.send = func(fd uintptr) bool {
		r, _, e := unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&b.hdrs[b.off])), uintptr(b.n-b.off), 0, 0, 0)
		if e == unix.EAGAIN {
			return false // wait until writable
		}
		b.sent, b.errno = int(r), e
		return true
	}
	return b
}

// add queues one packet; false when the batch is full or the address is not IPv4.
func (b *sendBatch) add(p []byte, addr netip.AddrPort) bool {
	ip := addr.Addr().Unmap()
	if b.n == batchMax || !ip.Is4() || len(p) > maxPacketSize {
		return false
	}
	i := b.n
	copy(b.bufs[i][:], p)
	b.iovs[i].SetLen(len(p))
	a := &b.addrs[i]
	a.Addr = ip.As4()
	binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&a.Port))[:], addr.Port())
	b.n++
	return true
}

// flush sends the batch; a message the kernel refuses is skipped.
func (b *sendBatch) flush(raw syscall.RawConn) error {
	var last error
	for b.off = 0; b.off < b.n; {
		if err := raw.Write(b.send); err != nil {
			last = err
			break // closed socket
		}
		if b.errno != 0 {
			last = b.errno
			b.off++ // drop the message that failed, keep the others
			continue
		}
		b.off += b.sent
	}
	b.n = 0
	return last
}

// newBatchConn wraps an IPv4 UDP socket; other sockets are returned as they are.
func newBatchConn(c *net.UDPConn) net.PacketConn {
	la, ok := c.LocalAddr().(*net.UDPAddr)
	if !ok || la.IP.To4() == nil {
		return c
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return c
	}
	bc := &batchConn{
		UDPConn: c, raw: raw, queue: newSendBatch(),
		free: make(chan *sendBatch, 4), wake: make(chan struct{}, 1), done: make(chan struct{}),
	}
	go bc.flusher()
	return bc
}

// getBatch is called with mu held (and by the flusher with mu held).
func (c *batchConn) getBatch() *sendBatch {
	select {
	case b := <-c.free:
		return b
	default:
		return newSendBatch()
	}
}

func (c *batchConn) putBatch(b *sendBatch) {
	select {
	case c.free <- b:
	default:
	}
}

// WriteToAddrPort queues p (the allocation-free path of Pion's UDP mux).
func (c *batchConn) WriteToAddrPort(p []byte, addr netip.AddrPort) (int, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, net.ErrClosed
	}
	q := c.queue
	if !q.add(p, addr) {
		if q.n < batchMax { // not IPv4 or oversized: write it directly
			c.mu.Unlock()
			return c.UDPConn.WriteToUDPAddrPort(p, addr)
		}
		if len(c.full) >= maxFullQueue {
			c.mu.Unlock()
			return len(p), nil // the flusher is far behind: drop
		}
		c.full = append(c.full, q)
		q = c.getBatch()
		c.queue = q
		q.add(p, addr)
	}
	first := q.n == 1
	c.mu.Unlock()
	// A fan-out in progress sends this with its Flush (holds is dropped
	// before Flush takes the queue, so a write it misses sees 0 and wakes).
	if first && c.holds.Load() == 0 {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// WriteTo is the net.PacketConn form (TURN, STUN paths that use net.Addr).
func (c *batchConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return c.UDPConn.WriteTo(p, addr)
	}
	return c.WriteToAddrPort(p, ua.AddrPort())
}

// ReadFromAddrPort reads without allocating, as Pion's mux prefers.
func (c *batchConn) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return c.UDPConn.ReadFromUDPAddrPort(p)
}

// Hold announces a fan-out that will end with Flush: its writes do not
// wake the flusher goroutine (a wake-up per packet costs more than the
// system calls batching saves on small fan-outs).
func (c *batchConn) Hold() { c.holds.Add(1) }

// Flush ends a Hold and sends everything queued, in order, on the calling goroutine.
func (c *batchConn) Flush() {
	c.holds.Add(-1)
	c.flush()
}

// flush reports whether the conn is closed.
func (c *batchConn) flush() (closed bool) {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	c.mu.Lock()
	if c.queue.n == 0 && len(c.full) == 0 {
		closed = c.closed
		c.mu.Unlock()
		return closed
	}
	batches := append(c.flushed[:0], c.full...)
	clear(c.full)
	c.full = c.full[:0]
	if c.queue.n > 0 {
		batches = append(batches, c.queue)
		c.queue = c.getBatch()
	}
	closed = c.closed
	c.mu.Unlock()
	for i, b := range batches {
		_ = b.flush(c.raw) // per-message errors are dropped like lost datagrams
		c.putBatch(b)
		batches[i] = nil
	}
	c.flushed = batches
	return closed
}

func (c *batchConn) flusher() {
	defer close(c.done)
	for range c.wake {
		if c.flush() {
			return
		}
	}
}

// Close sends what is queued, then closes the socket.
func (c *batchConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	<-c.done
	return c.UDPConn.Close()
}
