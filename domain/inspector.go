package domain

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The inspector registry (督学名录库, SPEC §3; R65: the 检查人员名录库 of 双随机): one profile per 督学,
// kept by the supervision office that appoints them. A profile goes through the appointment procedure
// 推荐 → 审核 → 公示 → 公布 (R33), then serves in terms — a 兼职督学 for 3 years at a time and at most 3
// terms in a row (R6, R39); a 专职督学 is appointed under cadre rules with no fixed term (R31) — until
// it is suspended or the inspector leaves (解聘). The profile also keeps the training file (R38) and the
// declared conflicts (回避, R14, R17, R36) that draws and 责任督学 assignments respect.

// RegistryRules are the clocks and thresholds of the registry and of coverage. The lead may embed
// them in Rules (as "registry" in rules.json); each default cites its source in Sources, keyed by the
// JSON field name.
type RegistryRules struct {
	// PublicityWorkingDays is how long the 公示 of an appointment lasts, in working days, before it may
	// be 公布 (R33 names the step, not its length).
	PublicityWorkingDays int `json:"publicity_working_days"`
	// TermYears is the length of a 兼职督学's term (R6).
	TermYears int `json:"term_years"`
	// MaxConsecutiveTerms is how many terms in a row a 兼职督学 may serve (R6).
	MaxConsecutiveTerms int `json:"max_consecutive_terms"`
	// TermGapDays: a break of at least this many days between two terms ends a run of consecutive terms.
	TermGapDays int `json:"term_gap_days"`
	// TermWarningDays: a term ending within this many days is flagged for renewal or exit.
	TermWarningDays int `json:"term_warning_days"`
	// DefaultLoadCap is how many schools a 责任督学 may hold when the profile sets no cap (R21).
	DefaultLoadCap int `json:"default_load_cap"`
	// TrainingHoursPerYear is the yearly floor of concentrated training, in 学时 (R38).
	TrainingHoursPerYear int `json:"training_hours_per_year"`
	// MonthlyVisits is the floor of 责任督学 visits per school per calendar month (R28).
	MonthlyVisits int `json:"monthly_visits"`
	// SemesterVisits is the floor of 经常性督导 per school per semester (R3).
	SemesterVisits int `json:"semester_visits"`
	// SpringStarts and AutumnStarts ("MM-DD") cut the calendar into semesters: the autumn semester
	// (第一学期) runs from AutumnStarts to the day before the next SpringStarts, the spring semester
	// (第二学期) from SpringStarts to the day before AutumnStarts. Vacations belong to the semester they
	// fall in, so every day belongs to exactly one semester.
	SpringStarts string `json:"spring_starts"`
	AutumnStarts string `json:"autumn_starts"`
	// Sources cites, per JSON field name, where each value comes from.
	Sources map[string]string `json:"sources"`
}

// DefaultRegistryRules are the national floors and the local practice where the rules are silent.
func DefaultRegistryRules() RegistryRules {
	return RegistryRules{
		PublicityWorkingDays: 5,
		TermYears:            3,
		MaxConsecutiveTerms:  3,
		TermGapDays:          365,
		TermWarningDays:      60,
		DefaultLoadCap:       5,
		TrainingHoursPerYear: 40,
		MonthlyVisits:        1,
		SemesterVisits:       2,
		SpringStarts:         "02-01",
		AutumnStarts:         "09-01",
		Sources: map[string]string{
			"publicity_working_days":  "定推荐、审核、公示、公布程序而未定公示期；本地做法，参照干部任前公示不少于5个工作日",
			"term_years":              "兼职督学每届任期3年（《教育督导条例》第六条）",
			"max_consecutive_terms":   "兼职督学连续任职不得超过3届（《教育督导条例》第六条）",
			"term_gap_days":           "本地做法：两届任期之间间断满一年（一个年度考核周期）视为不连续",
			"term_warning_days":       "本地做法：任期届满前60日提示续聘或解聘",
			"default_load_cap":        "每名责任督学一般负责5所左右学校（《中小学校责任督学挂牌督导办法》）",
			"training_hours_per_year": "督学每年参加集中培训不少于40学时（《督学管理暂行办法》）",
			"monthly_visits":          "责任督学每月至少到校督导1次",
			"semester_visits":         "对学校的经常性督导每学期不少于2次（《教育督导条例》第十四条）",
			"spring_starts":           "本地做法：学年自9月1日起，第二学期自2月1日起（寒暑假计入其所在学期）",
			"autumn_starts":           "本地做法：学年自9月1日起，第一学期至次年1月31日",
		},
	}
}

