package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a case stands in the workflow of SPEC §2.1.
type Status string

const (
	StatusPlanned    Status = "planned"    // 计划中
	StatusInspecting Status = "inspecting" // 督导中
	StatusFeedback   Status = "feedback"   // 初步意见反馈（申辩期）
	StatusReview     Status = "review"     // 待审核签发
	StatusRectifying Status = "rectifying" // 整改中
	StatusVerifying  Status = "verifying"  // 待复查
	StatusClosed     Status = "closed"     // 已办结
	StatusCancelled  Status = "cancelled"  // 已撤销
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusPlanned, StatusInspecting, StatusFeedback, StatusReview, StatusRectifying,
	StatusVerifying, StatusClosed, StatusCancelled}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Label is the Chinese name of s.
func (s Status) Label() string {
	switch s {
	case StatusPlanned:
		return "计划中"
	case StatusInspecting:
		return "督导中"
	case StatusFeedback:
		return "初步意见反馈"
	case StatusReview:
		return "待审核签发"
	case StatusRectifying:
		return "整改中"
	case StatusVerifying:
		return "待复查"
	case StatusClosed:
		return "已办结"
	case StatusCancelled:
		return "已撤销"
	}
	return string(s)
}

// Final reports whether nothing more can happen to a case in status s.
func (s Status) Final() bool { return s == StatusClosed || s == StatusCancelled }

// Action is a transition of the case workflow; its value is the {action} of
// POST /api/v1/cases/{id}/actions/{action} and the casbin action name.
type Action string

const (
	ActStart               Action = "start"
	ActSubmitPreliminary   Action = "submit_preliminary"
	ActAcknowledge         Action = "acknowledge"
	ActSubmitForReview     Action = "submit_for_review"
	ActReturn              Action = "return"
	ActIssue               Action = "issue"
	ActSubmitRectification Action = "submit_rectification"
	ActRecheck             Action = "recheck"
	ActCancel              Action = "cancel"
)

// Actions lists every action in workflow order; AllowedActions answers in this order.
var Actions = []Action{ActStart, ActSubmitPreliminary, ActAcknowledge, ActSubmitForReview, ActReturn,
	ActIssue, ActSubmitRectification, ActRecheck, ActCancel}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Label is the Chinese verb phrase for a, as on its button.
func (a Action) Label() string {
	switch a {
	case ActStart:
		return "开始督导"
	case ActSubmitPreliminary:
		return "反馈初步督导意见"
	case ActAcknowledge:
		return "确认初步督导意见"
	case ActSubmitForReview:
		return "提交审核"
	case ActReturn:
		return "退回修改"
	case ActIssue:
		return "签发督导意见书"
	case ActSubmitRectification:
		return "提交整改报告"
	case ActRecheck:
		return "复查"
	case ActCancel:
		return "撤销案件"
	}
	return string(a)
}

// AgainstTarget reports whether a is a rectification-side action, authorised against the target org's
// path and open only to the target's own users; the others are supervisory, authorised against the
// owner org's path (SPEC §1).
func (a Action) AgainstTarget() bool { return a == ActAcknowledge || a == ActSubmitRectification }

// step is where an action leads from a state.
type step struct {
	to Status
	// settled, when set, is where the case goes instead when no finding is left outstanding
	// (none open, submitted or failed).
	settled Status
	// routineOnly marks an edge that only 经常性督导 cases may take.
	routineOnly bool
	// perm, when set, is the casbin action the edge needs instead of the action's own name.
	perm string
}

