package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// 责任督学挂牌督导 (R21–R28): every school has a named 责任督学 (R21), whose sign at the school gate shows
// their name, contact and the matters they supervise (R22), and who visits at least monthly (R28).
//
// The assignment is its own record, one per school (object "assignment"), holding the school's
// postings one after another — not steps on the inspector's profile. The rule that matters most is
// the school's: it has one 责任督学 at a time. Kept on one record per school, that rule is the record's
// own invariant, checked under its version, and Reassign (end the old posting, start the new) is one
// step on one record; as steps on profiles, it would span two inspectors' records and need a lock
// outside the domain. The record also lies where it should for the authorizer and the audit log:
// owned by the office that assigns, about the school, so the school sees its own history. What the
// school's record cannot see — the inspector's status, conflicts and how many schools they already
// hold — comes in as the inspector's profile and their load, read in the same transaction.

// StandingMatters are the eight standing matters of a 责任督学 (R25, 《中小学校责任督学挂牌督导办法》第四条).
var StandingMatters = []string{
	"校务管理和制度执行情况",
	"招生、收费、择校情况",
	"课程开设和课堂教学情况",
	"学生学习、体育锻炼和课业负担情况",
	"教师师德和专业发展情况",
	"校园及周边安全情况和交通安全情况",
	"食堂、食品、饮水及宿舍卫生情况",
	"校风、教风和学风建设情况",
}

// DefaultDuties is the duties text of a sign when none is given: the eight standing matters (R25).
func DefaultDuties() string {
	var b strings.Builder
	b.WriteString("对学校以下事项实施经常性督导：")
	for n, m := range StandingMatters {
		if n > 0 {
			b.WriteString("；")
		}
		fmt.Fprintf(&b, "（%s）%s", chineseOrdinals[n], m)
	}
	b.WriteString("。")
	return b.String()
}

var chineseOrdinals = []string{"一", "二", "三", "四", "五", "六", "七", "八"}

// Posting is one 责任督学's time at a school, with the sign shown meanwhile (R22). Postings of a school
// never overlap.
type Posting struct {
	ID            int64
	InspectorID   int64
	InspectorCode string
	UserID        int64 // the inspector's account
	From          Date  // first day
	Until         Date  // last day; "" while open
	EndReason     string

	// The sign (挂牌, R22); the photo it also shows is not kept here.
	Name       string // the 督学's name as on the sign
	Phone      string // public contact
	Duties     string
	SignNumber string // 挂牌编号; optional

	AssignedBy int64
	AssignedAt time.Time
	EndedBy    int64
	EndedAt    *time.Time
}

// Covers reports whether the posting is in force on d.
func (p Posting) Covers(d Date) bool {
	return !d.Before(p.From) && (p.Until == "" || !p.Until.Before(d))
}

// Assignment is the 责任督学挂牌 record of one school: its postings, oldest first. Its state changes only
// through the guarded methods below, none of which does I/O; each change bumps Version.
type Assignment struct {
	ID       int64
	Office   Org // the supervision office that assigns (R21: the county's 督导部门)
	School   Org
	Postings []Posting
	Version  int

	CreatedBy int64
	CreatedAt time.Time
}

// AsgAction is a step on a school's 挂牌 record; its value is the {action} of
// POST /api/v1/assignments/{id}/actions/{action}.
type AsgAction string

const (
	AsgAssign   AsgAction = "assign"   // 指定责任督学 when none is in post
	AsgReassign AsgAction = "reassign" // 更换责任督学: end the current posting, start the next
	AsgEnd      AsgAction = "end"      // 结束挂牌
	AsgSign     AsgAction = "sign"     // 修改挂牌信息 (phone, duties, number)
)

// AsgActions lists the steps in display order.
var AsgActions = []AsgAction{AsgAssign, AsgReassign, AsgEnd, AsgSign}

// Valid reports whether a is a known step.
func (a AsgAction) Valid() bool { return slices.Contains(AsgActions, a) }

