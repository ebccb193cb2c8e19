package openvidu_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/govidu/govidu/internal/testkit"
	"github.com/govidu/govidu/openvidu"
)

func TestCreateConnection(t *testing.T) {
	ov, srv := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{CustomSessionID: "conns"})

	kurento := &openvidu.KurentoOptions{
		VideoMaxRecvBandwidth: openvidu.Int(1000), VideoMinRecvBandwidth: openvidu.Int(0),
		VideoMaxSendBandwidth: openvidu.Int(500), AllowedFilters: []string{"GStreamerFilter", "FaceOverlayFilter"},
	}
	tests := []struct {
		name       string
		props      openvidu.ConnectionProperties
		wantRole   openvidu.Role
		wantRecord bool
		wantData   string
		check      func(t *testing.T, c *openvidu.Connection)
	}{
		{name: "defaults", wantRole: openvidu.RolePublisher, wantRecord: true},
		{name: "subscriber", props: openvidu.ConnectionProperties{Role: openvidu.RoleSubscriber}, wantRole: openvidu.RoleSubscriber, wantRecord: true},
		{name: "publisher", props: openvidu.ConnectionProperties{Role: openvidu.RolePublisher, Record: openvidu.Bool(false)}, wantRole: openvidu.RolePublisher},
		{name: "moderator", props: openvidu.ConnectionProperties{Role: openvidu.RoleModerator, Data: `{"nick":"mod"}`}, wantRole: openvidu.RoleModerator, wantRecord: true, wantData: `{"nick":"mod"}`},
		{
			name:     "kurentoOptions",
			props:    openvidu.ConnectionProperties{Data: "k", KurentoOptions: kurento},
			wantRole: openvidu.RolePublisher, wantRecord: true, wantData: "k",
			check: func(t *testing.T, c *openvidu.Connection) {
				assertEqual(t, "KurentoOptions", c.KurentoOptions, kurento)
			},
		},
		{
			name: "customIceServers",
			props: openvidu.ConnectionProperties{CustomIceServers: []openvidu.IceServer{
				{URL: "stun:stun.example.org:3478"},
				{URL: "turn:turn.example.org:443?transport=tcp", Username: "u", Credential: "c"},
				{URL: "turns:turn.example.org", StaticAuthSecret: "s3cret"},
			}},
			wantRole: openvidu.RolePublisher, wantRecord: true,
			check: func(t *testing.T, c *openvidu.Connection) {
				ice := c.CustomIceServers
				if len(ice) != 3 {
					t.Fatalf("CustomIceServers = %+v", ice)
				}
				assertEqual(t, "ice[0]", ice[0], openvidu.IceServer{URL: "stun:stun.example.org:3478"})
				assertEqual(t, "ice[1]", ice[1], openvidu.IceServer{URL: "turn:turn.example.org:443?transport=tcp", Username: "u", Credential: "c"})
				// The static secret becomes "<expiry>:<random>" and an HMAC; it is never echoed.
				if ice[2].URL != "turns:turn.example.org" || ice[2].StaticAuthSecret != "" ||
					!regexp.MustCompile(`^\d{10}:[0-9A-Za-z]{8}$`).MatchString(ice[2].Username) {
					t.Errorf("ice[2] = %+v", ice[2])
				}
				if cred, err := base64.StdEncoding.DecodeString(ice[2].Credential); err != nil || len(cred) != 20 {
					t.Errorf("ice[2].Credential = %q, want base64 of an HMAC-SHA1", ice[2].Credential)
				}
			},
		},
	}
	var created []*openvidu.Connection
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			c, err := s.CreateConnection(ctx, tt.props)
			if err != nil {
				t.Fatalf("CreateConnection: %v", err)
			}
			created = append(created, c)
			if !randomConnectionID.MatchString(c.ID) {
				t.Errorf("ID = %q", c.ID)
			}
			if !tokenPattern(srv, s.ID).MatchString(c.Token) {
				t.Errorf("Token = %q, want %s", c.Token, tokenPattern(srv, s.ID))
			}
			if c.SessionID != s.ID || c.Status != openvidu.ConnectionPending || c.Type != openvidu.ConnectionTypeWebRTC {
				t.Errorf("SessionID/Status/Type = %s/%s/%s", c.SessionID, c.Status, c.Type)
			}
			if c.Role != tt.wantRole || c.Record != tt.wantRecord || c.ServerData != tt.wantData {
				t.Errorf("Role/Record/ServerData = %s/%v/%q, want %s/%v/%q", c.Role, c.Record, c.ServerData, tt.wantRole, tt.wantRecord, tt.wantData)
			}
			if c.CreatedAt.Before(before) || !c.ActiveAt.IsZero() || c.Location != "" || c.IP != "" || c.Platform != "" || c.ClientData != "" {
				t.Errorf("pending connection: CreatedAt=%v ActiveAt=%v Location=%q IP=%q Platform=%q ClientData=%q",
					c.CreatedAt, c.ActiveAt, c.Location, c.IP, c.Platform, c.ClientData)
			}
			if c.Publishers != nil || c.Subscribers != nil {
				t.Errorf("pending connection has publishers/subscribers: %v %v", c.Publishers, c.Subscribers)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
			got, err := s.Connection(ctx, c.ID)
			if err != nil {
				t.Fatalf("Connection(%s): %v", c.ID, err)
			}
			assertEqual(t, "fetched connection", got, c)
		})
	}

	list, err := ov.Connections(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "Connections()", list, created)
	assertEqual(t, "Session.Connections after CreateConnection", s.Connections, created)
}

