package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The supervision plan of an office: the annual plan inside a rolling three-year one, "实督第一年、预排
// 第二年、考虑第三年" (the city's 14th five-year education plan). A plan starts in a year; its items are
// each for one of its three years — the first is carried out, the second pre-arranged, the third
// considered. It is drafted, approved and published; the next year's plan is rolled from the published
// one, the second year becoming the first.

// PlanStatus is where a plan stands.
type PlanStatus string

const (
	PlanDraft     PlanStatus = "draft"     // 草拟中
	PlanApproved  PlanStatus = "approved"  // 已审定
	PlanPublished PlanStatus = "published" // 已发布
)

// PlanStatuses lists the statuses in workflow order.
var PlanStatuses = []PlanStatus{PlanDraft, PlanApproved, PlanPublished}

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool { return slices.Contains(PlanStatuses, s) }

// Label is the Chinese name of s.
func (s PlanStatus) Label() string {
	switch s {
	case PlanDraft:
		return "草拟中"
	case PlanApproved:
		return "已审定"
	case PlanPublished:
		return "已发布"
	}
	return string(s)
}

// PlanAction is a step of a plan; its value is the {action} of POST /api/v1/plans/{id}/actions/{action}
// and the casbin action name.
type PlanAction string

const (
	PlanApprove PlanAction = "approve" // 审定
	PlanReturn  PlanAction = "return"  // 退回修改
	PlanPublish PlanAction = "publish" // 发布
)

// PlanActions lists the steps in workflow order.
var PlanActions = []PlanAction{PlanApprove, PlanReturn, PlanPublish}

// Valid reports whether a is a known step.
func (a PlanAction) Valid() bool { return slices.Contains(PlanActions, a) }

// Label is the Chinese verb phrase for a.
func (a PlanAction) Label() string {
	switch a {
	case PlanApprove:
		return "审定计划"
	case PlanReturn:
		return "退回修改"
	case PlanPublish:
		return "发布计划"
	}
	return string(a)
}

// planTransitions is the plan's lifecycle, the one table its guards consult. A published plan is not
// changed: the next year's plan revises it.
var planTransitions = Machine[PlanStatus, PlanAction]{
	PlanDraft:    {PlanApprove: PlanApproved},
	PlanApproved: {PlanReturn: PlanDraft, PlanPublish: PlanPublished},
}

// Can reports whether a plan in status s may take step a.
func (s PlanStatus) Can(a PlanAction) bool { return planTransitions.Can(s, a) }

// Op is the step's name in the write path and the audit log.
func (a PlanAction) Op() Op { return Op("plan." + string(a)) }

// The plan's steps that are not transitions.
const (
	OpCreatePlan     Op = "plan.create"
	OpRollPlan       Op = "plan.roll" // the next year's plan, from a published one
	OpAddPlanItem    Op = "plan_item.add"
	OpUpdatePlanItem Op = "plan_item.update"
	OpRemovePlanItem Op = "plan_item.remove"
)

// planPermissions: every step of a plan is the office's.
var planPermissions = map[Op]Permission{
	OpCreatePlan:     Need("plan", "create", AtOwner, "编制督导计划"),
	OpRollPlan:       Need("plan", "create", AtOwner, "滚动编制下一年度计划"),
	OpAddPlanItem:    Need("plan", "edit", AtOwner, "增加计划事项"),
	OpUpdatePlanItem: Need("plan", "edit", AtOwner, "修改计划事项"),
	OpRemovePlanItem: Need("plan", "edit", AtOwner, "删除计划事项"),
	PlanApprove.Op(): Need("plan", "approve", AtOwner, PlanApprove.Label()),
	PlanReturn.Op():  Need("plan", "return", AtOwner, PlanReturn.Label()),
	PlanPublish.Op(): Need("plan", "publish", AtOwner, PlanPublish.Label()),
}

// PlanStage is which of a plan's three years an item is for.
type PlanStage int