// Validate checks that the rules can drive the registry's clocks.
func (rr RegistryRules) Validate() error {
	bad := map[string]string{}
	positive := func(field string, v int) {
		if v <= 0 {
			bad[field] = "应为正整数。"
		}
	}
	positive("publicity_working_days", rr.PublicityWorkingDays)
	positive("term_years", rr.TermYears)
	positive("max_consecutive_terms", rr.MaxConsecutiveTerms)
	positive("term_gap_days", rr.TermGapDays)
	positive("term_warning_days", rr.TermWarningDays)
	positive("default_load_cap", rr.DefaultLoadCap)
	positive("training_hours_per_year", rr.TrainingHoursPerYear)
	positive("monthly_visits", rr.MonthlyVisits)
	positive("semester_visits", rr.SemesterVisits)
	spring, okS := monthDay(rr.SpringStarts)
	autumn, okA := monthDay(rr.AutumnStarts)
	if !okS {
		bad["spring_starts"] = "应为MM-DD格式的日期（2月29日除外）。"
	}
	if !okA {
		bad["autumn_starts"] = "应为MM-DD格式的日期（2月29日除外）。"
	}
	if okS && okA && spring >= autumn {
		bad["autumn_starts"] = "第一学期的开始日应晚于第二学期的开始日。"
	}
	if len(bad) > 0 {
		return FieldError("督学管理规则配置有误。", bad)
	}
	return nil
}

// monthDay checks an "MM-DD" that exists in every year.
func monthDay(s string) (string, bool) {
	if len(s) != 5 || !Date("2001-"+s).Valid() {
		return "", false
	}
	return s, true
}

// InspectorKind is whether a 督学 serves full-time or part-time.
type InspectorKind string

const (
	FullTime InspectorKind = "full_time" // 专职督学: appointed under cadre rules, no fixed term (R31)
	PartTime InspectorKind = "part_time" // 兼职督学: 3-year terms, at most 3 in a row (R6)
)

// InspectorKinds lists the kinds in display order.
var InspectorKinds = []InspectorKind{FullTime, PartTime}

// Valid reports whether k is a known kind.
func (k InspectorKind) Valid() bool { return k == FullTime || k == PartTime }

// Label is the Chinese name of k.
func (k InspectorKind) Label() string {
	switch k {
	case FullTime:
		return "专职督学"
	case PartTime:
		return "兼职督学"
	}
	return string(k)
}

// InspStatus is where a profile stands in the appointment procedure and in service.
type InspStatus string

const (
	InspRecommended InspStatus = "recommended" // 已推荐，待审核
	InspApproved    InspStatus = "approved"    // 审核通过，待公示
	InspPublicized  InspStatus = "publicized"  // 公示中
	InspAppointed   InspStatus = "appointed"   // 已公布聘任
	InspSuspended   InspStatus = "suspended"   // 暂停履职
	InspRejected    InspStatus = "rejected"    // 审核未通过或公示有异议，未予聘任
	InspRetired     InspStatus = "retired"     // 已解聘（退出名录库）
)

// InspStatuses lists the statuses in workflow order.
var InspStatuses = []InspStatus{InspRecommended, InspApproved, InspPublicized, InspAppointed, InspSuspended, InspRejected, InspRetired}

// Valid reports whether s is a known status.
func (s InspStatus) Valid() bool { return slices.Contains(InspStatuses, s) }

// Label is the Chinese name of s.
func (s InspStatus) Label() string {
	switch s {
	case InspRecommended:
		return "已推荐"
	case InspApproved:
		return "审核通过"
	case InspPublicized:
		return "公示中"
	case InspAppointed:
		return "已聘任"
	case InspSuspended:
		return "暂停履职"
	case InspRejected:
		return "未予聘任"
	case InspRetired:
		return "已解聘"
	}
	return string(s)
}

// InRegistry reports whether an inspector in status s is on the roster (appointed, maybe suspended):
// the ones coverage looks at.
func (s InspStatus) InRegistry() bool { return s == InspAppointed || s == InspSuspended }

// InspAction is a step of a profile's lifecycle; its value is the {action} of
// POST /api/v1/inspectors/{id}/actions/{action} and the casbin action name.
type InspAction string

const (
	InspApprove   InspAction = "approve"   // 审核通过
	InspReject    InspAction = "reject"    // 不予聘任（审核未通过或公示有异议）
	InspPublicize InspAction = "publicize" // 公示
	InspAppoint   InspAction = "appoint"   // 公布并聘任，开始第一个任期
	InspRenew     InspAction = "renew"     // 续聘，开始下一任期
	InspSuspend   InspAction = "suspend"   // 暂停履职
	InspResume    InspAction = "resume"    // 恢复履职
	InspRetire    InspAction = "retire"    // 解聘
	InspRecommend InspAction = "recommend" // 重新推荐（未予聘任或解聘之后）
)

// InspActions lists the steps in workflow order; AllowedActions answers in this order.
var InspActions = []InspAction{InspApprove, InspReject, InspPublicize, InspAppoint, InspRenew, InspSuspend, InspResume, InspRetire, InspRecommend}

// Valid reports whether a is a known step.
func (a InspAction) Valid() bool { return slices.Contains(InspActions, a) }

// Label is the Chinese verb phrase for a, as on its button.
func (a InspAction) Label() string {
	switch a {
	case InspApprove:
		return "审核通过"
	case InspReject:
		return "不予聘任"
	case InspPublicize:
		return "公示"
	case InspAppoint:
		return "公布聘任"
	case InspRenew:
		return "续聘"
	case InspSuspend:
		return "暂停履职"
	case InspResume:
		return "恢复履职"
	case InspRetire:
		return "解聘"
	case InspRecommend:
		return "重新推荐"
	}
	return string(a)
}

