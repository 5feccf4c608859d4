package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Accountability (问责) follows the 2021 教育督导问责办法 as a due-process record (R48–R58, SPEC §2.3):
// proposed (a trigger from R50 and the facts) → noticed (written notice, 陈述申辩 window) → decided by a
// director (situation, facts, legal basis, form, effective date; immutable from then on) → published,
// or dropped with a reason before the decision. Incentives (激励, R46) are recorded the same way.

// TargetType is what is held accountable: a unit (R52) or a responsible person (R53).
type TargetType string

const (
	TargetUnit   TargetType = "unit"   // 被督导单位
	TargetPerson TargetType = "person" // 相关责任人
)

// Valid reports whether t is a unit or a person.
func (t TargetType) Valid() bool { return t == TargetUnit || t == TargetPerson }

// Label is the Chinese name of t.
func (t TargetType) Label() string {
	switch t {
	case TargetUnit:
		return "单位"
	case TargetPerson:
		return "个人"
	}
	return string(t)
}

// Trigger is one of the six categories of situation that call for 问责 (R50, 问责办法第五条).
type Trigger string

const (
	TriggerPolicy  Trigger = "policy"         // 贯彻党的教育方针和中央决策部署不坚决不彻底
	TriggerDuty    Trigger = "duty"           // 履行教育职责不到位
	TriggerTask    Trigger = "task_delay"     // 教育攻坚任务完成严重滞后
	TriggerConduct Trigger = "conduct"        // 办学行为不规范
	TriggerQuality Trigger = "quality"        // 教育教学质量下降
	TriggerSafety  Trigger = "safety_refusal" // 安全问题较多或拒不接受教育督导
)

// Triggers lists the six categories in the order of R50.
var Triggers = []Trigger{TriggerPolicy, TriggerDuty, TriggerTask, TriggerConduct, TriggerQuality, TriggerSafety}

// Valid reports whether t is one of the six categories.
func (t Trigger) Valid() bool { return slices.Contains(Triggers, t) }

// Label is the category's wording in R50.
func (t Trigger) Label() string {
	switch t {
	case TriggerPolicy:
		return "贯彻党的教育方针和中央决策部署不坚决不彻底"
	case TriggerDuty:
		return "履行教育职责不到位"
	case TriggerTask:
		return "教育攻坚任务完成严重滞后"
	case TriggerConduct:
		return "办学行为不规范"
	case TriggerQuality:
		return "教育教学质量下降"
	case TriggerSafety:
		return "安全问题较多或拒不接受教育督导"
	}
	return string(t)
}

// AutoTrigger is the category the scheduler proposes under when a target does not rectify as the
// 意见书 requires (R13): a government has not performed its education duties; a school has not
// accepted supervision. The director may change it while the proposal is still only proposed.
func AutoTrigger(target Org) Trigger {
	if target.Kind == OrgSchool {
		return TriggerSafety
	}
	return TriggerDuty
}

// Forms of 问责 for units (R52) and for persons (R53). The stored code is the Chinese name itself, so
// that reports read it as it is.
var (
	UnitForms   = []string{"公开批评", "约谈", "督导通报", "资源调整", "行政处罚"}
	PersonForms = []string{"责令检查", "约谈", "通报批评", "组织处理", "处分", "移交"}
)

// FormInterview is the 约谈 form, the one whose interviews are recorded.
const FormInterview = "约谈"

// FormsFor lists the forms open to a target type.
func FormsFor(t TargetType) []string {
	if t == TargetPerson {
		return PersonForms
	}
	return UnitForms
}

// FormLabel is how a form reads in full (移交 is to the 监察机关或司法机关, R53).
func FormLabel(form string) string {
	if form == "移交" {
		return "移交监察机关或司法机关"
	}
	return form
}

// Cause says why a 问责 was proposed.
type Cause string

const (
	CauseManual    Cause = "manual"     // a supervisor proposed it
	CauseOverdue   Cause = "overdue"    // a finding overdue beyond the threshold (SPEC §2.3)
	CauseSendBacks Cause = "send_backs" // recheck sent the case back the threshold number of times
)

// Label is the Chinese name of c.
func (c Cause) Label() string {
	switch c {
	case CauseManual:
		return "督学提出"
	case CauseOverdue:
		return "逾期未整改（系统自动提出）"
	case CauseSendBacks:
		return "复查多次未通过（系统自动提出）"
	}
	return string(c)
}

// AccStatus is where a 问责 record stands.
type AccStatus string

