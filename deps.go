//go:build tools

package tools

import (
	_ "github.com/coder/websocket"
	_ "github.com/pion/webrtc/v4"
	_ "go.uber.org/goleak"
)