// inspTransitions is the appointment procedure (R33) and the service that follows, the one table every
// guard consults. A rejected or retired profile may be recommended again: it then goes through the
// whole procedure once more (R33), and R6 counts its earlier terms.
var inspTransitions = Machine[InspStatus, InspAction]{
	InspRecommended: {InspApprove: InspApproved, InspReject: InspRejected},
	InspApproved:    {InspPublicize: InspPublicized, InspReject: InspRejected},
	InspPublicized:  {InspAppoint: InspAppointed, InspReject: InspRejected},
	InspAppointed:   {InspRenew: InspAppointed, InspSuspend: InspSuspended, InspRetire: InspRetired},
	InspSuspended:   {InspResume: InspAppointed, InspRetire: InspRetired},
	InspRejected:    {InspRecommend: InspRecommended},
	InspRetired:     {InspRecommend: InspRecommended},
}

// Can reports whether a profile in status s may take step a.
func (s InspStatus) Can(a InspAction) bool { return inspTransitions.Can(s, a) }

// Op is the step's name in the write path and the audit log.
func (a InspAction) Op() Op { return Op("inspector." + string(a)) }

// The profile's steps that are not transitions.
const (
	OpCreateInspector  Op = "inspector.create"  // a recommendation (推荐) enters the registry
	OpImportInspector  Op = "inspector.import"  // an inspector appointed before the system, with their terms
	OpEditInspector    Op = "inspector.edit"    // name, unit, certificate, load cap
	OpAddTraining      Op = "training.add"      // a line of the training file (R38)
	OpRemoveTraining   Op = "training.remove"   // a line entered by mistake
	OpDeclareConflict  Op = "conflict.declare"  // 申报回避 (R17: self-declared or requested by the unit)
	OpWithdrawConflict Op = "conflict.withdraw" // 撤销回避 (R17: the agency decides on recusal)
)

// inspPermissions: every step of the registry is the keeping office's (the owner's).
var inspPermissions = map[Op]Permission{
	OpCreateInspector:  Need("inspector", "recommend", AtOwner, "推荐督学"),
	OpImportInspector:  Need("inspector", "import", AtOwner, "登记已聘任的督学"),
	OpEditInspector:    Need("inspector", "edit", AtOwner, "修改督学信息"),
	OpAddTraining:      Need("inspector", "training.write", AtOwner, "登记培训"),
	OpRemoveTraining:   Need("inspector", "training.write", AtOwner, "删除培训记录"),
	OpDeclareConflict:  Need("inspector", "conflict.declare", AtOwner, "申报回避"),
	OpWithdrawConflict: Need("inspector", "conflict.withdraw", AtOwner, "撤销回避"),
	InspApprove.Op():   Need("inspector", "approve", AtOwner, InspApprove.Label()),
	InspReject.Op():    Need("inspector", "reject", AtOwner, InspReject.Label()),
	InspPublicize.Op(): Need("inspector", "publicize", AtOwner, InspPublicize.Label()),
	InspAppoint.Op():   Need("inspector", "appoint", AtOwner, InspAppoint.Label()),
	InspRenew.Op():     Need("inspector", "renew", AtOwner, InspRenew.Label()),
	InspSuspend.Op():   Need("inspector", "suspend", AtOwner, InspSuspend.Label()),
	InspResume.Op():    Need("inspector", "resume", AtOwner, InspResume.Label()),
	InspRetire.Op():    Need("inspector", "retire", AtOwner, InspRetire.Label()),
	InspRecommend.Op(): Need("inspector", "recommend", AtOwner, InspRecommend.Label()),
}

// Term is one term of service. A 兼职督学's term has a fixed last day; a 专职督学's is open ("") until
// the inspector leaves. Leaving early cuts Until to the day of leaving.
type Term struct {
	Seq   int  // its place in the run of consecutive terms: 1, 2, 3 (R6)
	From  Date // first day
	Until Date // last day; "" while a 专职督学's term is open
}

// Covers reports whether d falls within the term.
func (t Term) Covers(d Date) bool { return !d.Before(t.From) && (t.Until == "" || !t.Until.Before(d)) }

// Training is one line of a 督学's training file (培训档案, R38).
type Training struct {
	ID         int64
	Year       int
	Hours      int // 学时
	Course     string
	Provider   string // 培训机构; optional
	RecordedBy int64
	RecordedAt time.Time
}

// Conflict is a declared 回避: the inspector must not inspect Org nor any unit under it (a conflict
// with a district's bureau reaches its schools; recusal errs on the side of recusing, R36).
type Conflict struct {
	ID         int64
	Org        Org
	Reason     string // e.g. 近亲属任该校校长 (R14), 曾在该校任职
	DeclaredBy int64
	DeclaredAt time.Time
}

