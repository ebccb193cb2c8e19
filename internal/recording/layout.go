package recording

// BEST_FIT, as OpenVidu's composed layout draws it: every video in a tile
// of the same size, the grid chosen to give the tiles the largest area,
// tiles neither wider than 16:9 nor taller than 2:3, the grid centred
// vertically and each row (the last may be shorter) centred horizontally.
// Videos cover their tile (cropped, not letterboxed); the background is black.

type tile struct{ x, y, w, h int }

const (
	minTileRatio = 9.0 / 16 // height / width: widest tile
	maxTileRatio = 3.0 / 2  // tallest tile
)

func bestFit(width, height, n int) []tile {
	if n <= 0 {
		return nil
	}
	var bestCols int
	var bestW, bestH, bestArea float64
	for cols := 1; cols <= n; cols++ {
		rows := (n + cols - 1) / cols
		w := float64(width) / float64(cols)
		h := float64(height) / float64(rows)
		switch r := h / w; {
		case r > maxTileRatio:
			h = w * maxTileRatio
		case r < minTileRatio:
			w = h / minTileRatio
		}
		if area := w * h * float64(n); area > bestArea {
			bestCols, bestW, bestH, bestArea = cols, w, h, area
		}
	}
	cols := bestCols
	rows := (n + cols - 1) / cols
	tw, th := even(int(bestW)), even(int(bestH))
	top := (height - rows*th) / 2
	out := make([]tile, 0, n)
	for r := 0; r < rows; r++ {
		inRow := min(cols, n-r*cols)
		left := (width - inRow*tw) / 2
		for c := 0; c < inRow; c++ {
			out = append(out, tile{x: even(left + c*tw), y: even(top + r*th), w: tw, h: th})
		}
	}
	return out
}

// even rounds down to an even number (4:2:0 chroma needs even sizes).
func even(v int) int { return v &^ 1 }
