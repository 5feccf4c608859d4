package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dudao/domain"
)

// 双随机、一公开 draws (SPEC §3, R64–R67; docs/draw.md). The app's part is what the domain cannot see:
// it takes the candidate targets from the org tree (检查对象名录库) and the candidate inspectors from
// the office's registry (检查人员名录库), each with their current load and declared conflicts, records
// the filters as text, and when the last witness value completes the draw opens its planned cases in
// the same transaction. Replaying a draw reads only what it froze, plus the audit events that
// announced its commitments.

// DrawView is a draw as one caller sees it: the draw, the cases it opened (by target org) and what the
// caller may do now.
type DrawView struct {
	Draw    *domain.Draw
	Cases   map[int64]int64
	Allowed []domain.DrawAction
}

// DrawCreateInput sets a draw up: its parameters and the filters of the candidate lists.
type DrawCreateInput struct {
	Title      string
	ScopeOrgID int64 // where targets are taken from; 0: the caller's own org
	Year       int   // 0: this year
	CaseType   domain.CaseType
	CaseKind   domain.CaseKind // "": random (双随机抽查)
	N, K       int
	DefaultCap int // 0: the registry's default load cap
	// InspectorKind keeps only 专职 or 兼职 inspectors ("" both).
	InspectorKind domain.InspectorKind
	// ExcludeInspectedSince leaves out targets with a case of the same type (not a routine visit,
	// not cancelled) opened since that day ("" none): fewer repeated inspections.
	ExcludeInspectedSince domain.Date
}

// DrawActInput carries the parameters of a step.
type DrawActInput struct {
	Version *int
	domain.DrawActParams
}

// DrawVerification is the result of replaying a draw from what it published.
type DrawVerification struct {
	DrawID     int64
	Status     domain.DrawStatus
	OK         bool
	Message    string // in Chinese: what was checked, or every part that differs
	Commitment string // as recorded
	Seed       string // as recorded ("" before completion)
}

var errDrawNotFound = domain.Errorf(domain.ENOTFOUND, "随机抽取不存在。")

func (x *App) drawView(ctx context.Context, a domain.Actor, d *domain.Draw) (DrawView, error) {
	if d == nil {
		return DrawView{}, nil
	}
	v := DrawView{Draw: d, Allowed: d.AllowedActions(a, func(act domain.DrawAction) bool { return x.may(a, d, act.Op()) })}
	if d.Status == domain.DrawCompleted {
		var err error
		if v.Cases, err = x.d.Registry.DrawCases(ctx, d.ID); err != nil {
			return DrawView{}, err
		}
	}
	return v, nil
}

// CreateDraw freezes the candidate lists of a draw run by the caller's office and publishes its
// commitment (the draw.create audit event carries it).
func (x *App) CreateDraw(ctx context.Context, a domain.Actor, in DrawCreateInput) (DrawView, error) {
	need, _ := (&domain.Draw{}).Permission(domain.OpCreateDraw)
	d, err := create(ctx, x, x.draws, a, domain.OpCreateDraw, need, func(ctx context.Context, now time.Time) (*domain.Draw, string, error) {
		din, err := x.drawInput(ctx, a, in, now)
		if err != nil {
			return nil, "", err
		}
		d, err := domain.NewDraw(a, din, now)
		if err != nil {
			return nil, "", err
		}
		return d, "快照承诺值 " + d.Commitment, nil
	})
	if err != nil {
		return DrawView{}, err
	}
	return x.drawView(ctx, a, d)
}