const (
	AccProposed  AccStatus = "proposed"  // 已提出问责建议
	AccNoticed   AccStatus = "noticed"   // 已书面告知，陈述申辩中
	AccDecided   AccStatus = "decided"   // 已作出问责决定
	AccPublished AccStatus = "published" // 已公开
	AccDropped   AccStatus = "dropped"   // 不予问责
)

// AccStatuses lists the statuses in workflow order.
var AccStatuses = []AccStatus{AccProposed, AccNoticed, AccDecided, AccPublished, AccDropped}

// Valid reports whether s is a known status.
func (s AccStatus) Valid() bool { return slices.Contains(AccStatuses, s) }

// Label is the Chinese name of s.
func (s AccStatus) Label() string {
	switch s {
	case AccProposed:
		return "问责建议"
	case AccNoticed:
		return "已告知（陈述申辩）"
	case AccDecided:
		return "已决定"
	case AccPublished:
		return "已公开"
	case AccDropped:
		return "不予问责"
	}
	return string(s)
}

// Open reports whether a record in status s is still undecided.
func (s AccStatus) Open() bool { return s == AccProposed || s == AccNoticed }

// AccAction is a step of the 问责 procedure; its value is the {action} of
// POST /api/v1/accountability/{id}/actions/{action} and the casbin action name.
type AccAction string

const (
	AccEdit      AccAction = "edit"      // change the proposal's trigger and facts
	AccNotice    AccAction = "notice"    // 书面告知，开始陈述申辩期
	AccStatement AccAction = "statement" // 问责对象陈述申辩
	AccDecide    AccAction = "decide"    // 作出问责决定
	AccPublish   AccAction = "publish"   // 公开问责决定
	AccDrop      AccAction = "drop"      // 不予问责
	AccInterview AccAction = "interview" // 记录约谈
)

// AccActions lists the steps in workflow order; AllowedActions answers in this order.
var AccActions = []AccAction{AccEdit, AccNotice, AccStatement, AccDecide, AccPublish, AccDrop, AccInterview}

// Valid reports whether a is a known step.
func (a AccAction) Valid() bool { return slices.Contains(AccActions, a) }

// Label is the Chinese verb phrase for a, as on its button.
func (a AccAction) Label() string {
	switch a {
	case AccEdit:
		return "修改问责建议"
	case AccNotice:
		return "书面告知"
	case AccStatement:
		return "陈述申辩"
	case AccDecide:
		return "作出问责决定"
	case AccPublish:
		return "公开问责决定"
	case AccDrop:
		return "不予问责"
	case AccInterview:
		return "记录约谈"
	}
	return string(a)
}

// accTransitions is the 问责 procedure, the one table every guard consults. A decided record only
// gains a publication and the records of its 约谈; nothing it states changes (R57).
var accTransitions = Machine[AccStatus, AccAction]{
	AccProposed:  {AccEdit: AccProposed, AccNotice: AccNoticed, AccDrop: AccDropped},
	AccNoticed:   {AccStatement: AccNoticed, AccDecide: AccDecided, AccDrop: AccDropped},
	AccDecided:   {AccPublish: AccPublished, AccInterview: AccDecided},
	AccPublished: {AccInterview: AccPublished},
}

// Can reports whether a record in status s may take step a.
func (s AccStatus) Can(a AccAction) bool { return accTransitions.Can(s, a) }

// Op is the step's name in the write path and the audit log.
func (a AccAction) Op() Op { return Op("accountability." + string(a)) }

// OpPropose is the creation of a 问责 proposal.
const OpPropose Op = "accountability.propose"

// accPermissions is what each step needs of the authorizer: the statement is the object's own, at the
// target; everything else is the handling office's.
var accPermissions = map[Op]Permission{
	OpPropose:         Need("accountability", "propose", AtOwner, "提出问责建议"),
	AccEdit.Op():      Need("accountability", "edit", AtOwner, AccEdit.Label()),
	AccNotice.Op():    Need("accountability", "notice", AtOwner, AccNotice.Label()),
	AccStatement.Op(): Need("accountability", "statement", AtTarget, AccStatement.Label()),
	AccDecide.Op():    Need("accountability", "decide", AtOwner, AccDecide.Label()),
	AccPublish.Op():   Need("accountability", "publish", AtOwner, AccPublish.Label()),
	AccDrop.Op():      Need("accountability", "drop", AtOwner, AccDrop.Label()),
	AccInterview.Op(): Need("accountability", "interview", AtOwner, AccInterview.Label()),
}

// Interview is the record of one 约谈 (R52, R53): when, who attended, and the minutes.
type Interview struct {
	ID               int64
	AccountabilityID int64
	HeldOn           Date
	Attendees        string
	Minutes          string
	RecordedBy       int64
	RecordedAt       time.Time
}