const (
	StageExecute    PlanStage = 1 // 实督第一年
	StagePrearrange PlanStage = 2 // 预排第二年
	StageConsider   PlanStage = 3 // 考虑第三年
)

// Label is the Chinese name of the stage.
func (s PlanStage) Label() string {
	switch s {
	case StageExecute:
		return "实督第一年"
	case StagePrearrange:
		return "预排第二年"
	case StageConsider:
		return "考虑第三年"
	}
	return fmt.Sprintf("第%d年", int(s))
}

// PlanItem is one planned supervision: of whom, of which type and kind, when. Month and Quarter are
// 0 when not set; at most one of them is.
type PlanItem struct {
	ID      int64
	Target  Org
	Type    CaseType
	Kind    CaseKind
	Year    int
	Quarter int // 1–4
	Month   int // 1–12
	Note    string
}

// When is the item's time in words: 2026年3月, 2026年第二季度, 2026年.
func (it PlanItem) When() string {
	switch {
	case it.Month > 0:
		return fmt.Sprintf("%d年%d月", it.Year, it.Month)
	case it.Quarter > 0:
		return fmt.Sprintf("%d年第%s季度", it.Year, chineseOrdinals[it.Quarter-1])
	}
	return fmt.Sprintf("%d年", it.Year)
}

// Plan is an office's rolling three-year supervision plan from StartYear. Its state changes only
// through the guarded methods below, none of which does I/O; each change bumps Version.
type Plan struct {
	ID         int64
	Office     Org
	StartYear  int
	RolledFrom *int64 // the plan of the year before, when rolled from it
	Items      []PlanItem
	Status     PlanStatus
	Version    int

	ReturnComment string
	CreatedBy     int64
	CreatedAt     time.Time
	ApprovedBy    int64
	ApprovedAt    *time.Time
	PublishedBy   int64
	PublishedAt   *time.Time
}

// Head is what the write path needs of the plan; it lies at its office and is about no one unit.
func (p *Plan) Head() Head {
	return Head{Object: "plan", ID: p.ID, Version: p.Version, Label: p.Label(), Owner: p.Office}
}

// Permission answers what step op needs of the authorizer.
func (p *Plan) Permission(op Op) (Permission, bool) {
	perm, ok := planPermissions[op]
	return perm, ok
}

// Label names the plan: 海勃湾区教育督导计划（2026—2028年）.
func (p *Plan) Label() string {
	return fmt.Sprintf("%s教育督导计划（%d—%d年）", p.Office.Name, p.StartYear, p.StartYear+2)
}

// Stage is which of the plan's years year is; false outside them.
func (p *Plan) Stage(year int) (PlanStage, bool) {
	s := PlanStage(year - p.StartYear + 1)
	return s, s >= StageExecute && s <= StageConsider
}

// NewPlan starts a draft plan of office from startYear, this year or the next.
func NewPlan(by Actor, office Org, startYear int, now time.Time) (*Plan, error) {
	fields := map[string]string{}
	checkOffice(fields, office, "督导计划由自治区、市或区（县）教育督导部门编制。")
	if y := now.In(CST).Year(); startYear < y || startYear > y+1 {
		fields["start_year"] = fmt.Sprintf("计划起始年度应为%d年或%d年。", y, y+1)
	}
	if len(fields) > 0 {
		return nil, FieldError("督导计划信息有误。", fields)
	}
	return &Plan{Office: office, StartYear: startYear, Status: PlanDraft, Version: 1, CreatedBy: by.UserID, CreatedAt: now}, nil
}

// Roll starts next year's plan from this published one: the items of its second and third years are
// carried over, the second year becoming the first (实督) and the third the second; the first year's
// items stay with this plan, carried out as cases. The new plan is a draft, to be completed with its
// own third year.
func (p *Plan) Roll(by Actor, now time.Time) (*Plan, error) {
	if p.Status != PlanPublished {
		return nil, Errorf(ECONFLICT, "%s当前状态为「%s」，发布后才能滚动编制下一年度计划。", p.Label(), p.Status.Label())
	}
	next, err := NewPlan(by, p.Office, p.StartYear+1, now)
	if err != nil {
		return nil, err
	}
	id := p.ID
	next.RolledFrom = &id
	for _, it := range p.Items {
		if it.Year > p.StartYear {
			it.ID = 0
			next.Items = append(next.Items, it)
		}
	}
	return next, nil
}