func TestCreateConnectionErrors(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	tests := []struct {
		name    string
		session string
		props   openvidu.ConnectionProperties
		status  int
	}{
		{"unknown session", "nope", openvidu.ConnectionProperties{}, http.StatusNotFound},
		{"unknown role", s.ID, openvidu.ConnectionProperties{Role: "ADMIN"}, http.StatusBadRequest},
		{"unknown type", s.ID, openvidu.ConnectionProperties{Type: "SIP"}, http.StatusBadRequest},
		{"stun with credentials", s.ID, openvidu.ConnectionProperties{CustomIceServers: []openvidu.IceServer{{URL: "stun:h", Username: "u", Credential: "c"}}}, http.StatusBadRequest},
		{"turn without credentials", s.ID, openvidu.ConnectionProperties{CustomIceServers: []openvidu.IceServer{{URL: "turn:h"}}}, http.StatusBadRequest},
		{"ice url scheme", s.ID, openvidu.ConnectionProperties{CustomIceServers: []openvidu.IceServer{{URL: "http://h"}}}, http.StatusBadRequest},
		{"ipcam without rtspUri", s.ID, openvidu.ConnectionProperties{Type: openvidu.ConnectionTypeIPCam}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ov.CreateConnection(ctx, tt.session, tt.props)
			wantStatus(t, err, tt.status, nil)
		})
	}
	if list, err := ov.Connections(ctx, s.ID); err != nil || len(list) != 0 {
		t.Errorf("Connections() = %d, %v; want none created", len(list), err)
	}
}

