package signaling

import (
	"context"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/govidu/govidu/internal/core"
)

func TestErrors(t *testing.T) {
	e := newEnv(t, nil)
	sid := e.session("ses_Errors")
	// A publisher that other rows subscribe to, and a joined non-publisher.
	owner := e.dial("owner")
	owner.join(e.token(sid, core.RolePublisher, ""), "owner")
	ownerStream := owner.publish()
	idle := e.dial("idle")
	idle.join(e.token(sid, core.RolePublisher, ""), "idle")
	usedToken := e.token(sid, core.RolePublisher, "")
	e.dial("first").join(usedToken, "first")

	const (
		fresh = iota
		joined
		subscriber
		publishing
		moderator
	)
	tests := []struct {
		name    string
		state   int
		method  string
		params  map[string]any
		code    int
		mention string // the message must contain it
	}{
		{"publish before join", fresh, "publishVideo", publishParams(fakeOffer), 803, "joinRoom"},
		{"signal before join", fresh, "sendMessage", map[string]any{"message": "{}"}, 803, ""},
		{"leave before join", fresh, "leaveRoom", map[string]any{}, 803, ""},
		{"filter before join", fresh, "applyFilter", map[string]any{"streamId": "x"}, 803, ""},
		{"unknown session", fresh, "joinRoom", map[string]any{"token": "ws://localhost:4443?sessionId=ses_Nope&token=tok_A000000000000000", "session": "ses_Nope"}, 202, "ses_Nope"},
		{"unknown token", fresh, "joinRoom", map[string]any{"token": "ws://localhost:4443?sessionId=ses_Errors&token=tok_A000000000000000", "session": sid}, 401, "not valid"},
		{"used token", fresh, "joinRoom", map[string]any{"token": usedToken, "session": sid}, 401, "not valid"},
		{"join without token", fresh, "joinRoom", map[string]any{"session": sid}, -32602, "'token'"},
		{"token of the wrong type", fresh, "joinRoom", map[string]any{"token": 5}, -32602, "'token'"},
		{"connect to an unknown RPC session", fresh, "connect", map[string]any{"sessionId": "nope", "reconnect": true}, 40007, "reconnection error"},
		{"join twice", joined, "joinRoom", map[string]any{"token": usedToken}, -32602, "already joined"},
		{"double publish", publishing, "publishVideo", publishParams(fakeOffer), 106, "already publishing"},
		{"subscriber publishes", subscriber, "publishVideo", publishParams(fakeOffer), 401, ""},
		{"bad SDP", joined, "publishVideo", publishParams("not an SDP"), 302, ""},
		{"publish without offer", joined, "publishVideo", map[string]any{"hasAudio": true}, -32602, "'sdpOffer'"},
		{"unpublish when not publishing", joined, "unpublishVideo", map[string]any{}, 105, ""},
		{"subscribe to an unknown publisher", joined, "receiveVideoFrom", map[string]any{"sender": "str_CAM_Abcd_con_Nobody0000", "sdpOffer": fakeOffer}, 102, ""},
		{"subscribe to a non-publisher", joined, "receiveVideoFrom", map[string]any{"sender": "str_CAM_Abcd_" + idle.connID, "sdpOffer": fakeOffer}, 105, ""},
		{"subscribe without sender", joined, "receiveVideoFrom", map[string]any{"sdpOffer": fakeOffer}, -32602, "'sender'"},
		{"subscribe in server-offer mode", joined, "receiveVideoFrom", map[string]any{"sender": ownerStream, "sdpAnswer": fakeOffer}, 996, "kurento"},
		{"subscribe with a bad SDP", joined, "receiveVideoFrom", map[string]any{"sender": ownerStream, "sdpOffer": "garbage"}, 302, ""},
		{"unsubscribe from nobody", joined, "unsubscribeFromVideo", map[string]any{"sender": owner.connID}, 102, ""},
		{"candidate with a bad index", joined, "onIceCandidate", map[string]any{"endpointName": owner.connID, "candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMLineIndex": "zero"}, -32602, "'sdpMLineIndex'"},
		{"disconnect an unknown connection", moderator, "forceDisconnect", map[string]any{"connectionId": "con_Nobody0000"}, 102, ""},
		{"disconnect without permission", joined, "forceDisconnect", map[string]any{"connectionId": idle.connID}, 401, "MODERATOR"},
		{"unpublish an unknown stream", moderator, "forceUnpublish", map[string]any{"streamId": "str_CAM_Abcd_con_Nobody0000"}, 105, ""},
		{"unpublish without permission", joined, "forceUnpublish", map[string]any{"streamId": ownerStream}, 401, ""},
		{"invalid signal", joined, "sendMessage", map[string]any{"message": "nope"}, 600, ""},
		{"signal to a stranger", joined, "sendMessage", map[string]any{"message": `{"to":["con_Nobody0000"],"data":"","type":"signal:x"}`}, 601, "con_Nobody0000"},
		{"signal with a non-array to", joined, "sendMessage", map[string]any{"message": `{"to":"all","data":"","type":"signal:x"}`}, 600, ""},
		{"property of no stream", joined, "streamPropertyChanged", map[string]any{"streamId": "x", "property": "audioActive", "newValue": true, "reason": "publishAudio"}, 105, ""},
		{"unknown method", joined, "frobnicate", map[string]any{}, -32601, "frobnicate"},
		{"unknown method before join", fresh, "frobnicate", nil, -32601, "frobnicate"},
		{"applyFilter", publishing, "applyFilter", map[string]any{"streamId": "x", "type": "GStreamerFilter", "options": "{}"}, 996, "filters are not supported"},
		{"removeFilter", publishing, "removeFilter", map[string]any{"streamId": "x"}, 996, ""},
		{"execFilterMethod", publishing, "execFilterMethod", map[string]any{"streamId": "x", "method": "m", "params": "{}"}, 996, ""},
		{"addFilterEventListener", publishing, "addFilterEventListener", map[string]any{"streamId": "x", "eventType": "e"}, 996, ""},
		{"removeFilterEventListener", publishing, "removeFilterEventListener", map[string]any{"streamId": "x", "eventType": "e"}, 996, ""},
		{"subscribeToSpeechToText", joined, "subscribeToSpeechToText", map[string]any{"connectionId": "x", "lang": "en-US"}, 997, "Pro"},
		{"unsubscribeFromSpeechToText", joined, "unsubscribeFromSpeechToText", map[string]any{"connectionId": "x"}, 997, "Pro"},
		{"prepareReceiveVideoFrom", joined, "prepareReceiveVideoFrom", map[string]any{"sender": ownerStream, "reconnect": false}, 996, "kurento"},
		{"reconnect an unknown stream", joined, "reconnectStream", map[string]any{"stream": "str_CAM_Abcd_con_Nobody0000", "sdpOffer": fakeOffer}, 105, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dial("C")
			c.t = t
			switch tt.state {
			case joined:
				c.join(e.token(sid, core.RolePublisher, ""), "")
			case subscriber:
				c.join(e.token(sid, core.RoleSubscriber, ""), "")
			case publishing:
				c.join(e.token(sid, core.RolePublisher, ""), "")
				c.publish()
			case moderator:
				c.join(e.token(sid, core.RoleModerator, ""), "")
			}
			err := c.callErr(tt.method, tt.params)
			if err.Code != tt.code || err.Message == "" || !strings.Contains(err.Message, tt.mention) {
				t.Fatalf("%s: got %d %q, want %d mentioning %q", tt.method, err.Code, err.Message, tt.code, tt.mention)
			}
			// The socket survives every error: ping still works (pitfall 30).
			c.call("ping", nil)
			c.closeNow()
		})
	}
}

