package app

import (
	"context"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dudao/domain"
)

// CaseView is a case as one caller sees it: the aggregate and what that caller may do now.
type CaseView struct {
	Case    *domain.Case
	Allowed []domain.Action
}

// OpenCaseInput opens a case.
type OpenCaseInput struct {
	Type         domain.CaseType
	Kind         domain.CaseKind
	TargetOrgID  int64
	Title        string
	InspectorIDs []int64
	PlannedOn    domain.Date
	// Unannounced marks a 四不两直 visit (R47), which has no 督导通知; the reason is required then.
	Unannounced       bool
	UnannouncedReason string
}

// ActInput carries the parameters of a transition.
type ActInput struct {
	Comment  string
	Version  *int
	DueDates map[int64]domain.Date
	Results  []domain.RecheckResult
	// issue: the 总体评价, the 抄送 and the 整改要求和建议 per finding (R9).
	Evaluation   string
	CopyTo       []string
	Requirements map[int64]string
}

// EvidenceInput is an upload's metadata and bytes.
type EvidenceInput struct {
	FindingID   *int64
	ObjectionID *int64 // an attachment of the target's objection
	Note        string
	Filename    string
	CapturedAt  *time.Time
	Lat, Lng    *float64
	Body        io.Reader
}

var errCaseNotFound = domain.Errorf(domain.ENOTFOUND, "案件不存在。")

// OpenCase opens a planned case owned by the actor's org.
func (x *App) OpenCase(ctx context.Context, a domain.Actor, in OpenCaseInput) (*domain.Case, error) {
	need, _ := (&domain.Case{}).Permission(domain.OpOpenCase)
	return create(ctx, x, x.cases, a, domain.OpOpenCase, need, func(ctx context.Context, now time.Time) (*domain.Case, string, error) {
		target, err := x.d.Orgs.GetOrg(ctx, in.TargetOrgID)
		if err != nil || !a.Sees(target.Path) {
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return nil, "", err
			}
			return nil, "", domain.FieldError("案件信息有误。", map[string]string{"target_org_id": "被督导对象不存在或不在您的管辖范围内。"})
		}
		for _, id := range in.InspectorIDs {
			if err := x.checkInspector(ctx, a, id, target.Path); err != nil {
				return nil, "", err
			}
		}
		c, err := domain.NewCase(a, a.Org, target, in.Type, in.Kind, in.Title, in.InspectorIDs, in.PlannedOn, now)
		if err != nil {
			return nil, "", err
		}
		if err := c.Procedure(x.d.Rules, in.Unannounced, in.UnannouncedReason); err != nil {
			return nil, "", err
		}
		detail := c.Title
		if c.Unannounced {
			detail += "（四不两直：" + c.UnannouncedReason + "）"
		}
		return c, detail, nil
	})
}

// checkInspector: an inspector is an active user holding the supervisor role over the target. The
// caller naming themself is checked on the grants their session was authorised with, as the step
// itself is, without reading them again.
func (x *App) checkInspector(ctx context.Context, a domain.Actor, userID int64, target domain.Jurisdiction) error {
	bad := domain.FieldError("案件信息有误。", map[string]string{"inspector_ids": "督学不存在，或无权督导该对象。"})
	grants, active := a.Grants, true
	if a.System || userID != a.UserID {
		u, err := x.d.Users.GetUser(ctx, userID)
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				return bad
			}
			return err
		}
		if grants, err = x.d.Users.Grants(ctx, u.ID); err != nil {
			return err
		}
		grants, _ = domain.EffectiveGrants(grants) // an admin is never an inspector
		active = u.Active
	}
	for _, g := range grants {
		if g.Role == domain.RoleSupervisor && g.Path.Covers(target) && active {
			return nil
		}
	}
	return bad
}

// GetCase returns the case with the caller's allowed actions; out of scope is ENOTFOUND.
func (x *App) GetCase(ctx context.Context, a domain.Actor, id int64) (CaseView, error) {
	c, err := load(ctx, x, x.cases, a, id)
	if err != nil {
		return CaseView{}, err
	}
	return x.caseView(a, c), nil
}