// drawInput takes the candidate lists as in's filters say and describes the filters in words.
func (x *App) drawInput(ctx context.Context, a domain.Actor, in DrawCreateInput, now time.Time) (domain.DrawInput, error) {
	today := domain.DateOf(now)
	out := domain.DrawInput{Title: in.Title, Year: in.Year, CaseType: in.CaseType, CaseKind: in.CaseKind, N: in.N, K: in.K, DefaultCap: in.DefaultCap}
	if out.Year == 0 {
		out.Year = now.In(domain.CST).Year()
	}
	if out.CaseKind == "" {
		out.CaseKind = domain.KindRandom
	}
	if out.DefaultCap == 0 {
		out.DefaultCap = x.d.Rules.Registry.DefaultLoadCap
	}
	fields := map[string]string{}
	scope := a.Org
	if in.ScopeOrgID != 0 && in.ScopeOrgID != a.Org.ID {
		o, err := x.d.Orgs.GetOrg(ctx, in.ScopeOrgID)
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return out, err
		}
		if err != nil || !a.Org.Path.Covers(o.Path) {
			fields["scope_org_id"] = "抽取范围须为本单位管辖范围内的机构。"
		}
		scope = o
	}
	if in.InspectorKind != "" && !in.InspectorKind.Valid() {
		fields["inspector_kind"] = "督学类别应为专职督学或兼职督学。"
	}
	if in.ExcludeInspectedSince != "" && (!in.ExcludeInspectedSince.Valid() || today.Before(in.ExcludeInspectedSince)) {
		fields["exclude_inspected_since"] = "日期格式应为YYYY-MM-DD，且不晚于今天。"
	}
	if !in.CaseType.Valid() {
		fields["case_type"] = "督导类型应为督政、督学或评估监测。"
	}
	if len(fields) > 0 {
		return out, domain.FieldError("随机抽取信息有误。", fields)
	}
	out.Scope = scope.Path

	// 检查对象名录库: the orgs under the scope that a case of the type may target.
	orgs, err := x.d.Orgs.ListOrgs(ctx, []domain.Jurisdiction{scope.Path})
	if err != nil {
		return out, err
	}
	var paths []domain.Jurisdiction
	for _, o := range orgs {
		if o.ID != a.Org.ID && domain.DrawTargetFits(in.CaseType, o.Kind) {
			out.Targets = append(out.Targets, o)
			paths = append(paths, o.Path)
		}
	}
	kinds := map[domain.CaseType]string{domain.CaseSchool: "学校", domain.CaseGovernment: "区（县）人民政府", domain.CaseMonitoring: "区（县）和学校"}
	filters := []string{fmt.Sprintf("检查对象：%s（%s）范围内的%s", scope.Name, scope.Path, kinds[in.CaseType])}
	if in.ExcludeInspectedSince != "" {
		since, err := x.d.Registry.InspectedSince(ctx, paths, in.CaseType, in.ExcludeInspectedSince.Time())
		if err != nil {
			return out, err
		}
		seen := make(map[int64]bool, len(since))
		for _, id := range since {
			seen[id] = true
		}
		out.Targets = slices.DeleteFunc(out.Targets, func(o domain.Org) bool { return seen[o.ID] })
		filters = append(filters, fmt.Sprintf("排除%s以来已开展%s（经常性督导除外）的对象%d个", in.ExcludeInspectedSince, in.CaseType.Label(), len(since)))
	}

	// 检查人员名录库: the office's appointed inspectors in term today, with their load and conflicts.
	ins, _, err := x.d.Registry.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{a.Org.Path}, OfficeID: a.Org.ID,
		Status: domain.InspAppointed, Kind: in.InspectorKind})
	if err != nil {
		return out, err
	}
	ins = slices.DeleteFunc(ins, func(i domain.Inspector) bool { return !i.InService(today) })
	users := make([]int64, len(ins))
	for k, i := range ins {
		users[k] = i.UserID
	}
	loads, err := x.d.Registry.OpenCaseLoads(ctx, users)
	if err != nil {
		return out, err
	}
	for _, i := range ins {
		c := domain.DrawInspectorInput{UserID: i.UserID, Code: i.Code, Name: i.Name, OrgPath: i.Unit.Path, Load: loads[i.UserID]}
		for _, cf := range i.Conflicts {
			c.Conflicts = append(c.Conflicts, cf.Org.Path)
		}
		out.Inspectors = append(out.Inspectors, c)
	}
	who := "专职和兼职督学"
	if in.InspectorKind != "" {
		who = in.InspectorKind.Label()
	}
	filters = append(filters, fmt.Sprintf("检查人员：%s督学名录库中%s已聘任且在任期内的%s；现有工作量为尚未签发督导意见书的在办案件数；回避单位为申报的回避单位及本人工作单位",
		a.Org.Name, today, who))
	out.Filters = truncateRunes(strings.Join(filters, "；"), 500)
	return out, nil
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// GetDraw returns a draw the caller may read.
func (x *App) GetDraw(ctx context.Context, a domain.Actor, id int64) (DrawView, error) {
	var v DrawView
	err := x.inTx(ctx, func(ctx context.Context) error {
		d, err := load(ctx, x, x.draws, a, id)
		if err != nil {
			return err
		}
		v, err = x.drawView(ctx, a, d)
		return err
	})
	return v, err
}