// TestFramingErrors: broken frames get JSON-RPC errors and the socket lives on.
func TestFramingErrors(t *testing.T) {
	e := newEnv(t, nil)
	c := e.dial("C")
	for _, tt := range []struct {
		frame string
		code  int
	}{
		{`{"jsonrpc":"2.0","method":"ping","id":`, -32700},
		{`not json at all`, -32700},
		{`[{"jsonrpc":"2.0","method":"ping","id":1}]`, -32600},
		{`{"jsonrpc":"1.0","method":"ping","id":1}`, -32600},
		{`{"jsonrpc":"2.0","id":1}`, -32600},
		{`{"jsonrpc":"2.0","method":"joinRoom","params":[1,2],"id":1}`, -32602},
	} {
		c.send(tt.frame)
		m := c.next()
		checkResponseShape(t, m)
		got := decode[struct{ Code int }](t, m["error"])
		if got.Code != tt.code {
			t.Fatalf("%s: code %d, want %d", tt.frame, got.Code, tt.code)
		}
	}
	// ping and echo answer before joinRoom, with or without params.
	c.call("ping", map[string]any{"interval": 5000})
	c.call("ping", nil)
	c.call("echo", map[string]any{})
	c.send(`{"jsonrpc":"2.0","method":"ping","id":"str-id"}`)
	if m := c.next(); string(m["id"]) != `"str-id"` {
		t.Fatalf("id not echoed: %s", m["id"])
	}
}

// TestOversizedFrame: large frames pass (pitfall 34); a frame over the read
// limit closes that socket only, with 1009.
func TestOversizedFrame(t *testing.T) {
	def := Options{}
	def.setDefaults()
	if def.ReadLimit < 4<<20 {
		t.Fatalf("default read limit %d, want at least 4 MiB", def.ReadLimit)
	}
	e := newEnv(t, nil)
	sid := e.session("ses_Big")
	big, ok := e.dial("big"), e.dial("ok")
	big.join(e.token(sid, core.RolePublisher, ""), "")
	ok.join(e.token(sid, core.RolePublisher, ""), "")
	big.expect("participantJoined")
	e.trans.pause()                         // normalising a MiB of text would dominate the test
	payload := strings.Repeat("x", 256<<10) // well over the 32 KiB default of some libraries
	big.call("sendMessage", signalParams(t, []string{ok.connID}, payload, "signal:big"))
	if got := decode[map[string]string](t, ok.expect("sendMessage")); len(got["data"]) != len(payload) {
		t.Fatal("large signal truncated")
	}

	// A small limit keeps the oversized frame within the socket buffers,
	// so the client is free to complete the close handshake.
	small := newEnv(t, nil, func(o *Options) { o.ReadLimit = 64 << 10 })
	c, other := small.dial("C"), small.dial("other")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	// The server may reset the connection before the write ends.
	_ = c.conn.Write(ctx, websocket.MessageText, []byte(`{"jsonrpc":"2.0","method":"echo","params":{"x":"`+strings.Repeat("y", 128<<10)+`"},"id":99}`))
	if code := c.waitClosed(); code != websocket.StatusMessageTooBig {
		t.Fatalf("close status %d, want 1009", code)
	}
	other.call("ping", nil)
}
