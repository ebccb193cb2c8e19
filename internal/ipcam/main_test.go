package ipcam_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every camera goroutine, ffmpeg wait and media feed ends with the server.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
