package rtcclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// PublishOptions choose what a Publication sends.
type PublishOptions struct {
	Audio bool // Opus, 20 ms packets
	Video bool // VP8 from Fixture at its frame rate
	// Fixture is the VP8 clip (zero value: VideoFixtureFor(0), ~500 kbps 30 fps).
	Fixture VideoFixture
	// NoTrailer leaves out the send-time trailer (see AppendTrailer).
	NoTrailer bool
	// MaxPayload bounds RTP payloads (default 1200 bytes, as browsers).
	MaxPayload int
}

// Publication is our published stream.
type Publication struct {
	c        *Client
	peer     *peerConn
	streamID string
	opts     PublishOptions
	audio    *webrtc.TrackLocalStaticRTP
	video    *webrtc.TrackLocalStaticRTP

	keyframeWanted atomic.Bool
	stopOnce       sync.Once
	cancel         context.CancelFunc
	done           chan struct{} // closed when the send loop ends

	packetsSent, bytesSent atomic.Uint64
	framesSent             atomic.Uint64
	plisReceived           atomic.Uint64
	nacksReceived          atomic.Uint64
}

// PublicationStats are counters of what we sent and were asked for.
type PublicationStats struct {
	PacketsSent, BytesSent, FramesSent uint64
	PLIsReceived, NACKsReceived        uint64
}

// Publish negotiates a sendonly PeerConnection (publishVideo) and starts
// sending once it is connected. The media loops until Unpublish or Close.
func (c *Client) Publish(ctx context.Context, opts PublishOptions) (*Publication, error) {
	if !opts.Audio && !opts.Video {
		return nil, errors.New("rtcclient: publish needs audio or video")
	}
	if opts.Video && opts.Fixture.Frames == nil {
		opts.Fixture = VideoFixtureFor(0)
	}
	if opts.MaxPayload <= 0 {
		opts.MaxPayload = 1200
	}
	peer, err := c.newPeer(c.joined.ConnectionID)
	if err != nil {
		return nil, err
	}
	sendCtx, cancel := context.WithCancel(context.Background())
	p := &Publication{c: c, peer: peer, opts: opts, done: make(chan struct{}), cancel: cancel}
	c.mu.Lock()
	if c.closed || c.pub != nil {
		closed := c.closed
		c.mu.Unlock()
		peer.close()
		if closed {
			return nil, ErrClosed
		}
		return nil, errors.New("rtcclient: already publishing")
	}
	c.pub = p // candidates for our own id go to this PeerConnection
	c.mu.Unlock()
	fail := func(err error) (*Publication, error) {
		c.mu.Lock()
		if c.pub == p {
			c.pub = nil
		}
		c.mu.Unlock()
		cancel()
		close(p.done)
		peer.close()
		return nil, err
	}
	label := "govidu-" + c.joined.ConnectionID
	sendonly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly}
	if opts.Audio {
		p.audio, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "audio", label)
		if err != nil {
			return fail(err)
		}
		if _, err := peer.pc.AddTransceiverFromTrack(p.audio, sendonly); err != nil {
			return fail(err)
		}
	}
	var videoSender *webrtc.RTPSender
	if opts.Video {
		p.video, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "video", label)
		if err != nil {
			return fail(err)
		}
		tr, err := peer.pc.AddTransceiverFromTrack(p.video, sendonly)
		if err != nil {
			return fail(err)
		}
		videoSender = tr.Sender()
	}
	offer, err := peer.offer()
	if err != nil {
		return fail(err)
	}
	params := map[string]any{
		"sdpOffer": offer, "doLoopback": false, "hasAudio": opts.Audio, "hasVideo": opts.Video,
		"frameRate": -1,
	}
	if opts.Audio {
		params["audioActive"] = true
	}
	if opts.Video {
		params["videoActive"] = true
		params["typeOfVideo"] = "CAMERA"
		params["frameRate"] = opts.Fixture.FPS
		params["videoDimensions"] = fmt.Sprintf(`{"width":%d,"height":%d}`, opts.Fixture.Width, opts.Fixture.Height)
	}
	raw, err := c.call(ctx, "publishVideo", params)
	if err != nil {
		return fail(err)
	}
	var res struct {
		SDPAnswer string `json:"sdpAnswer"`
		ID        string `json:"id"`
	}
	if err := json.Unmarshal(raw, &res); err != nil || res.SDPAnswer == "" || res.ID == "" {
		return fail(fmt.Errorf("rtcclient: publishVideo result: %s", raw))
	}
	p.streamID = res.ID
	if err := peer.answer(res.SDPAnswer); err != nil {
		return fail(err)
	}
	if videoSender != nil {
		peer.goTracked(func() { p.readRTCP(videoSender) })
	}
	started := peer.goTracked(func() {
		defer close(p.done)
		select {
		case <-peer.connected:
		case <-sendCtx.Done():
			return
		}
		p.sendLoop(sendCtx)
	})
	if !started { // closed meanwhile
		close(p.done)
		return nil, ErrClosed
	}
	return p, nil
}

