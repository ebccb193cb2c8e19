package media

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Forced video codec values (OpenVidu's forcedVideoCodec).
const (
	CodecMediaServerPreferred = "MEDIA_SERVER_PREFERRED"
	CodecNone                 = "NONE"
	CodecVP8                  = "VP8"
	CodecVP9                  = "VP9"
	CodecH264                 = "H264"
)

// maxSDPSize bounds the offers we parse; browsers' offers are a few KiB.
const maxSDPSize = 64 << 10

// offerMedia is what we need to know about one m-line of an offer.
type offerMedia struct {
	kind      webrtc.RTPCodecType // 0 for anything that is not audio/video
	mid       string
	direction webrtc.RTPTransceiverDirection
	rejected  bool                        // port 0
	codecs    []webrtc.RTPCodecParameters // the ones we support, in offer order
}

// sends reports whether the offerer sends media on this m-line.
func (m *offerMedia) sends() bool {
	return !m.rejected && (m.direction == webrtc.RTPTransceiverDirectionSendonly ||
		m.direction == webrtc.RTPTransceiverDirectionSendrecv)
}

// receives reports whether the offerer wants to receive media on this m-line.
func (m *offerMedia) receives() bool {
	return !m.rejected && (m.direction == webrtc.RTPTransceiverDirectionRecvonly ||
		m.direction == webrtc.RTPTransceiverDirectionSendrecv)
}

type offerInfo struct {
	media []offerMedia
}

// firstMid is the mid of the first m-line: with BUNDLE, the one our
// trickled candidates name.
func (o *offerInfo) firstMid() string {
	if len(o.media) > 0 {
		return o.media[0].mid
	}
	return ""
}

// parseOffer checks an offer before any PeerConnection is made, so that
// garbage is refused quickly and always as ErrBadSDP. Pion validates the
// rest (ICE credentials, fingerprint) in SetRemoteDescription.
func parseOffer(offer string) (*offerInfo, error) {
	if offer == "" {
		return nil, fmt.Errorf("%w: empty offer", ErrBadSDP)
	}
	if len(offer) > maxSDPSize {
		return nil, fmt.Errorf("%w: offer of %d bytes is too large", ErrBadSDP, len(offer))
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(offer); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	info := &offerInfo{}
	usable := false
	for _, md := range sd.MediaDescriptions {
		if md == nil {
			continue
		}
		m := offerMedia{direction: webrtc.RTPTransceiverDirectionSendrecv}
		switch strings.ToLower(md.MediaName.Media) {
		case "audio":
			m.kind = webrtc.RTPCodecTypeAudio
		case "video":
			m.kind = webrtc.RTPCodecTypeVideo
		}
		m.mid, _ = md.Attribute(sdp.AttrKeyMID)
		m.rejected = md.MediaName.Port.Value == 0
		for _, a := range md.Attributes {
			if d := webrtc.NewRTPTransceiverDirection(a.Key); d != webrtc.RTPTransceiverDirectionUnknown {
				m.direction = d
			}
		}
		if m.kind != 0 {
			m.codecs = supportedCodecs(md, m.kind)
			if len(m.codecs) > 0 && !m.rejected {
				usable = true
			}
		}
		info.media = append(info.media, m)
	}
	if !usable {
		return nil, fmt.Errorf("%w: no audio or video m-line with a supported codec (opus, VP8, VP9, H264)", ErrBadSDP)
	}
	return info, nil
}

// supportedCodecs lists the codecs of one m-line that our MediaEngine knows.
func supportedCodecs(md *sdp.MediaDescription, kind webrtc.RTPCodecType) []webrtc.RTPCodecParameters {
	rtpmaps := map[uint8]string{}
	fmtps := map[uint8]string{}
	feedback := map[string][]webrtc.RTCPFeedback{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap", "fmtp", "rtcp-fb":
		default:
			continue
		}
		ptText, rest, ok := strings.Cut(a.Value, " ")
		if !ok {
			continue
		}
		if a.Key == "rtcp-fb" {
			typ, param, _ := strings.Cut(strings.TrimSpace(rest), " ")
			feedback[ptText] = append(feedback[ptText], webrtc.RTCPFeedback{Type: typ, Parameter: param})
			continue
		}
		pt, err := strconv.ParseUint(ptText, 10, 7)
		if err != nil {
			continue
		}
		if a.Key == "rtpmap" {
			rtpmaps[uint8(pt)] = strings.TrimSpace(rest)
		} else {
			fmtps[uint8(pt)] = strings.TrimSpace(rest)
		}
	}
	var out []webrtc.RTPCodecParameters
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		name, clock, channels, ok := parseRTPMap(rtpmaps[uint8(pt)])
		if !ok {
			continue
		}
		mime := kind.String() + "/" + name
		if !isSupportedMime(kind, name, clock) {
			continue
		}
		fb := append(append([]webrtc.RTCPFeedback(nil), feedback[f]...), feedback["*"]...)
		out = append(out, webrtc.RTPCodecParameters{
			PayloadType: webrtc.PayloadType(pt),
			RTPCodecCapability: webrtc.RTPCodecCapability{
				MimeType: mime, ClockRate: clock, Channels: channels,
				SDPFmtpLine: fmtps[uint8(pt)], RTCPFeedback: fb,
			},
		})
	}
	return out
}

