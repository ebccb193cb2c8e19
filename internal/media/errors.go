package media

import "errors"

// Errors returned by the media package. Callers test them with errors.Is;
// the returned errors wrap the underlying cause (Pion's, the SDP parser's)
// with %w so that logs keep the detail.
var (
	// ErrBadSDP: the offer does not parse, is not an offer we can answer,
	// or has no usable codec. Signaling maps it to the SDP failure code (302).
	ErrBadSDP = errors.New("media: bad SDP")

	// ErrUnsupportedCodec: a forced codec is unknown or not offered, or a
	// subscriber cannot receive the publisher's codec. Always wrapped
	// together with ErrBadSDP.
	ErrUnsupportedCodec = errors.New("media: unsupported codec")

	// ErrClosed: the engine, publisher or subscriber is closed.
	ErrClosed = errors.New("media: closed")

	// ErrBadCandidate: a trickled ICE candidate could not be parsed or applied.
	ErrBadCandidate = errors.New("media: bad ICE candidate")

	// ErrConfig: NewEngine was given an unusable configuration.
	ErrConfig = errors.New("media: invalid config")

	// ErrNoMedia: the publisher has no track of a kind a subscriber needs.
	ErrNoMedia = errors.New("media: no media to subscribe to")
)