// caseView is c as a sees it now; a failed write (nil case) views as nothing.
func (x *App) caseView(a domain.Actor, c *domain.Case) CaseView {
	if c == nil {
		return CaseView{}
	}
	return CaseView{Case: c, Allowed: c.AllowedActions(a, x.d.Clock.Now(), x.d.Rules, func(act domain.Action) bool { return x.may(a, c, act.Op()) })}
}

// ListCases lists the cases in the caller's scope.
func (x *App) ListCases(ctx context.Context, a domain.Actor, f domain.CaseFilter) (domain.CasePage, error) {
	f.Scopes = x.scopes(a, "case", "read")
	monitoring := x.scopes(a, "monitoring_case", "read")
	if len(f.Scopes) == 0 {
		// The monitor role reads 评估监测 cases only (Case.Head's ReadAlso).
		if f.Scopes = monitoring; len(f.Scopes) > 0 {
			if f.Type != "" && f.Type != domain.CaseMonitoring {
				return domain.CasePage{Items: []domain.Case{}, Exact: true}, nil
			}
			f.Type = domain.CaseMonitoring
		}
	} else if f.Type == "" || f.Type == domain.CaseMonitoring {
		// One who reads cases of every type somewhere and 评估监测 cases beyond lists both, as it reads them.
		var beyond []domain.Jurisdiction
		for _, m := range monitoring {
			if !slices.ContainsFunc(f.Scopes, func(s domain.Jurisdiction) bool { return s.Covers(m) }) {
				beyond = append(beyond, m)
			}
		}
		if len(beyond) > 0 {
			f.AllTypesIn = f.Scopes
			f.Scopes = append(slices.Clone(f.Scopes), beyond...)
		}
	}
	f.Today = domain.DateOf(x.d.Clock.Now())
	if f.PerPage <= 0 {
		f.PerPage = 20
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	return x.d.Cases.ListCases(ctx, f)
}

// changeCase takes one step on a case through the write path and answers the case as a now sees it.
// A step that issues documents has them rendered and fixed here, before the case is saved, and its
// audit event names each with its sha256.
func (x *App) changeCase(ctx context.Context, a domain.Actor, id int64, op domain.Op, expect *int,
	fn func(ctx context.Context, c *domain.Case, now time.Time) (string, error)) (CaseView, error) {
	c, err := change(ctx, x, x.cases, a, id, op, expect, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		detail, err := fn(ctx, c, now)
		if err != nil {
			return "", err
		}
		docs, err := x.renderDocuments(c)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(detail + " " + docs), nil
	})
	return x.caseView(a, c), err
}

// Act takes a transition of SPEC §2.1; an unknown one is ENOTFOUND.
func (x *App) Act(ctx context.Context, a domain.Actor, id int64, act domain.Action, in ActInput) (CaseView, error) {
	return x.changeCase(ctx, a, id, act.Op(), in.Version, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		p := domain.ActParams{Comment: in.Comment, DueDates: in.DueDates, Results: in.Results, Evaluation: in.Evaluation,
			CopyTo: in.CopyTo, Requirements: in.Requirements}
		if act == domain.ActSubmitPreliminary || act == domain.ActIssue {
			var err error
			if p.Paper, err = x.paper(ctx, c, a); err != nil {
				return "", err
			}
		}
		return strings.TrimSpace(in.Comment), c.Act(act, a, now, x.d.Rules, p)
	})
}

// AddFinding records a finding while inspecting.
func (x *App) AddFinding(ctx context.Context, a domain.Actor, caseID int64, in domain.FindingInput) (CaseView, *domain.Finding, error) {
	var f *domain.Finding
	v, err := x.changeCase(ctx, a, caseID, domain.OpAddFinding, nil, func(_ context.Context, c *domain.Case, now time.Time) (string, error) {
		var err error
		if f, err = c.AddFinding(a, now, x.d.Rules, in); err != nil {
			return "", err
		}
		return f.Title, nil
	})
	return v, f, err
}

// UpdateFinding changes a finding while inspecting.
func (x *App) UpdateFinding(ctx context.Context, a domain.Actor, caseID, findingID int64, in domain.FindingInput) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, domain.OpUpdateFinding, nil, func(_ context.Context, c *domain.Case, now time.Time) (string, error) {
		f, err := c.UpdateFinding(a, now, x.d.Rules, findingID, in)
		if err != nil {
			return "", err
		}
		return f.Title, nil
	})
}

