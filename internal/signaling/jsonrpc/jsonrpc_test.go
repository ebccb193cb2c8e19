package jsonrpc

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		frame  string
		method string
		id     string // "" = no id
		params string // "" = none
		code   int    // 0 = success
		errID  string // id answered with on error ("" = null)
	}{
		{name: "first ping", frame: `{"jsonrpc":"2.0","method":"ping","params":{"interval":5000},"id":0}`, method: "ping", id: "0", params: `{"interval":5000}`},
		{name: "ping without params", frame: `{"jsonrpc":"2.0","method":"ping","id":4}`, method: "ping", id: "4"},
		{name: "string id", frame: `{"id":"7","jsonrpc":"2.0","method":"echo","params":{}}`, method: "echo", id: `"7"`, params: `{}`},
		{name: "null params", frame: `{"jsonrpc":"2.0","method":"echo","params":null,"id":1}`, method: "echo", id: "1"},
		{name: "whitespace id", frame: `{"jsonrpc":"2.0","method":"echo","id": 12 }`, method: "echo", id: "12"},
		{name: "null id", frame: `{"jsonrpc":"2.0","method":"echo","id":null}`, method: "echo", id: "null"},
		{name: "notification", frame: `{"jsonrpc":"2.0","method":"echo"}`, method: "echo"},
		{name: "not json", frame: `{"jsonrpc":`, code: CodeParseError},
		{name: "garbage", frame: `hello`, code: CodeParseError},
		{name: "empty", frame: ``, code: CodeParseError},
		{name: "array (batch)", frame: `[{"jsonrpc":"2.0","method":"ping","id":1}]`, code: CodeInvalidRequest},
		{name: "null", frame: `null`, code: CodeInvalidRequest},
		{name: "number", frame: `5`, code: CodeInvalidRequest},
		{name: "missing version", frame: `{"method":"ping","id":3}`, code: CodeInvalidRequest, errID: "3"},
		{name: "wrong version", frame: `{"jsonrpc":"1.0","method":"ping","id":3}`, code: CodeInvalidRequest, errID: "3"},
		{name: "missing method", frame: `{"jsonrpc":"2.0","id":3}`, code: CodeInvalidRequest, errID: "3"},
		{name: "empty method", frame: `{"jsonrpc":"2.0","method":"","id":3}`, code: CodeInvalidRequest, errID: "3"},
		{name: "numeric method", frame: `{"jsonrpc":"2.0","method":5,"id":3}`, code: CodeInvalidRequest, errID: "3"},
		{name: "object id", frame: `{"jsonrpc":"2.0","method":"ping","id":{}}`, code: CodeInvalidRequest},
		{name: "bool id", frame: `{"jsonrpc":"2.0","method":"ping","id":true}`, code: CodeInvalidRequest},
		{name: "array params", frame: `{"jsonrpc":"2.0","method":"ping","params":[1],"id":9}`, code: CodeInvalidParams, errID: "9"},
		{name: "string params", frame: `{"jsonrpc":"2.0","method":"ping","params":"x","id":9}`, code: CodeInvalidParams, errID: "9"},
		{name: "method key is case sensitive", frame: `{"jsonrpc":"2.0","Method":"ping","id":2}`, code: CodeInvalidRequest, errID: "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, errID, rpcErr := Decode([]byte(tt.frame))
			if tt.code != 0 {
				if rpcErr == nil {
					t.Fatalf("Decode succeeded (%+v), want error %d", req, tt.code)
				}
				if rpcErr.Code != tt.code {
					t.Fatalf("code = %d (%s), want %d", rpcErr.Code, rpcErr.Message, tt.code)
				}
				if rpcErr.Message == "" {
					t.Fatal("error without message")
				}
				if string(errID) != tt.errID {
					t.Fatalf("error id = %q, want %q", errID, tt.errID)
				}
				return
			}
			if rpcErr != nil {
				t.Fatalf("Decode: %v", rpcErr)
			}
			if req.Method != tt.method || string(req.ID) != tt.id || string(req.Params) != tt.params {
				t.Fatalf("got method=%q id=%q params=%q, want %q %q %q", req.Method, req.ID, req.Params, tt.method, tt.id, tt.params)
			}
			if req.IsNotification() != (tt.id == "") {
				t.Fatalf("IsNotification = %v", req.IsNotification())
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		got  func() ([]byte, error)
		want string
	}{
		{"result object", func() ([]byte, error) { return EncodeResult(json.RawMessage("0"), map[string]string{"value": "pong"}) },
			`{"jsonrpc":"2.0","id":0,"result":{"value":"pong"}}`},
		{"string id echoed", func() ([]byte, error) { return EncodeResult(json.RawMessage(`"7"`), struct{}{}) },
			`{"jsonrpc":"2.0","id":"7","result":{}}`},
		{"nil result is {}", func() ([]byte, error) { return EncodeResult(json.RawMessage("3"), nil) },
			`{"jsonrpc":"2.0","id":3,"result":{}}`},
		{"raw result", func() ([]byte, error) { return EncodeResult(json.RawMessage("3"), json.RawMessage(`{"a":1}`)) },
			`{"jsonrpc":"2.0","id":3,"result":{"a":1}}`},
		{"error", func() ([]byte, error) { return EncodeError(json.RawMessage("5"), NewError(601, "bad %s", "to")), nil },
			`{"jsonrpc":"2.0","id":5,"error":{"code":601,"message":"bad to"}}`},
		{"error null id", func() ([]byte, error) { return EncodeError(nil, NewError(CodeParseError, "parse error")), nil },
			`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}`},
		{"error with data", func() ([]byte, error) {
			return EncodeError(json.RawMessage("5"), &Error{Code: 1, Message: "m", Data: json.RawMessage(`{"x":1}`)}), nil
		}, `{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"m","data":{"x":1}}}`},
		{"notification", func() ([]byte, error) {
			return EncodeNotification("participantLeft", map[string]string{"connectionId": "con_A", "reason": "disconnect"})
		}, `{"jsonrpc":"2.0","method":"participantLeft","params":{"connectionId":"con_A","reason":"disconnect"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.got()
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Fatalf("got  %s\nwant %s", b, tt.want)
			}
			checkClientAccepts(t, b)
		})
	}
}

// checkClientAccepts applies the checks of openvidu-browser's packer: a
// "2.0" version and, for responses, exactly one of result and error.
func checkClientAccepts(t *testing.T, frame []byte) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(frame, &m); err != nil {
		t.Fatalf("not an object: %v", err)
	}
	if string(m["jsonrpc"]) != `"2.0"` {
		t.Fatalf("jsonrpc = %s", m["jsonrpc"])
	}
	if _, isNotification := m["method"]; isNotification {
		if _, ok := m["id"]; ok {
			t.Fatal("notification with id")
		}
		return
	}
	_, hasResult := m["result"]
	_, hasError := m["error"]
	if hasResult == hasError {
		t.Fatalf("response must have exactly one of result/error: %s", frame)
	}
}

func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"jsonrpc":"2.0","method":"ping","params":{"interval":5000},"id":0}`,
		`{"jsonrpc":"2.0","method":"ping","id":4}`,
		`{"jsonrpc":"2.0","method":"joinRoom","params":{"token":"ws://localhost:4443?sessionId=s&token=tok_A","session":"s","metadata":"{}"},"id":1}`,
		`{"jsonrpc":"2.0","method":"onIceCandidate","params":{"endpointName":"con_A","candidate":"","sdpMid":"0","sdpMLineIndex":0},"id":"x"}`,
		`{"jsonrpc":"2.0","method":"echo","params":null}`,
		`{"jsonrpc":"2.0","method":"echo","params":[],"id":null}`,
		`{"jsonrpc":"1.0","id":-1.5e3}`,
		`[]`, `null`, `"str"`, `{`, ``, `{"id":{"a":1}}`, "{\"jsonrpc\":\"2.0\",\"method\":\"\u00e9\",\"id\":1}",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		req, errID, rpcErr := Decode(frame)
		if (req == nil) == (rpcErr == nil) {
			t.Fatalf("exactly one of request and error expected: %+v %+v", req, rpcErr)
		}
		if rpcErr != nil {
			if rpcErr.Message == "" {
				t.Fatal("error without message")
			}
			out := EncodeError(errID, rpcErr)
			if !json.Valid(out) {
				t.Fatalf("invalid error frame %s", out)
			}
			checkClientAccepts(t, out)
			return
		}
		if req.Method == "" {
			t.Fatal("empty method accepted")
		}
		if req.Params != nil && !bytes.HasPrefix(bytes.TrimSpace(req.Params), []byte("{")) {
			t.Fatalf("non-object params accepted: %s", req.Params)
		}
		out, err := EncodeResult(req.ID, map[string]any{"echo": req.Method})
		if err != nil {
			t.Fatal(err)
		}
		checkClientAccepts(t, out)
		var back struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if req.ID != nil && !bytes.Equal(back.ID, req.ID) {
			t.Fatalf("id not echoed: sent %s, answered %s", req.ID, back.ID)
		}
	})
}
