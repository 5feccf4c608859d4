package app

import (
	"context"
	"time"

	"dudao/domain"
)

// The R16 ladder as use cases: the target applies for 复查 (to the office that issued the 意见书) or
// 复核 (to the one above it); a director of the deciding office decides. Each goes through the one
// write path; the deciding office hears of an application, the applicant of the decision, and the
// scheduler reminds the deciding office of a decision past its clock.

// ReviewView is a request as one caller sees it: the request and whether the caller may decide it.
type ReviewView struct {
	Request   *domain.ReviewRequest
	MayDecide bool
}

var errReviewNotFound = domain.Errorf(domain.ENOTFOUND, "复查复核申请不存在。")

func (x *App) reviewView(a domain.Actor, q *domain.ReviewRequest) ReviewView {
	if q == nil {
		return ReviewView{}
	}
	return ReviewView{Request: q, MayDecide: x.may(a, q, domain.OpDecideReview) && q.CanDecide(a) == nil}
}

// reviewTold tells the deciding office of an application and the applicant of the decision.
func (x *App) reviewTold(ctx context.Context, a domain.Actor, q *domain.ReviewRequest, op domain.Op, now time.Time) error {
	if quiet(ctx) {
		return nil
	}
	for _, n := range q.Notices(op, x.d.Rules) {
		if _, err := x.notifyExcept(ctx, n.Message, n.To, now, a.UserID); err != nil {
			return err
		}
	}
	return nil
}

// ApplyReview is the target's application for 复查 or 复核 of a case's 意见书.
func (x *App) ApplyReview(ctx context.Context, a domain.Actor, caseID int64, kind domain.ReviewKind, reason string) (ReviewView, error) {
	// The case is looked up before the right to apply is asked: a case the caller cannot read is not
	// there (SPEC §1), as for every other step on a case.
	if _, err := load(ctx, x, x.cases, a, caseID); err != nil {
		return ReviewView{}, err
	}
	need, _ := (&domain.ReviewRequest{}).Permission(domain.OpApplyReview)
	q, err := create(ctx, x, x.reviews, a, domain.OpApplyReview, need, func(ctx context.Context, now time.Time) (*domain.ReviewRequest, string, error) {
		c, err := load(ctx, x, x.cases, a, caseID)
		if err != nil {
			return nil, "", err
		}
		existing, err := x.d.Reviews.CaseReviewRequests(ctx, c.ID)
		if err != nil {
			return nil, "", err
		}
		higher, err := x.higherOffice(ctx, c.OwnerOrg)
		if err != nil {
			return nil, "", err
		}
		q, err := domain.NewReviewRequest(a, c, kind, existing, higher, reason, now, x.d.Rules)
		if err != nil {
			return nil, "", err
		}
		return q, q.Kind.Label() + "：" + q.Reason, nil
	})
	return x.reviewView(a, q), err
}

// DecideReview records the deciding office's decision on a request.
func (x *App) DecideReview(ctx context.Context, a domain.Actor, id int64, outcome domain.ReviewOutcome, decision string, expect *int) (ReviewView, error) {
	q, err := change(ctx, x, x.reviews, a, id, domain.OpDecideReview, expect, func(_ context.Context, q *domain.ReviewRequest, now time.Time) (string, error) {
		return outcome.Label() + "：" + decision, q.Decide(a, now, outcome, decision)
	})
	return x.reviewView(a, q), err
}

// GetReview loads a request the caller may read.
func (x *App) GetReview(ctx context.Context, a domain.Actor, id int64) (ReviewView, error) {
	q, err := load(ctx, x, x.reviews, a, id)
	if err != nil {
		return ReviewView{}, err
	}
	return x.reviewView(a, q), nil
}

// CaseReviews lists the requests of a case the caller has loaded through GetCase (those it may read of
// them).
func (x *App) CaseReviews(ctx context.Context, a domain.Actor, c *domain.Case) ([]ReviewView, error) {
	if c == nil || !x.visible(a, c.Head()) {
		return nil, errCaseNotFound
	}
	qs, err := x.d.Reviews.CaseReviewRequests(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []ReviewView
	for i := range qs {
		if x.visible(a, qs[i].Head()) {
			out = append(out, x.reviewView(a, &qs[i]))
		}
	}
	return out, nil
}