// Check returns nil when the plan's state lets it take step act; whether the plan is complete enough
// to approve is Approve's to say. Roles are the authorizer's.
func (p *Plan) Check(act PlanAction) error {
	if !p.Status.Can(act) {
		return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", p.Label(), p.Status.Label(), act.Label())
	}
	return nil
}

// AllowedActions lists the steps the state lets through and roleAllows grants. Never nil.
func (p *Plan) AllowedActions(roleAllows func(PlanAction) bool) []PlanAction {
	return Allowed(PlanActions, p.Check, roleAllows)
}

func (p *Plan) advance(act PlanAction) {
	p.Status = planTransitions.Next(p.Status, act)
	p.Version++
}

// Approve approves the draft (审定). The plan must have items, and each item of the first year — the
// one carried out — a month or a quarter.
func (p *Plan) Approve(by Actor, now time.Time) error {
	if err := p.Check(PlanApprove); err != nil {
		return err
	}
	if len(p.Items) == 0 {
		return Errorf(ECONFLICT, "%s还没有督导事项，不能审定。", p.Label())
	}
	var unscheduled []string
	for _, it := range p.Items {
		if it.Year == p.StartYear && it.Month == 0 && it.Quarter == 0 {
			unscheduled = append(unscheduled, it.Target.Name+it.Kind.Label())
		}
	}
	if len(unscheduled) > 0 {
		return Errorf(ECONFLICT, "实督第一年（%d年）的督导事项须排定月份或季度，尚未排定：%s。", p.StartYear, strings.Join(unscheduled, "、"))
	}
	p.ApprovedBy, p.ApprovedAt, p.ReturnComment = by.UserID, &now, ""
	p.advance(PlanApprove)
	return nil
}

// Return sends an approved plan back to draft with a comment.
func (p *Plan) Return(by Actor, now time.Time, comment string) error {
	if err := p.Check(PlanReturn); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &comment, "comment", "退回意见", true, maxText)
	if len(fields) > 0 {
		return FieldError("请填写退回意见。", fields)
	}
	p.ReturnComment, p.ApprovedBy, p.ApprovedAt = comment, 0, nil
	p.advance(PlanReturn)
	return nil
}

// Publish publishes the approved plan.
func (p *Plan) Publish(by Actor, now time.Time) error {
	if err := p.Check(PlanPublish); err != nil {
		return err
	}
	p.PublishedBy, p.PublishedAt = by.UserID, &now
	p.advance(PlanPublish)
	return nil
}

// PlanItemInput is an item as the office enters it.
type PlanItemInput struct {
	Target  Org
	Type    CaseType
	Kind    CaseKind
	Year    int
	Quarter int
	Month   int
	Note    string
}

// canEdit: items change only in a draft.
func (p *Plan) canEdit() error {
	switch p.Status {
	case PlanDraft:
		return nil
	case PlanApproved:
		return Errorf(ECONFLICT, "%s已审定，退回修改后才能变更督导事项。", p.Label())
	}
	return Errorf(ECONFLICT, "%s已发布，不再变更；请在下一年度滚动编制时调整。", p.Label())
}

