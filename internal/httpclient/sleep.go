package httpclient

import (
	"context"
	"time"
)

// Sleep is the pause before retrying a request: it waits d, or returns
// ctx's error as soon as ctx ends (Ctrl-C never waits out a back-off).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