// transitions is the workflow of SPEC §2.1, the one table every guard consults.
var transitions = map[Status]map[Action]step{
	StatusPlanned: {
		ActStart:  {to: StatusInspecting},
		ActCancel: {to: StatusCancelled},
	},
	StatusInspecting: {
		ActSubmitPreliminary: {to: StatusFeedback},
		// R28: a 责任督学 gives feedback on the spot, so a routine visit may skip feedback and review.
		ActIssue:  {to: StatusRectifying, settled: StatusClosed, routineOnly: true, perm: "issue_routine"},
		ActCancel: {to: StatusCancelled},
	},
	StatusFeedback: {
		ActAcknowledge:     {to: StatusFeedback},
		ActSubmitForReview: {to: StatusReview},
	},
	StatusReview: {
		ActReturn: {to: StatusInspecting},
		ActIssue:  {to: StatusRectifying, settled: StatusClosed},
	},
	StatusRectifying: {
		ActSubmitRectification: {to: StatusVerifying},
	},
	StatusVerifying: {
		ActRecheck: {to: StatusRectifying, settled: StatusClosed},
	},
}

// Can reports whether every case in status s may take action a.
func (s Status) Can(a Action) bool {
	st, ok := transitions[s][a]
	return ok && !st.routineOnly
}

// CanFor reports whether a case of kind k in status s may take action a.
func (s Status) CanFor(k CaseKind, a Action) bool {
	st, ok := transitions[s][a]
	return ok && (!st.routineOnly || k == KindRoutine)
}

// advance moves the case along the table for a and bumps its version.
func (c *Case) advance(a Action, now time.Time) {
	st := transitions[c.Status][a]
	next := st.to
	if st.settled != "" && c.Outstanding() == 0 {
		next = st.settled
	}
	if next == StatusClosed {
		c.ClosedAt = &now
	}
	c.Status = next
	c.Version++
}

// Check returns nil when the domain lets by take action a on the case at now: the state allows it and
// the duty rules of SPEC §1 hold. It does not look at the action's parameters nor at whether the case's
// content is complete (objections ruled, measures and evidence given); the action's method does, and
// says what is missing. Roles and jurisdictions are the authorizer's. Used for allowed_actions, and
// first by every transition.
func (c *Case) Check(a Action, by Actor, now time.Time, r Rules) error {
	if !c.Status.CanFor(c.Kind, a) {
		return c.wrongState(a.Label())
	}
	if a.AgainstTarget() && !c.ofTarget(by) {
		return Errorf(EFORBIDDEN, "只有被督导单位（%s）本单位的用户才能%s。", c.TargetOrg.Name, a.Label())
	}
	team := func() error {
		if !c.onTeam(by) {
			return Errorf(EFORBIDDEN, "只有本案督导组成员或%s的人员才能%s。", c.OwnerOrg.Name, a.Label())
		}
		return nil
	}
	switch a {
	case ActStart: // the assigned supervisor starts the inspection (SPEC §2.1)
		if !c.IsInspector(by.UserID) {
			return Errorf(EFORBIDDEN, "只有本案指派的督学才能开始督导。")
		}
		return c.readyToVisit(now, r)
	case ActSubmitPreliminary:
		return team()
	case ActAcknowledge:
		if c.Acknowledged {
			return Errorf(ECONFLICT, "已确认过初步督导意见。")
		}
		if !c.ObjectionWindowOpen(now) {
			return Errorf(ECONFLICT, "申辩期已届满，无需再确认。")
		}
	case ActSubmitForReview:
		if err := team(); err != nil {
			return err
		}
		if !c.Acknowledged && c.ObjectionWindowOpen(now) {
			last := DateOf(c.ObjectionDeadline.Add(-time.Nanosecond)) // the deadline is the midnight after the last day
			return Errorf(ECONFLICT, "申辩期至%s（含）结束；被督导单位确认初步督导意见或申辩期结束后才能提交审核。", last)
		}
	case ActIssue:
		if c.Status == StatusInspecting { // on the spot (R28): the visiting team issues
			return team()
		}
		// A reviewed report needs "issue", which only directors hold; an on-the-spot one needs
		// "issue_routine" (the table's perm). That is the authorizer's; who wrote it is ours.
		if by.UserID == c.ReviewSubmittedBy {
			return Errorf(EFORBIDDEN, "督导报告的撰写人不能签发本报告，请由其他主任签发。")
		}
	case ActRecheck:
		if by.UserID == c.RectificationSubmittedBy {
			return Errorf(EFORBIDDEN, "提交整改报告的人员不能复查本案。")
		}
		if r.IndependentRecheck && c.IsInspector(by.UserID) {
			return Errorf(EFORBIDDEN, "按独立复查规则，本案原督导组成员不能复查本案。")
		}
	}
	return nil
}

