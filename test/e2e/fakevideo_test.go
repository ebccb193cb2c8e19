package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fakeColor is the colour a participant's fake camera shows, so that each
// subscriber can tell whose video it receives: a server that routes one
// publisher's media to another's subscribers fails the colour check.
type fakeColor struct {
	name    string
	y, u, v byte // BT.601 limited range
}

var (
	colorRed   = fakeColor{"red", 81, 90, 240}
	colorGreen = fakeColor{"green", 145, 54, 34}
	colorBlue  = fakeColor{"blue", 92, 211, 98} // a light blue: pure blue is too dark to tell from black
)

// writeFakeVideo writes a short looping Y4M clip for Chromium's
// --use-file-for-fake-video-capture: a flat colour with a bright bar that
// moves, so that frames differ and the encoder keeps sending. 2 s at 15 fps
// at 320x240 is about 3.5 MB.
func writeFakeVideo(t *testing.T, c fakeColor) string {
	t.Helper()
	const w, h, fps, frames = 320, 240, 15, 30
	path := filepath.Join(t.TempDir(), c.name+".y4m")
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("fake video: %v", err)
	}
	bw := bufio.NewWriter(f)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", w, h, fps)
	luma := make([]byte, w*h)
	chroma := make([]byte, w*h/4)
	for i := range frames {
		bw.WriteString("FRAME\n")
		bar := i * (w - 16) / frames
		for y := range h {
			for x := range w {
				v := c.y
				if x >= bar && x < bar+16 && y >= h/3 && y < 2*h/3 {
					v = 235
				}
				luma[y*w+x] = v
			}
		}
		bw.Write(luma)
		for j := range chroma {
			chroma[j] = c.u
		}
		bw.Write(chroma)
		for j := range chroma {
			chroma[j] = c.v
		}
		bw.Write(chroma)
	}
	if err := bw.Flush(); err != nil {
		t.Fatalf("fake video: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("fake video: %v", err)
	}
	return path
}