// Inspector is one 督学's profile in the registry. Its state changes only through the guarded methods
// below, none of which does I/O; each change bumps Version.
type Inspector struct {
	ID     int64
	UserID int64  // the account the inspector logs in with; cases name inspectors by it
	Code   string // stable, unique: draws rank inspectors by it (SPEC §3), so it never changes
	Name   string
	Office Org // the office keeping the registry and appointing (R21, R31): the owner
	Unit   Org // where the inspector works (工作单位): always a conflict for them
	Kind   InspectorKind
	CertNo string // 督学证号, issued on appointment (R31)
	// LoadCap is how many schools the inspector may hold as 责任督学 (R21: about 5).
	LoadCap int

	Status         InspStatus
	Recommendation string // 推荐意见: who recommends and why
	ReviewNote     string // 审核意见
	PublicizedOn   Date   // the first day of the 公示
	PublicityUntil Date   // its last day; 公布 is possible from the day after
	StatusReason   string // why suspended, rejected or retired
	Terms          []Term // oldest first
	Trainings      []Training
	Conflicts      []Conflict

	Version   int
	CreatedBy int64
	CreatedAt time.Time
}

// Head is what the write path needs of the profile. It lies at its office; it is about a person,
// not about a unit, so it has no target.
func (i *Inspector) Head() Head {
	return Head{Object: "inspector", ID: i.ID, Version: i.Version, Label: i.Label(), Owner: i.Office}
}

// Permission answers what step op needs of the authorizer.
func (i *Inspector) Permission(op Op) (Permission, bool) {
	p, ok := inspPermissions[op]
	return p, ok
}

// Label names the profile for messages: 督学张三（hbw-007）.
func (i *Inspector) Label() string { return fmt.Sprintf("督学%s（%s）", i.Name, i.Code) }

var (
	inspectorCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	certNoRe        = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)
)

const (
	maxName    = 50
	maxLoadCap = 50
	// maxTrainingHours bounds one line of the training file: a long course is a few weeks.
	maxTrainingHours = 400
)

// InspectorInput is a recommendation (推荐) or a profile's editable fields.
type InspectorInput struct {
	UserID         int64
	Code           string
	Name           string
	Unit           Org
	Kind           InspectorKind
	CertNo         string // optional before appointment
	LoadCap        int    // 0: the rules' default
	Recommendation string
}

// check validates the fields a recommendation and an edit share.
func (in *InspectorInput) check(fields map[string]string, rr RegistryRules) {
	checkText(fields, &in.Name, "name", "姓名", true, maxName)
	if in.Unit.ID <= 0 {
		fields["unit_org_id"] = "请选择督学的工作单位。"
	}
	if !in.Kind.Valid() {
		fields["kind"] = "督学类别应为专职督学或兼职督学。"
	}
	if in.CertNo = strings.TrimSpace(in.CertNo); in.CertNo != "" && !certNoRe.MatchString(in.CertNo) {
		fields["cert_no"] = "督学证号为1至32位字母、数字或连字符。"
	}
	switch {
	case in.LoadCap == 0:
		in.LoadCap = rr.DefaultLoadCap
	case in.LoadCap < 0 || in.LoadCap > maxLoadCap:
		fields["load_cap"] = fmt.Sprintf("责任督学负责学校数上限应为1至%d所。", maxLoadCap)
	}
	checkText(fields, &in.Recommendation, "recommendation", "推荐意见", false, maxText)
}

// checkOffice reports msg on office_org_id unless office is a government's (a region's, a city's or
// a district's) supervision office: registries, 挂牌 and plans are theirs, not a school's.
func checkOffice(fields map[string]string, office Org, msg string) {
	if office.ID <= 0 || (office.Kind != OrgRegion && office.Kind != OrgCity && office.Kind != OrgDistrict) {
		fields["office_org_id"] = msg
	}
}

// NewInspector enters a recommendation (推荐, R33) in office's registry. The certificate number may
// wait until the appointment, when the 督学证 is issued (R31).
func NewInspector(by Actor, office Org, in InspectorInput, rr RegistryRules, now time.Time) (*Inspector, error) {
	fields := map[string]string{}
	checkOffice(fields, office, "督学名录库由自治区、市或区（县）教育督导部门管理。")
	if in.UserID <= 0 {
		fields["user_id"] = "请选择督学本人的用户账号。"
	}
	if in.Code = strings.TrimSpace(in.Code); !inspectorCodeRe.MatchString(in.Code) {
		fields["code"] = "督学编号为1至32位字母、数字、下划线或连字符，以字母或数字开头；确定后不再更改。"
	}
	in.check(fields, rr)
	if len(fields) > 0 {
		return nil, FieldError("督学推荐信息有误。", fields)
	}
	return &Inspector{
		UserID: in.UserID, Code: in.Code, Name: in.Name, Office: office, Unit: in.Unit, Kind: in.Kind,
		CertNo: in.CertNo, LoadCap: in.LoadCap, Status: InspRecommended, Recommendation: in.Recommendation,
		Version: 1, CreatedBy: by.UserID, CreatedAt: now,
	}, nil
}

