package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The R16 ladder: a target that disagrees with its 督导意见书 may apply to the office that issued it
// for 复查 within ReviewApplyDays, which decides within ReviewDecideDays; against that decision it may
// apply to the next-higher office for 复核 within RereviewApplyDays, which decides within
// RereviewDecideDays. Each application is a ReviewRequest with its clock; the scheduler reminds the
// deciding office when a decision is late. A decision that changes the opinion is carried out by a
// correction of the 意见书 (Case.CorrectOpinion).

// ReviewKind is which rung of the ladder a request is on.
type ReviewKind string

const (
	ReviewFirst  ReviewKind = "review"   // 复查, by the office that issued the 意见书
	ReviewHigher ReviewKind = "rereview" // 复核, by the next-higher office
)

// Valid reports whether k is a known kind.
func (k ReviewKind) Valid() bool { return k == ReviewFirst || k == ReviewHigher }

// Label is the Chinese name of k.
func (k ReviewKind) Label() string {
	if k == ReviewHigher {
		return "复核"
	}
	return "复查"
}

// ReviewStatus is where a request stands.
type ReviewStatus string

const (
	ReviewApplied ReviewStatus = "applied" // awaiting the decision
	ReviewDecided ReviewStatus = "decided"
)

// Label is the Chinese name of s.
func (s ReviewStatus) Label() string {
	if s == ReviewDecided {
		return "已决定"
	}
	return "待决定"
}

// ReviewOutcome is what the deciding office decided.
type ReviewOutcome string

const (
	ReviewUpheld  ReviewOutcome = "upheld"  // 维持原督导意见
	ReviewChanged ReviewOutcome = "changed" // 变更督导意见 (carried out by a correction of the 意见书)
)

// Valid reports whether o is a known outcome.
func (o ReviewOutcome) Valid() bool { return o == ReviewUpheld || o == ReviewChanged }

// Label is the Chinese name of o.
func (o ReviewOutcome) Label() string {
	switch o {
	case ReviewUpheld:
		return "维持原督导意见"
	case ReviewChanged:
		return "变更督导意见"
	}
	return string(o)
}

// ReviewRequest is an application for 复查 or 复核 of a case's 意见书 (R16).
type ReviewRequest struct {
	ID         int64
	CaseID     int64
	CaseNumber string // read only, for display
	Kind       ReviewKind
	OwnerOrg   Org    // the office that decides: the case's owner for 复查, the one above it for 复核
	TargetOrg  Org    // the applicant: the case's target
	PriorID    *int64 // the 复查 a 复核 contests
	Reason     string
	Status     ReviewStatus
	Version    int
	AppliedBy  int64
	AppliedAt  time.Time
	DecideBy   Date // the decision's clock (R16)
	Outcome    ReviewOutcome
	Decision   string
	DecidedBy  int64
	DecidedAt  *time.Time
}

// The steps of a review request.
const (
	OpApplyReview  Op = "review.apply"
	OpDecideReview Op = "review.decide"
)

// Head is what the write path needs of the request.
func (q *ReviewRequest) Head() Head {
	return Head{Object: "review_request", ID: q.ID, Version: q.Version, Label: q.Label(), Owner: q.OwnerOrg, Target: q.TargetOrg}
}

// Label names the request in messages: 复查申请#3（乌督学〔2026〕5号）.
func (q *ReviewRequest) Label() string {
	return fmt.Sprintf("%s申请#%d（%s）", q.Kind.Label(), q.ID, q.CaseNumber)
}

// Permission answers what each step needs: the applicant's own side applies, a director of the
// deciding office decides.
func (q *ReviewRequest) Permission(op Op) (Permission, bool) {
	switch op {
	case OpApplyReview:
		return Need("review_request", "apply", AtTarget, "申请复查、复核"), true
	case OpDecideReview:
		return Need("review_request", "decide", AtOwner, "作出复查、复核决定"), true
	}
	return Permission{}, false
}

// Late reports whether the decision is past its clock at now.
func (q *ReviewRequest) Late(now time.Time) bool {
	return q.Status == ReviewApplied && q.DecideBy.Before(DateOf(now))
}

// ApplyBy is the last day the target of c may apply for a request of kind k, given the case's requests
// so far; ok is false when it may not apply at all (no 意见书 yet, no 复查 decided yet).
func ApplyBy(c *Case, k ReviewKind, existing []ReviewRequest, r Rules) (Date, bool) {
	if c.IssuedAt == nil {
		return "", false
	}
	if k == ReviewFirst {
		return r.ReviewApplyBy(*c.IssuedAt), true
	}
	for _, q := range existing {
		if q.Kind == ReviewFirst && q.Status == ReviewDecided && q.DecidedAt != nil {
			return r.RereviewApplyBy(*q.DecidedAt), true
		}
	}
	return "", false
}

