package api

import (
	"testing"

	"github.com/govidu/govidu/internal/core"
)

// The REST body decoders read network input: whatever the bytes, they must
// return a value or a catalogue error, never panic, and never accept a value
// that core would reject.

var fuzzSeeds = []string{
	``, `null`, `{}`, `[]`, `"x"`, `{"a":`,
	`{"mediaMode":"ROUTED","recordingMode":"ALWAYS","customSessionId":"abc","forcedVideoCodec":"VP8","allowTranscoding":true}`,
	`{"defaultRecordingProperties":{"name":"n","hasAudio":false,"hasVideo":true,"outputMode":"COMPOSED","recordingLayout":"CUSTOM","customLayout":"x","resolution":"1920x1080","frameRate":30,"shmSize":134217728}}`,
	`{"mediaNode":{"id":"m"}}`, `{"mediaNode":"m"}`, `{"mediaNode":5}`,
	`{"type":"IPCAM","rtspUri":"rtsp://h:554/p","adaptativeBitrate":false,"onlyPlayWithSubscribers":false,"networkCache":1000}`,
	`{"role":"MODERATOR","data":"d","record":false,"kurentoOptions":{"videoMaxRecvBandwidth":1,"allowedFilters":["a"]}}`,
	`{"customIceServers":[{"url":"turn:h:3478","username":"u","credential":"c"},{"url":"stun:[::1]"},null,5]}`,
	`{"session":"s","to":["con_A",null,1],"type":"t","data":"d"}`,
	`{"frameRate":1e99,"shmSize":-1,"networkCache":"x"}`,
}

func fuzzObject(t *testing.T, data []byte) object {
	o, err := decodeObject(data, true)
	if err != nil {
		if core.AsError(err).HTTPStatus != 400 {
			t.Fatalf("decodeObject(%q): non-400 error %v", data, err)
		}
		return nil
	}
	return o
}

func FuzzSessionProperties(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	svc := core.NewService(core.Options{TokenURL: "ws://localhost:4443"})
	f.Fuzz(func(t *testing.T, data []byte) {
		o := fuzzObject(t, data)
		if o == nil {
			return
		}
		p, err := decodeSessionProperties(o, svc.NewSessionProperties())
		if err != nil {
			return
		}
		if p.CustomSessionID != "" && !core.ValidCustomSessionID(p.CustomSessionID) {
			// core must refuse it; the decoder only checks types.
			if _, err := svc.CreateSession(p); err == nil {
				t.Fatalf("invalid custom id %q accepted", p.CustomSessionID)
			}
		}
	})
}

func FuzzConnectionProperties(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o := fuzzObject(t, data)
		if o == nil {
			return
		}
		p, err := decodeConnectionProperties(o)
		if err != nil {
			return
		}
		if _, err := core.ParseRole(string(p.Role)); err != nil {
			t.Fatalf("decoded invalid role %q", p.Role)
		}
		if p.Type == core.ConnectionIPCam && p.RtspURI == "" {
			t.Fatalf("IPCAM without rtspUri accepted")
		}
	})
}

func FuzzRecordingProperties(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o := fuzzObject(t, data)
		if o == nil {
			return
		}
		p, err := decodeRecordingProperties(o, core.DefaultRecordingProperties())
		if err != nil {
			return
		}
		_ = p.Validate() // must not panic
	})
}

func FuzzSignalBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o := fuzzObject(t, data)
		if o == nil {
			return
		}
		req, err := decodeSignal(o)
		if err != nil {
			if st := core.AsError(err).HTTPStatus; st != 400 && st != 406 {
				t.Fatalf("signal body error with status %d: %v", st, err)
			}
			return
		}
		if _, ok := o["session"]; !ok {
			t.Fatalf("accepted a signal without session: %q", data)
		}
		if items, ok, _ := o.array("to"); ok && len(items) != len(req.to) {
			t.Fatalf("recipients %d decoded as %d", len(items), len(req.to))
		}
	})
}