// Accountability is one 问责 record. Its state changes only through the guarded methods below, none
// of which does I/O; each change bumps Version.
type Accountability struct {
	Proceeding
	ID          int64
	TargetType  TargetType
	PersonName  string // for a person; the unit where the person works is TargetOrg
	PersonTitle string // the person's post (职务)
	FindingID   *int64
	Trigger     Trigger
	Cause       Cause
	Facts       string // 事实材料 of the proposal
	Status      AccStatus

	NoticeText        string
	NoticedBy         int64
	NoticedAt         *time.Time
	StatementDeadline *time.Time // the instant the 陈述申辩 window closes

	StatementText string
	StatementBy   int64
	StatementAt   *time.Time

	// The 问责决定 (R57): basic situation, facts, legal basis, form and effective date.
	Situation     string
	DecisionFacts string
	LegalBasis    string
	Form          string
	EffectiveOn   Date

	Interviews []Interview

	// AutoKey marks a proposal the scheduler made, so that it makes it only once.
	AutoKey string
}

// Head is what the write path needs of the record. Until the object is told in writing (R56: 通知和
// 陈述), the record is the supervision side's working file: it is read with "proposal.read", which the
// inspected side (the school, the district office) does not hold; from the notice on, with "read".
// A proposal dropped before any notice stays the supervision side's.
func (a *Accountability) Head() Head {
	h := a.head("accountability", a.ID, a.Label())
	if !a.Noticed() {
		h.ReadAct = ProposalRead
	}
	return h
}

// ProposalRead is the casbin action that reads a 问责 record before its object has been noticed.
const ProposalRead = "proposal.read"

// Noticed reports whether the object has been told of the record in writing.
func (a *Accountability) Noticed() bool { return a.NoticedAt != nil }

// Permission answers what step op needs of the authorizer.
func (a *Accountability) Permission(op Op) (Permission, bool) {
	p, ok := accPermissions[op]
	return p, ok
}

// OpenKey identifies the proposal among the open ones: one open proposal per case, finding, trigger
// and object. "" for a record not about a case or no longer open.
func (a *Accountability) OpenKey() string {
	if a.CaseID == nil || !a.Status.Open() {
		return ""
	}
	var fid int64
	if a.FindingID != nil {
		fid = *a.FindingID
	}
	return fmt.Sprintf("%d:%d:%s:%s:%s", *a.CaseID, fid, a.Trigger, a.TargetType, a.PersonName)
}

// Label names the record for messages: 问责#12（某某学校）.
func (a *Accountability) Label() string {
	who := a.TargetOrg.Name
	if a.TargetType == TargetPerson && a.PersonName != "" {
		who += " " + a.PersonName
	}
	if a.ID == 0 {
		return "问责建议（" + who + "）"
	}
	return fmt.Sprintf("问责#%d（%s）", a.ID, who)
}

// ofTarget reports whether by's own org is the object's unit (not merely above it: SPEC §1).
func (a *Accountability) ofTarget(by Actor) bool { return by.Org.ID == a.TargetOrg.ID }

func (a *Accountability) wrongState(what string) *Error {
	return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", a.Label(), a.Status.Label(), what)
}

// StatementWindowOpen reports whether the object may still make its statement at now.
func (a *Accountability) StatementWindowOpen(now time.Time) bool {
	return a.Status == AccNoticed && a.StatementDeadline != nil && now.Before(*a.StatementDeadline) && a.StatementAt == nil
}

// LastStatementDay is the last day of the 陈述申辩 window ("" before notice).
func (a *Accountability) LastStatementDay() Date {
	if a.StatementDeadline == nil {
		return ""
	}
	return DateOf(a.StatementDeadline.Add(-time.Nanosecond))
}

// AccountabilityInput is a proposal as a supervisor makes it.
type AccountabilityInput struct {
	TargetType  TargetType
	TargetOrg   Org
	PersonName  string
	PersonTitle string
	Case        *Case  // optional: the case the proposal arises from
	FindingID   *int64 // optional: a finding of that case
	Trigger     Trigger
	Facts       string
}

const maxLongText = 10000

// checkText trims s and reports a field error when it is longer than max runes, or empty when required.
func checkText(fields map[string]string, s *string, field, what string, required bool, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case required && n == 0:
		fields[field] = fmt.Sprintf("%s为必填项，且不超过%d个字。", what, max)
	case n > max:
		fields[field] = fmt.Sprintf("%s不超过%d个字。", what, max)
	}
}

