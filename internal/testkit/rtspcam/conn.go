package rtspcam

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// queueLen bounds what a client may have waiting: about 2 s of video at
// 320×240. Beyond it media packets are dropped for that client alone.
const queueLen = 256

// writeTimeout ends a connection whose client has not taken a single write
// for that long; a merely slow client loses packets but stays connected.
const writeTimeout = 10 * time.Second

// conn is one client's RTSP connection. Its reader goroutine (serve) parses
// requests and owns the session state in sessionState; its writer goroutine
// is the only one writing to the socket, draining out in order, so that a
// response is never split by a media frame and PLAY's answer precedes the
// first RTP packet.
type conn struct {
	cam *Camera
	nc  net.Conn

	out       chan outFrame
	done      chan struct{} // closed by close
	closeOnce sync.Once
	dropped   atomic.Int64 // media packets lost because out was full

	sessionState // owned by the reader goroutine
}

// outFrame is a response (channel < 0, data is the whole message) or an
// RTP/RTCP packet for an interleaved channel.
type outFrame struct {
	channel int
	data    []byte
}

func newConn(cam *Camera, nc net.Conn, tracks int) *conn {
	cn := &conn{
		cam:  cam,
		nc:   nc,
		out:  make(chan outFrame, queueLen),
		done: make(chan struct{}),
	}
	cn.reset(tracks)
	return cn
}

// send queues a response, waiting for room: responses are never dropped.
func (cn *conn) send(msg []byte) {
	select {
	case cn.out <- outFrame{channel: -1, data: msg}:
	case <-cn.done:
	}
}

// offer queues a media packet if there is room. It never blocks, as the
// camera calls it for every client in turn.
func (cn *conn) offer(channel int, pkt []byte) {
	select {
	case cn.out <- outFrame{channel: channel, data: pkt}:
	default:
		cn.dropped.Add(1)
	}
}

// writeLoop is the connection's writer goroutine.
func (cn *conn) writeLoop() {
	defer cn.cam.wg.Done()
	var head [4]byte
	for {
		var f outFrame
		select {
		case <-cn.done:
			return
		case f = <-cn.out:
		}
		_ = cn.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		var err error
		if f.channel < 0 {
			_, err = cn.nc.Write(f.data)
		} else {
			// RFC 2326 §10.12: '$', channel, 16-bit length, packet.
			head = [4]byte{'$', byte(f.channel), byte(len(f.data) >> 8), byte(len(f.data))}
			bufs := net.Buffers{head[:], f.data}
			_, err = bufs.WriteTo(cn.nc)
		}
		if err != nil {
			cn.close() // the reader sees the socket closed and cleans up
			return
		}
	}
}

// close ends the connection; safe from any goroutine, more than once.
func (cn *conn) close() {
	cn.closeOnce.Do(func() {
		close(cn.done)
		_ = cn.nc.Close()
	})
}
