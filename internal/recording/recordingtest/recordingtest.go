// Package recordingtest provides test participants for recording tests:
// Pion peers that join a govidu session through the real signaling
// protocol (as openvidu-browser does) and publish real VP8 + Opus media,
// each with its own colour so that a composed recording shows who is where.
package recordingtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
	pionmedia "github.com/pion/webrtc/v4/pkg/media"

	"github.com/govidu/govidu/internal/testkit/mediafile"
)

// Colour is a participant's camera: a solid colour with a moving pattern
// (so the encoder keeps sending real frames).
type Colour struct {
	Name    string
	R, G, B uint8
}

var (
	Red   = Colour{"red", 230, 20, 20}
	Green = Colour{"green", 20, 200, 20}
	Blue  = Colour{"blue", 20, 20, 230}
	White = Colour{"white", 230, 230, 230}
)

func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

var (
	clipMu sync.Mutex
	clips  = map[string][][]byte{}
)

// VideoClip returns 2 s of VP8 frames at 15 fps (a keyframe every second)
// of the colour, made once per test binary with ffmpeg.
func VideoClip(t testing.TB, c Colour) [][]byte {
	t.Helper()
	clipMu.Lock()
	defer clipMu.Unlock()
	if f, ok := clips[c.Name]; ok {
		return f
	}
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not installed")
	}
	dir, err := os.MkdirTemp("", "govidu-clip-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "clip.ivf")
	src := fmt.Sprintf("color=c=0x%02x%02x%02x:s=320x240:r=15,drawbox=x='mod(t*80,280)':y=100:w=40:h=40:color=0x%02x%02x%02x:t=fill",
		c.R, c.G, c.B, 255-c.R, 255-c.G, 255-c.B)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ff, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", src, "-t", "2",
		"-c:v", "libvpx", "-b:v", "200k", "-g", "15", "-keyint_min", "15", "-auto-alt-ref", "0", "-deadline", "realtime", "-cpu-used", "8", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("making the %s clip: %v\n%s", c.Name, err, b)
	}
	frames := mediafile.ReadIVF(t, out)
	clips[c.Name] = frames
	return frames
}

// AudioClip returns the SFU tests' Opus packets (20 ms, 440 Hz sine).
func AudioClip(t testing.TB) [][]byte {
	t.Helper()
	return mediafile.ReadOggOpus(t, filepath.Join(moduleRoot(), "internal", "media", "testdata", "audio.ogg"))
}

// newAPI is a browser stand-in on loopback only.
func newAPI(t testing.TB) *webrtc.API {
	t.Helper()
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	return webrtc.NewAPI(webrtc.WithSettingEngine(se), webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir))
}

// Participant is one joined connection publishing a camera and a microphone.
type Participant struct {
	t            testing.TB
	conn         *websocket.Conn
	ConnectionID string
	StreamID     string
	pc           *webrtc.PeerConnection

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan rpcReply
	notes   []Notification

	stop    chan struct{}
	stopped sync.Once
	wg      sync.WaitGroup
}

// Notification is a server notification the participant got.
type Notification struct {
	Method string
	Params json.RawMessage
}

type rpcReply struct {
	Result json.RawMessage
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
}

// Options of Join.
type Options struct {
	Colour   Colour
	Audio    bool // publish the microphone too
	Metadata string
}

// Join connects with token (ws://host?sessionId=…&token=…), joins and
// publishes. The participant leaves when the test ends.
func Join(t testing.TB, token string, opts Options) *Participant {
	t.Helper()
	p := connect(t, token, opts)
	p.publish(opts)
	return p
}

// JoinOnly joins without publishing (a viewer).
func JoinOnly(t testing.TB, token string) *Participant {
	t.Helper()
	return connect(t, token, Options{Colour: Colour{Name: "viewer"}})
}

func connect(t testing.TB, token string, opts Options) *Participant {
	t.Helper()
	u, err := url.Parse(token)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, u.Scheme+"://"+u.Host+"/openvidu", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	conn.SetReadLimit(16 << 20)
	p := &Participant{t: t, conn: conn, waiting: map[int]chan rpcReply{}, stop: make(chan struct{})}
	p.wg.Add(2)
	go p.readLoop()
	go p.pingLoop()
	t.Cleanup(p.Leave)
	if _, err := p.Call("ping", map[string]any{"interval": 5000}); err != nil {
		t.Fatal(err)
	}
	meta := opts.Metadata
	if meta == "" {
		meta = fmt.Sprintf(`{"clientData":%q}`, opts.Colour.Name)
	}
	res, err := p.Call("joinRoom", map[string]any{
		"token": token, "session": u.Query().Get("sessionId"), "platform": "Pion test", "sdkVersion": "2.32.2",
		"metadata": meta, "secret": "", "recorder": false, "stt": false,
	})
	if err != nil {
		t.Fatalf("joinRoom: %v", err)
	}
	var joined struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(res, &joined)
	p.ConnectionID = joined.ID
	return p
}

// Call sends a request and waits for its answer.
func (p *Participant) Call(method string, params any) (json.RawMessage, error) {
	p.mu.Lock()
	id := p.nextID
	p.nextID++
	ch := make(chan rpcReply, 1)
	p.waiting[id] = ch
	p.mu.Unlock()
	frame, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "method": method, "params": params, "id": id})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := p.conn.Write(ctx, websocket.MessageText, frame); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r.Error != nil {
			return nil, fmt.Errorf("%s: error %d: %s", method, r.Error.Code, r.Error.Message)
		}
		return r.Result, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: no answer", method)
	case <-p.stop:
		return nil, fmt.Errorf("%s: participant left", method)
	}
}

