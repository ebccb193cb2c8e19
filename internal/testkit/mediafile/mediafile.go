// Package mediafile reads the media fixtures of the tests (IVF video, Ogg
// Opus audio) into the samples a track sends. It imports nothing of govidu,
// so that any package's tests can use it, internal/media's own included.
package mediafile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/pion/webrtc/v4/pkg/media/ivfreader"
	"github.com/pion/webrtc/v4/pkg/media/oggreader"
)

// ReadIVF returns the frames of an IVF file (VP8, VP9, ...); an error ends
// the test.
func ReadIVF(tb testing.TB, path string) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	r, _, err := ivfreader.NewWith(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	var frames [][]byte
	for {
		frame, _, err := r.ParseNextFrame()
		if errors.Is(err, io.EOF) {
			return frames
		}
		if err != nil {
			tb.Fatal(err)
		}
		frames = append(frames, frame)
	}
}

// ReadOggOpus returns the Opus packets of an Ogg file made with
// -page_duration 20000 (one 20 ms packet per page), the OpusTags page left
// out; an error ends the test.
func ReadOggOpus(tb testing.TB, path string) [][]byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	r, _, err := oggreader.NewWith(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	var pkts [][]byte
	for {
		page, _, err := r.ParseNextPage()
		if errors.Is(err, io.EOF) {
			return pkts
		}
		if err != nil {
			tb.Fatal(err)
		}
		if bytes.HasPrefix(page, []byte("OpusTags")) {
			continue
		}
		pkts = append(pkts, page)
	}
}