// Label is the Chinese verb phrase for a.
func (a AsgAction) Label() string {
	switch a {
	case AsgAssign:
		return "指定责任督学"
	case AsgReassign:
		return "更换责任督学"
	case AsgEnd:
		return "结束挂牌"
	case AsgSign:
		return "修改挂牌信息"
	}
	return string(a)
}

// Op is the step's name in the write path and the audit log.
func (a AsgAction) Op() Op { return Op("assignment." + string(a)) }

// OpCreateAssignment is a school's first posting, which creates its record.
const OpCreateAssignment Op = "assignment.create"

// asgPermissions: assigning is the office's; every step needs "assign" at the owner.
var asgPermissions = map[Op]Permission{
	OpCreateAssignment: Need("assignment", "assign", AtOwner, AsgAssign.Label()),
	AsgAssign.Op():     Need("assignment", "assign", AtOwner, AsgAssign.Label()),
	AsgReassign.Op():   Need("assignment", "assign", AtOwner, AsgReassign.Label()),
	AsgEnd.Op():        Need("assignment", "assign", AtOwner, AsgEnd.Label()),
	AsgSign.Op():       Need("assignment", "assign", AtOwner, AsgSign.Label()),
}

// Head is what the write path needs of the record: owned by the office, about the school.
func (a *Assignment) Head() Head {
	return Head{Object: "assignment", ID: a.ID, Version: a.Version, Label: a.Label(), Owner: a.Office, Target: a.School}
}

// Permission answers what step op needs of the authorizer.
func (a *Assignment) Permission(op Op) (Permission, bool) {
	p, ok := asgPermissions[op]
	return p, ok
}

// Label names the record for messages.
func (a *Assignment) Label() string { return "责任督学挂牌（" + a.School.Name + "）" }

// Open is the posting without an end date, or nil.
func (a *Assignment) Open() *Posting {
	if n := len(a.Postings); n > 0 && a.Postings[n-1].Until == "" {
		return &a.Postings[n-1]
	}
	return nil
}

// Current is the posting in force on d, or nil.
func (a *Assignment) Current(d Date) *Posting {
	for k := len(a.Postings) - 1; k >= 0; k-- {
		if a.Postings[k].Covers(d) {
			return &a.Postings[k]
		}
	}
	return nil
}

// Check returns nil when the record's state lets act be taken: a new posting needs none open, a
// reassignment, an end or a sign change need one.
func (a *Assignment) Check(act AsgAction) error {
	open := a.Open()
	switch {
	case !act.Valid():
		return Errorf(EINVALID, "未知的操作。")
	case act == AsgAssign && open != nil:
		return Errorf(ECONFLICT, "%s已有责任督学%s（自%s起）；请先结束其挂牌，或使用「更换责任督学」。", a.School.Name, open.Name, open.From)
	case act != AsgAssign && open == nil:
		return Errorf(ECONFLICT, "%s当前没有在岗的责任督学，不能%s。", a.School.Name, act.Label())
	}
	return nil
}

// AllowedActions lists the steps the record's state lets through and roleAllows grants. Never nil.
func (a *Assignment) AllowedActions(roleAllows func(AsgAction) bool) []AsgAction {
	return Allowed(AsgActions, a.Check, roleAllows)
}

// PostingInput is a new posting: from when, and the sign.
type PostingInput struct {
	From       Date   // "" for today
	Phone      string // public on the sign
	Duties     string // "" for DefaultDuties
	SignNumber string
}

// SignInput changes the sign of the open posting.
type SignInput struct {
	Phone      string
	Duties     string // "" for DefaultDuties
	SignNumber string
}

