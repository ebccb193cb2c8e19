package media

import (
	"context"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// RTCP relay. From subscribers: PLI/FIR become rate-limited PLIs to the
// publisher (Receiver.RequestKeyframe), NACKs are answered from the
// receiver's ring (DownTrack.retransmit). To publishers: PLIs, and REMB
// capping their bitrate at MaxRecvBandwidth; NACKs and receiver reports
// come from Pion's interceptors.

// drainReceiverRTCP reads the publisher's RTCP (sender reports) so that
// the interceptors see it; its content is not needed by the forwarding.
func drainReceiverRTCP(recv *webrtc.RTPReceiver) {
	bufp := getPacketBuffer()
	defer putPacketBuffer(bufp)
	for {
		if _, _, err := recv.Read(*bufp); err != nil {
			return
		}
	}
}

// readSenderRTCP reads a subscriber's feedback for one of our tracks.
func readSenderRTCP(sender *webrtc.RTPSender, dt *DownTrack) {
	for {
		pkts, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		dt.handleRTCP(pkts)
	}
}

func (p *Publisher) sendPLI(mediaSSRC uint32) {
	pr := p.current.Load()
	if pr == nil {
		return
	}
	if err := pr.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: mediaSSRC}}); err != nil {
		p.log.Debug("sending PLI", "err", err)
	}
}

// rembLoop caps the publisher's send bitrate at MaxRecv.
func (p *Publisher) rembLoop(ctx context.Context) {
	t := time.NewTicker(rembInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		var ssrcs []uint32
		for _, r := range p.receivers {
			if s := r.srcSSRC.Load(); s != 0 {
				ssrcs = append(ssrcs, s)
			}
		}
		p.mu.Unlock()
		pr := p.current.Load()
		if pr == nil || len(ssrcs) == 0 {
			continue
		}
		remb := &rtcp.ReceiverEstimatedMaximumBitrate{Bitrate: float32(p.bw.MaxRecv) * 1000, SSRCs: ssrcs}
		_ = pr.pc.WriteRTCP([]rtcp.Packet{remb})
	}
}
