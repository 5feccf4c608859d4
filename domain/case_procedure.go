package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The 专项/综合 procedure before the visit (R7, R20, R47): a 督导小组 of at least TeamMinSize 督学, a
// written 督导通知 sent NoticeDays ahead naming the date, the team, the scope and the documents wanted,
// and optionally a 自评报告 the target uploads before the visit; or, for a 四不两直 visit, no notice and
// a stated reason. Which kinds follow it, and the numbers, are the rules' (policies/rules.json).

// Procedure settles how a newly opened case is to be visited: announced, or unannounced (四不两直,
// R47) with a reason, and checks the team size of a 专项/综合 case (R7).
func (c *Case) Procedure(r Rules, unannounced bool, reason string) error {
	fields := map[string]string{}
	reason = strings.TrimSpace(reason)
	switch {
	case unannounced && reason == "":
		fields["unannounced_reason"] = "“四不两直”暗访须说明理由（如群众举报、问题线索需核实）。"
	case utf8.RuneCountInString(reason) > maxText:
		fields["unannounced_reason"] = "理由不超过2000个字。"
	case !unannounced && reason != "":
		fields["unannounced_reason"] = "只有“四不两直”暗访才填写不发通知的理由。"
	}
	if r.UnderProcedure(c.Kind) && len(c.InspectorIDs) < r.TeamMinSize {
		fields["inspector_ids"] = fmt.Sprintf("%s须由%d名以上督学组成督导小组，现只指定了%d名。", c.Kind.Label(), r.TeamMinSize, len(c.InspectorIDs))
	}
	if len(fields) > 0 {
		return FieldError("督导案件信息有误。", fields)
	}
	c.Unannounced, c.UnannouncedReason = unannounced, reason
	return nil
}

// NeedsNotice reports whether the case is to be announced by a 督导通知 before the visit.
func (c *Case) NeedsNotice(r Rules) bool { return r.UnderProcedure(c.Kind) && !c.Unannounced }

// readyToVisit says whether the visit may begin at now: a case that needs a notice has sent one, and
// the day it announced has come.
func (c *Case) readyToVisit(now time.Time, r Rules) error {
	if !c.NeedsNotice(r) {
		return nil
	}
	if c.NoticeSentAt == nil {
		return Errorf(ECONFLICT, "%s须在实施%d日前向被督导单位发出书面督导通知；请先发出督导通知，或在立案时标明“四不两直”暗访并说明理由。", c.Kind.Label(), r.NoticeDays)
	}
	if today := DateOf(now); today.Before(c.PlannedOn) {
		return Errorf(ECONFLICT, "督导通知载明的督导日期为%s，届时才能开始督导。", c.PlannedOn)
	}
	return nil
}

// NoticeInput is what a 督导通知 says.
type NoticeInput struct {
	VisitOn   Date   // the day the visit begins
	Scope     string // 督导内容
	Documents string // the documents the target is to prepare
	// SelfEvaluationDue, when set, asks for a 自评报告 by that day, before the visit (R7).
	SelfEvaluationDue Date
}

// CanSendNotice reports whether by may send the case's 督导通知 now: before the visit, by the
// inspection team, and not for a case marked unannounced.
func (c *Case) CanSendNotice(by Actor) error {
	if c.Status != StatusPlanned {
		return c.wrongState("发出督导通知")
	}
	if c.Unannounced {
		return Errorf(ECONFLICT, "本案为“四不两直”暗访（%s），不发督导通知。", c.UnannouncedReason)
	}
	if !c.onTeam(by) {
		return Errorf(EFORBIDDEN, "只有本案督导组成员或%s的人员才能发出督导通知。", c.OwnerOrg.Name)
	}
	return nil
}