// PublicDraw returns any draw as the public sees it (一公开): a draw publishes its inputs from the moment
// it is created, its commitment before any witness value is known, and its seed and result once
// complete. Witness values are in it only once revealed.
func (x *App) PublicDraw(ctx context.Context, id int64) (*domain.Draw, error) {
	d, err := x.d.Registry.GetDraw(ctx, id)
	if err != nil && domain.ErrorCode(err) == domain.ENOTFOUND {
		return nil, errDrawNotFound
	}
	return d, err
}

// ListDraws lists the draws in the caller's scope, newest first.
func (x *App) ListDraws(ctx context.Context, a domain.Actor, f domain.DrawFilter) ([]domain.Draw, int, error) {
	f.Scopes = x.scopes(a, "draw", "read")
	if len(f.Scopes) == 0 {
		return nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看随机抽取。")
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 20
	}
	return x.d.Registry.ListDraws(ctx, f)
}

// ActDraw takes a step of the ceremony: commit_witness, close_commitments, reveal or cancel. The reveal
// of the last value completes the draw, and its planned cases are opened in the same transaction.
func (x *App) ActDraw(ctx context.Context, a domain.Actor, id int64, act domain.DrawAction, in DrawActInput) (DrawView, error) {
	var v DrawView
	err := x.inTx(ctx, func(ctx context.Context) error {
		d, err := change(ctx, x, x.draws, a, id, act.Op(), in.Version, func(_ context.Context, d *domain.Draw, now time.Time) (string, error) {
			if err := d.Act(act, a, now, in.DrawActParams); err != nil {
				return "", err
			}
			switch act {
			case domain.DrawCommitWitness:
				w := d.Witnesses[len(d.Witnesses)-1]
				return fmt.Sprintf("见证人%d（%s，%s）承诺值 %s", w.Seq, w.Name, w.Role, w.Commitment), nil
			case domain.DrawReveal:
				if d.Status == domain.DrawCompleted {
					return fmt.Sprintf("见证人%d揭示随机值；种子 %s", in.Seq, d.Seed), nil
				}
				return fmt.Sprintf("见证人%d揭示随机值", in.Seq), nil
			case domain.DrawCancel:
				return d.CancelReason, nil
			}
			return "", nil
		})
		if err != nil {
			return err
		}
		v, err = x.drawView(ctx, a, d)
		return err
	})
	return v, err
}

// drawCompleted is the draws' after-step: when a reveal has completed the draw, it opens one planned
// case per target drawn, owned by the office, of the draw's type and kind, with the inspectors drawn —
// through the case's own write path, inside the draw's transaction — and tells those inspectors.
func (x *App) drawCompleted(ctx context.Context, a domain.Actor, d *domain.Draw, op domain.Op, now time.Time) error {
	if op != domain.DrawReveal.Op() || d.Status != domain.DrawCompleted || d.Result == nil {
		return nil
	}
	need, _ := (&domain.Case{}).Permission(domain.OpOpenCase)
	opened := make(map[int64]int64, len(d.Result.Assignments))
	for _, as := range d.Result.Assignments {
		target, err := x.d.Orgs.GetOrg(ctx, as.Target.OrgID)
		if err != nil {
			return fmt.Errorf("app: draw %d: target %d: %w", d.ID, as.Target.OrgID, err)
		}
		users := make([]int64, len(as.Inspectors))
		for k, p := range as.Inspectors {
			users[k] = p.UserID
		}
		title := truncateRunes(fmt.Sprintf("%s：%s", d.Title, target.Name), 200)
		c, err := create(ctx, x, x.cases, a, domain.OpOpenCase, need, func(ctx context.Context, now time.Time) (*domain.Case, string, error) {
			c, err := domain.NewCase(a, d.OwnerOrg, target, d.CaseType, d.CaseKind, title, users, "", now)
			if err != nil {
				return nil, "", err
			}
			return c, fmt.Sprintf("随机抽取#%d第%d位：%s", d.ID, as.Rank, title), nil
		})
		if err != nil {
			return err
		}
		opened[target.ID] = c.ID
		if _, err := x.notify(ctx, domain.DrawnMessage(d, as, c.ID), domain.Audience{Users: users}, now); err != nil {
			return err
		}
	}
	return x.d.Registry.AddDrawCases(ctx, d.ID, opened)
}