// StreamID is the stream id the server gave.
func (p *Publication) StreamID() string { return p.streamID }

// WaitConnected waits until ICE and DTLS are up.
func (p *Publication) WaitConnected(ctx context.Context) error { return p.peer.waitConnected(ctx) }

// SelectedCandidatePair is the pair ICE selected (nil before connection).
func (p *Publication) SelectedCandidatePair() *webrtc.ICECandidatePair { return p.peer.selectedPair() }

// Stats of what was sent.
func (p *Publication) Stats() PublicationStats {
	return PublicationStats{
		PacketsSent: p.packetsSent.Load(), BytesSent: p.bytesSent.Load(), FramesSent: p.framesSent.Load(),
		PLIsReceived: p.plisReceived.Load(), NACKsReceived: p.nacksReceived.Load(),
	}
}

// readRTCP: a PLI or FIR makes the next video frame a keyframe.
func (p *Publication) readRTCP(s *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		n, _, err := s.Read(buf)
		if err != nil {
			return
		}
		pkts, err := rtcp.Unmarshal(buf[:n])
		if err != nil {
			continue
		}
		for _, pkt := range pkts {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				p.plisReceived.Add(1)
				p.keyframeWanted.Store(true)
			case *rtcp.TransportLayerNack:
				p.nacksReceived.Add(1)
			}
		}
	}
}

// sendLoop paces video frames at the fixture's frame rate and Opus
// packets every 20 ms on one goroutine, on a schedule that does not
// drift; if it falls more than a second behind it starts over from now.
func (p *Publication) sendLoop(ctx context.Context) {
	const audioInterval = 20 * time.Millisecond
	var (
		videoInterval time.Duration
		frames        = p.opts.Fixture.Frames
		opus          = OpusPackets()
		frameIdx      int
		audioIdx      int
		videoTS       uint32
		audioTS       uint32
		videoSeq      uint16
		audioSeq      uint16
		pk            = vp8Packetizer{maxPayload: p.opts.MaxPayload}
		opusBuf       = make([]byte, 0, 1500)
		pkt           rtp.Packet
	)
	if p.video != nil {
		videoInterval = time.Second / time.Duration(p.opts.Fixture.FPS)
	}
	now := time.Now()
	nextVideo, nextAudio := now, now
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := nextAudio
		if p.video != nil && (p.audio == nil || nextVideo.Before(nextAudio)) {
			next = nextVideo
		}
		if !sleepUntil(ctx, timer, next) {
			return
		}
		now = time.Now()
		if now.Sub(next) > time.Second {
			nextVideo, nextAudio = now, now
		}
		var stamp int64
		if p.video != nil && !nextVideo.After(now) {
			if p.keyframeWanted.Swap(false) {
				frameIdx = p.nextKeyframe(frameIdx)
			}
			if !p.opts.NoTrailer {
				stamp = time.Now().UnixNano()
			}
			payloads := pk.packetize(frames[frameIdx], stamp)
			for i, pl := range payloads {
				pkt.Header = rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: videoSeq, Timestamp: videoTS, Marker: i == len(payloads)-1}
				pkt.Payload = pl
				videoSeq++
				if p.video.WriteRTP(&pkt) == nil {
					p.packetsSent.Add(1)
					p.bytesSent.Add(uint64(12 + len(pl)))
				}
			}
			p.framesSent.Add(1)
			frameIdx = (frameIdx + 1) % len(frames)
			videoTS += uint32(90000 / p.opts.Fixture.FPS)
			nextVideo = nextVideo.Add(videoInterval)
		}
		if p.audio != nil && !nextAudio.After(now) {
			src := opus[audioIdx]
			payload := src
			if !p.opts.NoTrailer {
				payload = appendOpusWithTrailer(opusBuf[:0], src, time.Now().UnixNano())
			}
			pkt.Header = rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: audioSeq, Timestamp: audioTS}
			pkt.Payload = payload
			audioSeq++
			if p.audio.WriteRTP(&pkt) == nil {
				p.packetsSent.Add(1)
				p.bytesSent.Add(uint64(12 + len(payload)))
			}
			audioIdx = (audioIdx + 1) % len(opus)
			audioTS += 960
			nextAudio = nextAudio.Add(audioInterval)
		}
	}
}

// nextKeyframe is the first keyframe at or after frame i (looping).
func (p *Publication) nextKeyframe(i int) int {
	for _, k := range p.opts.Fixture.Keyframes {
		if k >= i {
			return k
		}
	}
	return p.opts.Fixture.Keyframes[0]
}

// Unpublish sends unpublishVideo and stops sending.
func (p *Publication) Unpublish(ctx context.Context) error {
	_, err := p.c.call(ctx, "unpublishVideo", struct{}{})
	p.c.mu.Lock()
	if p.c.pub == p {
		p.c.pub = nil
	}
	p.c.mu.Unlock()
	p.stop()
	return err
}

func (p *Publication) stop() {
	p.stopOnce.Do(func() {
		p.cancel()
		p.peer.close()
		<-p.done
	})
}
