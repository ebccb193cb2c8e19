package recording

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/govidu/govidu/internal/core"
)

// Recovery: at start, a recording whose metadata says starting, started
// or stopped was interrupted (the server was killed, or stopped before it
// could finish). Its status becomes "stopped" at once, so that the list
// is honest, and it is finalized in the background from the files on
// disk: every stream file is repaired up to its last complete cluster,
// then packed (INDIVIDUAL) or composed (COMPOSED, reusing the segments
// already composed). Without any media it is marked failed, with the reason.

// scanInterrupted marks the interrupted recordings stopped and returns their ids.
func (m *Manager) scanInterrupted() []string {
	entries, err := os.ReadDir(m.opts.Path)
	if err != nil {
		return nil
	}
	var ids []string
	for _, e := range entries {
		if !e.IsDir() || !idPattern.MatchString(e.Name()) {
			continue
		}
		id := e.Name()
		path := filepath.Join(m.opts.Path, id, metadataName(id))
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		r, stoppedAt, err := fromMetadata(b)
		if err != nil {
			continue
		}
		switch r.Status {
		case core.RecordingStarting, core.RecordingStarted:
			r.Reason = core.ReasonNodeCrashed
		case core.RecordingStopped:
			if r.Reason == "" {
				r.Reason = core.ReasonOpenViduServerStopped
			}
		default:
			continue
		}
		r.Status = core.RecordingStopped
		if err := writeJSONFile(path, toMetadata(r, stoppedAt), false); err != nil {
			m.log.Error("recording metadata", "recordingId", id, "err", err)
		}
		m.recovering[id] = true
		ids = append(ids, id)
		m.log.Warn("recording interrupted by the last shutdown; finalizing it from its files", "recordingId", id, "reason", r.Reason)
	}
	return ids
}

func (m *Manager) recoverAll(ids []string) {
	for _, id := range ids {
		if m.ctx.Err() != nil {
			return
		}
		m.recoverOne(id)
		m.mu.Lock()
		delete(m.recovering, id)
		m.mu.Unlock()
	}
}

func (m *Manager) recoverOne(id string) {
	dir := filepath.Join(m.opts.Path, id)
	b, err := os.ReadFile(filepath.Join(dir, metadataName(id)))
	if err != nil {
		return
	}
	rec, stoppedAt, err := fromMetadata(b)
	if err != nil {
		return
	}
	began := time.Now()
	ctx, cancel := m.finalizeContext()
	defer cancel()
	var out output
	props := rec.Properties
	if props.OutputMode == core.OutputIndividual {
		if o, ok := m.finishedZip(dir, rec); ok {
			out = o
		} else {
			files := m.repairStreams(dir, rec)
			out, err = m.finalizeIndividual(ctx, dir, rec, files)
		}
	} else {
		files := m.repairStreams(filepath.Join(dir, ".parts"), rec)
		if stoppedAt <= 0 {
			for _, f := range files {
				stoppedAt = max(stoppedAt, f.EndTimeOffset)
			}
		}
		if !m.ff.available() {
			err = ErrNoFFmpeg
		} else {
			out, err = m.finalizeComposed(ctx, dir, rec, files, stoppedAt, nil)
		}
	}
	if ctx.Err() != nil {
		return // shutting down again: next time
	}
	final := m.complete(dir, rec, out, err, stoppedAt)
	m.svc.EmitRecordingStatus(core.SessionRef{ID: rec.SessionID, UniqueID: rec.UniqueSessionID}, final.Info(), rec.Reason, m.now())
	m.log.Info("interrupted recording finalized", "recordingId", id, "status", final.Status, "file", final.File,
		"duration", final.Duration, "took", time.Since(began).Round(time.Millisecond), "err", final.Error)
	if m.opts.Observer != nil && final.Status == core.RecordingFailed {
		m.opts.Observer.RecordingFailed()
	}
}

// finishedZip: the zip was complete (it is renamed into place whole)
// before the server died; only the cleanup was left.
func (m *Manager) finishedZip(dir string, rec Recording) (output, bool) {
	zipName := rec.Name + ".zip"
	sf, err := readZipSync(filepath.Join(dir, zipName), rec.Name+".json")
	if err != nil {
		return output{}, false
	}
	out := output{file: zipName}
	first, last := int64(-1), int64(0)
	for _, f := range sf.Files {
		out.size += f.Size
		if first < 0 || f.StartTimeOffset < first {
			first = f.StartTimeOffset
		}
		last = max(last, f.EndTimeOffset)
	}
	if first >= 0 {
		out.duration = float64(last-first) / 1000
	}
	removeLoose(dir, rec.ID, zipName)
	return out, true
}

// repairStreams finalizes the stream files listed by the sidecars in dir.
func (m *Manager) repairStreams(dir string, rec Recording) []streamFile {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var files []streamFile
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".stream.") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var f streamFile
		if json.Unmarshal(b, &f) != nil || f.Name == "" || filepath.Base(f.Name) != f.Name {
			continue
		}
		path := filepath.Join(dir, f.Name)
		sum, err := finalizeMatroska(path)
		if err != nil {
			if !errors.Is(err, errNoMedia) && !os.IsNotExist(err) {
				m.log.Error("an interrupted stream file cannot be repaired", "recordingId", rec.ID, "file", f.Name, "err", err)
			}
			os.Remove(path)
			continue
		}
		if f.StartTimeOffset < 0 {
			m.log.Warn("stream file without its start time; assuming the recording's start", "recordingId", rec.ID, "file", f.Name)
			f.StartTimeOffset = 0
		}
		f.Size = sum.size
		f.EndTimeOffset = f.StartTimeOffset + sum.duration
		f.HasAudio = sum.track(false) != nil
		f.HasVideo = sum.track(true) != nil
		f.VideoStartOffset = -1
		if v := sum.track(true); v != nil {
			f.VideoStartOffset = f.StartTimeOffset + v.first
		} else {
			f.TypeOfVideo = ""
		}
		files = append(files, f)
	}
	return files
}