// ImportInspector enters an inspector appointed before the registry was kept here, with the terms
// already served (oldest first, the last one current or just ended): the roster an office brings
// along. R6 holds for the terms as given, so a run of more than three is refused.
func ImportInspector(by Actor, office Org, in InspectorInput, terms []Term, rr RegistryRules, now time.Time) (*Inspector, error) {
	i, err := NewInspector(by, office, in, rr, now)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	if i.CertNo == "" {
		fields["cert_no"] = "已聘任的督学须登记督学证号。"
	}
	today := DateOf(now)
	if len(terms) == 0 {
		fields["terms"] = "请填写督学的任期。"
	}
	for n, t := range terms {
		t.Seq = 0
		switch {
		case !t.From.Valid():
			fields["terms"] = fmt.Sprintf("第%d个任期的开始日期格式应为YYYY-MM-DD。", n+1)
		case today.Before(t.From):
			fields["terms"] = fmt.Sprintf("第%d个任期尚未开始，请通过聘任程序办理。", n+1)
		case i.Kind == PartTime && !t.Until.Valid():
			fields["terms"] = fmt.Sprintf("兼职督学第%d个任期须有届满日期。", n+1)
		case t.Until != "" && !t.Until.Valid():
			fields["terms"] = fmt.Sprintf("第%d个任期的届满日期格式应为YYYY-MM-DD。", n+1)
		case t.Until != "" && t.Until.Before(t.From):
			fields["terms"] = fmt.Sprintf("第%d个任期的届满日期早于开始日期。", n+1)
		case i.Kind == PartTime && termEnd(t.From, rr.TermYears).Before(t.Until):
			fields["terms"] = fmt.Sprintf("兼职督学每届任期不超过%d年，第%d个任期过长。", rr.TermYears, n+1)
		case i.Kind == FullTime && t.Until == "" && n < len(terms)-1:
			fields["terms"] = fmt.Sprintf("第%d个任期之后还有任期，应有结束日期。", n+1)
		case n > 0 && !terms[n-1].Until.Before(t.From):
			fields["terms"] = fmt.Sprintf("第%d个任期与上一任期重叠。", n+1)
		}
		if fields["terms"] != "" {
			break
		}
		if msg := i.termLimit(t.From, rr); i.Kind == PartTime && msg != "" {
			fields["terms"] = msg
			break
		}
		t.Seq = i.nextSeq(t.From, rr)
		i.Terms = append(i.Terms, t)
	}
	if len(fields) > 0 {
		return nil, FieldError("督学任期信息有误。", fields)
	}
	i.Status = InspAppointed
	return i, nil
}

// termEnd is the last day of a term of years years from from.
func termEnd(from Date, years int) Date { return DateOf(from.Time().AddDate(years, 0, -1)) }

// Edit changes the profile's editable fields. The code and the user never change (draws are replayed
// by the code); the kind is fixed once the inspector has served a term, since R6 applies by kind.
func (i *Inspector) Edit(by Actor, now time.Time, in InspectorInput, rr RegistryRules) error {
	if by.UserID == i.UserID {
		return i.selfErr("修改")
	}
	fields := map[string]string{}
	in.check(fields, rr)
	if in.Kind.Valid() && in.Kind != i.Kind && len(i.Terms) > 0 {
		fields["kind"] = "督学已有任期，不能更改专职、兼职类别；如有变化请解聘后重新推荐。"
	}
	if in.CertNo == "" && i.Status.InRegistry() {
		fields["cert_no"] = "已聘任的督学须登记督学证号。"
	}
	if len(fields) > 0 {
		return FieldError("督学信息有误。", fields)
	}
	i.Name, i.Unit, i.Kind, i.CertNo, i.LoadCap, i.Recommendation = in.Name, in.Unit, in.Kind, in.CertNo, in.LoadCap, in.Recommendation
	i.Version++
	return nil
}

// selfErr refuses a decision about one's own profile.
func (i *Inspector) selfErr(what string) *Error {
	return Errorf(EFORBIDDEN, "不能%s本人的督学档案，请由督导部门其他人员办理。", what)
}

// Current is the term covering d, or nil.
func (i *Inspector) Current(d Date) *Term {
	for k := len(i.Terms) - 1; k >= 0; k-- {
		if i.Terms[k].Covers(d) {
			return &i.Terms[k]
		}
	}
	return nil
}

// LastTerm is the latest term, or nil before the first appointment.
func (i *Inspector) LastTerm() *Term {
	if len(i.Terms) == 0 {
		return nil
	}
	return &i.Terms[len(i.Terms)-1]
}

// InService reports whether the inspector may act as a 督学 on d: appointed (not suspended) and in a term.
func (i *Inspector) InService(d Date) bool { return i.Status == InspAppointed && i.Current(d) != nil }

// ConflictsWith reports the conflict that keeps the inspector from inspecting target: a declared one
// with target or a unit above it, or the inspector's own unit (R14: other interest).
func (i *Inspector) ConflictsWith(target Org) (Conflict, bool) {
	for _, c := range i.Conflicts {
		if c.Org.ID == target.ID || c.Org.Path.Covers(target.Path) {
			return c, true
		}
	}
	if i.Unit.ID != 0 && i.Unit.ID == target.ID {
		return Conflict{Org: i.Unit, Reason: "本人工作单位"}, true
	}
	return Conflict{}, false
}

