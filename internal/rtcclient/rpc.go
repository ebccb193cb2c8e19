package rtcclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"
)

// RPCError is an error response of the server.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *RPCError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// ErrClosed is returned by calls on a closed Client.
var ErrClosed = errors.New("rtcclient: closed")

type rpcFrame struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      *int64          `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
}

type rpcRequest struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
	ID      int64  `json:"id"`
}

// rpcConn is the JSON-RPC 2.0 side of one WebSocket, as openvidu-browser
// speaks it: ids from 0, one frame per message, concurrent requests
// matched by id, notifications handed to notify on the read goroutine.
type rpcConn struct {
	ws     *websocket.Conn
	ctx    context.Context // cancelled when the connection ends
	cancel context.CancelFunc
	notify func(method string, params json.RawMessage)
	ids    atomic.Int64

	mu      sync.Mutex
	pending map[int64]chan rpcFrame
	err     error // why the connection ended

	done chan struct{} // closed when the read loop ends
}

func newRPCConn(ws *websocket.Conn, notify func(string, json.RawMessage)) *rpcConn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &rpcConn{ws: ws, ctx: ctx, cancel: cancel, notify: notify,
		pending: map[int64]chan rpcFrame{}, done: make(chan struct{})}
	c.ids.Store(-1)
	ws.SetReadLimit(4 << 20)
	go c.readLoop()
	return c
}

func (c *rpcConn) readLoop() {
	defer close(c.done)
	var err error
	for {
		var data []byte
		_, data, err = c.ws.Read(c.ctx)
		if err != nil {
			break
		}
		var f rpcFrame
		if json.Unmarshal(data, &f) != nil || f.JSONRPC != "2.0" {
			continue
		}
		if f.Method != "" {
			if c.notify != nil {
				c.notify(f.Method, f.Params)
			}
			continue
		}
		if f.ID == nil {
			continue
		}
		c.mu.Lock()
		ch := c.pending[*f.ID]
		delete(c.pending, *f.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- f
		}
	}
	c.mu.Lock()
	c.err = err
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	c.cancel()
}

// call sends a request and waits for its response. params nil omits them.
func (c *rpcConn) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	id := c.ids.Add(1)
	ch := make(chan rpcFrame, 1)
	c.mu.Lock()
	if c.err != nil || c.ctx.Err() != nil {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	c.pending[id] = ch
	c.mu.Unlock()
	forget := func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}
	data, err := json.Marshal(rpcRequest{JSONRPC: "2.0", Method: method, Params: params, ID: id})
	if err != nil {
		forget()
		return nil, err
	}
	if err := c.ws.Write(ctx, websocket.MessageText, data); err != nil {
		forget()
		return nil, fmt.Errorf("rtcclient: %s: %w", method, err)
	}
	select {
	case f, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("rtcclient: %s: %w", method, ErrClosed)
		}
		if f.Error != nil {
			return nil, f.Error
		}
		return f.Result, nil
	case <-ctx.Done():
		forget()
		return nil, fmt.Errorf("rtcclient: %s: %w", method, ctx.Err())
	case <-c.ctx.Done():
		forget()
		return nil, fmt.Errorf("rtcclient: %s: %w", method, ErrClosed)
	}
}

// close ends the connection with the client's normal close code.
func (c *rpcConn) close() {
	_ = c.ws.Close(4102, "Connection closed by client")
	c.cancel()
	<-c.done
}