// item validates in as the item with id at index k of the items (-1 for a new one).
func (p *Plan) item(in PlanItemInput, id int64, k int) (PlanItem, error) {
	fields := map[string]string{}
	if !in.Type.Valid() {
		fields["type"] = "督导类型应为督政、督学或评估监测。"
	}
	if !in.Kind.Valid() {
		fields["kind"] = "督导方式应为综合督导、专项督导、经常性督导、双随机抽查或回头看。"
	}
	if msg := targetFits(p.Office, in.Target, in.Type); msg != "" {
		fields["target_org_id"] = msg
	}
	if _, ok := p.Stage(in.Year); !ok {
		fields["year"] = fmt.Sprintf("年度应为%d年至%d年之一。", p.StartYear, p.StartYear+2)
	}
	switch {
	case in.Month < 0 || in.Month > 12:
		fields["month"] = "月份应为1至12。"
	case in.Quarter < 0 || in.Quarter > 4:
		fields["quarter"] = "季度应为1至4。"
	case in.Month > 0 && in.Quarter > 0:
		fields["quarter"] = "月份和季度只填其一。"
	}
	checkText(fields, &in.Note, "note", "备注", false, maxText)
	// Reduce unnecessary inspections (the 14th five-year plan: 减少不必要的各类检查、评估、评价): one
	// supervision of a kind per unit and year; routine visits recur by nature.
	for n, o := range p.Items {
		if len(fields) == 0 && n != k && in.Kind != KindRoutine && o.Target.ID == in.Target.ID && o.Type == in.Type && o.Kind == in.Kind && o.Year == in.Year {
			fields["target_org_id"] = fmt.Sprintf("计划中已有%d年对%s的%s%s，避免重复检查。", in.Year, in.Target.Name, in.Type.Label(), in.Kind.Label())
		}
	}
	if len(fields) > 0 {
		return PlanItem{}, FieldError("督导事项信息有误。", fields)
	}
	return PlanItem{ID: id, Target: in.Target, Type: in.Type, Kind: in.Kind, Year: in.Year, Quarter: in.Quarter, Month: in.Month, Note: in.Note}, nil
}

// targetFits says why target cannot be supervised by office under type t, or "": it lies strictly
// within the office's jurisdiction and is a government for 督政, a school for 督学.
func targetFits(office, target Org, t CaseType) string {
	switch {
	case target.ID <= 0 || !office.Path.Covers(target.Path) || office.ID == target.ID:
		return "被督导单位须在本单位管辖范围之内，且不能是本单位。"
	case t == CaseGovernment && target.Kind != OrgDistrict && target.Kind != OrgCity:
		return "督政的对象应为区（县）或市。"
	case t == CaseSchool && target.Kind != OrgSchool:
		return "督学的对象应为学校。"
	case t == CaseMonitoring && target.Kind != OrgDistrict && target.Kind != OrgCity && target.Kind != OrgSchool:
		return "评估监测的对象应为区（县）、市或学校。"
	}
	return ""
}

// AddItem adds an item to a draft. The result points into p; storage fills in its ID.
func (p *Plan) AddItem(by Actor, now time.Time, in PlanItemInput) (*PlanItem, error) {
	if err := p.canEdit(); err != nil {
		return nil, err
	}
	it, err := p.item(in, 0, -1)
	if err != nil {
		return nil, err
	}
	p.Items = append(p.Items, it)
	p.Version++
	return &p.Items[len(p.Items)-1], nil
}

// UpdateItem changes an item of a draft.
func (p *Plan) UpdateItem(by Actor, now time.Time, id int64, in PlanItemInput) (*PlanItem, error) {
	if err := p.canEdit(); err != nil {
		return nil, err
	}
	k := slices.IndexFunc(p.Items, func(it PlanItem) bool { return it.ID == id })
	if k < 0 {
		return nil, Errorf(ENOTFOUND, "督导事项不存在。")
	}
	it, err := p.item(in, id, k)
	if err != nil {
		return nil, err
	}
	p.Items[k] = it
	p.Version++
	return &p.Items[k], nil
}

// RemoveItem removes an item of a draft.
func (p *Plan) RemoveItem(by Actor, now time.Time, id int64) error {
	if err := p.canEdit(); err != nil {
		return err
	}
	k := slices.IndexFunc(p.Items, func(it PlanItem) bool { return it.ID == id })
	if k < 0 {
		return Errorf(ENOTFOUND, "督导事项不存在。")
	}
	p.Items = slices.Delete(p.Items, k, k+1)
	p.Version++
	return nil
}