// AllowedActions lists, in workflow order, the actions by may take now: those roleAllows (the
// authorizer's check, supplied by the caller; nil grants every action) grants and Check lets through.
// Never nil, so that it encodes as [].
func (c *Case) AllowedActions(by Actor, now time.Time, r Rules, roleAllows func(Action) bool) []Action {
	return Allowed(Actions, func(a Action) error { return c.Check(a, by, now, r) }, roleAllows)
}

// Op is the transition's name in the write path and the audit log.
func (a Action) Op() Op { return Op("case." + string(a)) }

// The case's steps that are not transitions.
const (
	OpOpenCase       Op = "case.open"
	OpAddFinding     Op = "finding.add"
	OpUpdateFinding  Op = "finding.update"
	OpRemoveFinding  Op = "finding.remove"
	OpFileObjection  Op = "objection.file"
	OpRuleObjection  Op = "objection.rule"
	OpAddMeasure     Op = "measure.add"
	OpUploadEvidence Op = "evidence.upload"
	// Issue 12: the 督导通知 before a 专项/综合 visit (R7, R20), and the correction of an issued document.
	OpSendNotice      Op = "notice.send"
	OpCorrectDocument Op = "document.correct"
)

// caseEdits is what the case's edits need of the authorizer; transitions are answered from the
// transition table (Case.Permission).
var caseEdits = map[Op]Permission{
	OpOpenCase:      Need("case", "create", AtOwner, "新建督导案件"),
	OpAddFinding:    Need("case", "finding.write", AtOwner, "记录问题"),
	OpUpdateFinding: Need("case", "finding.write", AtOwner, "修改问题"),
	OpRemoveFinding: Need("case", "finding.write", AtOwner, "删除问题"),
	OpFileObjection: Need("case", "objection.file", AtTarget, "提出申辩"),
	OpRuleObjection: Need("case", "objection.rule", AtOwner, "裁定申辩"),
	OpAddMeasure:    Need("case", "measure.write", AtTarget, "填报整改措施"),
	// Frameworks: scoring is part of recording the inspection (case_scoring.go).
	OpScoreCase:       Need("case", "finding.write", AtOwner, "评估打分"),
	OpFindingFromItem: Need("case", "finding.write", AtOwner, "据不合格项形成问题"),
	// Issue 12.
	OpSendNotice:      Need("case", "notice.send", AtOwner, "发出督导通知"),
	OpCorrectDocument: Need("case", "issue", AtOwner, "更正督导意见书"),
}

// Permission answers what step op needs of the authorizer. Evidence has two purposes with two
// rights: the inspection team records it at the owner while inspecting, the target's users prove
// rectification at the target; in any other state either right lets the caller hear what the state
// says. A transition needs its own name at the owner (the target's own steps at the target), or the
// edge's perm.
func (c *Case) Permission(op Op) (Permission, bool) {
	if p, ok := caseEdits[op]; ok {
		return p, true
	}
	if op == OpUploadEvidence {
		inspect := Need("case", "evidence.inspect", AtOwner, "上传佐证材料")
		rectify := Need("case", "evidence.rectify", AtTarget, "上传佐证材料")
		switch c.Status {
		case StatusInspecting:
			return inspect, true
		case StatusRectifying:
			return rectify, true
		}
		return inspect.Or(rectify), true
	}
	name, ok := strings.CutPrefix(string(op), "case.")
	a := Action(name)
	if !ok || !a.Valid() {
		return Permission{}, false
	}
	side := AtOwner
	if a.AgainstTarget() {
		side = AtTarget
	}
	if st, ok := transitions[c.Status][a]; ok && st.perm != "" {
		name = st.perm
	}
	return Need("case", name, side, a.Label()), true
}

