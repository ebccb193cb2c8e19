package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// CDROptions configure the CDR file.
type CDROptions struct {
	Dir      string // OPENVIDU_CDR_PATH; created if missing
	MaxFiles int    // daily files kept (upstream: 30); 0 = 30
}

// cdrNamePattern matches the files the CDR writes and serves:
// CDR.<yyyy-MM-dd>_<HH-mm-ss>.log, the date of the day and the time the
// server started, as upstream's logback configuration names them.
var cdrNamePattern = regexp.MustCompile(`^CDR\.\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.log$`)

// cdrSink appends one JSON line per event. Only its worker touches it.
type cdrSink struct {
	dir      string
	started  string // HH-mm-ss of the server start
	maxFiles int
	now      func() time.Time
	log      *slog.Logger

	day string
	f   *os.File
}

func newCDRSink(o CDROptions, now func() time.Time, log *slog.Logger) (*cdrSink, error) {
	if o.MaxFiles <= 0 {
		o.MaxFiles = 30
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("OPENVIDU_CDR_PATH: cannot create the CDR directory: %w", err)
	}
	s := &cdrSink{dir: o.Dir, started: now().Format("15-04-05"), maxFiles: o.MaxFiles, now: now, log: log}
	if err := s.open(now().Format("2006-01-02")); err != nil {
		return nil, fmt.Errorf("OPENVIDU_CDR_PATH: %w", err)
	}
	return s, nil
}

// open starts (or continues, after a restart within the same second) the
// file of day, and prunes the oldest files.
func (s *cdrSink) open(day string) error {
	name := filepath.Join(s.dir, "CDR."+day+"_"+s.started+".log")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("cannot open the CDR file: %w", err)
	}
	if s.f != nil {
		s.f.Close()
	}
	s.f, s.day = f, day
	s.prune()
	return nil
}

func (s *cdrSink) prune() {
	names, err := ListCDRFiles(s.dir)
	if err != nil || len(names) <= s.maxFiles {
		return
	}
	for _, n := range names[:len(names)-s.maxFiles] {
		_ = os.Remove(filepath.Join(s.dir, n))
	}
}

func (s *cdrSink) name() string { return SinkCDR }

// wants: the CDR logs every event, whatever OPENVIDU_WEBHOOK_EVENTS says.
func (s *cdrSink) wants(string) bool { return true }

// deliver writes one line with a single write call: the line is in the
// file (the kernel's page cache) when it returns, nothing is buffered here.
func (s *cdrSink) deliver(_ context.Context, r Record) outcome {
	if day := s.now().Format("2006-01-02"); day != s.day {
		if err := s.open(day); err != nil {
			s.log.Error("CDR rollover failed; still writing to the previous file", "err", err)
		}
	}
	if _, err := s.f.Write(r.CDRLine()); err != nil {
		s.log.Error("CDR write failed; event lost", "event", r.Name, "sessionId", r.SessionID, "err", err)
		return failed
	}
	return delivered
}

func (s *cdrSink) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// ListCDRFiles returns the CDR files in dir, oldest first.
func ListCDRFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, e := range entries {
		if e.Type().IsRegular() && cdrNamePattern.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // the names sort by date, then start time
	return names, nil
}
