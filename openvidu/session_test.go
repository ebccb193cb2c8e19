package openvidu_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/govidu/govidu/openvidu"
)

func TestCreateSession(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)

	defaults := &openvidu.RecordingProperties{
		HasAudio: openvidu.Bool(true), HasVideo: openvidu.Bool(true),
		OutputMode: openvidu.OutputModeComposed, RecordingLayout: openvidu.RecordingLayoutBestFit,
		Resolution: "1280x720", FrameRate: 25, ShmSize: 536870912,
	}
	tests := []struct {
		name  string
		props openvidu.SessionProperties
		check func(t *testing.T, s *openvidu.Session)
	}{{
		name:  "plain",
		props: openvidu.SessionProperties{},
		check: func(t *testing.T, s *openvidu.Session) {
			if !randomSessionID.MatchString(s.ID) {
				t.Errorf("ID = %q, want ses_ + 10 chars", s.ID)
			}
			want := openvidu.SessionProperties{
				MediaMode: openvidu.MediaModeRouted, RecordingMode: openvidu.RecordingModeManual,
				ForcedVideoCodec: openvidu.VideoCodecMediaServerPreferred, AllowTranscoding: openvidu.Bool(false),
				DefaultRecordingProperties: defaults,
			}
			assertEqual(t, "Properties", s.Properties, want)
		},
	}, {
		name: "custom",
		props: openvidu.SessionProperties{
			CustomSessionID: "custom-Room_1", MediaMode: openvidu.MediaModeRouted, RecordingMode: openvidu.RecordingModeAlways,
			ForcedVideoCodec: openvidu.VideoCodecVP8, AllowTranscoding: openvidu.Bool(true),
			DefaultRecordingProperties: &openvidu.RecordingProperties{Name: "rec", OutputMode: openvidu.OutputModeIndividual, HasVideo: openvidu.Bool(false)},
		},
		check: func(t *testing.T, s *openvidu.Session) {
			want := openvidu.SessionProperties{
				CustomSessionID: "custom-Room_1", MediaMode: openvidu.MediaModeRouted, RecordingMode: openvidu.RecordingModeAlways,
				ForcedVideoCodec: openvidu.VideoCodecVP8, AllowTranscoding: openvidu.Bool(true),
				DefaultRecordingProperties: &openvidu.RecordingProperties{
					Name: "rec", HasAudio: openvidu.Bool(true), HasVideo: openvidu.Bool(false), OutputMode: openvidu.OutputModeIndividual,
				},
			}
			if s.ID != "custom-Room_1" {
				t.Errorf("ID = %q", s.ID)
			}
			assertEqual(t, "Properties", s.Properties, want)
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			s := mustCreateSession(t, ctx, ov, tt.props)
			if s.CreatedAt.Before(before) || s.CreatedAt.After(time.Now().Add(time.Second)) {
				t.Errorf("CreatedAt = %v, want about now", s.CreatedAt)
			}
			if s.Recording || s.Broadcasting || len(s.Connections) != 0 {
				t.Errorf("new session: Recording=%v Broadcasting=%v Connections=%d", s.Recording, s.Broadcasting, len(s.Connections))
			}
			tt.check(t, s)
			got, err := ov.Session(ctx, s.ID)
			if err != nil {
				t.Fatalf("Session(%s): %v", s.ID, err)
			}
			assertEqual(t, "fetched session", got, s)
		})
	}
}

// A taken customSessionId answers 409; CreateSession adopts the existing
// session (the node client's getSessionHttp does the same).
func TestCreateSessionAdoptsExisting(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	first := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{CustomSessionID: "shared", ForcedVideoCodec: openvidu.VideoCodecH264})
	conn, err := first.CreateConnection(ctx, openvidu.ConnectionProperties{Data: "first"})
	if err != nil {
		t.Fatal(err)
	}
	// Different properties: the existing session wins, as upstream.
	second, err := ov.CreateSession(ctx, openvidu.SessionProperties{CustomSessionID: "shared", ForcedVideoCodec: openvidu.VideoCodecVP9})
	if err != nil {
		t.Fatalf("second CreateSession: %v", err)
	}
	if second.ID != "shared" || !second.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("adopted session = %s created %v, want shared created %v", second.ID, second.CreatedAt, first.CreatedAt)
	}
	if second.Properties.ForcedVideoCodec != openvidu.VideoCodecH264 {
		t.Errorf("adopted codec = %s, want the existing session's H264", second.Properties.ForcedVideoCodec)
	}
	if len(second.Connections) != 1 || second.Connections[0].ID != conn.ID {
		t.Errorf("adopted session connections = %+v, want the pending %s", second.Connections, conn.ID)
	}
	sessions, err := ov.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 {
		t.Errorf("Sessions() has %d sessions, want 1", len(sessions))
	}
}