// SendNotice sends the 督导通知 to the target: the visit day (a working day, at least NoticeDays away
// for a 专项/综合 case, R20), the team, the scope, the documents wanted and, when asked for, the day
// the 自评报告 is due (before the visit; a weekend or holiday moves to the next working day). The
// notice becomes a document of the case; sending another replaces the arrangements.
func (c *Case) SendNotice(by Actor, now time.Time, r Rules, in NoticeInput, paper Paper) error {
	if err := c.CanSendNotice(by); err != nil {
		return err
	}
	fields := map[string]string{}
	today := DateOf(now)
	in.Scope, in.Documents = strings.TrimSpace(in.Scope), strings.TrimSpace(in.Documents)
	switch {
	case !in.VisitOn.Valid():
		fields["visit_on"] = "督导日期为必填项，格式为YYYY-MM-DD。"
	case r.UnderProcedure(c.Kind) && in.VisitOn.Before(r.EarliestVisit(now)):
		fields["visit_on"] = fmt.Sprintf("%s的督导通知须提前%d日发出，督导日期最早为%s；确需提前的，请按“四不两直”方式另行立案。",
			c.Kind.Label(), r.NoticeDays, r.EarliestVisit(now))
	case in.VisitOn.Before(today):
		fields["visit_on"] = "督导日期不能早于今天。"
	case !r.Calendar.IsWorkingDay(in.VisitOn):
		fields["visit_on"] = fmt.Sprintf("%s不是工作日，请另选督导日期。", r.Calendar.Label(in.VisitOn))
	}
	if n := utf8.RuneCountInString(in.Scope); n == 0 || n > maxText {
		fields["scope"] = "督导内容为必填项，且不超过2000个字。"
	}
	if utf8.RuneCountInString(in.Documents) > maxText {
		fields["documents"] = "需准备的材料不超过2000个字。"
	}
	var note string
	if d := in.SelfEvaluationDue; d != "" {
		moved := r.Calendar.NextWorkingDay(d)
		switch {
		case !d.Valid():
			fields["self_evaluation_due"] = "自评报告提交期限格式应为YYYY-MM-DD。"
		case d.Before(today):
			fields["self_evaluation_due"] = "自评报告提交期限不能早于今天。"
		case in.VisitOn.Valid() && !moved.Before(in.VisitOn):
			fields["self_evaluation_due"] = fmt.Sprintf("自评报告须在督导日期（%s）之前提交。", in.VisitOn)
		case moved != d:
			note = fmt.Sprintf("自评报告提交期限%s为非工作日，已顺延至%s。", d, moved)
		}
		in.SelfEvaluationDue = moved
	}
	if len(fields) > 0 {
		return FieldError("督导通知信息有误。", fields)
	}
	c.PlannedOn = in.VisitOn
	c.SelfEvaluationDue = in.SelfEvaluationDue
	c.NoticeSentAt = &now
	if note != "" {
		c.Notes = []string{note}
	}
	c.addDocument(by, now, DocNotice, c.noticeContent(by, now, in, paper), nil, "")
	c.Version++
	return nil
}

// issueText checks and cleans the issuer's 总体评价 and 抄送.
func issueText(p IssueParams) (string, []string, error) {
	evaluation := strings.TrimSpace(p.Evaluation)
	if utf8.RuneCountInString(evaluation) > maxText {
		return "", nil, FieldError("签发信息有误。", map[string]string{"evaluation": "总体评价不超过2000个字。"})
	}
	var cc []string
	for _, s := range p.CopyTo {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if utf8.RuneCountInString(s) > 100 || len(cc) == 20 {
			return "", nil, FieldError("签发信息有误。", map[string]string{"copy_to": "抄送单位最多20个，每个不超过100个字。"})
		}
		cc = append(cc, s)
	}
	return evaluation, cc, nil
}

// CanCorrect reports whether by may issue a correction of the case's 意见书 now: once issued
// (that only a director over the owner may is the authorizer's).
func (c *Case) CanCorrect(by Actor) error {
	if c.IssuedAt == nil || c.latestDocument(DocOpinion) == nil {
		return c.wrongState("更正督导意见书")
	}
	return nil
}

// CorrectOpinion issues a correction of the 意见书 docID, which must be the one in force: a new
// document, linked to the one it corrects, printed from the case as it stands now (deadlines moved by a
// failed recheck, say) with the reason. The issued document itself never changes.
func (c *Case) CorrectOpinion(by Actor, now time.Time, r Rules, docID int64, reason string, paper Paper) (*CaseDocument, error) {
	if err := c.CanCorrect(by); err != nil {
		return nil, err
	}
	prev := c.latestDocument(DocOpinion)
	switch d := c.Document(docID); {
	case d == nil:
		return nil, Errorf(ENOTFOUND, "文书不存在。")
	case d.ID != prev.ID:
		return nil, Errorf(ECONFLICT, "只能更正本案现行有效的督导意见书（%s）。", prev.Number)
	}
	reason, err := requiredText(reason, "reason", "更正事由")
	if err != nil {
		return nil, err
	}
	content := c.opinionContent(r, paper, &correction{of: *prev, reason: reason, at: now})
	id := prev.ID
	d := c.addDocument(by, now, DocOpinion, content, &id, reason)
	c.Version++
	return d, nil
}
