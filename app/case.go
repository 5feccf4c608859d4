package app

import (
	"context"
	"io"
	"path"
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
}

// ActInput carries the parameters of a transition.
type ActInput struct {
	Comment  string
	Version  *int
	DueDates map[int64]domain.Date
	Results  []domain.RecheckResult
}

// EvidenceInput is an upload's metadata and bytes.
type EvidenceInput struct {
	FindingID  *int64
	Note       string
	Filename   string
	CapturedAt *time.Time
	Lat, Lng   *float64
	Body       io.Reader
}

var errCaseNotFound = domain.Errorf(domain.ENOTFOUND, "案件不存在。")

// canRead: a case is visible to whoever may read cases at its owner or at its target.
func (x *App) canRead(a domain.Actor, c *domain.Case) bool {
	return x.Authz.Allowed(a, "case", "read", c.TargetOrg.Path) || x.Authz.Allowed(a, "case", "read", c.OwnerOrg.Path)
}

// roleAllows is the casbin half of an action: supervisory actions are checked at the owner,
// the target's own actions at the target. An on-the-spot issue is a supervisor's right too.
func (x *App) roleAllows(a domain.Actor, c *domain.Case, act domain.Action) bool {
	p := c.OwnerOrg.Path
	if act.AgainstTarget() {
		p = c.TargetOrg.Path
	}
	if act == domain.ActIssue && c.Status == domain.StatusInspecting {
		return x.Authz.Allowed(a, "case", "issue_routine", p) || x.Authz.Allowed(a, "case", "issue", p)
	}
	return x.Authz.Allowed(a, "case", string(act), p)
}

// caseScopes are the actor's jurisdictions where it may read cases.
func (x *App) caseScopes(a domain.Actor) []domain.Jurisdiction {
	var out []domain.Jurisdiction
	for _, s := range a.Scopes() {
		if x.Authz.Allowed(a, "case", "read", s) {
			out = append(out, s)
		}
	}
	return out
}

// OpenCase opens a planned case owned by the actor's org.
func (x *App) OpenCase(ctx context.Context, a domain.Actor, in OpenCaseInput) (*domain.Case, error) {
	var out *domain.Case
	err := x.Tx.WithinTx(ctx, func(ctx context.Context) error {
		if !x.Authz.Allowed(a, "case", "create", a.Org.Path) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权新建督导案件。")
		}
		target, err := x.Orgs.GetOrg(ctx, in.TargetOrgID)
		if err != nil || !a.Sees(target.Path) {
			if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
				return err
			}
			return domain.FieldError("案件信息有误。", map[string]string{"target_org_id": "被督导对象不存在或不在您的管辖范围内。"})
		}
		for _, id := range in.InspectorIDs {
			if err := x.checkInspector(ctx, id, target.Path); err != nil {
				return err
			}
		}
		c, err := domain.NewCase(a, a.Org, target, in.Type, in.Kind, in.Title, in.InspectorIDs, in.PlannedOn, x.Clock.Now())
		if err != nil {
			return err
		}
		if err := x.Cases.CreateCase(ctx, c); err != nil {
			return err
		}
		out = c
		return x.audit(ctx, a, "case.open", "case", c.ID, c.TargetOrg.Path, nil, c, c.Number+" "+c.Title)
	})
	return out, err
}

// checkInspector: an inspector is an active user holding the supervisor role over the target.
func (x *App) checkInspector(ctx context.Context, userID int64, target domain.Jurisdiction) error {
	bad := domain.FieldError("案件信息有误。", map[string]string{"inspector_ids": "督学不存在，或无权督导该对象。"})
	u, err := x.Users.GetUser(ctx, userID)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return bad
		}
		return err
	}
	grants, err := x.Users.Grants(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.Role == domain.RoleSupervisor && g.Path.Covers(target) && u.Active {
			return nil
		}
	}
	return bad
}