func (p *Participant) readLoop() {
	defer p.wg.Done()
	for {
		_, data, err := p.conn.Read(context.Background())
		if err != nil {
			return
		}
		var m struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			rpcReply
		}
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		if m.ID != nil && m.Method == "" {
			p.mu.Lock()
			ch := p.waiting[*m.ID]
			delete(p.waiting, *m.ID)
			p.mu.Unlock()
			if ch != nil {
				ch <- m.rpcReply
			}
			continue
		}
		if m.Method == "iceCandidate" {
			var c struct {
				Candidate     string `json:"candidate"`
				SDPMid        string `json:"sdpMid"`
				SDPMLineIndex uint16 `json:"sdpMLineIndex"`
			}
			if json.Unmarshal(m.Params, &c) == nil && p.pc != nil {
				_ = p.pc.AddICECandidate(webrtc.ICECandidateInit{Candidate: c.Candidate, SDPMid: &c.SDPMid, SDPMLineIndex: &c.SDPMLineIndex})
			}
			continue
		}
		p.mu.Lock()
		p.notes = append(p.notes, Notification{Method: m.Method, Params: m.Params})
		p.mu.Unlock()
	}
}

func (p *Participant) pingLoop() {
	defer p.wg.Done()
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			frame := []byte(`{"jsonrpc":"2.0","method":"ping","params":{},"id":-1}`)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = p.conn.Write(ctx, websocket.MessageText, frame)
			cancel()
		}
	}
}

// Notifications returns the notifications received so far.
func (p *Participant) Notifications() []Notification {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Notification(nil), p.notes...)
}

func (p *Participant) publish(opts Options) {
	t := p.t
	pc, err := newAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.pc = pc
	p.mu.Unlock()
	video, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", "cam")
	if err != nil {
		t.Fatal(err)
	}
	tracks := []*webrtc.TrackLocalStaticSample{video}
	var audio *webrtc.TrackLocalStaticSample
	if opts.Audio {
		audio, err = webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", "cam")
		if err != nil {
			t.Fatal(err)
		}
		tracks = append([]*webrtc.TrackLocalStaticSample{audio}, tracks...)
	}
	for _, tr := range tracks {
		sender, err := pc.AddTransceiverFromTrack(tr, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
		if err != nil {
			t.Fatal(err)
		}
		s := sender.Sender()
		p.wg.Add(1)
		go func() { // RTCP (PLIs) must be read for the interceptors to work
			defer p.wg.Done()
			for {
				if _, _, err := s.ReadRTCP(); err != nil {
					return
				}
			}
		}()
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		init := c.ToJSON()
		mid := ""
		if init.SDPMid != nil {
			mid = *init.SDPMid
		}
		go func() {
			_, _ = p.Call("onIceCandidate", map[string]any{"endpointName": p.ConnectionID, "candidate": init.Candidate, "sdpMid": mid, "sdpMLineIndex": 0})
		}()
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	res, err := p.Call("publishVideo", map[string]any{
		"sdpOffer": offer.SDP, "doLoopback": false, "hasAudio": opts.Audio, "audioActive": opts.Audio, "hasVideo": true,
		"videoActive": true, "typeOfVideo": "CAMERA", "frameRate": 15, "videoDimensions": `{"width":320,"height":240}`,
	})
	if err != nil {
		t.Fatalf("publishVideo: %v", err)
	}
	var pub struct {
		SDPAnswer string `json:"sdpAnswer"`
		ID        string `json:"id"`
	}
	if err := json.Unmarshal(res, &pub); err != nil {
		t.Fatal(err)
	}
	p.StreamID = pub.ID
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: pub.SDPAnswer}); err != nil {
		t.Fatal(err)
	}
	frames := VideoClip(t, opts.Colour)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		play(p.stop, video, frames, time.Second/15)
	}()
	if audio != nil {
		pkts := AudioClip(t)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			play(p.stop, audio, pkts, 20*time.Millisecond)
		}()
	}
}

// WaitConnected waits for the PeerConnection to be up.
func (p *Participant) WaitConnected(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for p.pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
		if time.Now().After(deadline) {
			return fmt.Errorf("publisher %s not connected: %s", p.ConnectionID, p.pc.ConnectionState())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// play sends samples on an absolute schedule: a starved goroutine catches
// up instead of skipping (a Ticker drops ticks), so the media lasts as long
// as the wall clock says.
func play(stop <-chan struct{}, track *webrtc.TrackLocalStaticSample, samples [][]byte, every time.Duration) {
	start := time.Now()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-timer.C:
		}
		_ = track.WriteSample(pionmedia.Sample{Data: samples[i%len(samples)], Duration: every})
		timer.Reset(time.Until(start.Add(time.Duration(i+1) * every)))
	}
}

// Leave stops the media and closes the socket (without leaveRoom: as a
// browser tab closing).
func (p *Participant) Leave() {
	p.stopped.Do(func() {
		close(p.stop)
		if p.pc != nil {
			_ = p.pc.Close()
		}
		_ = p.conn.Close(websocket.StatusNormalClosure, "bye")
		p.wg.Wait()
	})
}

// LeaveRoom leaves the session cleanly, then disconnects.
func (p *Participant) LeaveRoom() {
	_, _ = p.Call("leaveRoom", map[string]any{})
	p.Leave()
}