var (
	// A mobile number, or a fixed line with its area code and an optional extension.
	mobileRe     = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRe   = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(-[0-9]{1,6})?$`)
	signNumberRe = regexp.MustCompile(`^[A-Za-z0-9\p{Han}〔〕()（）-]{1,32}$`)
)

// ValidPhone reports whether s is a contact number fit for a public sign: an 11-digit mobile number,
// or a fixed line with its area code (0473-1234567).
func ValidPhone(s string) bool { return mobileRe.MatchString(s) || landlineRe.MatchString(s) }

// checkSign validates and normalises a sign's fields.
func checkSign(fields map[string]string, phone, duties, number *string) {
	*phone = strings.ReplaceAll(strings.TrimSpace(*phone), " ", "")
	if !ValidPhone(*phone) {
		fields["phone"] = "联系电话应为11位手机号码或带区号的固定电话（如0473-1234567），将公布在挂牌上。"
	}
	checkText(fields, duties, "duties", "督导事项", false, maxText)
	if *duties == "" {
		*duties = DefaultDuties()
	}
	if *number = strings.TrimSpace(*number); *number != "" && !signNumberRe.MatchString(*number) {
		fields["sign_number"] = "挂牌编号不超过32个字，由汉字、字母、数字、括号或连字符组成。"
	}
}

// posting builds a posting of insp from in, refusing what R21–R28 and the registry forbid; after is
// the last day of the previous posting ("" if none).
func (a *Assignment) posting(by Actor, now time.Time, insp *Inspector, load int, in PostingInput, after Date) (Posting, error) {
	fields := map[string]string{}
	from := in.From
	switch {
	case from == "":
		from = DateOf(now)
	case !from.Valid():
		fields["from"] = "开始日期格式应为YYYY-MM-DD。"
	case after != "" && !after.Before(from):
		fields["from"] = fmt.Sprintf("新的挂牌须在上一任责任督学挂牌结束（%s）之后开始。", after)
	}
	checkSign(fields, &in.Phone, &in.Duties, &in.SignNumber)
	if len(fields) > 0 {
		return Posting{}, FieldError("挂牌信息有误。", fields)
	}
	switch {
	case insp == nil:
		return Posting{}, FieldError("请选择责任督学。", map[string]string{"inspector_id": "请选择责任督学。"})
	case !insp.Office.Path.Covers(a.School.Path):
		msg := fmt.Sprintf("%s属于%s督学名录库，%s不在其管辖范围之内。", insp.Label(), insp.Office.Name, a.School.Name)
		return Posting{}, FieldError(msg, map[string]string{"inspector_id": msg})
	}
	if err := insp.Eligible(a.School, from, load); err != nil {
		return Posting{}, err
	}
	return Posting{InspectorID: insp.ID, InspectorCode: insp.Code, UserID: insp.UserID, From: from,
		Name: insp.Name, Phone: in.Phone, Duties: in.Duties, SignNumber: in.SignNumber, AssignedBy: by.UserID, AssignedAt: now}, nil
}

// NewAssignment creates a school's 挂牌 record with its first 责任督学 (R21). office assigns: it must be
// a government's supervision office over the school. insp must be appointed and in term on the first
// day, free of conflict with the school, and hold fewer than their cap of schools already (load: how
// many postings they hold open elsewhere). One record per school is storage's to keep (a unique key).
func NewAssignment(by Actor, office, school Org, insp *Inspector, load int, in PostingInput, now time.Time) (*Assignment, error) {
	fields := map[string]string{}
	checkOffice(fields, office, "责任督学由自治区、市或区（县）教育督导部门指定。")
	switch {
	case school.Kind != OrgSchool:
		fields["school_org_id"] = "责任督学挂牌督导的对象应为学校。"
	case !office.Path.Covers(school.Path) || office.ID == school.ID:
		fields["school_org_id"] = "学校须在本督导部门的管辖范围之内。"
	}
	if len(fields) > 0 {
		return nil, FieldError("挂牌信息有误。", fields)
	}
	a := &Assignment{Office: office, School: school, Version: 1, CreatedBy: by.UserID, CreatedAt: now}
	p, err := a.posting(by, now, insp, load, in, "")
	if err != nil {
		return nil, err
	}
	a.Postings = []Posting{p}
	return a, nil
}

// Assign names the school's 责任督学 when none is in post, from after the last posting ended. The
// result points into a; storage fills in its ID.
func (a *Assignment) Assign(by Actor, now time.Time, insp *Inspector, load int, in PostingInput) (*Posting, error) {
	if err := a.Check(AsgAssign); err != nil {
		return nil, err
	}
	var after Date
	if n := len(a.Postings); n > 0 {
		after = a.Postings[n-1].Until
	}
	p, err := a.posting(by, now, insp, load, in, after)
	if err != nil {
		return nil, err
	}
	a.Postings = append(a.Postings, p)
	a.Version++
	return &a.Postings[len(a.Postings)-1], nil
}

// Reassign hands the school to another 责任督学 in one step: the current posting ends the day before
// the new one starts (R28: 定期交流, rotation). The reason is recorded on the ended posting.
func (a *Assignment) Reassign(by Actor, now time.Time, insp *Inspector, load int, in PostingInput, reason string) (*Posting, error) {
	if err := a.Check(AsgReassign); err != nil {
		return nil, err
	}
	old := a.Open()
	fields := map[string]string{}
	checkText(fields, &reason, "reason", "更换原因", true, 500)
	if in.From == "" {
		in.From = DateOf(now)
	}
	switch {
	case insp != nil && insp.ID == old.InspectorID:
		fields["inspector_id"] = fmt.Sprintf("%s已是%s的责任督学。", insp.Label(), a.School.Name)
	case in.From.Valid() && !old.From.Before(in.From):
		fields["from"] = fmt.Sprintf("新的挂牌须晚于现任责任督学挂牌开始之日（%s）。", old.From)
	}
	if len(fields) > 0 {
		return nil, FieldError("更换责任督学的信息有误。", fields)
	}
	p, err := a.posting(by, now, insp, load, in, "")
	if err != nil {
		return nil, err
	}
	old.Until, old.EndReason, old.EndedBy, old.EndedAt = p.From.AddDays(-1), reason, by.UserID, &now
	a.Postings = append(a.Postings, p)
	a.Version++
	return &a.Postings[len(a.Postings)-1], nil
}

// End ends the open posting on its last day on ("" for today), with a reason. The school then has no
// 责任督学 from the day after, which coverage shows until one is assigned.
func (a *Assignment) End(by Actor, now time.Time, on Date, reason string) error {
	if err := a.Check(AsgEnd); err != nil {
		return err
	}
	p := a.Open()
	fields := map[string]string{}
	if on == "" {
		on = DateOf(now)
	}
	switch {
	case !on.Valid():
		fields["on"] = "结束日期格式应为YYYY-MM-DD。"
	case on.Before(p.From):
		fields["on"] = fmt.Sprintf("结束日期不能早于挂牌开始之日（%s）。", p.From)
	}
	checkText(fields, &reason, "reason", "结束原因", true, 500)
	if len(fields) > 0 {
		return FieldError("结束挂牌的信息有误。", fields)
	}
	p.Until, p.EndReason, p.EndedBy, p.EndedAt = on, reason, by.UserID, &now
	a.Version++
	return nil
}

// UpdateSign changes the sign of the open posting.
func (a *Assignment) UpdateSign(by Actor, now time.Time, in SignInput) error {
	if err := a.Check(AsgSign); err != nil {
		return err
	}
	fields := map[string]string{}
	checkSign(fields, &in.Phone, &in.Duties, &in.SignNumber)
	if len(fields) > 0 {
		return FieldError("挂牌信息有误。", fields)
	}
	p := a.Open()
	p.Phone, p.Duties, p.SignNumber = in.Phone, in.Duties, in.SignNumber
	a.Version++
	return nil
}

// Sign is what the 挂牌 at the school gate and the public portal show (R22): nothing more personal.
type Sign struct {
	School     string
	Inspector  string
	Phone      string
	Duties     string
	Office     string // the supervising office
	SignNumber string
	Since      Date
}

// SignOn is the sign in force on d, if any.
func (a *Assignment) SignOn(d Date) (Sign, bool) {
	p := a.Current(d)
	if p == nil {
		return Sign{}, false
	}
	return Sign{School: a.School.Name, Inspector: p.Name, Phone: p.Phone, Duties: p.Duties, Office: a.Office.Name,
		SignNumber: p.SignNumber, Since: p.From}, true
}
