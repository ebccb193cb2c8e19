package server

import "github.com/govidu/govidu/internal/api"

// mountMedia starts the SFU and mounts the signaling WebSocket at /openvidu.
func (s *Server) mountMedia(apiOpts *api.Options) error {
	return nil
}