func TestCreateSessionInvalid(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	tests := []struct {
		name  string
		props openvidu.SessionProperties
	}{
		{"customSessionId with a space", openvidu.SessionProperties{CustomSessionID: "bad id"}},
		{"customSessionId with a slash", openvidu.SessionProperties{CustomSessionID: "a/b"}},
		{"customSessionId with a dot", openvidu.SessionProperties{CustomSessionID: "a.b"}},
		{"unknown media mode", openvidu.SessionProperties{MediaMode: "P2P"}},
		{"unknown codec", openvidu.SessionProperties{ForcedVideoCodec: "AV1"}},
		// Range errors are 400 here, never 422 (spec §4.1, pitfall 13).
		{"frame rate out of range", openvidu.SessionProperties{DefaultRecordingProperties: &openvidu.RecordingProperties{FrameRate: 500}}},
		{"no audio nor video", openvidu.SessionProperties{DefaultRecordingProperties: &openvidu.RecordingProperties{HasAudio: openvidu.Bool(false), HasVideo: openvidu.Bool(false)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ov.CreateSession(ctx, tt.props)
			wantStatus(t, err, http.StatusBadRequest, openvidu.ErrBadRequest)
		})
	}
	sessions, err := ov.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 0 {
		t.Errorf("invalid requests created %d sessions", len(sessions))
	}
}

func TestSessionsAndFetch(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	a := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{CustomSessionID: "a"})
	b := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	pending, err := b.CreateConnection(ctx, openvidu.ConnectionProperties{Role: openvidu.RoleSubscriber, Data: "b1"})
	if err != nil {
		t.Fatal(err)
	}

	sessions, err := ov.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*openvidu.Session{}
	for _, s := range sessions {
		byID[s.ID] = s
	}
	if len(byID) != 2 || byID["a"] == nil || byID[b.ID] == nil {
		t.Fatalf("Sessions() = %v, want a and %s", keys(byID), b.ID)
	}
	// Sessions includes pending connections, as the node client's fetch asks.
	if got := byID[b.ID].Connections; len(got) != 1 || got[0].ID != pending.ID || got[0].Status != openvidu.ConnectionPending {
		t.Errorf("Sessions()[%s].Connections = %+v, want pending %s", b.ID, got, pending.ID)
	}
	if got := byID[b.ID].ActiveConnections(); len(got) != 0 {
		t.Errorf("ActiveConnections() = %d, want 0", len(got))
	}

	// Fetch: nothing changed since the snapshot, twice.
	for i := range 2 {
		changed, err := b.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if changed {
			t.Errorf("Fetch #%d with no change reported changed", i+1)
		}
	}
	if _, err := ov.CreateConnection(ctx, b.ID, openvidu.ConnectionProperties{}); err != nil {
		t.Fatal(err)
	}
	changed, err := b.Fetch(ctx)
	if err != nil || !changed {
		t.Errorf("Fetch after a new connection = %v, %v; want changed", changed, err)
	}
	if len(b.Connections) != 2 {
		t.Errorf("after Fetch: %d connections, want 2", len(b.Connections))
	}
	if changed, err := b.Fetch(ctx); err != nil || changed {
		t.Errorf("second Fetch = %v, %v; want unchanged", changed, err)
	}

	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = a.Fetch(ctx)
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
}

func TestCloseSession(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{CustomSessionID: "closing"})
	conn, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ov.Close(ctx, s.ID); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err = ov.Session(ctx, s.ID)
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
	_, err = ov.Connection(ctx, s.ID, conn.ID)
	wantStatus(t, err, http.StatusBadRequest, openvidu.ErrBadRequest) // spec pitfall 5
	wantStatus(t, s.Close(ctx), http.StatusNotFound, openvidu.ErrNotFound)

	// The id is free again: a new life with a new creation time.
	again := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{CustomSessionID: "closing"})
	if len(again.Connections) != 0 || again.CreatedAt.Before(s.CreatedAt) {
		t.Errorf("recreated session: %d connections, created %v (first %v)", len(again.Connections), again.CreatedAt, s.CreatedAt)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Many application servers creating the same custom session at once all get
// it: one creates it, the others adopt it through the 409 path.
func TestCreateSessionConcurrentAdoption(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	const n = 16
	ids := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := ov.CreateSession(ctx, openvidu.SessionProperties{CustomSessionID: "stampede"})
			if err != nil {
				errs <- err
				return
			}
			ids <- s.ID + "@" + s.CreatedAt.String()
		}()
	}
	seen := map[string]int{}
	for range n {
		select {
		case id := <-ids:
			seen[id]++
		case err := <-errs:
			t.Errorf("CreateSession: %v", err)
		}
	}
	if len(seen) != 1 {
		t.Errorf("sessions seen: %v, want one session shared by all", seen)
	}
}
