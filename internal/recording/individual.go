package recording

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// finalizeIndividual packs an INDIVIDUAL recording as upstream does: the
// stream files and the sync file {name}.json (streams with their offsets)
// into {name}.zip; then the loose files go, except the metadata. Files
// ffprobe cannot read are left out (and logged), never shipped.
func (m *Manager) finalizeIndividual(ctx context.Context, dir string, rec Recording, files []streamFile) (output, error) {
	var ok []streamFile
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if m.ff.ffprobe != "" {
			p, err := m.ff.probe(ctx, path)
			if err == nil && f.HasVideo && p.stream("video") == nil || err == nil && f.HasAudio && p.stream("audio") == nil {
				err = fmt.Errorf("a track is missing")
			}
			if err != nil {
				if ctx.Err() != nil {
					return output{}, ctx.Err()
				}
				m.log.Error("a stream file is unreadable and is left out of the recording", "recordingId", rec.ID, "file", f.Name, "err", err)
				continue
			}
		}
		ok = append(ok, f)
	}
	out := output{file: rec.Name + ".zip"}
	if len(ok) == 0 {
		removeLoose(dir, rec.ID, "")
		return out, errors.New("no stream sent media during the recording")
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].StartTimeOffset < ok[j].StartTimeOffset })
	sf := syncFile{CreatedAt: rec.CreatedAt.UnixMilli(), ID: rec.ID, Name: rec.Name, SessionID: rec.SessionID, Files: []syncFileV1{}}
	first, last := ok[0].StartTimeOffset, int64(0)
	for _, f := range ok {
		sf.Files = append(sf.Files, syncFileV1{
			Name: f.Name, ConnectionID: f.ConnectionID, StreamID: f.StreamID, Size: f.Size, ClientData: f.ClientData,
			ServerData: f.ServerData, HasAudio: f.HasAudio, HasVideo: f.HasVideo, TypeOfVideo: f.TypeOfVideo,
			StartTimeOffset: f.StartTimeOffset, EndTimeOffset: f.EndTimeOffset,
		})
		out.size += f.Size
		first = min(first, f.StartTimeOffset)
		last = max(last, f.EndTimeOffset)
	}
	out.duration = float64(last-first) / 1000
	syncJSON, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return out, err
	}
	if err := writeZip(ctx, filepath.Join(dir, out.file), dir, ok, rec.Name+".json", syncJSON); err != nil {
		return out, err
	}
	removeLoose(dir, rec.ID, out.file)
	return out, nil
}

// writeZip stores the media (already compressed) and deflates the sync file.
func writeZip(ctx context.Context, path, dir string, files []streamFile, syncName string, syncJSON []byte) error {
	tmp := filepath.Join(dir, ".tmp."+filepath.Base(path))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	zw := zip.NewWriter(f)
	fail := func(err error) error {
		zw.Close()
		f.Close()
		return err
	}
	for _, sf := range files {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		src, err := os.Open(filepath.Join(dir, sf.Name))
		if err != nil {
			return fail(err)
		}
		st, _ := src.Stat()
		hdr := &zip.FileHeader{Name: sf.Name, Method: zip.Store}
		if st != nil {
			hdr.Modified = st.ModTime()
		}
		w, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = io.Copy(w, src)
		}
		src.Close()
		if err != nil {
			return fail(err)
		}
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: syncName, Method: zip.Deflate})
	if err == nil {
		_, err = w.Write(syncJSON)
	}
	if err != nil {
		return fail(err)
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// removeLoose deletes everything of a recording's folder but its
// metadata and its output keep: stream files, sidecars, temporaries, parts.
func removeLoose(dir, id, keep string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		n := e.Name()
		switch ext := filepath.Ext(n); {
		case n == metadataName(id) || n == keep:
		case n == ".parts" || len(n) > 8 && n[:8] == ".stream." || len(n) > 5 && n[:5] == ".tmp.":
			os.RemoveAll(filepath.Join(dir, n))
		case ext == ".webm" || ext == ".mkv":
			os.Remove(filepath.Join(dir, n))
		}
	}
	_ = syncDir(dir)
}

// readZipSync reads the sync file of a finished INDIVIDUAL zip (recovery
// of a recording that was killed after its zip was complete).
func readZipSync(path, name string) (syncFile, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return syncFile{}, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return syncFile{}, err
		}
		defer rc.Close()
		var sf syncFile
		if err := json.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(&sf); err != nil {
			return syncFile{}, err
		}
		return sf, nil
	}
	return syncFile{}, fmt.Errorf("%s has no %s", filepath.Base(path), name)
}