func TestGenerateToken(t *testing.T) {
	ov, srv := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	kurento := &openvidu.KurentoOptions{VideoMaxSendBandwidth: openvidu.Int(600)}

	tok, err := s.GenerateToken(ctx, openvidu.TokenOptions{Role: openvidu.RoleModerator, Data: "legacy", KurentoOptions: kurento})
	if err != nil {
		t.Fatalf("GenerateToken: %v", err)
	}
	if !tokenPattern(srv, s.ID).MatchString(tok.Token) || !randomConnectionID.MatchString(tok.ConnectionID) {
		t.Errorf("token = %+v", tok)
	}
	if tok.SessionID != s.ID || tok.Role != openvidu.RoleModerator || tok.Data != "legacy" || tok.CreatedAt.IsZero() {
		t.Errorf("token = %+v", tok)
	}
	assertEqual(t, "KurentoOptions", tok.KurentoOptions, kurento)

	// The token is a pending connection like any other; the legacy endpoint always records.
	c, err := ov.Connection(ctx, s.ID, tok.ConnectionID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != tok.Token || c.Role != openvidu.RoleModerator || c.ServerData != "legacy" || !c.Record || c.Status != openvidu.ConnectionPending {
		t.Errorf("connection of token = %+v", c)
	}

	plain, err := ov.GenerateToken(ctx, s.ID, openvidu.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Role != openvidu.RolePublisher || plain.Data != "" || plain.KurentoOptions != nil || plain.Token == tok.Token {
		t.Errorf("default token = %+v", plain)
	}

	_, err = ov.GenerateToken(ctx, "nope", openvidu.TokenOptions{})
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
}

func TestUpdateConnection(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	c, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{Role: openvidu.RoleSubscriber, Data: "keep"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		patch      openvidu.ConnectionPatch
		wantRole   openvidu.Role
		wantRecord bool
	}{
		{openvidu.ConnectionPatch{Role: openvidu.RoleModerator}, openvidu.RoleModerator, true},
		{openvidu.ConnectionPatch{Record: openvidu.Bool(false)}, openvidu.RoleModerator, false},
		{openvidu.ConnectionPatch{Role: openvidu.RolePublisher, Record: openvidu.Bool(true)}, openvidu.RolePublisher, true},
		{openvidu.ConnectionPatch{}, openvidu.RolePublisher, true}, // no change: still 200 with the connection
	}
	for i, st := range steps {
		got, err := ov.UpdateConnection(ctx, s.ID, c.ID, st.patch)
		if err != nil {
			t.Fatalf("step %d: UpdateConnection(%+v): %v", i, st.patch, err)
		}
		if got.ID != c.ID || got.Role != st.wantRole || got.Record != st.wantRecord || got.ServerData != "keep" || got.Token != c.Token {
			t.Errorf("step %d: got %+v, want role %s record %v", i, got, st.wantRole, st.wantRecord)
		}
		fetched, err := ov.Connection(ctx, s.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertEqual(t, "fetched after update", fetched, got)
	}

	_, err = ov.UpdateConnection(ctx, s.ID, c.ID, openvidu.ConnectionPatch{Role: "OWNER"})
	wantStatus(t, err, http.StatusBadRequest, openvidu.ErrBadRequest)
	_, err = ov.UpdateConnection(ctx, s.ID, "con_Missing000", openvidu.ConnectionPatch{Role: openvidu.RolePublisher})
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
	_, err = ov.UpdateConnection(ctx, "nope", c.ID, openvidu.ConnectionPatch{Role: openvidu.RolePublisher})
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
}

func TestForceDisconnectAndUnpublish(t *testing.T) {
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	keep, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{Data: "keep"})
	if err != nil {
		t.Fatal(err)
	}
	drop, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{Data: "drop"})
	if err != nil {
		t.Fatal(err)
	}

	if err := ov.ForceDisconnect(ctx, s.ID, drop.ID); err != nil {
		t.Fatalf("ForceDisconnect(pending): %v", err)
	}
	_, err = ov.Connection(ctx, s.ID, drop.ID)
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
	if changed, err := s.Fetch(ctx); err != nil || !changed || len(s.Connections) != 1 || s.Connections[0].ID != keep.ID {
		t.Errorf("after ForceDisconnect: changed=%v err=%v connections=%+v", changed, err, s.Connections)
	}

	// Upstream's codes for the sub-resources: unknown session 400, unknown item 404 (pitfall 5).
	wantStatus(t, ov.ForceDisconnect(ctx, s.ID, drop.ID), http.StatusNotFound, openvidu.ErrNotFound)
	wantStatus(t, ov.ForceDisconnect(ctx, "nope", keep.ID), http.StatusBadRequest, openvidu.ErrBadRequest)
	wantStatus(t, ov.ForceUnpublish(ctx, s.ID, "str_CAM_Abcd_"+keep.ID), http.StatusNotFound, openvidu.ErrNotFound)
	wantStatus(t, ov.ForceUnpublish(ctx, "nope", "str_CAM_Abcd_"+keep.ID), http.StatusBadRequest, openvidu.ErrBadRequest)
	_, err = ov.Connections(ctx, "nope")
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound)
}

