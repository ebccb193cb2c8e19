package rtspcam

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// RTSP/1.0 messages (RFC 2326): the requests a client sends and the
// responses the camera answers, with limits so that a broken client cannot
// make the camera buffer without bound.
const (
	maxLine    = 8 << 10
	maxHeaders = 64
	maxBody    = 64 << 10
)

var errMalformed = errors.New("malformed RTSP request")

type request struct {
	method, uri, version string
	header               map[string]string // keys lower-cased; a repeated header keeps its last value
	body                 []byte
}

// readRequest reads one request. The caller has already consumed any
// interleaved binary frame ('$'), so the next byte starts a request line.
func readRequest(r *bufio.Reader) (*request, error) {
	line, err := readLine(r)
	for err == nil && line == "" { // tolerate blank lines between requests
		line, err = readLine(r)
	}
	if err != nil {
		return nil, err
	}
	f := strings.Fields(line)
	if len(f) != 3 {
		return nil, fmt.Errorf("%w: request line %q", errMalformed, line)
	}
	req := &request{method: f[0], uri: f[1], version: f[2], header: map[string]string{}}
	for n := 0; ; n++ {
		line, err := readLine(r)
		if err != nil {
			return nil, err
		}
		if line == "" {
			break
		}
		if n == maxHeaders {
			return nil, fmt.Errorf("%w: more than %d headers", errMalformed, maxHeaders)
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%w: header %q", errMalformed, line)
		}
		req.header[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
	if cl, ok := req.header["content-length"]; ok {
		n, err := strconv.Atoi(cl)
		if err != nil || n < 0 || n > maxBody {
			return nil, fmt.Errorf("%w: Content-Length %q", errMalformed, cl)
		}
		req.body = make([]byte, n)
		if _, err := io.ReadFull(r, req.body); err != nil {
			return nil, err
		}
	}
	return req, nil
}

func readLine(r *bufio.Reader) (string, error) {
	b, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("%w: line longer than %d bytes", errMalformed, r.Size())
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

type response struct {
	status int
	header [][2]string // in order of writing
	body   []byte
}

func reply(status int, header ...string) response {
	r := response{status: status}
	for i := 0; i+1 < len(header); i += 2 {
		r.header = append(r.header, [2]string{header[i], header[i+1]})
	}
	return r
}

func (r *response) set(name, value string) { r.header = append(r.header, [2]string{name, value}) }

var statusText = map[int]string{
	200: "OK",
	400: "Bad Request",
	404: "Not Found",
	454: "Session Not Found",
	455: "Method Not Valid in This State",
	459: "Aggregate Operation Not Allowed",
	461: "Unsupported Transport",
	501: "Not Implemented",
	505: "RTSP Version Not Supported",
}

// encode writes the response; CSeq is echoed first, as clients match
// answers to requests by it.
func (r response) encode(cseq string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "RTSP/1.0 %d %s\r\n", r.status, statusText[r.status])
	if cseq != "" {
		fmt.Fprintf(&b, "CSeq: %s\r\n", cseq)
	}
	b.WriteString("Server: govidu-rtspcam\r\n")
	for _, h := range r.header {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if len(r.body) > 0 {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.body))
	}
	b.WriteString("\r\n")
	b.Write(r.body)
	return b.Bytes()
}
