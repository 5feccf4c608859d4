package domain

import (
	"context"
	"fmt"
	"time"
)

// Every aggregate with a lifecycle (a case, a 问责 or 激励 record, a draw, a 督办 task …) is changed
// through the one write path of package app: in one transaction it loads the record, hides it when
// the caller may not read it, checks the version the client saw, checks the permission the step needs
// (the record's own answer, Permission), reads the clock once, lets a guarded method of the record
// change it, saves it with an optimistic version check and appends the audit event. This file is what
// the domain gives that path; an aggregate brings its rules and nothing of the machinery.

// Op names one step of a record's lifecycle, a change or a creation. Its value is the action of the
// audit event ("case.issue", "finding.add", "accountability.notice").
type Op string

// Side says at whose jurisdiction a step is authorised: supervisory steps at the office handling the
// record (the owner), the inspected unit's own steps at the target (SPEC §1, owner vs target).
type Side uint8

const (
	AtOwner Side = iota
	AtTarget
)

// Permission is what the authorizer must grant for a step: the casbin object and one of the rights
// in Any (an action at the owner's or the target's path; almost always one). Label names the step
// for messages (a Chinese verb phrase).
type Permission struct {
	Object string
	Any    []Right
	Label  string
}

// Right is one casbin action at one side of a record.
type Right struct {
	Act  string
	Side Side
}

// Need is the permission of act on object at side.
func Need(object, act string, side Side, label string) Permission {
	return Permission{Object: object, Any: []Right{{Act: act, Side: side}}, Label: label}
}

// Or is p, or else what q needs (on the same object).
func (p Permission) Or(q Permission) Permission {
	p.Any = append(append([]Right(nil), p.Any...), q.Any...)
	return p
}

// Head is what the write path needs to know of any record: what it is, which one, its version, how
// messages name it, and the jurisdictions it lies at.
type Head struct {
	Object  string // the casbin object and the audit event's object type: "case", "accountability" …
	ID      int64
	Version int
	Label   string // as messages name it: 案件乌督学〔2026〕5号, 问责#3（某某学校）
	Owner   Org    // the office that handles it
	Target  Org    // the unit it is about; the zero Org when it is about none
	// ReadAlso, when set, is another casbin object whose "read" right lets one read the record too,
	// at the same paths: a 评估监测 case is read by the monitor role ("monitoring_case"), which reads
	// no other case. Casbin sees objects and paths, not a case's type, so the record says it.
	ReadAlso string
	// ReadAct, when set, is the casbin action that reads the record instead of "read": a 问责 record
	// not yet noticed is read with "proposal.read", which the inspected side does not hold (R56).
	ReadAct string
}

// Path is where the record lies for side.
func (h Head) Path(s Side) Jurisdiction {
	if s == AtTarget && h.Target.Path != "" {
		return h.Target.Path
	}
	return h.Owner.Path
}

// AuditPath is where the record's audit events are filed: at its target, else at its owner.
func (h Head) AuditPath() Jurisdiction { return h.Path(AtTarget) }

// Record is an aggregate with a lifecycle. Its guarded methods take the actor and the one time of the
// change, do no I/O, and bump the version when they change anything.
type Record interface {
	Head() Head
	// Permission answers what step op needs; false when the record knows no such step.
	Permission(op Op) (Permission, bool)
}

// Machine is a lifecycle's transition table: from each status, the steps it may take and where each
// leads. It is the one table a record's guards consult.
type Machine[S ~string, A ~string] map[S]map[A]S

// Can reports whether a record in status s may take step a.
func (m Machine[S, A]) Can(s S, a A) bool {
	_, ok := m[s][a]
	return ok
}

// Next is where step a leads from status s (s itself when the table has no such edge).
func (m Machine[S, A]) Next(s S, a A) S {
	if to, ok := m[s][a]; ok {
		return to
	}
	return s
}

// Allowed lists, in the order of all, the steps that check lets through and roleAllows (the
// authorizer's half, nil for every step) grants. Never nil, so that it encodes as [].
func Allowed[A any](all []A, check func(A) error, roleAllows func(A) bool) []A {
	out := make([]A, 0, len(all))
	for _, a := range all {
		if check(a) == nil && (roleAllows == nil || roleAllows(a)) {
			out = append(out, a)
		}
	}
	return out
}