// NewReviewRequest is the target's application for 复查 (kind ReviewFirst) or 复核 (ReviewHigher) of
// c's 意见书, given the case's requests so far and the office above its owner (nil when the tree holds
// none).
func NewReviewRequest(by Actor, c *Case, k ReviewKind, existing []ReviewRequest, higher *Org, reason string, now time.Time, r Rules) (*ReviewRequest, error) {
	if !k.Valid() {
		return nil, FieldError("申请信息有误。", map[string]string{"kind": "申请类型应为复查（review）或复核（rereview）。"})
	}
	if c.IssuedAt == nil {
		return nil, Errorf(ECONFLICT, "案件%s尚未签发督导意见书，不能申请%s。", c.label(), k.Label())
	}
	if by.Org.ID != c.TargetOrg.ID {
		return nil, Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能申请%s。", c.TargetOrg.Name, k.Label())
	}
	for _, q := range existing {
		if q.Kind == k {
			return nil, Errorf(ECONFLICT, "本案已于%s申请过%s（%s）。", DateOf(q.AppliedAt), k.Label(), q.Status.Label())
		}
	}
	q := &ReviewRequest{CaseID: c.ID, CaseNumber: c.Number, Kind: k, OwnerOrg: c.OwnerOrg, TargetOrg: c.TargetOrg,
		Status: ReviewApplied, Version: 1, AppliedBy: by.UserID, AppliedAt: now}
	if k == ReviewHigher {
		var prior *ReviewRequest
		for i := range existing {
			if existing[i].Kind == ReviewFirst && existing[i].Status == ReviewDecided {
				prior = &existing[i]
			}
		}
		if prior == nil {
			return nil, Errorf(ECONFLICT, "须先向%s申请复查，复查决定作出后对其仍有异议的，才能申请复核。", c.OwnerOrg.OfficeName())
		}
		if higher == nil {
			return nil, Errorf(ECONFLICT, "本案由%s办理，复核由其上一级教育督导机构%s作出，该机构不在本系统中，请以书面形式申请。", c.OwnerOrg.OfficeName(), r.HigherOffice)
		}
		id := prior.ID
		q.PriorID, q.OwnerOrg = &id, *higher
	}
	last, _ := ApplyBy(c, k, existing, r)
	if last.Before(DateOf(now)) {
		return nil, Errorf(ECONFLICT, "%s申请期限已于%s届满。", k.Label(), last)
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > maxText {
		return nil, FieldError("申请信息有误。", map[string]string{"reason": "申请理由为必填项，且不超过2000个字。"})
	}
	q.Reason = reason
	if k == ReviewFirst {
		q.DecideBy = r.ReviewDecideBy(now)
	} else {
		q.DecideBy = r.RereviewDecideBy(now)
	}
	return q, nil
}

// CanDecide reports whether by may decide the request now: while it awaits a decision, and only a user
// of the deciding office itself, so that an office above does not decide a 复查 in place of the office
// that issued the 意见书 and skip a rung of the ladder (that it is a director is the authorizer's).
func (q *ReviewRequest) CanDecide(by Actor) error {
	if q.Status != ReviewApplied {
		return Errorf(ECONFLICT, "%s已于%s作出决定（%s），不能再次决定。", q.Label(), DateOf(*q.DecidedAt), q.Outcome.Label())
	}
	if !by.System && by.Org.ID != q.OwnerOrg.ID {
		return Errorf(EFORBIDDEN, "%s由%s作出决定。", q.Kind.Label(), q.OwnerOrg.OfficeName())
	}
	return nil
}

// Decide records the deciding office's decision, with its reasons.
func (q *ReviewRequest) Decide(by Actor, now time.Time, outcome ReviewOutcome, decision string) error {
	if err := q.CanDecide(by); err != nil {
		return err
	}
	fields := map[string]string{}
	if !outcome.Valid() {
		fields["outcome"] = "决定应为维持原督导意见（upheld）或变更督导意见（changed）。"
	}
	decision = strings.TrimSpace(decision)
	if n := utf8.RuneCountInString(decision); n == 0 || n > maxText {
		fields["decision"] = "决定理由为必填项，且不超过2000个字。"
	}
	if len(fields) > 0 {
		return FieldError("决定信息有误。", fields)
	}
	q.Status, q.Outcome, q.Decision, q.DecidedBy, q.DecidedAt = ReviewDecided, outcome, decision, by.UserID, &now
	q.Version++
	return nil
}

func (q *ReviewRequest) message(k NotificationKind, title, body string) Message {
	id := q.CaseID
	return Message{Kind: k, Title: title + "：" + q.CaseNumber, Body: body, Link: caseLink(q.CaseID), CaseID: &id,
		Key: fmt.Sprintf("%s:r%d:v%d", k, q.ID, q.Version)}
}

// Notices are the messages a step on the request sends: the deciding office's directors hear of an
// application, the applicant of the decision.
func (q *ReviewRequest) Notices(op Op, r Rules) []CaseNotice {
	switch op {
	case OpApplyReview:
		return []CaseNotice{{To: Audience{Holders: []RoleAt{{RoleDirector, q.OwnerOrg.ID}}}, Message: q.message(NotifyReviewApplied,
			q.Kind.Label()+"申请", fmt.Sprintf("%s申请%s：%s 请于%s前作出决定。", q.TargetOrg.Name, q.Kind.Label(), q.Reason, r.Calendar.Label(q.DecideBy)))}}
	case OpDecideReview:
		return []CaseNotice{{To: TargetAudience(q.TargetOrg), Message: q.message(NotifyReviewDecided,
			q.Kind.Label()+"决定", fmt.Sprintf("%s对你单位的%s申请作出决定：%s。%s", q.OwnerOrg.OfficeName(), q.Kind.Label(), q.Outcome.Label(), q.Decision))}}
	}
	return nil
}

// LateMessage reminds the deciding office of a decision past its clock, once per request.
func (q *ReviewRequest) LateMessage() Message {
	m := q.message(NotifyReviewLate, q.Kind.Label()+"决定超期", fmt.Sprintf("%s于%s申请%s，应于%s前作出决定，现已超期。请尽快决定。",
		q.TargetOrg.Name, DateOf(q.AppliedAt), q.Kind.Label(), q.DecideBy))
	m.Key = fmt.Sprintf("review_late:r%d", q.ID)
	return m
}
