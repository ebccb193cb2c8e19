package core

import (
	"crypto/rand"
	"math/big"
	"regexp"
)

const (
	upperLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// customSessionIDPattern is upstream's rule for customSessionId; it also keeps
// ids safe inside token URLs, which openvidu-browser parses naively.
var customSessionIDPattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// ValidCustomSessionID reports whether id may be used as a customSessionId.
func ValidCustomSessionID(id string) bool { return customSessionIDPattern.MatchString(id) }

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// upstream ids: one uppercase letter then alphanumerics.
func randomID(prefix string, rest int) string {
	return prefix + randomFrom(upperLetters, 1) + randomFrom(alphanumeric, rest)
}

func newSessionID() string    { return randomID("ses_", 9) }
func newConnectionID() string { return randomID("con_", 9) }
func newTokenValue() string   { return randomID("tok_", 15) }

// newStreamID follows upstream: str_ + first 3 letters of typeOfVideo (MIC when
// audio-only) + _ + 4 random chars + _ + owner connection id, so that parsing
// the owner from the last "con_" works as in upstream.
func newStreamID(connectionID string, opts MediaOptions) string {
	kind := "MIC"
	if opts.HasVideo {
		t := string(opts.TypeOfVideo)
		if len(t) >= 3 {
			kind = t[:3]
		} else {
			kind = "CAM"
		}
	}
	return "str_" + kind + "_" + randomFrom(upperLetters, 1) + randomFrom(alphanumeric, 3) + "_" + connectionID
}

// NewSecret returns n random alphanumerics; used for RPC session ids and TURN users.
func NewSecret(n int) string { return randomFrom(alphanumeric, n) }