// Eligible returns nil when the inspector may take on target as its 责任督学 from on while already
// holding load schools: in service, no conflict, under the cap. The draw applies the same test to its
// candidates with its own load. The error is a field error on inspector_id, in words a director reads.
func (i *Inspector) Eligible(target Org, on Date, load int) error {
	msg := ""
	switch cur := i.Current(on); {
	case i.Status != InspAppointed:
		msg = fmt.Sprintf("%s当前状态为「%s」，只有已聘任且在任期内的督学才能担任责任督学。", i.Label(), i.Status.Label())
	case cur == nil && i.LastTerm() != nil && i.LastTerm().Until != "" && i.LastTerm().Until.Before(on):
		msg = fmt.Sprintf("%s的任期已于%s届满，%s时不在任期内。", i.Label(), i.LastTerm().Until, on)
	case cur == nil:
		msg = fmt.Sprintf("%s在%s不在任期内。", i.Label(), on)
	}
	if msg == "" {
		if c, ok := i.ConflictsWith(target); ok {
			msg = fmt.Sprintf("%s与%s存在回避情形（%s：%s），不能督导该单位。", i.Label(), target.Name, c.Org.Name, c.Reason)
		} else if load >= i.LoadCap {
			msg = fmt.Sprintf("%s已担任%d所学校的责任督学，已达其上限%d所（每名责任督学一般负责5所左右学校）。", i.Label(), load, i.LoadCap)
		}
	}
	if msg != "" {
		return FieldError(msg, map[string]string{"inspector_id": msg})
	}
	return nil
}

// TrainingHours sums the training file's hours for year (R38).
func (i *Inspector) TrainingHours(year int) int {
	n := 0
	for _, t := range i.Trainings {
		if t.Year == year {
			n += t.Hours
		}
	}
	return n
}

// runBefore is the run of consecutive terms a new term from from would continue: the number of
// earlier terms in it and the first day of the run. Two terms are consecutive when fewer than
// TermGapDays days of neither lie between them.
func (i *Inspector) runBefore(from Date, rr RegistryRules) (n int, start Date) {
	next := from
	for k := len(i.Terms) - 1; k >= 0; k-- {
		t := i.Terms[k]
		if t.Until == "" || t.Until.AddDays(1).DaysUntil(next) >= rr.TermGapDays {
			break
		}
		n, start, next = n+1, t.From, t.From
	}
	return n, start
}

// nextSeq is the place in its run of a new term from from.
func (i *Inspector) nextSeq(from Date, rr RegistryRules) int {
	n, _ := i.runBefore(from, rr)
	return n + 1
}

// termLimit is R6's refusal of a 兼职 term from from, or "".
func (i *Inspector) termLimit(from Date, rr RegistryRules) string {
	n, start := i.runBefore(from, rr)
	if n < rr.MaxConsecutiveTerms {
		return ""
	}
	last := i.LastTerm().Until
	return fmt.Sprintf("兼职督学连续任职不得超过%d届。%s已连续任职%d届（%s至%s），自%s起的任期将是连续第%d届；新任期须间断满%d天，即不早于%s开始。",
		rr.MaxConsecutiveTerms, i.Label(), n, start, last, from, n+1, rr.TermGapDays, last.AddDays(1+rr.TermGapDays))
}

// Check returns nil when the domain lets by take step act now, with the step's default parameters
// (appointment from today, renewal from the day after the current term). Roles are the authorizer's.
func (i *Inspector) Check(act InspAction, by Actor, now time.Time, rr RegistryRules) error {
	if err := i.guard(act, by, now); err != nil {
		return err
	}
	today := DateOf(now)
	switch {
	case act == InspAppoint && i.Kind == PartTime:
		return i.termLimitErr(today, rr)
	case act == InspRenew:
		return i.termLimitErr(i.renewalStart(today), rr)
	}
	return nil
}

// guard is Check without R6, which depends on when the new term starts.
func (i *Inspector) guard(act InspAction, by Actor, now time.Time) error {
	if !i.Status.Can(act) {
		return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", i.Label(), i.Status.Label(), act.Label())
	}
	if by.UserID == i.UserID {
		return i.selfErr("办理")
	}
	switch act {
	case InspAppoint:
		if !i.PublicityUntil.Before(DateOf(now)) {
			return Errorf(ECONFLICT, "公示期至%s（含）结束，期满后才能公布聘任。", i.PublicityUntil)
		}
	case InspRenew:
		if i.Kind == FullTime {
			return Errorf(ECONFLICT, "专职督学按干部管理权限任免，没有固定任期，无需续聘。")
		}
	}
	return nil
}

// termLimitErr is R6's refusal of a 兼职 term from from, or nil.
func (i *Inspector) termLimitErr(from Date, rr RegistryRules) error {
	if msg := i.termLimit(from, rr); msg != "" {
		return Errorf(ECONFLICT, "%s", msg)
	}
	return nil
}

// renewalStart is when a renewal starts by default: the day after the last term, or today if that
// is past.
func (i *Inspector) renewalStart(today Date) Date {
	if t := i.LastTerm(); t != nil && t.Until != "" && today.Before(t.Until.AddDays(1)) {
		return t.Until.AddDays(1)
	}
	return today
}

// AllowedActions lists, in workflow order, the steps by may take now: those roleAllows (the
// authorizer's check; nil grants every step) grants and Check lets through. Never nil.
func (i *Inspector) AllowedActions(by Actor, now time.Time, rr RegistryRules, roleAllows func(InspAction) bool) []InspAction {
	return Allowed(InspActions, func(a InspAction) error { return i.Check(a, by, now, rr) }, roleAllows)
}

