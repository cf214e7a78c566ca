package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"contactdesk/model"
)

// TestMaybeSavedIsSaid: a write whose COMMIT went unanswered (the
// connection broke, or the time ran out then) may have been saved: the
// API says so, never "nothing was changed" (a broken connection's 500)
// nor "try again" (a timeout's).
func TestMaybeSavedIsSaid(t *testing.T) {
	for _, cause := range []error{context.DeadlineExceeded, fmt.Errorf("connection reset by peer")} {
		err := fmt.Errorf("%w: %w", model.ErrMaybeSaved, cause)
		e := fromModel(err, time.Now())
		if e.Status != http.StatusServiceUnavailable || !strings.Contains(e.Message, "may or may not have been saved") || strings.Contains(e.Message, "nothing was changed") {
			t.Errorf("%v: %d %q", cause, e.Status, e.Message)
		}
	}
}
