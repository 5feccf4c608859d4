package domain

import (
	"fmt"
	"time"
)

// Who is told what at each step of a case (issue 12): whoever must act next, in the app and by email,
// with a link to the case. The steps decide it here; the app delivers it in the step's transaction
// (and mails once it commits), leaving out the person who took the step.

// CaseNotice is one message of a case step and who receives it.
type CaseNotice struct {
	Message Message
	To      Audience
}

func (c *Case) team() Audience { return Audience{Users: append([]int64(nil), c.InspectorIDs...)} }

func (c *Case) directors() Audience {
	return Audience{Holders: []RoleAt{{RoleDirector, c.OwnerOrg.ID}}}
}

// higherOffice is the directors of the office above the owner (none when the owner is the root).
func (c *Case) higherOffice() (Audience, bool) {
	if c.OwnerOrg.ParentID == nil {
		return Audience{}, false
	}
	return Audience{Holders: []RoleAt{{RoleDirector, *c.OwnerOrg.ParentID}}}, true
}

// targetSide is the target's own users and, for a school, the district office that must press it (R51).
func (c *Case) targetSide() Audience {
	a := TargetAudience(c.TargetOrg)
	if c.TargetOrg.Kind == OrgSchool {
		a.Covering = []RoleOver{{RoleDistrictOffice, c.TargetOrg.Path}}
	}
	return a
}

func (c *Case) message(k NotificationKind, title, body string) Message {
	id := c.ID
	return Message{Kind: k, Title: title + "：" + c.Number, Body: body, Link: caseLink(c.ID), CaseID: &id,
		Key: fmt.Sprintf("%s:c%d:v%d", k, c.ID, c.Version)}
}