// RemoveFinding deletes a finding while inspecting.
func (x *App) RemoveFinding(ctx context.Context, a domain.Actor, caseID, findingID int64) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, domain.OpRemoveFinding, nil, func(_ context.Context, c *domain.Case, now time.Time) (string, error) {
		return "", c.RemoveFinding(a, now, findingID)
	})
}

// FileObjection records the target's objection.
func (x *App) FileObjection(ctx context.Context, a domain.Actor, caseID int64, findingID *int64, text string) (CaseView, *domain.Objection, error) {
	var o *domain.Objection
	v, err := x.changeCase(ctx, a, caseID, domain.OpFileObjection, nil, func(_ context.Context, c *domain.Case, now time.Time) (string, error) {
		var err error
		o, err = c.FileObjection(a, now, findingID, text)
		return "", err
	})
	return v, o, err
}

// RuleObjection records a director's ruling.
func (x *App) RuleObjection(ctx context.Context, a domain.Actor, caseID, objectionID int64, upheld bool, reason string) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, domain.OpRuleObjection, nil, func(_ context.Context, c *domain.Case, now time.Time) (string, error) {
		verdict := "驳回"
		if upheld {
			verdict = "采纳"
		}
		return verdict + " " + strings.TrimSpace(reason), c.RuleObjection(a, now, objectionID, upheld, reason)
	})
}

// AddMeasure adds a rectification measure by the target.
func (x *App) AddMeasure(ctx context.Context, a domain.Actor, caseID, findingID int64, in domain.MeasureInput) (CaseView, *domain.Measure, error) {
	var m *domain.Measure
	v, err := x.changeCase(ctx, a, caseID, domain.OpAddMeasure, nil, func(_ context.Context, c *domain.Case, now time.Time) (string, error) {
		var err error
		m, err = c.AddMeasure(a, now, x.d.Rules, findingID, in)
		return "", err
	})
	return v, m, err
}

// validFilename refuses names that try to be paths; the name is never used on disk anyway.
func validFilename(name string) bool {
	if name == "" {
		return true
	}
	return utf8.RuneCountInString(name) <= 255 && !strings.ContainsAny(name, "/\\\x00") && name != "." && name != ".." &&
		path.Clean(name) == name && !strings.Contains(name, "..")
}

// UploadEvidence stores a file and attaches it. Everything that can be refused without the bytes is
// checked first, so a refused upload leaves no file behind.
func (x *App) UploadEvidence(ctx context.Context, a domain.Actor, caseID int64, in EvidenceInput) (CaseView, *domain.Evidence, error) {
	fields := map[string]string{}
	if !validFilename(in.Filename) {
		fields["file"] = "文件名不合法：不能包含路径（如 / \\ ..）。"
	}
	if in.Lat != nil && (*in.Lat < -90 || *in.Lat > 90) {
		fields["lat"] = "纬度应在 -90 到 90 之间。"
	}
	if in.Lng != nil && (*in.Lng < -180 || *in.Lng > 180) {
		fields["lng"] = "经度应在 -180 到 180 之间。"
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		fields["lat"] = "经纬度须同时提供。"
	}
	if in.CapturedAt != nil && in.CapturedAt.After(x.d.Clock.Now().Add(10*time.Minute)) {
		fields["captured_at"] = "拍摄时间不能晚于现在。"
	}
	if utf8.RuneCountInString(in.Note) > 2000 {
		fields["note"] = "说明不超过2000个字。"
	}
	if len(fields) > 0 {
		return CaseView{}, nil, domain.FieldError("佐证材料信息有误。", fields)
	}
	c, err := load(ctx, x, x.cases, a, caseID)
	if err != nil {
		return CaseView{}, nil, err
	}
	if !x.may(a, c, domain.OpUploadEvidence) {
		return CaseView{}, nil, domain.Errorf(domain.EFORBIDDEN, "您无权为案件%s上传材料。", c.Number)
	}
	if err := c.CanAttach(a, x.d.Clock.Now(), in.FindingID, in.ObjectionID); err != nil {
		return CaseView{}, nil, err
	}
	// The file is staged outside the transaction (reading a large upload must not hold the write
	// lock), promoted inside it just before commit, and kept or removed by the outcome (issue 13: it
	// was stored before the transaction, so refused and failed uploads left files behind).
	staged, err := x.d.Blobs.Stage(ctx, in.Body, x.opt.MaxUploadBytes)
	if err != nil {
		return CaseView{}, nil, err
	}
	info := staged.Info()
	finish := func(committed bool) {
		err := staged.Finish(committed, func() (bool, error) {
			return x.d.BlobRefs.BlobReferenced(context.WithoutCancel(ctx), info.SHA256)
		})
		_ = err // what Finish cannot remove, the sweeper does
	}
	hooked := false
	var ev *domain.Evidence
	v, err := x.changeCase(ctx, a, caseID, domain.OpUploadEvidence, nil, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		if !hooked {
			hooked = true
			afterTx(ctx, finish)
		}
		e := domain.Evidence{FindingID: in.FindingID, ObjectionID: in.ObjectionID, SHA256: info.SHA256, Size: info.Size,
			ContentType: info.ContentType, Note: in.Note, CapturedAt: in.CapturedAt, Lat: in.Lat, Lng: in.Lng}
		// The same file seen before, on this case or any other, is flagged with where it was seen first.
		seen, ok, err := x.d.Cases.FirstSighting(ctx, info.SHA256)
		if err != nil {
			return "", err
		}
		if ok {
			first := seen.EvidenceID
			e.ReusedOf, e.ReusedWhere = &first, seen.Where()
		}
		ev, err = c.AttachEvidence(a, now, e)
		if err != nil {
			return "", err
		}
		return info.SHA256, staged.Promote()
	})
	if !hooked {
		finish(false)
	}
	return v, ev, err
}