// VerifyDraw replays a draw from what it published (docs/draw.md §6): the commitment from the frozen
// snapshot, each revealed value against its witness's commitment, the seed and the result; and checks
// that the commitments recorded are those announced in the audit log (draw.create, and each
// draw.commit_witness in order), so that a snapshot rewritten together with its commitment is caught
// too. The command line passes System.
func (x *App) VerifyDraw(ctx context.Context, a domain.Actor, id int64) (DrawVerification, error) {
	d, err := load(ctx, x, x.draws, a, id)
	if err != nil {
		return DrawVerification{}, err
	}
	v := DrawVerification{DrawID: d.ID, Status: d.Status, Commitment: d.Commitment, Seed: d.Seed}
	var probs []string
	if err := d.Verify(); err != nil {
		msg := strings.TrimSuffix(strings.TrimPrefix(domain.ErrorMessage(err), "抽取核验不通过："), "。")
		probs = append(probs, msg)
	}
	events, _, err := x.d.Audit.List(ctx, domain.AuditFilter{ObjectType: "draw", ObjectID: d.ID, PerPage: 1000})
	if err != nil {
		return DrawVerification{}, err
	}
	slices.Reverse(events) // oldest first
	var announced string
	var witnessed []string
	for _, e := range events {
		switch e.Action {
		case string(domain.OpCreateDraw):
			announced = e.Detail
		case string(domain.DrawCommitWitness.Op()):
			witnessed = append(witnessed, e.Detail)
		}
	}
	if !strings.HasSuffix(announced, " "+d.Commitment) {
		probs = append(probs, fmt.Sprintf("记录的快照承诺值%s与发起时在审计日志中公布的不符（%s）", d.Commitment, announced))
	}
	for k, w := range d.Witnesses {
		if k >= len(witnessed) || !strings.HasSuffix(witnessed[k], " "+w.Commitment) {
			probs = append(probs, fmt.Sprintf("见证人%d（%s）的承诺值%s与登记时在审计日志中公布的不符", w.Seq, w.Name, w.Commitment))
		}
	}
	if len(witnessed) > len(d.Witnesses) {
		probs = append(probs, fmt.Sprintf("审计日志登记了%d名见证人，记录中只有%d名", len(witnessed), len(d.Witnesses)))
	}
	if len(probs) > 0 {
		v.Message = "核验不通过：" + strings.Join(probs, "；") + "。"
		return v, nil
	}
	v.OK = true
	switch d.Status {
	case domain.DrawCompleted:
		v.Message = fmt.Sprintf("核验通过：快照承诺值、%d名见证人的随机值、种子和抽取结果（抽中%d个对象）均与重算一致，承诺值与审计日志中公布的一致。",
			len(d.Witnesses), d.Drawn())
	case domain.DrawCancelled:
		v.Message = fmt.Sprintf("核验通过：快照承诺值和%d名见证人的承诺值与重算及审计日志一致；抽取已终止（%s），不产生种子和结果。",
			len(d.Witnesses), d.CancelReason)
	default:
		v.Message = fmt.Sprintf("核验通过：快照承诺值和已登记的%d名见证人承诺值与重算及审计日志一致；抽取尚未完成（%s），种子和结果待全部随机值揭示后产生。",
			len(d.Witnesses), d.Status.Label())
	}
	return v, nil
}