// Head is what the write path needs of the case.
func (c *Case) Head() Head {
	h := Head{Object: "case", ID: c.ID, Version: c.Version, Label: "案件" + c.label(), Owner: c.OwnerOrg, Target: c.TargetOrg}
	if c.Type == CaseMonitoring {
		h.ReadAlso = "monitoring_case" // the monitor role reads 评估监测 cases in its scope, and no other
	}
	return h
}

// ActParams carries a transition's parameters; each transition reads what it needs.
type ActParams struct {
	Comment  string         // submit_preliminary: the team's opinion in its own words; return, cancel: why
	DueDates map[int64]Date // issue
	Results  []RecheckResult
	// issue: the 总体评价, the 抄送 and, per finding, the 整改要求和建议 to set before it goes out (R9).
	Evaluation   string
	CopyTo       []string
	Requirements map[int64]string
	// Paper names what the step's documents print that the case does not hold.
	Paper Paper
}

// Act takes transition a with its parameters: the one dispatch from an action to its guarded method.
func (c *Case) Act(a Action, by Actor, now time.Time, r Rules, p ActParams) error {
	switch a {
	case ActStart:
		return c.StartVisit(by, now, r)
	case ActSubmitPreliminary:
		return c.SendPreliminary(by, now, r, p.Comment, p.Paper)
	case ActAcknowledge:
		return c.Acknowledge(by, now)
	case ActSubmitForReview:
		return c.SubmitForReview(by, now)
	case ActReturn:
		return c.Return(by, now, p.Comment)
	case ActIssue:
		return c.IssueOpinion(by, now, r, IssueParams{DueDates: p.DueDates, Evaluation: p.Evaluation, CopyTo: p.CopyTo,
			Requirements: p.Requirements, Paper: p.Paper})
	case ActSubmitRectification:
		return c.SubmitRectification(by, now)
	case ActRecheck:
		return c.Recheck(by, now, r, p.Results)
	case ActCancel:
		return c.Cancel(by, now, p.Comment)
	}
	return Errorf(ENOTFOUND, "没有「%s」这个操作。", a)
}

// requiredText checks a free-text parameter named field (its JSON name).
func requiredText(s, field, what string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n == 0 || n > maxText {
		return "", FieldError("请填写"+what+"。", map[string]string{field: what + "为必填项，且不超过2000个字。"})
	}
	return s, nil
}

// Start begins the inspection of a case under no procedure rules (see StartVisit).
func (c *Case) Start(by Actor, now time.Time) error { return c.StartVisit(by, now, Rules{}) }

// StartVisit begins the inspection; a 专项/综合 case announced by a notice not before the day it named.
func (c *Case) StartVisit(by Actor, now time.Time, r Rules) error {
	if err := c.Check(ActStart, by, now, r); err != nil {
		return err
	}
	c.StartedAt = &now
	c.advance(ActStart, now)
	return nil
}

// SubmitPreliminary sends the 初步督导意见 without words of the team's own (see SendPreliminary).
func (c *Case) SubmitPreliminary(by Actor, now time.Time, r Rules) error {
	return c.SendPreliminary(by, now, r, "", Paper{})
}

// SendPreliminary sends the 初步督导意见 to the target as a document it reads on its case page: the
// team's opinion in its own words (optional) and the problems found; it opens the objection window
// (R8). A report returned for rework opens a new window, and a new document, when it is sent again.
func (c *Case) SendPreliminary(by Actor, now time.Time, r Rules, opinion string, paper Paper) error {
	if err := c.Check(ActSubmitPreliminary, by, now, r); err != nil {
		return err
	}
	opinion = strings.TrimSpace(opinion)
	if utf8.RuneCountInString(opinion) > maxText {
		return FieldError("初步督导意见有误。", map[string]string{"comment": "初步督导意见不超过2000个字。"})
	}
	deadline := r.ObjectionDeadline(now)
	c.ObjectionDeadline = &deadline
	c.PreliminaryAt = &now
	c.PreliminaryOpinion = opinion
	c.Acknowledged = false
	c.addDocument(by, now, DocPreliminary, c.preliminaryContent(now, paper), nil, "")
	c.advance(ActSubmitPreliminary, now)
	return nil
}