// GetCase returns the case with the caller's allowed actions; out of scope is ENOTFOUND.
func (x *App) GetCase(ctx context.Context, a domain.Actor, id int64) (CaseView, error) {
	c, err := x.loadVisible(ctx, a, id)
	if err != nil {
		return CaseView{}, err
	}
	return x.view(a, c), nil
}

func (x *App) view(a domain.Actor, c *domain.Case) CaseView {
	return CaseView{Case: c, Allowed: c.AllowedActions(a, x.Clock.Now(), x.Rules, func(act domain.Action) bool { return x.roleAllows(a, c, act) })}
}

func (x *App) loadVisible(ctx context.Context, a domain.Actor, id int64) (*domain.Case, error) {
	c, err := x.Cases.GetCase(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return nil, errCaseNotFound
		}
		return nil, err
	}
	if !x.canRead(a, c) {
		return nil, errCaseNotFound
	}
	return c, nil
}

// ListCases lists the cases in the caller's scope.
func (x *App) ListCases(ctx context.Context, a domain.Actor, f domain.CaseFilter) ([]domain.Case, int, error) {
	f.Scopes = x.caseScopes(a)
	f.Today = domain.DateOf(x.Clock.Now())
	if f.PerPage <= 0 {
		f.PerPage = 20
	}
	if f.PerPage > 200 {
		f.PerPage = 200
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	return x.Cases.ListCases(ctx, f)
}

// changeCase is every write to a case: in one transaction load it, hide it when out of scope, check
// the version the client saw, check the role at the right org, let the domain change it, save it with
// an optimistic version check and append the audit event.
func (x *App) changeCase(ctx context.Context, a domain.Actor, id int64, expect *int, allowed func(c *domain.Case) bool,
	action string, fn func(c *domain.Case, now time.Time) (detail string, err error)) (CaseView, error) {
	var out CaseView
	err := x.Tx.WithinTx(ctx, func(ctx context.Context) error {
		c, err := x.loadVisible(ctx, a, id)
		if err != nil {
			return err
		}
		if expect != nil && *expect != c.Version {
			return domain.Errorf(domain.ECONFLICT, "案件%s已被他人修改（当前版本 %d，您看到的是 %d），请刷新后重试。", c.Number, c.Version, *expect)
		}
		if !allowed(c) {
			return domain.Errorf(domain.EFORBIDDEN, "您无权对案件%s执行此操作。", c.Number)
		}
		before := domain.Digest(c)
		v := c.Version
		detail, err := fn(c, x.Clock.Now())
		if err != nil {
			return err
		}
		if err := x.Cases.SaveCase(ctx, c, v); err != nil {
			return err
		}
		e := &domain.AuditEvent{At: x.Clock.Now(), ActorID: a.UserID, ActorName: a.Name, Action: action, ObjectType: "case",
			ObjectID: c.ID, ObjectPath: c.TargetOrg.Path, Before: before, After: domain.Digest(c), Detail: detail, RequestID: requestID(ctx)}
		if err := x.Audit.Append(ctx, e); err != nil {
			return err
		}
		out = x.view(a, c)
		return nil
	})
	return out, err
}

func (x *App) at(a domain.Actor, act string, target bool) func(c *domain.Case) bool {
	return func(c *domain.Case) bool {
		p := c.OwnerOrg.Path
		if target {
			p = c.TargetOrg.Path
		}
		return x.Authz.Allowed(a, "case", act, p)
	}
}

// Act takes a transition of SPEC §2.1.
func (x *App) Act(ctx context.Context, a domain.Actor, id int64, act domain.Action, in ActInput) (CaseView, error) {
	if !act.Valid() {
		return CaseView{}, domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	allowed := func(c *domain.Case) bool { return x.roleAllows(a, c, act) }
	return x.changeCase(ctx, a, id, in.Version, allowed, "case."+string(act), func(c *domain.Case, now time.Time) (string, error) {
		var err error
		switch act {
		case domain.ActStart:
			err = c.Start(a, now)
		case domain.ActSubmitPreliminary:
			err = c.SubmitPreliminary(a, now, x.Rules)
		case domain.ActAcknowledge:
			err = c.Acknowledge(a, now)
		case domain.ActSubmitForReview:
			err = c.SubmitForReview(a, now)
		case domain.ActReturn:
			err = c.Return(a, now, in.Comment)
		case domain.ActIssue:
			err = c.Issue(a, now, x.Rules, in.DueDates)
		case domain.ActSubmitRectification:
			err = c.SubmitRectification(a, now)
		case domain.ActRecheck:
			err = c.Recheck(a, now, x.Rules, in.Results)
		case domain.ActCancel:
			err = c.Cancel(a, now, in.Comment)
		}
		return strings.TrimSpace(in.Comment), err
	})
}

// AddFinding records a finding while inspecting.
func (x *App) AddFinding(ctx context.Context, a domain.Actor, caseID int64, in domain.FindingInput) (CaseView, *domain.Finding, error) {
	var f *domain.Finding
	v, err := x.changeCase(ctx, a, caseID, nil, x.at(a, "finding.write", false), "finding.add", func(c *domain.Case, now time.Time) (string, error) {
		var err error
		f, err = c.AddFinding(a, now, x.Rules, in)
		if err != nil {
			return "", err
		}
		return f.Title, nil
	})
	return v, f, err
}

// UpdateFinding changes a finding while inspecting.
func (x *App) UpdateFinding(ctx context.Context, a domain.Actor, caseID, findingID int64, in domain.FindingInput) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, nil, x.at(a, "finding.write", false), "finding.update", func(c *domain.Case, now time.Time) (string, error) {
		f, err := c.UpdateFinding(a, now, x.Rules, findingID, in)
		if err != nil {
			return "", err
		}
		return f.Title, nil
	})
}

