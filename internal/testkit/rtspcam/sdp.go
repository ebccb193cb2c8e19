package rtspcam

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// describeSDP turns the SDP ffmpeg wrote for its RTP outputs into the
// DESCRIBE answer: ports and addresses no longer ffmpeg's loopback sockets
// (media comes interleaved over RTSP), a session-level a=control:* and an
// a=control:trackID=N per media section, N counting from 0 in file order.
//
// ffmpeg writes the file while starting, so it may be read half-written:
// an SDP that does not end its last line, has not `tracks` media sections,
// or a section without rtpmap is reported as not ready (an error).
func describeSDP(raw []byte, tracks int) ([]byte, error) {
	text := string(raw)
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("SDP incomplete (no final newline)")
	}
	lines := strings.Split(strings.TrimRight(text, "\r\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "v=0" {
		return nil, errors.New("SDP does not start with v=0")
	}

	var out []string
	media := -1     // index of the current media section, -1 in the session part
	rtpmap := false // the current media section has an rtpmap
	endMedia := func() error {
		if media < 0 {
			out = append(out, "a=control:*")
			return nil
		}
		if !rtpmap {
			return fmt.Errorf("SDP media %d has no rtpmap", media)
		}
		out = append(out, "a=control:trackID="+strconv.Itoa(media))
		return nil
	}
	for _, line := range lines {
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "m="):
			if err := endMedia(); err != nil {
				return nil, err
			}
			media++
			rtpmap = false
			f := strings.Fields(line[2:])
			if len(f) < 4 {
				return nil, fmt.Errorf("SDP media line %q", line)
			}
			f[1] = "0"
			line = "m=" + strings.Join(f, " ")
		case strings.HasPrefix(line, "c="):
			line = "c=IN IP4 0.0.0.0"
		case strings.HasPrefix(line, "s="):
			line = "s=govidu rtspcam"
		case strings.HasPrefix(line, "a=rtpmap:"):
			rtpmap = true
		case strings.HasPrefix(line, "a=control:"), strings.HasPrefix(line, "a=rtcp:"):
			continue // ours replace them; RTCP goes interleaved
		}
		out = append(out, line)
	}
	if err := endMedia(); err != nil {
		return nil, err
	}
	if media+1 != tracks {
		return nil, fmt.Errorf("SDP has %d media sections, want %d", media+1, tracks)
	}
	return []byte(strings.Join(out, "\r\n") + "\r\n"), nil
}