func (i *Inspector) advance(act InspAction) {
	i.Status = inspTransitions.Next(i.Status, act)
	i.Version++
}

// Approve records the review (审核) as passed, with an optional note.
func (i *Inspector) Approve(by Actor, now time.Time, note string) error {
	if err := i.guard(InspApprove, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &note, "note", "审核意见", false, maxText)
	if len(fields) > 0 {
		return FieldError("审核意见有误。", fields)
	}
	i.ReviewNote = note
	i.advance(InspApprove)
	return nil
}

// Reject ends the procedure without appointment: the review did not pass, or the 公示 brought out a
// reason not to appoint. The reason is required.
func (i *Inspector) Reject(by Actor, now time.Time, reason string) error {
	if err := i.guard(InspReject, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &reason, "reason", "不予聘任的理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明不予聘任的理由。", fields)
	}
	i.StatusReason = reason
	i.advance(InspReject)
	return nil
}

// Publicize starts the 公示 today; it lasts PublicityWorkingDays working days of cal, the day of
// publication not counting (as every window here).
func (i *Inspector) Publicize(by Actor, now time.Time, rr RegistryRules, cal Calendar) error {
	if err := i.guard(InspPublicize, by, now); err != nil {
		return err
	}
	today := DateOf(now)
	i.PublicizedOn, i.PublicityUntil = today, cal.AddWorkingDays(today, rr.PublicityWorkingDays)
	i.advance(InspPublicize)
	return nil
}

// AppointInput is the 公布: from when the first term runs ("" for today) and the 督学证号 issued.
type AppointInput struct {
	From   Date
	CertNo string // "" keeps the one on the profile
}

// Appoint publishes the appointment (公布) once the 公示 is over and opens a term: for a 兼职督学,
// TermYears years, refused when it would be the fourth in a row (R6); for a 专职督学, open.
func (i *Inspector) Appoint(by Actor, now time.Time, rr RegistryRules, in AppointInput) error {
	if err := i.guard(InspAppoint, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	from := in.From
	switch {
	case from == "":
		from = DateOf(now)
	case !from.Valid():
		fields["from"] = "任期开始日期格式应为YYYY-MM-DD。"
	case !i.PublicityUntil.Before(from):
		fields["from"] = fmt.Sprintf("任期须在公示期（至%s）结束之后开始。", i.PublicityUntil)
	}
	certNo := strings.TrimSpace(in.CertNo)
	switch {
	case certNo == "" && i.CertNo == "":
		fields["cert_no"] = "聘任时须登记督学证号。"
	case certNo != "" && !certNoRe.MatchString(certNo):
		fields["cert_no"] = "督学证号为1至32位字母、数字或连字符。"
	case certNo == "":
		certNo = i.CertNo
	}
	if t := i.LastTerm(); len(fields) == 0 && t != nil && (t.Until == "" || !t.Until.Before(from)) {
		fields["from"] = fmt.Sprintf("新任期须在上一任期（至%s）结束之后开始。", t.Until)
	}
	if len(fields) > 0 {
		return FieldError("聘任信息有误。", fields)
	}
	if i.Kind == PartTime {
		if err := i.termLimitErr(from, rr); err != nil {
			return err
		}
	}
	i.CertNo = certNo
	i.openTerm(from, rr)
	i.StatusReason = ""
	i.advance(InspAppoint)
	return nil
}

// openTerm appends the term from from.
func (i *Inspector) openTerm(from Date, rr RegistryRules) {
	t := Term{Seq: i.nextSeq(from, rr), From: from}
	if i.Kind == PartTime {
		t.Until = termEnd(from, rr.TermYears)
	}
	i.Terms = append(i.Terms, t)
}

// Renew opens the next term of a 兼职督学 (续聘) from from ("" for the day after the current term, or
// today once it is over). A fourth term in a row is refused (R6); a break of TermGapDays or more
// starts a new run.
func (i *Inspector) Renew(by Actor, now time.Time, rr RegistryRules, from Date) error {
	if err := i.guard(InspRenew, by, now); err != nil {
		return err
	}
	if from == "" {
		from = i.renewalStart(DateOf(now))
	}
	fields := map[string]string{}
	switch t := i.LastTerm(); {
	case !from.Valid():
		fields["from"] = "任期开始日期格式应为YYYY-MM-DD。"
	case t != nil && !t.Until.Before(from):
		fields["from"] = fmt.Sprintf("新任期须在本任期（至%s）届满之后开始。", t.Until)
	}
	if len(fields) > 0 {
		return FieldError("续聘信息有误。", fields)
	}
	if err := i.termLimitErr(from, rr); err != nil {
		return err
	}
	i.openTerm(from, rr)
	i.advance(InspRenew)
	return nil
}

// Suspend stops the inspector from acting (暂停履职) with a reason; the term runs on.
func (i *Inspector) Suspend(by Actor, now time.Time, reason string) error {
	if err := i.guard(InspSuspend, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &reason, "reason", "暂停履职的理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明暂停履职的理由。", fields)
	}
	i.StatusReason = reason
	i.advance(InspSuspend)
	return nil
}