// RemoveFinding deletes a finding while inspecting.
func (x *App) RemoveFinding(ctx context.Context, a domain.Actor, caseID, findingID int64) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, nil, x.at(a, "finding.write", false), "finding.remove", func(c *domain.Case, now time.Time) (string, error) {
		return "", c.RemoveFinding(a, now, findingID)
	})
}

// FileObjection records the target's objection.
func (x *App) FileObjection(ctx context.Context, a domain.Actor, caseID int64, findingID *int64, text string) (CaseView, *domain.Objection, error) {
	var o *domain.Objection
	v, err := x.changeCase(ctx, a, caseID, nil, x.at(a, "objection.file", true), "objection.file", func(c *domain.Case, now time.Time) (string, error) {
		var err error
		o, err = c.FileObjection(a, now, findingID, text)
		return "", err
	})
	return v, o, err
}

// RuleObjection records a director's ruling.
func (x *App) RuleObjection(ctx context.Context, a domain.Actor, caseID, objectionID int64, upheld bool, reason string) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, nil, x.at(a, "objection.rule", false), "objection.rule", func(c *domain.Case, now time.Time) (string, error) {
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
	v, err := x.changeCase(ctx, a, caseID, nil, x.at(a, "measure.write", true), "measure.add", func(c *domain.Case, now time.Time) (string, error) {
		var err error
		m, err = c.AddMeasure(a, now, findingID, in)
		return "", err
	})
	return v, m, err
}