// parseRTPMap splits "VP8/90000" or "opus/48000/2".
func parseRTPMap(v string) (name string, clock uint32, channels uint16, ok bool) {
	parts := strings.Split(v, "/")
	if len(parts) < 2 || parts[0] == "" {
		return "", 0, 0, false
	}
	c, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil {
		return "", 0, 0, false
	}
	if len(parts) > 2 {
		ch, err := strconv.ParseUint(parts[2], 10, 16)
		if err != nil {
			return "", 0, 0, false
		}
		channels = uint16(ch)
	}
	return parts[0], uint32(c), channels, true
}

func isSupportedMime(kind webrtc.RTPCodecType, name string, clock uint32) bool {
	switch kind {
	case webrtc.RTPCodecTypeAudio:
		return strings.EqualFold(name, "opus") && clock == 48000
	case webrtc.RTPCodecTypeVideo:
		return clock == 90000 && (strings.EqualFold(name, "VP8") || strings.EqualFold(name, "VP9") ||
			strings.EqualFold(name, "H264"))
	}
	return false
}

// chooseVideoCodec picks the one video codec the publisher will send.
// Answering with exactly one codec means subscribers are bound to the codec
// actually sent, and the publisher cannot switch codecs under them.
//   - "" and MEDIA_SERVER_PREFERRED: VP8 when offered (Kurento's preference),
//     else the browser's first choice;
//   - NONE: the browser's first choice;
//   - VP8, VP9, H264: that codec or ErrUnsupportedCodec.
func chooseVideoCodec(offered []webrtc.RTPCodecParameters, forced string) (webrtc.RTPCodecParameters, error) {
	if len(offered) == 0 {
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %w: no supported video codec offered", ErrBadSDP, ErrUnsupportedCodec)
	}
	switch strings.ToUpper(forced) {
	case "", CodecMediaServerPreferred:
		if c, ok := firstOfMime(offered, "video/vp8"); ok {
			return c, nil
		}
		return bestOf(offered, offered[0].MimeType), nil
	case CodecNone:
		return bestOf(offered, offered[0].MimeType), nil
	case CodecVP8, CodecVP9, CodecH264:
		mime := "video/" + strings.ToUpper(forced)
		if _, ok := firstOfMime(offered, mime); !ok {
			return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %w: forced codec %s not in the offer", ErrBadSDP, ErrUnsupportedCodec, forced)
		}
		return bestOf(offered, mime), nil
	default:
		return webrtc.RTPCodecParameters{}, fmt.Errorf("%w: %w: unknown forced codec %q", ErrBadSDP, ErrUnsupportedCodec, forced)
	}
}

func firstOfMime(codecs []webrtc.RTPCodecParameters, mime string) (webrtc.RTPCodecParameters, bool) {
	for _, c := range codecs {
		if strings.EqualFold(c.MimeType, mime) {
			return c, true
		}
	}
	return webrtc.RTPCodecParameters{}, false
}

// bestOf returns the offer's first codec of that MIME type, except for
// H264 where it prefers packetization-mode 1 in a baseline profile: every
// browser decodes that, so every subscriber can receive the stream.
func bestOf(codecs []webrtc.RTPCodecParameters, mime string) webrtc.RTPCodecParameters {
	first, _ := firstOfMime(codecs, mime)
	if !strings.EqualFold(mime, "video/h264") {
		return first
	}
	var mode1 *webrtc.RTPCodecParameters
	for i := range codecs {
		c := &codecs[i]
		if !strings.EqualFold(c.MimeType, mime) {
			continue
		}
		p := parseFmtp(c.SDPFmtpLine)
		if p["packetization-mode"] != "1" {
			continue
		}
		if h264ProfileIDC(p) == "42" {
			return *c
		}
		if mode1 == nil {
			mode1 = c
		}
	}
	if mode1 != nil {
		return *mode1
	}
	return first
}