// Acknowledge records that the target accepts the preliminary opinion, waiving the rest of the window.
func (c *Case) Acknowledge(by Actor, now time.Time) error {
	if err := c.Check(ActAcknowledge, by, now, Rules{}); err != nil {
		return err
	}
	c.Acknowledged = true
	c.advance(ActAcknowledge, now)
	return nil
}

// SubmitForReview sends the report to a director once the objection window is over; by is its author.
func (c *Case) SubmitForReview(by Actor, now time.Time) error {
	if err := c.Check(ActSubmitForReview, by, now, Rules{}); err != nil {
		return err
	}
	c.ReviewSubmittedBy = by.UserID
	c.advance(ActSubmitForReview, now)
	return nil
}

// Return sends the report back to the inspectors with the director's comment.
func (c *Case) Return(by Actor, now time.Time, comment string) error {
	if err := c.Check(ActReturn, by, now, Rules{}); err != nil {
		return err
	}
	comment, err := requiredText(comment, "comment", "退回意见")
	if err != nil {
		return err
	}
	c.ReturnComment = comment
	c.advance(ActReturn, now)
	return nil
}

// Issue issues the 督导意见书 with due dates only (see IssueOpinion).
func (c *Case) Issue(by Actor, now time.Time, r Rules, dueDates map[int64]Date) error {
	return c.IssueOpinion(by, now, r, IssueParams{DueDates: dueDates})
}

// IssueParams are what the issuer enters at issue.
type IssueParams struct {
	DueDates     map[int64]Date   // per open finding; the rules' default by severity otherwise
	Evaluation   string           // 总体评价 (R9)
	CopyTo       []string         // 抄送
	Requirements map[int64]string // 整改要求和建议 per finding, replacing what was entered with it
	Paper        Paper
}

