package rtspcam

import (
	"strings"
	"testing"
)

// The clip is the camera's picture in a file: H.264 baseline at the size
// asked for, the tone with Audio, only video without.
func TestWriteClip(t *testing.T) {
	streams := probe(t, WriteClip(t, Options{Audio: true, Color: "red", Width: 160, Height: 120}))
	if len(streams) != 2 || streams[0].CodecName != "h264" || !strings.Contains(streams[0].Profile, "Baseline") ||
		streams[0].Width != 160 || streams[0].Height != 120 || streams[1].CodecName != "aac" {
		t.Errorf("clip with audio: %+v", streams)
	}
	if streams := probe(t, WriteClip(t, Options{})); len(streams) != 1 || streams[0].Width != 320 {
		t.Errorf("clip without audio: %+v", streams)
	}
}
