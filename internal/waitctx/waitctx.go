// Package waitctx waits for goroutines with a deadline: the shutdown step
// every component with goroutines of its own ends with.
package waitctx

import (
	"context"
	"sync"
)

// Wait returns nil once wg's goroutines have ended, or ctx's error if ctx
// ends first (the goroutines may then still be running; a caller that
// hurries them along can wg.Wait() afterwards).
func Wait(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