// IssueOpinion issues the 督导意见书 (R9). Every objection must have been ruled on. Each open finding
// gets its due date from p.DueDates (keyed by finding id, not before today; one on a weekend or holiday
// moves to the next working day and c.Notes says so) or else by severity from the rules (R15). The
// 意见书 is fixed as a document of the case, and for a 专项/综合 case the 督导报告 to the same-level
// government too (R11). With no open finding the case closes at once.
func (c *Case) IssueOpinion(by Actor, now time.Time, r Rules, p IssueParams) error {
	if err := c.Check(ActIssue, by, now, r); err != nil {
		return err
	}
	dueDates := p.DueDates
	evaluation, copyTo, err := issueText(p)
	if err != nil {
		return err
	}
	for id, req := range p.Requirements {
		f := c.Finding(id)
		if f == nil || f.Status == FindingWithdrawn {
			return FieldError("整改要求有误。", map[string]string{"requirements": fmt.Sprintf("问题#%d不是本案的问题。", id)})
		}
		if utf8.RuneCountInString(strings.TrimSpace(req)) > maxText {
			return FieldError("整改要求有误。", map[string]string{"requirements": fmt.Sprintf("问题「%s」的整改要求和建议不超过2000个字。", f.Title)})
		}
	}
	if n := c.PendingObjections(); n > 0 {
		return Errorf(ECONFLICT, "尚有%d项申辩未裁定，裁定后才能签发。", n)
	}
	ids := make([]int64, 0, len(dueDates))
	for id := range dueDates {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	today := DateOf(now)
	var bad []string
	for _, id := range ids {
		d := dueDates[id]
		f := c.Finding(id)
		switch {
		case f == nil || f.Status != FindingOpen:
			bad = append(bad, fmt.Sprintf("问题#%d不是本案待整改的问题。", id))
		case !d.Valid():
			bad = append(bad, fmt.Sprintf("问题「%s」的整改期限格式应为YYYY-MM-DD。", f.Title))
		case d.Before(today):
			bad = append(bad, fmt.Sprintf("问题「%s」的整改期限不能早于今天。", f.Title))
		}
	}
	if len(bad) > 0 {
		return FieldError("整改期限有误。", map[string]string{"due_dates": strings.Join(bad, "")})
	}
	var notes []string
	for i := range c.Findings {
		f := &c.Findings[i]
		if req, ok := p.Requirements[f.ID]; ok {
			f.Requirement = strings.TrimSpace(req)
		}
		if f.Status != FindingOpen {
			continue
		}
		if d, ok := dueDates[f.ID]; ok {
			f.DueOn = r.Calendar.NextWorkingDay(d)
			if f.DueOn != d {
				notes = append(notes, fmt.Sprintf("问题「%s」的整改期限%s为非工作日，已顺延至%s。", f.Title, d, f.DueOn))
			}
		} else {
			f.DueOn = r.DueDate(f.Severity, now)
		}
	}
	c.Evaluation, c.CopyTo = evaluation, copyTo
	c.IssuedAt = &now
	c.IssuedBy = by.UserID
	c.Notes = notes
	c.addDocument(by, now, DocOpinion, c.opinionContent(r, p.Paper, nil), nil, "")
	if r.UnderProcedure(c.Kind) {
		c.addDocument(by, now, DocReport, c.reportContent(r, p.Paper), nil, "")
	}
	c.advance(ActIssue, now)
	return nil
}

// SubmitRectification submits the target's rectification report: every finding still to be rectified
// needs at least one measure and one file uploaded after the opinion was issued. Those findings
// await recheck.
func (c *Case) SubmitRectification(by Actor, now time.Time) error {
	if err := c.Check(ActSubmitRectification, by, now, Rules{}); err != nil {
		return err
	}
	var missing []string
	for _, f := range c.Findings {
		if !f.Status.ToRectify() {
			continue
		}
		if len(f.Measures) == 0 {
			missing = append(missing, fmt.Sprintf("问题「%s」尚无整改措施。", f.Title))
		}
		if !c.HasRectificationEvidence(f) {
			if f.Status == FindingFailed {
				missing = append(missing, fmt.Sprintf("问题「%s」复查未通过，须上传复查后新的整改佐证材料。", f.Title))
			} else {
				missing = append(missing, fmt.Sprintf("问题「%s」尚无整改佐证材料。", f.Title))
			}
		}
	}
	if len(missing) > 0 {
		return FieldError("整改材料不全，不能提交。", map[string]string{"findings": strings.Join(missing, "")})
	}
	for i := range c.Findings {
		if c.Findings[i].Status.ToRectify() {
			c.Findings[i].Status = FindingSubmitted
		}
	}
	c.RectificationSubmittedBy = by.UserID
	c.advance(ActSubmitRectification, now)
	return nil
}

// HasRectificationEvidence reports whether f has new proof of its rectification: a file uploaded after
// the issue (photos taken while inspecting show the problem, not its rectification), and for a finding
// that failed its recheck after that recheck, that is not a copy of a file the case held before then.
func (c *Case) HasRectificationEvidence(f Finding) bool {
	var since time.Time
	if c.IssuedAt != nil {
		since = *c.IssuedAt
	}
	if f.Status == FindingFailed {
		for _, rc := range c.Rechecks {
			if rc.FindingID == f.ID && !rc.Passed && rc.At.After(since) {
				since = rc.At
			}
		}
	}
	for _, e := range f.Evidence {
		if e.UploadedAt.After(since) && !c.seenBefore(e.SHA256, since) {
			return true
		}
	}
	return false
}

// RecheckResult is the recheck's verdict on one submitted finding.
type RecheckResult struct {
	FindingID int64
	Passed    bool
	Comment   string // required when failed
	NewDueOn  Date   // required when failed, not before today
}

// Recheck records the verdict on every submitted finding, and nothing else. Passed findings are done;
// failed ones go back to the target with a new due date and the case returns to rectifying (counted in
// RecheckFailures for accountability, SPEC §2.3); with nothing left outstanding the case closes.
func (c *Case) Recheck(by Actor, now time.Time, r Rules, results []RecheckResult) error {
	if err := c.Check(ActRecheck, by, now, r); err != nil {
		return err
	}
	today := DateOf(now)
	seen := map[int64]bool{}
	var bad, notes []string
	for _, res := range results {
		f := c.Finding(res.FindingID)
		switch {
		case f == nil || f.Status != FindingSubmitted:
			bad = append(bad, fmt.Sprintf("问题#%d不在本次复查范围内。", res.FindingID))
			continue
		case seen[f.ID]:
			bad = append(bad, fmt.Sprintf("问题「%s」的复查结果重复。", f.Title))
			continue
		}
		seen[f.ID] = true
		if utf8.RuneCountInString(strings.TrimSpace(res.Comment)) > maxText {
			bad = append(bad, fmt.Sprintf("问题「%s」的复查意见不超过2000个字。", f.Title))
		}
		if res.Passed {
			continue
		}
		if strings.TrimSpace(res.Comment) == "" {
			bad = append(bad, fmt.Sprintf("问题「%s」复查未通过，须说明理由。", f.Title))
		}
		switch {
		case !res.NewDueOn.Valid():
			bad = append(bad, fmt.Sprintf("问题「%s」复查未通过，须给出新的整改期限（YYYY-MM-DD）。", f.Title))
		case res.NewDueOn.Before(today):
			bad = append(bad, fmt.Sprintf("问题「%s」的新整改期限不能早于今天。", f.Title))
		}
		if d := r.Calendar.NextWorkingDay(res.NewDueOn); res.NewDueOn.Valid() && d != res.NewDueOn {
			notes = append(notes, fmt.Sprintf("问题「%s」的新整改期限%s为非工作日，已顺延至%s。", f.Title, res.NewDueOn, d))
		}
	}
	for _, f := range c.Findings {
		if f.Status == FindingSubmitted && !seen[f.ID] {
			bad = append(bad, fmt.Sprintf("问题「%s」缺少复查结果。", f.Title))
		}
	}
	if len(bad) > 0 {
		return FieldError("复查结果有误。", map[string]string{"results": strings.Join(bad, "")})
	}
	round := 1
	for _, rc := range c.Rechecks {
		round = max(round, rc.Round+1)
	}
	failed := false
	for _, res := range results {
		f := c.Finding(res.FindingID)
		rc := Recheck{CaseID: c.ID, FindingID: f.ID, Round: round, Passed: res.Passed,
			Comment: strings.TrimSpace(res.Comment), By: by.UserID, At: now}
		if res.Passed {
			f.Status = FindingPassed
		} else {
			failed = true
			f.Status = FindingFailed
			f.DueOn = r.Calendar.NextWorkingDay(res.NewDueOn)
			rc.NewDueOn = f.DueOn
		}
		c.Rechecks = append(c.Rechecks, rc)
	}
	if failed {
		c.RecheckFailures++
	}
	c.Notes = notes
	c.advance(ActRecheck, now)
	return nil
}

// Cancel drops a case that has not reached feedback, with a reason.
func (c *Case) Cancel(by Actor, now time.Time, reason string) error {
	if err := c.Check(ActCancel, by, now, Rules{}); err != nil {
		return err
	}
	reason, err := requiredText(reason, "comment", "撤销理由")
	if err != nil {
		return err
	}
	c.CancelReason = reason
	c.advance(ActCancel, now)
	return nil
}