// mayReadAudit: a case's audit events are read by whoever holds audit.read at its target or owner.
func (x *App) mayReadAudit(a domain.Actor, c *domain.Case) bool {
	return x.permits(a, c.Head(), domain.Need("case", "audit.read", domain.AtTarget, "").Or(domain.Need("case", "audit.read", domain.AtOwner, "")))
}

// OpenEvidence returns an evidence file for download, authorised like its case.
func (x *App) OpenEvidence(ctx context.Context, a domain.Actor, id int64) (domain.Evidence, io.ReadSeekCloser, error) {
	notFound := domain.Errorf(domain.ENOTFOUND, "佐证材料不存在。")
	e, err := x.d.Cases.GetEvidence(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Evidence{}, nil, notFound
		}
		return domain.Evidence{}, nil, err
	}
	if _, err := load(ctx, x, x.cases, a, e.CaseID); err != nil {
		return domain.Evidence{}, nil, notFound
	}
	f, err := x.d.Blobs.Open(ctx, e.SHA256)
	if err != nil {
		return domain.Evidence{}, nil, err
	}
	return e, f, nil
}

// CaseAudit lists a case's audit events for those who may read them (director, auditor).
func (x *App) CaseAudit(ctx context.Context, a domain.Actor, caseID int64) ([]domain.AuditEvent, error) {
	c, err := load(ctx, x, x.cases, a, caseID)
	if err != nil {
		return nil, err
	}
	if !x.mayReadAudit(a, c) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看本案的审计记录。")
	}
	events, _, err := x.d.Audit.List(ctx, domain.AuditFilter{ObjectType: "case", ObjectID: c.ID, PerPage: 1000})
	return events, err
}

// AuditPage lists one keyset page of the audit events in the caller's scope, with f's filters (its
// Scopes are the caller's, whatever f says).
func (x *App) AuditPage(ctx context.Context, a domain.Actor, f domain.AuditFilter) ([]domain.AuditEvent, error) {
	f.Scopes = x.scopes(a, "audit", "read")
	if len(f.Scopes) == 0 {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看审计日志。")
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	return x.d.Audit.Page(ctx, f)
}

// ListAudit lists audit events in the caller's scope.
func (x *App) ListAudit(ctx context.Context, a domain.Actor, page, perPage int) ([]domain.AuditEvent, int, error) {
	scopes := x.scopes(a, "audit", "read")
	if len(scopes) == 0 {
		return nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看审计日志。")
	}
	if perPage <= 0 || perPage > 200 {
		perPage = 50
	}
	return x.d.Audit.List(ctx, domain.AuditFilter{Scopes: scopes, Page: page, PerPage: perPage})
}