// OPENVIDU_WEBRTC_ICE_SERVERS is copied into connections that bring none (spec §4.3).
func TestDefaultIceServers(t *testing.T) {
	srv := testkit.StartServer(t, testkit.Options{Env: map[string]string{
		"OPENVIDU_WEBRTC_ICE_SERVERS": `["url=turn:turn.example.org:443,username=u,credential=c","url=stun:stun.example.org"]`,
	}})
	ov := openvidu.New(srv.URL, srv.Secret)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	configured := []openvidu.IceServer{{URL: "turn:turn.example.org:443", Username: "u", Credential: "c"}, {URL: "stun:stun.example.org"}}

	c, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{})
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "default ICE servers", c.CustomIceServers, configured)
	own := []openvidu.IceServer{{URL: "stun:own.example.org"}}
	if c, err = s.CreateConnection(ctx, openvidu.ConnectionProperties{CustomIceServers: own}); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "own ICE servers", c.CustomIceServers, own)
	tok, err := s.GenerateToken(ctx, openvidu.TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c, err = ov.Connection(ctx, s.ID, tok.ConnectionID); err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "legacy token ICE servers", c.CustomIceServers, configured)
}

// An IP camera: published at once, active with its stream, removable only
// as a connection. Needs ffmpeg on the server (always in CI).
func TestIPCamConnection(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg/ffprobe not installed")
		}
		t.Skip("ffmpeg/ffprobe not installed")
	}
	ov, _ := startServer(t)
	ctx := testContext(t)
	s := mustCreateSession(t, ctx, ov, openvidu.SessionProperties{})
	no := false
	cache := 800
	cam, err := s.CreateConnection(ctx, openvidu.ConnectionProperties{
		Type: openvidu.ConnectionTypeIPCam, RTSPURI: "rtsp://127.0.0.1:1/cam", Data: "Gate",
		OnlyPlayWithSubscribers: &no, NetworkCache: &cache,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cam.Status != openvidu.ConnectionActive || cam.Type != openvidu.ConnectionTypeIPCam || cam.Platform != "IPCAM" ||
		cam.Role != "" || cam.Token != "" || cam.RTSPURI != "rtsp://127.0.0.1:1/cam" || !cam.AdaptativeBitrate ||
		cam.OnlyPlayWithSubscribers || cam.NetworkCache != 800 || len(cam.Publishers) != 1 ||
		cam.Publishers[0].RTSPURI != cam.RTSPURI || cam.Publishers[0].MediaOptions.TypeOfVideo != openvidu.TypeOfVideoIPCam || cam.Publishers[0].MediaOptions.NetworkCache != 800 {
		t.Fatalf("camera: %+v", cam)
	}
	if changed, err := s.Fetch(ctx); err != nil || len(s.Connections) != 1 || s.Connections[0].ID != cam.ID {
		t.Fatalf("Fetch: changed=%v err=%v %+v", changed, err, s.Connections)
	}
	wantStatus(t, ov.ForceUnpublish(ctx, s.ID, cam.Publishers[0].StreamID), http.StatusMethodNotAllowed, openvidu.ErrMethodNotAllowed)
	if err := ov.ForceDisconnect(ctx, s.ID, cam.ID); err != nil {
		t.Fatal(err)
	}
	_, err = ov.Session(ctx, s.ID)
	wantStatus(t, err, http.StatusNotFound, openvidu.ErrNotFound) // the camera was its only participant
}