// NewAccountability makes a proposal. With a case, the case's owner handles it and its target is the
// unit (or the person's unit); without one, the proposer's org handles it and the target must lie
// strictly within it. Whether by may propose at all is the authorizer's.
func NewAccountability(by Actor, in AccountabilityInput, cause Cause, now time.Time) (*Accountability, error) {
	fields := map[string]string{}
	a := &Accountability{TargetType: in.TargetType, PersonName: in.PersonName, PersonTitle: in.PersonTitle,
		Trigger: in.Trigger, Cause: cause, Facts: in.Facts, Status: AccProposed}
	a.propose(by, in.TargetOrg, in.Case, now, "问责", fields)
	if !a.TargetType.Valid() {
		fields["target_type"] = "问责对象类型应为单位或个人。"
	}
	checkText(fields, &a.PersonName, "person_name", "责任人姓名", a.TargetType == TargetPerson, 50)
	checkText(fields, &a.PersonTitle, "person_title", "责任人职务", false, 100)
	if a.TargetType == TargetUnit && (a.PersonName != "" || a.PersonTitle != "") {
		fields["person_name"] = "问责对象为单位时不填写责任人。"
	}
	if !a.Trigger.Valid() {
		fields["trigger"] = "问责情形应为《教育督导问责办法》规定的六类情形之一。"
	}
	checkText(fields, &a.Facts, "facts", "事实材料", true, maxLongText)
	switch {
	case in.FindingID != nil && in.Case == nil:
		fields["finding_id"] = "指定问题时须同时指定案件。"
	case in.FindingID != nil:
		if f := in.Case.Finding(*in.FindingID); f == nil {
			fields["finding_id"] = "所指问题不是本案的问题。"
		} else {
			fid := f.ID
			a.FindingID = &fid
		}
	}
	if len(fields) > 0 {
		return nil, FieldError("问责建议信息有误。", fields)
	}
	return a, nil
}

// NewAutoAccountability is the scheduler's proposal for case c: about finding f (nil for the case as a
// whole, when recheck sent it back too often), with facts written out for the director.
func NewAutoAccountability(c *Case, f *Finding, cause Cause, now time.Time, r Rules) *Accountability {
	id := c.ID
	a := &Accountability{
		Proceeding: Proceeding{TargetOrg: c.TargetOrg, OwnerOrg: c.OwnerOrg, CaseID: &id, CaseNumber: c.Number, Version: 1, ProposedAt: now},
		TargetType: TargetUnit, Trigger: AutoTrigger(c.TargetOrg), Cause: cause, Status: AccProposed,
	}
	today := DateOf(now)
	switch {
	case f != nil:
		fid := f.ID
		a.FindingID = &fid
		a.Facts = fmt.Sprintf("督导意见书%s要求%s对问题「%s」（%s）于%s前整改到位；截至%s已逾期%d日，仍未整改到位。按督导规则，逾期超过%d日提出问责建议。",
			c.Number, c.TargetOrg.Name, f.Title, f.Severity.Label(), f.DueOn, today, r.DaysOverdue(f.DueOn, now), r.AccountabilityOverdueDays)
		a.AutoKey = fmt.Sprintf("overdue:f%d:%s", f.ID, f.DueOn)
	default:
		a.Facts = fmt.Sprintf("%s（%s）的整改经复查%d次未通过、退回重新整改。按督导规则，复查退回%d次提出问责建议。",
			c.Number, c.TargetOrg.Name, c.RecheckFailures, r.AccountabilitySendBacks)
		a.AutoKey = fmt.Sprintf("send_backs:c%d:%d", c.ID, c.RecheckFailures)
	}
	return a
}

// Check returns nil when the domain lets by take step act on the record at now: the state allows it
// and the duty rules hold (the object's own users make the statement; a director over the owner
// decides). Roles and jurisdictions are the authorizer's. Used for allowed_actions and first by every step.
func (a *Accountability) Check(act AccAction, by Actor, now time.Time) error {
	if !a.Status.Can(act) {
		if a.Status == AccDecided || a.Status == AccPublished {
			return finalErr(a.Label(), a.Status.Label(), "问责", act.Label())
		}
		return a.wrongState(act.Label())
	}
	switch act {
	case AccStatement:
		if !a.ofTarget(by) {
			return Errorf(EFORBIDDEN, "只有问责对象所在单位（%s）的用户才能陈述申辩。", a.TargetOrg.Name)
		}
		if a.StatementAt != nil {
			return Errorf(ECONFLICT, "已提交过陈述申辩。")
		}
		if !a.StatementWindowOpen(now) {
			return Errorf(ECONFLICT, "陈述申辩期已于%s届满。", a.LastStatementDay())
		}
	case AccDecide:
		// R56: 报督导委员会主任或副主任审批 — that only a director over the handling office decides is
		// the authorizer's (policy.csv).
		if a.StatementAt == nil && a.StatementWindowOpen(now) {
			return Errorf(ECONFLICT, "陈述申辩期至%s（含）结束；问责对象陈述申辩或期满后才能作出决定。", a.LastStatementDay())
		}
	case AccInterview:
		if a.Form != FormInterview {
			return Errorf(ECONFLICT, "问责方式为「%s」，不是约谈，无需记录约谈。", FormLabel(a.Form))
		}
	}
	return nil
}