// parseFmtp reads "a=1;b=2" into a map with lower-case keys.
func parseFmtp(line string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(line, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		if k != "" {
			out[strings.ToLower(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// h264ProfileIDC is the profile_idc byte of profile-level-id, in hex
// ("42" baseline, "4d" main, "64" high); baseline when absent (RFC 6184).
func h264ProfileIDC(p map[string]string) string {
	plid := p["profile-level-id"]
	if len(plid) < 2 {
		return "42"
	}
	return strings.ToLower(plid[:2])
}

// codecsCompatible reports whether a stream encoded as a can be sent as b:
// same codec and clock, and for H264 the same packetization mode and
// profile, for VP9 the same profile.
func codecsCompatible(a, b webrtc.RTPCodecCapability) bool {
	if !strings.EqualFold(a.MimeType, b.MimeType) || a.ClockRate != b.ClockRate {
		return false
	}
	switch strings.ToLower(a.MimeType) {
	case "video/h264":
		pa, pb := parseFmtp(a.SDPFmtpLine), parseFmtp(b.SDPFmtpLine)
		modeA, modeB := pa["packetization-mode"], pb["packetization-mode"]
		if modeA == "" {
			modeA = "0"
		}
		if modeB == "" {
			modeB = "0"
		}
		return modeA == modeB && h264ProfileIDC(pa) == h264ProfileIDC(pb)
	case "video/vp9":
		pa, pb := parseFmtp(a.SDPFmtpLine), parseFmtp(b.SDPFmtpLine)
		idA, idB := pa["profile-id"], pb["profile-id"]
		if idA == "" {
			idA = "0"
		}
		if idB == "" {
			idB = "0"
		}
		return idA == idB
	}
	return true
}

// compatibleCodec finds in candidates the first codec compatible with want.
func compatibleCodec(want webrtc.RTPCodecCapability, candidates []webrtc.RTPCodecParameters) (webrtc.RTPCodecParameters, bool) {
	for _, c := range candidates {
		if codecsCompatible(want, c.RTPCodecCapability) {
			return c, true
		}
	}
	return webrtc.RTPCodecParameters{}, false
}

// limitVideoBandwidth rewrites an answer for its video m-lines:
//   - maxKbps > 0 adds b=AS (browsers cap their send bitrate to it);
//   - minKbps > 0 adds x-google-min-bitrate to the codec's fmtp (Chrome's
//     floor for its bandwidth estimate, what Kurento's min bandwidth did).
//
// An answer that does not round-trip through the parser is returned as is.
func limitVideoBandwidth(answer string, maxKbps, minKbps int) string {
	if maxKbps <= 0 && minKbps <= 0 {
		return answer
	}
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(answer); err != nil {
		return answer
	}
	for _, md := range sd.MediaDescriptions {
		if !strings.EqualFold(md.MediaName.Media, "video") || md.MediaName.Port.Value == 0 {
			continue
		}
		if maxKbps > 0 {
			kept := md.Bandwidth[:0]
			for _, b := range md.Bandwidth {
				if !strings.EqualFold(b.Type, "AS") {
					kept = append(kept, b)
				}
			}
			md.Bandwidth = append(kept, sdp.Bandwidth{Type: "AS", Bandwidth: uint64(maxKbps)})
		}
		if minKbps > 0 {
			addMinBitrate(md, minKbps)
		}
	}
	out, err := sd.Marshal()
	if err != nil {
		return answer
	}
	return string(out)
}

func addMinBitrate(md *sdp.MediaDescription, kbps int) {
	param := "x-google-min-bitrate=" + strconv.Itoa(kbps)
	for _, pt := range md.MediaName.Formats {
		found := false
		for i, a := range md.Attributes {
			if a.Key == "fmtp" && strings.HasPrefix(a.Value, pt+" ") {
				md.Attributes[i].Value = a.Value + ";" + param
				found = true
				break
			}
		}
		if !found {
			md.Attributes = append(md.Attributes, sdp.Attribute{Key: "fmtp", Value: pt + " " + param})
		}
	}
}
