package server

import (
	"context"

	"github.com/govidu/govidu/internal/api"
	"github.com/govidu/govidu/internal/media"
	"github.com/govidu/govidu/internal/recording"
)

// mountRecording starts the recording module when OPENVIDU_RECORDING=true:
// REST recordings, downloads at /openvidu/recordings/, recordings restored
// (and interrupted ones finalized) from OPENVIDU_RECORDING_PATH. Its
// closer must run after the sessions are closed and before the engine.
func (s *Server) mountRecording(engine *media.Engine, apiOpts *api.Options) (func(context.Context) error, error) {
	if !s.cfg.Recording {
		return nil, nil
	}
	m, err := recording.New(s.svc, recording.Options{
		Path:     s.cfg.RecordingPath,
		Source:   recording.EngineSource(engine),
		Logger:   s.log,
		Observer: recordingObserver{s},
	})
	if err != nil {
		return nil, err
	}
	s.recordings = m
	apiOpts.Recordings = m
	return m.Close, nil
}

// recordingObserver feeds /metrics.
type recordingObserver struct{ s *Server }

func (o recordingObserver) RecordingStarted() { o.s.metrics.Recordings.Inc() }
func (o recordingObserver) RecordingStopped() { o.s.metrics.Recordings.Dec() }
func (o recordingObserver) RecordingFailed()  { o.s.metrics.RecordingsFailed.Inc() }