// Notices are the messages step op (just taken by by at now) sends.
func (c *Case) Notices(op Op, by Actor, now time.Time, r Rules) []CaseNotice {
	var out []CaseNotice
	tell := func(to Audience, k NotificationKind, title, body string) {
		out = append(out, CaseNotice{Message: c.message(k, title, body), To: to})
	}
	what := fmt.Sprintf("%s（%s，%s）", c.Title, c.TargetOrg.Name, c.Kind.Label())
	switch op {
	case OpOpenCase:
		body := fmt.Sprintf("%s将您列入%s的督导组。", c.OwnerOrg.Name, what)
		if c.NeedsNotice(r) {
			body += fmt.Sprintf("请在督导前%d日向被督导单位发出督导通知。", r.NoticeDays)
		} else if c.Unannounced {
			body += "本案为“四不两直”暗访，请勿提前告知被督导单位。"
		}
		tell(c.team(), NotifyCaseOpened, "新的督导任务", body)
	case OpSendNotice:
		body := fmt.Sprintf("%s定于%s对你单位开展%s，请按通知要求做好准备。", c.OwnerOrg.OfficeName(), c.PlannedOn, what)
		if c.SelfEvaluationDue != "" {
			body += fmt.Sprintf("请于%s前提交自评报告。", r.Calendar.Label(c.SelfEvaluationDue))
		}
		tell(TargetAudience(c.TargetOrg), NotifyCaseNotice, "督导通知", body)
	case OpUploadEvidence:
		if c.Status == StatusPlanned { // before the visit, a file is the target's 自评报告
			tell(c.team(), NotifySelfEvaluation, "自评报告已提交", fmt.Sprintf("%s已提交%s的自评报告，请在督导前查阅。", c.TargetOrg.Name, c.Title))
		}
	case OpAddFinding, OpUpdateFinding:
		// R34: a danger to staff and students is reported at once, to the office and the one above.
		if f := c.touched; f != nil && f.Severity == SeverityCritical {
			body := fmt.Sprintf("%s督导中发现重大问题（安全隐患）：「%s」。%s", what, f.Title, f.Description)
			tell(c.directors(), NotifySafety, "重大问题（安全隐患）", body)
			if up, ok := c.higherOffice(); ok {
				tell(up, NotifySafety, "下级督导发现重大问题（安全隐患）", c.OwnerOrg.OfficeName()+"报告："+body)
			}
		}
	case ActSubmitPreliminary.Op():
		tell(TargetAudience(c.TargetOrg), NotifyPreliminary, "初步督导意见", fmt.Sprintf(
			"%s督导组已反馈%s的初步督导意见。请阅读后确认，或于%s（含）前对有异议的问题提出申辩。",
			c.OwnerOrg.Name, c.Title, r.Calendar.Label(DateOf(c.ObjectionDeadline.Add(-time.Nanosecond)))))
	case OpFileObjection:
		tell(c.directors(), NotifyObjection, "申辩待裁定", fmt.Sprintf("%s对%s的初步督导意见提出申辩，请在签发督导意见书前裁定。", c.TargetOrg.Name, c.Title))
	case OpRuleObjection:
		tell(TargetAudience(c.TargetOrg), NotifyRuling, "申辩已裁定", fmt.Sprintf("%s已对你单位就%s提出的申辩作出裁定，请查看。", c.OwnerOrg.Name, c.Title))
	case ActAcknowledge.Op():
		tell(c.team(), NotifyAcknowledged, "初步督导意见已确认", fmt.Sprintf("%s已确认%s的初步督导意见，可以提交审核。", c.TargetOrg.Name, c.Title))
	case ActSubmitForReview.Op():
		tell(c.directors(), NotifyForReview, "督导报告待签发", fmt.Sprintf("%s的督导报告已提交审核，请签发督导意见书或退回修改。", what))
	case ActReturn.Op():
		tell(c.team(), NotifyReturned, "督导报告退回修改", "退回意见："+c.ReturnComment)
	case ActIssue.Op():
		body := fmt.Sprintf("%s已签发%s的督导意见书。", c.OwnerOrg.OfficeName(), c.Title)
		if c.Status == StatusClosed {
			body += "没有需要整改的问题，案件已办结。"
		} else {
			body += "请在整改期限内逐项整改，填报整改措施并上传佐证材料后提交整改报告。"
		}
		tell(c.targetSide(), NotifyIssued, "督导意见书", body)
		if r.UnderProcedure(c.Kind) {
			if up, ok := c.higherOffice(); ok {
				tell(up, NotifyReport, "督导报告（抄送）", fmt.Sprintf("%s报送%s的督导报告，抄送你单位。", c.OwnerOrg.OfficeName(), what))
			}
		}
	case ActSubmitRectification.Op():
		tell(Audience{Holders: []RoleAt{{RoleSupervisor, c.OwnerOrg.ID}}}, NotifyRectification, "整改待复查",
			fmt.Sprintf("%s已提交%s的整改报告，请于%s前安排复查。", c.TargetOrg.Name, c.Title, r.Calendar.Label(r.RecheckDue(now))))
	case ActRecheck.Op():
		body := "复查完成，全部问题整改到位，案件已办结。"
		if c.Status != StatusClosed {
			body = "复查未通过的问题已退回整改，请按新的整改期限重新整改，并上传复查后新的佐证材料。"
		}
		tell(c.targetSide(), NotifyRechecked, "复查结果", c.Title+"："+body)
	case ActCancel.Op():
		to := c.team()
		if c.NoticeSentAt != nil {
			to.Members = []int64{c.TargetOrg.ID}
		}
		tell(to, NotifyCancelled, "督导案件已撤销", "撤销理由："+c.CancelReason)
	case OpCorrectDocument:
		if d := c.latestDocument(DocOpinion); d != nil {
			tell(c.targetSide(), NotifyCorrected, "督导意见书更正", fmt.Sprintf("%s签发了%s，更正事由：%s", c.OwnerOrg.OfficeName(), d.Number, d.Reason))
		}
	}
	return out
}