// evidenceAllowed: evidence has two purposes with two rights — the inspection team records it at the
// owner while inspecting, the target's users prove rectification at the target.
func (x *App) evidenceAllowed(a domain.Actor) func(c *domain.Case) bool {
	return func(c *domain.Case) bool {
		inspect := x.Authz.Allowed(a, "case", "evidence.inspect", c.OwnerOrg.Path)
		rectify := x.Authz.Allowed(a, "case", "evidence.rectify", c.TargetOrg.Path)
		switch c.Status {
		case domain.StatusInspecting:
			return inspect
		case domain.StatusRectifying:
			return rectify
		}
		return inspect || rectify // then the state refuses it, which says more
	}
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
	if in.CapturedAt != nil && in.CapturedAt.After(x.Clock.Now().Add(10*time.Minute)) {
		fields["captured_at"] = "拍摄时间不能晚于现在。"
	}
	if utf8.RuneCountInString(in.Note) > 2000 {
		fields["note"] = "说明不超过2000个字。"
	}
	if len(fields) > 0 {
		return CaseView{}, nil, domain.FieldError("佐证材料信息有误。", fields)
	}
	c, err := x.loadVisible(ctx, a, caseID)
	if err != nil {
		return CaseView{}, nil, err
	}
	if !x.evidenceAllowed(a)(c) {
		return CaseView{}, nil, domain.Errorf(domain.EFORBIDDEN, "您无权为案件%s上传材料。", c.Number)
	}
	if err := c.CanAttachEvidence(a, in.FindingID); err != nil {
		return CaseView{}, nil, err
	}
	info, err := x.Blobs.Put(ctx, in.Body, x.opt.MaxUploadBytes)
	if err != nil {
		return CaseView{}, nil, err
	}
	var ev *domain.Evidence
	v, err := x.changeCase(ctx, a, caseID, nil, x.evidenceAllowed(a), "evidence.upload", func(c *domain.Case, now time.Time) (string, error) {
		reused, err := x.Cases.EvidenceSeenElsewhere(ctx, info.SHA256, c.ID)
		if err != nil {
			return "", err
		}
		ev, err = c.AttachEvidence(a, now, domain.Evidence{FindingID: in.FindingID, SHA256: info.SHA256, Size: info.Size,
			ContentType: info.ContentType, Note: in.Note, CapturedAt: in.CapturedAt, Lat: in.Lat, Lng: in.Lng, Reused: reused})
		return info.SHA256, err
	})
	return v, ev, err
}

// OpenEvidence returns an evidence file for download, authorised like its case.
func (x *App) OpenEvidence(ctx context.Context, a domain.Actor, id int64) (domain.Evidence, io.ReadSeekCloser, error) {
	notFound := domain.Errorf(domain.ENOTFOUND, "佐证材料不存在。")
	e, err := x.Cases.GetEvidence(ctx, id)
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Evidence{}, nil, notFound
		}
		return domain.Evidence{}, nil, err
	}
	if _, err := x.loadVisible(ctx, a, e.CaseID); err != nil {
		return domain.Evidence{}, nil, notFound
	}
	f, err := x.Blobs.Open(ctx, e.SHA256)
	if err != nil {
		return domain.Evidence{}, nil, err
	}
	return e, f, nil
}

// CaseAudit lists a case's audit events for those who may read them (director, auditor).
func (x *App) CaseAudit(ctx context.Context, a domain.Actor, caseID int64) ([]domain.AuditEvent, error) {
	c, err := x.loadVisible(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	if !x.Authz.Allowed(a, "case", "audit.read", c.TargetOrg.Path) && !x.Authz.Allowed(a, "case", "audit.read", c.OwnerOrg.Path) {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看本案的审计记录。")
	}
	events, _, err := x.Audit.List(ctx, domain.AuditFilter{ObjectType: "case", ObjectID: c.ID, PerPage: 1000})
	return events, err
}

// ListAudit lists audit events in the caller's scope.
func (x *App) ListAudit(ctx context.Context, a domain.Actor, page, perPage int) ([]domain.AuditEvent, int, error) {
	var scopes []domain.Jurisdiction
	for _, s := range a.Scopes() {
		if x.Authz.Allowed(a, "audit", "read", s) {
			scopes = append(scopes, s)
		}
	}
	if len(scopes) == 0 {
		return nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看审计日志。")
	}
	if perPage <= 0 || perPage > 200 {
		perPage = 50
	}
	return x.Audit.List(ctx, domain.AuditFilter{Scopes: scopes, Page: page, PerPage: perPage})
}