// Resume lets a suspended inspector act again.
func (i *Inspector) Resume(by Actor, now time.Time) error {
	if err := i.guard(InspResume, by, now); err != nil {
		return err
	}
	i.StatusReason = ""
	i.advance(InspResume)
	return nil
}

// Retire ends the inspector's service today (解聘, R19, R39) with a reason: the current term is cut to
// today. Whether they still hold schools as 责任督学 is for coverage to show.
func (i *Inspector) Retire(by Actor, now time.Time, reason string) error {
	if err := i.guard(InspRetire, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &reason, "reason", "解聘的理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明解聘的理由。", fields)
	}
	today := DateOf(now)
	for len(i.Terms) > 0 && today.Before(i.LastTerm().From) { // a renewal not yet begun lapses
		i.Terms = i.Terms[:len(i.Terms)-1]
	}
	if t := i.LastTerm(); t != nil && (t.Until == "" || today.Before(t.Until)) {
		t.Until = today
	}
	i.StatusReason = reason
	i.advance(InspRetire)
	return nil
}

// Recommend starts the procedure again for a rejected or retired profile (R33): review, 公示 and
// 公布 follow as for a new one, and R6 counts the terms it served before.
func (i *Inspector) Recommend(by Actor, now time.Time, recommendation string) error {
	if err := i.guard(InspRecommend, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &recommendation, "recommendation", "推荐意见", false, maxText)
	if len(fields) > 0 {
		return FieldError("推荐意见有误。", fields)
	}
	i.Recommendation, i.ReviewNote, i.StatusReason, i.PublicizedOn, i.PublicityUntil = recommendation, "", "", "", ""
	i.advance(InspRecommend)
	return nil
}

// TrainingInput is a line of the training file.
type TrainingInput struct {
	Year     int
	Hours    int
	Course   string
	Provider string
}

// AddTraining adds a line to the training file (R38). The result points into i; storage fills in
// its ID. Training may be recorded in any status: new 督学 are trained before taking up duty.
func (i *Inspector) AddTraining(by Actor, now time.Time, in TrainingInput) (*Training, error) {
	fields := map[string]string{}
	if y := now.In(CST).Year(); in.Year < 2000 || in.Year > y {
		fields["year"] = fmt.Sprintf("培训年度应在2000年至%d年之间。", y)
	}
	if in.Hours <= 0 || in.Hours > maxTrainingHours {
		fields["hours"] = fmt.Sprintf("学时应为1至%d之间的整数。", maxTrainingHours)
	}
	checkText(fields, &in.Course, "course", "培训课程", true, maxTitle)
	checkText(fields, &in.Provider, "provider", "培训机构", false, maxTitle)
	if len(fields) > 0 {
		return nil, FieldError("培训记录有误。", fields)
	}
	i.Trainings = append(i.Trainings, Training{Year: in.Year, Hours: in.Hours, Course: in.Course, Provider: in.Provider,
		RecordedBy: by.UserID, RecordedAt: now})
	i.Version++
	return &i.Trainings[len(i.Trainings)-1], nil
}

// RemoveTraining removes a line entered by mistake.
func (i *Inspector) RemoveTraining(by Actor, now time.Time, id int64) error {
	k := slices.IndexFunc(i.Trainings, func(t Training) bool { return t.ID == id })
	if k < 0 {
		return Errorf(ENOTFOUND, "培训记录不存在。")
	}
	i.Trainings = slices.Delete(i.Trainings, k, k+1)
	i.Version++
	return nil
}

// DeclareConflict records a 回避 with org (R17: declared by the inspector or requested by the unit).
// The result points into i; storage fills in its ID.
func (i *Inspector) DeclareConflict(by Actor, now time.Time, org Org, reason string) (*Conflict, error) {
	fields := map[string]string{}
	if org.ID <= 0 {
		fields["org_id"] = "请选择需要回避的单位。"
	} else if slices.ContainsFunc(i.Conflicts, func(c Conflict) bool { return c.Org.ID == org.ID }) {
		fields["org_id"] = fmt.Sprintf("已申报与%s的回避情形。", org.Name)
	}
	checkText(fields, &reason, "reason", "回避事由", true, 500)
	if len(fields) > 0 {
		return nil, FieldError("回避申报有误。", fields)
	}
	i.Conflicts = append(i.Conflicts, Conflict{Org: org, Reason: reason, DeclaredBy: by.UserID, DeclaredAt: now})
	i.Version++
	return &i.Conflicts[len(i.Conflicts)-1], nil
}

// WithdrawConflict removes a declared 回避: the office's decision (R17), never the inspector's own.
func (i *Inspector) WithdrawConflict(by Actor, now time.Time, id int64) error {
	if by.UserID == i.UserID {
		return i.selfErr("撤销")
	}
	k := slices.IndexFunc(i.Conflicts, func(c Conflict) bool { return c.ID == id })
	if k < 0 {
		return Errorf(ENOTFOUND, "回避记录不存在。")
	}
	i.Conflicts = slices.Delete(i.Conflicts, k, k+1)
	i.Version++
	return nil
}