// Proceeding is the core shared by records that are proposed, then decided and published, or
// dropped with a reason: 问责 and 激励 today. Each record keeps its own status and table; who handles
// it, the stamps of each step and what a decision means (final) are the same.
type Proceeding struct {
	OwnerOrg   Org // the supervision office handling it: the case's owner, or the proposer's org
	TargetOrg  Org // the unit it is about
	CaseID     *int64
	CaseNumber string // read only, for display
	Version    int

	ProposedBy int64 // 0: the scheduler
	ProposedAt time.Time

	DecidedBy   int64
	DecidedAt   *time.Time
	PublishedBy int64
	PublishedAt *time.Time
	DropReason  string
	DroppedBy   int64
	DroppedAt   *time.Time
}

// propose fills the proposal's common part: handled by the case's owner when it arises from a case
// (and then about the case's target), else by the proposer's org, whose jurisdiction must hold the
// target strictly. what names the record in field messages (问责, 激励).
func (p *Proceeding) propose(by Actor, target Org, c *Case, now time.Time, what string, fields map[string]string) {
	p.OwnerOrg, p.TargetOrg, p.Version, p.ProposedBy, p.ProposedAt = by.Org, target, 1, by.UserID, now
	if c != nil {
		id := c.ID
		p.CaseID, p.CaseNumber, p.OwnerOrg = &id, c.Number, c.OwnerOrg
		if target.ID != c.TargetOrg.ID {
			fields["target_org_id"] = what + "对象应为本案的被督导单位（或其责任人）。"
		}
		if c.Status == StatusPlanned || c.Status == StatusCancelled {
			fields["case_id"] = "案件尚未开展督导或已撤销，不能据此提出" + what + "。"
		}
		return
	}
	if !p.OwnerOrg.Path.Covers(target.Path) || p.OwnerOrg.ID == target.ID {
		fields["target_org_id"] = what + "对象须在本单位管辖范围之内，且不能是本单位。"
	}
}

// finalErr is the refusal of a step on a decided record: a decision, once made, does not change.
func finalErr(label, status, what, step string) *Error {
	return Errorf(ECONFLICT, "%s已作出%s决定（%s），不能再%s；决定一经作出不能更改。", label, what, status, step)
}

// drop ends an undecided proceeding with a reason (required, at most maxText).
func (p *Proceeding) drop(by Actor, now time.Time, reason, what string) error {
	fields := map[string]string{}
	checkText(fields, &reason, "reason", "不予"+what+"的理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明不予"+what+"的理由。", fields)
	}
	p.DropReason, p.DroppedBy, p.DroppedAt = reason, by.UserID, &now
	return nil
}

// publish stamps the publication of the decision (一公开).
func (p *Proceeding) publish(by Actor, now time.Time) { p.PublishedBy, p.PublishedAt = by.UserID, &now }

// head is the proceeding's Head for object, labelled label.
func (p *Proceeding) head(object string, id int64, label string) Head {
	return Head{Object: object, ID: id, Version: p.Version, Label: label, Owner: p.OwnerOrg, Target: p.TargetOrg}
}

// Idempotency keeps the first answer to a POST sent with an Idempotency-Key, so that a client that
// retries (a phone after a timeout) gets that answer again and nothing is written twice.
type Idempotency struct {
	UserID      int64
	Key         string
	Fingerprint string // what the request was: method, path and body, hashed
	Status      int
	Location    string
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}

// IdempotencyRepo stores the answers. Claim inserts the key in the caller's transaction and reports
// false when the key is already there (waiting, on PostgreSQL, for a concurrent claim to commit or roll
// back), so a retry and its original never both run.
type IdempotencyRepo interface {
	ClaimIdempotency(ctx context.Context, rec Idempotency) (bool, error)
	GetIdempotency(ctx context.Context, userID int64, key string) (Idempotency, error)
	CompleteIdempotency(ctx context.Context, rec Idempotency) error
	// DeleteIdempotencyBefore drops the answers kept since before t.
	DeleteIdempotencyBefore(ctx context.Context, t time.Time) error
}

// MaxIdempotencyKey bounds the Idempotency-Key header.
const MaxIdempotencyKey = 200

// CheckIdempotencyKey refuses a key that is empty, too long or not printable ASCII.
func CheckIdempotencyKey(k string) error {
	if k == "" || len(k) > MaxIdempotencyKey {
		return FieldError("Idempotency-Key 有误。", map[string]string{"Idempotency-Key": fmt.Sprintf("应为1到%d个字符。", MaxIdempotencyKey)})
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return FieldError("Idempotency-Key 有误。", map[string]string{"Idempotency-Key": "只能包含可见的ASCII字符。"})
		}
	}
	return nil
}