// AllowedActions lists, in workflow order, the steps by may take now: those roleAllows (the
// authorizer's check; nil grants every step) grants and Check lets through. Never nil.
func (a *Accountability) AllowedActions(by Actor, now time.Time, roleAllows func(AccAction) bool) []AccAction {
	return Allowed(AccActions, func(act AccAction) error { return a.Check(act, by, now) }, roleAllows)
}

func (a *Accountability) advance(act AccAction) {
	a.Status = accTransitions.Next(a.Status, act)
	a.Version++
}

// Edit changes what the proposal says while it is only proposed: after the notice the object has
// been told the facts, and they stand.
func (a *Accountability) Edit(by Actor, now time.Time, trigger Trigger, facts string) error {
	if err := a.Check(AccEdit, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	if !trigger.Valid() {
		fields["trigger"] = "问责情形应为《教育督导问责办法》规定的六类情形之一。"
	}
	checkText(fields, &facts, "facts", "事实材料", true, maxLongText)
	if len(fields) > 0 {
		return FieldError("问责建议信息有误。", fields)
	}
	a.Trigger, a.Facts = trigger, facts
	a.advance(AccEdit)
	return nil
}

// Notice records the written notice to the object and opens its 陈述申辩 window (R56).
func (a *Accountability) Notice(by Actor, now time.Time, r Rules, text string) error {
	if err := a.Check(AccNotice, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &text, "notice_text", "告知书内容", true, maxLongText)
	if len(fields) > 0 {
		return FieldError("请填写书面告知内容。", fields)
	}
	deadline := r.StatementDeadline(now)
	a.NoticeText, a.NoticedBy, a.NoticedAt, a.StatementDeadline = text, by.UserID, &now, &deadline
	a.advance(AccNotice)
	return nil
}

// FileStatement records the object's 陈述申辩, once, within the window.
func (a *Accountability) FileStatement(by Actor, now time.Time, text string) error {
	if err := a.Check(AccStatement, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &text, "text", "陈述申辩内容", true, maxLongText)
	if len(fields) > 0 {
		return FieldError("请填写陈述申辩内容。", fields)
	}
	a.StatementText, a.StatementBy, a.StatementAt = text, by.UserID, &now
	a.advance(AccStatement)
	return nil
}

// Decision is the 问责决定 (R57).
type Decision struct {
	Situation   string
	Facts       string
	LegalBasis  string
	Form        string
	EffectiveOn Date
}

// Decide records the decision. It is final: nothing it states can be changed afterwards.
func (a *Accountability) Decide(by Actor, now time.Time, d Decision) error {
	if err := a.Check(AccDecide, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &d.Situation, "situation", "基本情况", true, maxLongText)
	checkText(fields, &d.Facts, "facts", "问责事实", true, maxLongText)
	checkText(fields, &d.LegalBasis, "legal_basis", "问责依据", true, maxText)
	if !slices.Contains(FormsFor(a.TargetType), d.Form) {
		fields["form"] = fmt.Sprintf("对%s的问责方式应为：%s。", a.TargetType.Label(), strings.Join(FormsFor(a.TargetType), "、"))
	}
	switch {
	case !d.EffectiveOn.Valid():
		fields["effective_on"] = "生效日期为必填项，格式为YYYY-MM-DD。"
	case d.EffectiveOn.Before(DateOf(now)):
		fields["effective_on"] = "生效日期不能早于决定之日。"
	}
	if len(fields) > 0 {
		return FieldError("问责决定信息有误。", fields)
	}
	a.Situation, a.DecisionFacts, a.LegalBasis, a.Form, a.EffectiveOn = d.Situation, d.Facts, d.LegalBasis, d.Form, d.EffectiveOn
	a.DecidedBy, a.DecidedAt = by.UserID, &now
	a.advance(AccDecide)
	return nil
}

// Publish makes the decision public (一公开).
func (a *Accountability) Publish(by Actor, now time.Time) error {
	if err := a.Check(AccPublish, by, now); err != nil {
		return err
	}
	a.publish(by, now)
	a.advance(AccPublish)
	return nil
}

// Drop ends an undecided record without 问责, with a reason.
func (a *Accountability) Drop(by Actor, now time.Time, reason string) error {
	if err := a.Check(AccDrop, by, now); err != nil {
		return err
	}
	if err := a.drop(by, now, reason, "问责"); err != nil {
		return err
	}
	a.advance(AccDrop)
	return nil
}

// RecordInterview adds the record of a 约谈 held under the decision. The result points into a;
// storage fills in its ID when the record is saved.
func (a *Accountability) RecordInterview(by Actor, now time.Time, heldOn Date, attendees, minutes string) (*Interview, error) {
	if err := a.Check(AccInterview, by, now); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	switch {
	case !heldOn.Valid():
		fields["held_on"] = "约谈日期为必填项，格式为YYYY-MM-DD。"
	case DateOf(now).Before(heldOn):
		fields["held_on"] = "约谈日期不能晚于今天。"
	case a.DecidedAt != nil && heldOn.Before(DateOf(*a.DecidedAt)):
		fields["held_on"] = "约谈日期不能早于问责决定之日。"
	}
	checkText(fields, &attendees, "attendees", "参加人员", true, 500)
	checkText(fields, &minutes, "minutes", "约谈记录", true, maxLongText)
	if len(fields) > 0 {
		return nil, FieldError("约谈记录有误。", fields)
	}
	a.Interviews = append(a.Interviews, Interview{AccountabilityID: a.ID, HeldOn: heldOn, Attendees: attendees, Minutes: minutes,
		RecordedBy: by.UserID, RecordedAt: now})
	a.advance(AccInterview)
	return &a.Interviews[len(a.Interviews)-1], nil
}

// AccFacts are what the flags of a record need to know beyond the record: its target org's history.
type AccFacts struct {
	// DecidedInYear counts the decided (or published) 问责 of the target org in the 12 months before now.
	DecidedInYear int
	// UnrectifiedAfter: a decided 问责 of the target org is about a case that still has findings to rectify.
	UnrectifiedAfter bool
}

// AccFlags are computed on read.
type AccFlags struct {
	Aggravating bool     // R54: 从重情形
	Reasons     []string // why, in Chinese
	Stale       bool     // R55: not decided in time
}

// AggravatingYear is how far back R54's "two or more within one year" looks.
const AggravatingYear = 12 // months

// Flags computes the R54 and R55 flags of the record at now.
func (a *Accountability) Flags(now time.Time, r Rules, f AccFacts) AccFlags {
	var out AccFlags
	if f.DecidedInYear >= 2 {
		out.Reasons = append(out.Reasons, fmt.Sprintf("%s近12个月内已被问责%d次（一年内两次以上被问责的从重问责）", a.TargetOrg.Name, f.DecidedInYear))
	}
	if f.UnrectifiedAfter {
		out.Reasons = append(out.Reasons, fmt.Sprintf("%s被问责后仍有问题未整改到位（问责后仍不纠正、不整改的从重问责）", a.TargetOrg.Name))
	}
	out.Aggravating = len(out.Reasons) > 0
	out.Stale = a.Status.Open() && r.ProposalOverdue(DateOf(a.ProposedAt), now)
	return out
}

// AccPending counts the 问责 records awaiting a director's step: proposals to notice in writing,
// noticed records to decide (the statement made or its window closed), decisions to publish.
type AccPending struct {
	ToNotice, ToDecide, ToPublish int
}

// Total is every step waiting.
func (p AccPending) Total() int { return p.ToNotice + p.ToDecide + p.ToPublish }

// AwaitsDirector reports whether the record waits for a director's step at now, and which.
func (a *Accountability) AwaitsDirector(now time.Time) (AccAction, bool) {
	switch a.Status {
	case AccProposed:
		return AccNotice, true
	case AccNoticed:
		return AccDecide, !a.StatementWindowOpen(now)
	case AccDecided:
		return AccPublish, true
	}
	return "", false
}

// AccountabilityFilter selects 问责 records for a list. Scopes are required: a record is listed when
// its owner or its target lies under one of them.
type AccountabilityFilter struct {
	Scopes []Jurisdiction
	// ProposalScopes are where records not yet noticed are listed too (the caller's "proposal.read"
	// scopes); under the other scopes only noticed records are (see Accountability.Head).
	ProposalScopes []Jurisdiction
	Status         AccStatus
	TargetOrgID    int64
	CaseID         int64
	Page           int
	PerPage        int
}

// IncentiveFilter selects incentives for a list, like AccountabilityFilter.
type IncentiveFilter struct {
	Scopes      []Jurisdiction
	Status      IncStatus
	TargetOrgID int64
	Page        int
	PerPage     int
}

// AccountabilityRepo stores accountability (问责) and incentive (激励) records. Saves fail with
// ECONFLICT when the stored version is no longer expectedVersion.
type AccountabilityRepo interface {
	// CreateAccountability inserts a record; ECONFLICT when another open proposal has its OpenKey or
	// another record its AutoKey.
	CreateAccountability(ctx context.Context, a *Accountability) error
	GetAccountability(ctx context.Context, id int64) (*Accountability, error)
	SaveAccountability(ctx context.Context, a *Accountability, expectedVersion int) error
	ListAccountability(ctx context.Context, f AccountabilityFilter) ([]Accountability, int, error)
	// AccountabilityFacts answers AccFacts for each of the orgs, as of now.
	AccountabilityFacts(ctx context.Context, orgIDs []int64, now time.Time) (map[int64]AccFacts, error)
	// AccountabilityKeyTaken reports whether a record already has autoKey, or an open one has openKey.
	AccountabilityKeyTaken(ctx context.Context, autoKey, openKey string) (bool, error)
	// UndecidedAccountability lists every proposed or noticed record proposed before the given time.
	UndecidedAccountability(ctx context.Context, proposedBefore time.Time) ([]Accountability, error)
	// PendingAccountability counts the records owned under ownerScopes that await the handling
	// office's director at now (AccPending), and lists the oldest limit of them.
	PendingAccountability(ctx context.Context, ownerScopes []Jurisdiction, now time.Time, limit int) (AccPending, []Accountability, error)

	CreateIncentive(ctx context.Context, i *Incentive) error
	GetIncentive(ctx context.Context, id int64) (*Incentive, error)
	SaveIncentive(ctx context.Context, i *Incentive, expectedVersion int) error
	ListIncentives(ctx context.Context, f IncentiveFilter) ([]Incentive, int, error)
}

// IncKind is what an incentive (激励, R46) gives.
type IncKind string

const (
	IncCommendation IncKind = "commendation" // 表彰
	IncResource     IncKind = "resource"     // 资源倾斜
)

// IncKinds lists the kinds in display order.
var IncKinds = []IncKind{IncCommendation, IncResource}

// Valid reports whether k is a known kind.
func (k IncKind) Valid() bool { return k == IncCommendation || k == IncResource }

// Label is the Chinese name of k.
func (k IncKind) Label() string {
	switch k {
	case IncCommendation:
		return "表彰"
	case IncResource:
		return "资源倾斜"
	}
	return string(k)
}

// IncStatus is where an incentive stands.
type IncStatus string

const (
	IncProposed  IncStatus = "proposed"
	IncDecided   IncStatus = "decided"
	IncPublished IncStatus = "published"
	IncDropped   IncStatus = "dropped"
)

// IncStatuses lists the statuses in workflow order.
var IncStatuses = []IncStatus{IncProposed, IncDecided, IncPublished, IncDropped}

// Valid reports whether s is a known status.
func (s IncStatus) Valid() bool { return slices.Contains(IncStatuses, s) }

// Label is the Chinese name of s.
func (s IncStatus) Label() string {
	switch s {
	case IncProposed:
		return "激励建议"
	case IncDecided:
		return "已决定"
	case IncPublished:
		return "已公开"
	case IncDropped:
		return "不予激励"
	}
	return string(s)
}

// IncAction is a step of an incentive; the {action} of POST /api/v1/incentives/{id}/actions/{action}
// and the casbin action name.
type IncAction string

const (
	IncDecide  IncAction = "decide"
	IncPublish IncAction = "publish"
	IncDrop    IncAction = "drop"
)

// IncActions lists the steps in workflow order.
var IncActions = []IncAction{IncDecide, IncPublish, IncDrop}

// Valid reports whether a is a known step.
func (a IncAction) Valid() bool { return slices.Contains(IncActions, a) }

// Label is the Chinese verb phrase for a.
func (a IncAction) Label() string {
	switch a {
	case IncDecide:
		return "作出激励决定"
	case IncPublish:
		return "公开激励决定"
	case IncDrop:
		return "不予激励"
	}
	return string(a)
}

// incTransitions is the incentive procedure, the one table its guards consult.
var incTransitions = Machine[IncStatus, IncAction]{
	IncProposed: {IncDecide: IncDecided, IncDrop: IncDropped},
	IncDecided:  {IncPublish: IncPublished},
}

// Can reports whether an incentive in status s may take step a.
func (s IncStatus) Can(a IncAction) bool { return incTransitions.Can(s, a) }

// Op is the step's name in the write path and the audit log.
func (a IncAction) Op() Op { return Op("incentive." + string(a)) }

// OpProposeIncentive is the creation of an incentive proposal.
const OpProposeIncentive Op = "incentive.propose"

// incPermissions: every step of an incentive is the handling office's.
var incPermissions = map[Op]Permission{
	OpProposeIncentive: Need("incentive", "propose", AtOwner, "提出激励建议"),
	IncDecide.Op():     Need("incentive", "decide", AtOwner, IncDecide.Label()),
	IncPublish.Op():    Need("incentive", "publish", AtOwner, IncPublish.Label()),
	IncDrop.Op():       Need("incentive", "drop", AtOwner, IncDrop.Label()),
}

// Incentive is one 激励 record (表彰 or 资源倾斜) for a unit that did well (R46).
type Incentive struct {
	Proceeding
	ID       int64
	Kind     IncKind
	Reason   string
	Status   IncStatus
	Decision string // what is given: the honour, or the resources and how
}

// Head is what the write path needs of the incentive.
func (i *Incentive) Head() Head { return i.head("incentive", i.ID, i.Label()) }

// Permission answers what step op needs of the authorizer.
func (i *Incentive) Permission(op Op) (Permission, bool) {
	p, ok := incPermissions[op]
	return p, ok
}

// Label names the incentive for messages.
func (i *Incentive) Label() string {
	if i.ID == 0 {
		return "激励建议（" + i.TargetOrg.Name + "）"
	}
	return fmt.Sprintf("激励#%d（%s）", i.ID, i.TargetOrg.Name)
}

// IncentiveInput is a proposal for an incentive.
type IncentiveInput struct {
	Kind      IncKind
	TargetOrg Org
	Case      *Case
	Reason    string
}

// NewIncentive makes a proposal, handled by the case's owner or else by the proposer's org, whose
// jurisdiction must hold the target.
func NewIncentive(by Actor, in IncentiveInput, now time.Time) (*Incentive, error) {
	fields := map[string]string{}
	i := &Incentive{Kind: in.Kind, Reason: in.Reason, Status: IncProposed}
	i.propose(by, in.TargetOrg, in.Case, now, "激励", fields)
	if !i.Kind.Valid() {
		fields["kind"] = "激励方式应为表彰或资源倾斜。"
	}
	checkText(fields, &i.Reason, "reason", "激励理由", true, maxLongText)
	if len(fields) > 0 {
		return nil, FieldError("激励建议信息有误。", fields)
	}
	return i, nil
}

// Check returns nil when the domain lets by take step act now; roles are the authorizer's.
func (i *Incentive) Check(act IncAction, by Actor, now time.Time) error {
	if !i.Status.Can(act) {
		if i.Status == IncDecided || i.Status == IncPublished {
			return finalErr(i.Label(), i.Status.Label(), "激励", act.Label())
		}
		return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", i.Label(), i.Status.Label(), act.Label())
	}
	return nil
}

// AllowedActions lists the steps by may take now, like Accountability.AllowedActions.
func (i *Incentive) AllowedActions(by Actor, now time.Time, roleAllows func(IncAction) bool) []IncAction {
	return Allowed(IncActions, func(act IncAction) error { return i.Check(act, by, now) }, roleAllows)
}

func (i *Incentive) advance(act IncAction) {
	i.Status = incTransitions.Next(i.Status, act)
	i.Version++
}

// Decide records the decision, final from then on.
func (i *Incentive) Decide(by Actor, now time.Time, decision string) error {
	if err := i.Check(IncDecide, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &decision, "decision", "激励决定内容", true, maxLongText)
	if len(fields) > 0 {
		return FieldError("请填写激励决定内容。", fields)
	}
	i.Decision, i.DecidedBy, i.DecidedAt = decision, by.UserID, &now
	i.advance(IncDecide)
	return nil
}

// Publish makes the decision public.
func (i *Incentive) Publish(by Actor, now time.Time) error {
	if err := i.Check(IncPublish, by, now); err != nil {
		return err
	}
	i.publish(by, now)
	i.advance(IncPublish)
	return nil
}

// Drop ends an undecided proposal with a reason.
func (i *Incentive) Drop(by Actor, now time.Time, reason string) error {
	if err := i.Check(IncDrop, by, now); err != nil {
		return err
	}
	if err := i.drop(by, now, reason, "激励"); err != nil {
		return err
	}
	i.advance(IncDrop)
	return nil
}
