package app

import (
	"context"

	"dudao/domain"
)

// DirectorWork is what waits for a director beyond the case lists of the dashboard: the 问责 steps of
// the offices they head (R56) and the 复查/复核 requests those offices decide (R16). Each kind is one
// count (and, with a limit, one page) over the open records only, never the whole scope.
type DirectorWork struct {
	Acc         domain.AccPending
	AccItems    []domain.Accountability // the oldest waiting, at most the limit
	Reviews     int
	ReviewItems []domain.ReviewRequest // due first, at most the limit
}

// DirectorWork counts what waits for a's director steps and lists up to limit of each kind (0: counts
// only, as the navigation's badges need). A user who takes no such step gets nothing.
func (x *App) DirectorWork(ctx context.Context, a domain.Actor, limit int) (DirectorWork, error) {
	var w DirectorWork
	var err error
	if scopes := x.scopes(a, "accountability", "decide"); len(scopes) > 0 {
		if w.Acc, w.AccItems, err = x.d.Accountability.PendingAccountability(ctx, scopes, x.d.Clock.Now(), limit); err != nil {
			return w, err
		}
	}
	// Only the deciding office's own users decide a request (domain.ReviewRequest.CanDecide).
	if x.MayAnywhere(a, "review_request", "decide") && x.d.Reviews != nil {
		if w.ReviewItems, w.Reviews, err = x.d.Reviews.PendingReviewRequests(ctx, a.Org.ID, limit); err != nil {
			return w, err
		}
	}
	return w, nil
}
