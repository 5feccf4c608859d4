package domain

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A 双随机、一公开 draw (SPEC §3; R64: 随机抽取检查对象、随机选派检查人员、结果公开) picks the targets of a
// round of inspections and the inspectors of each, in a way the office running it cannot steer and
// anyone can replay:
//
//   - created (committed): the office freezes the candidate targets and inspectors (R65: the two
//     名录库, filtered) into a snapshot and publishes its commitment, the SHA-256 of the snapshot's
//     canonical encoding;
//   - witnesses named on the spot (the 纪检 auditor, a school or notary representative …) each choose a
//     random value and register only its SHA-256 (commit_witness);
//   - close_commitments (revealing): no witness may join any more; each witness's value is revealed
//     and checked against its hash;
//   - the last reveal completes the draw: the seed is SHA-256 over the commitment and the values, the
//     targets are ranked by HMAC-SHA256(seed, code), the inspectors of each by
//     HMAC-SHA256(seed, target|inspector), conflicts (R36, R66) and load caps applied;
//   - cancel (cancelled) ends it with a reason, only before completion.
//
// docs/draw.md specifies every byte, so that the draw can be reimplemented elsewhere; Verify replays it.

// DrawStatus is where a draw stands.
type DrawStatus string

const (
	DrawCommitted DrawStatus = "committed" // 已公布承诺值，登记见证人
	DrawRevealing DrawStatus = "revealing" // 见证人揭示随机值
	DrawCompleted DrawStatus = "completed" // 已完成抽取
	DrawCancelled DrawStatus = "cancelled" // 已终止
)

// DrawStatuses lists the statuses in workflow order.
var DrawStatuses = []DrawStatus{DrawCommitted, DrawRevealing, DrawCompleted, DrawCancelled}

// Valid reports whether s is a known status.
func (s DrawStatus) Valid() bool { return slices.Contains(DrawStatuses, s) }

// Label is the Chinese name of s.
func (s DrawStatus) Label() string {
	switch s {
	case DrawCommitted:
		return "已公布承诺值（登记见证人）"
	case DrawRevealing:
		return "揭示随机值中"
	case DrawCompleted:
		return "已完成"
	case DrawCancelled:
		return "已终止"
	}
	return string(s)
}

// DrawAction is a step of a draw; its value is the {action} of POST /api/v1/draws/{id}/actions/{action}
// and the casbin action name.
type DrawAction string

const (
	DrawCommitWitness    DrawAction = "commit_witness"    // 登记见证人承诺值
	DrawCloseCommitments DrawAction = "close_commitments" // 截止登记，开始揭示
	DrawReveal           DrawAction = "reveal"            // 录入见证人随机值
	DrawCancel           DrawAction = "cancel"            // 终止抽取

	// drawComplete is no user's step: the reveal of the last value takes it.
	drawComplete DrawAction = "complete"
)

// DrawActions lists the users' steps in workflow order; AllowedActions answers in this order.
var DrawActions = []DrawAction{DrawCommitWitness, DrawCloseCommitments, DrawReveal, DrawCancel}

// Valid reports whether a is a user's step.
func (a DrawAction) Valid() bool { return slices.Contains(DrawActions, a) }

// Label is the Chinese verb phrase for a, as on its button.
func (a DrawAction) Label() string {
	switch a {
	case DrawCommitWitness:
		return "登记见证人承诺值"
	case DrawCloseCommitments:
		return "截止登记并开始揭示"
	case DrawReveal:
		return "录入见证人随机值"
	case DrawCancel:
		return "终止抽取"
	case drawComplete:
		return "完成抽取"
	}
	return string(a)
}

// Op is the step's name in the write path and the audit log.
func (a DrawAction) Op() Op { return Op("draw." + string(a)) }

// OpCreateDraw is the creation of a draw: the snapshot frozen, the commitment published.
const OpCreateDraw Op = "draw.create"

// drawTransitions is the draw's lifecycle, the one table every guard consults. A reveal stays in
// revealing; the reveal of the last value then takes the complete edge.
var drawTransitions = Machine[DrawStatus, DrawAction]{
	DrawCommitted: {DrawCommitWitness: DrawCommitted, DrawCloseCommitments: DrawRevealing, DrawCancel: DrawCancelled},
	DrawRevealing: {DrawReveal: DrawRevealing, drawComplete: DrawCompleted, DrawCancel: DrawCancelled},
}

// Can reports whether a draw in status s may take step a.
func (s DrawStatus) Can(a DrawAction) bool { return drawTransitions.Can(s, a) }

// drawPermissions: every step is the running office's. Cancelling is a separate right (policy: the
// director's), since it is the one way left to discard a draw.
var drawPermissions = map[Op]Permission{
	OpCreateDraw:              Need("draw", "create", AtOwner, "发起随机抽取"),
	DrawCommitWitness.Op():    Need("draw", string(DrawCommitWitness), AtOwner, DrawCommitWitness.Label()),
	DrawCloseCommitments.Op(): Need("draw", string(DrawCloseCommitments), AtOwner, DrawCloseCommitments.Label()),
	DrawReveal.Op():           Need("draw", string(DrawReveal), AtOwner, DrawReveal.Label()),
	DrawCancel.Op():           Need("draw", string(DrawCancel), AtOwner, DrawCancel.Label()),
}

// Bounds of a draw.
const (
	DrawMaxN           = 1000 // targets drawn
	DrawMinK           = 2    // R66: at least two inspectors per target
	DrawMaxK           = 10
	DrawMaxCap         = 100 // assignments an inspector may carry
	drawMaxLoad        = 9999
	DrawMaxTargets     = 5000
	DrawMaxInspectors  = 2000
	DrawMaxConflicts   = 50 // declared conflicts per inspector
	DrawMinWitnesses   = 2
	DrawMaxWitnesses   = 9
	WitnessValueMinLen = 16 // characters: a value must not be guessable from its published hash
	WitnessValueMaxLen = 128
)

// DrawTarget is a candidate target (检查对象) as frozen in the snapshot.
type DrawTarget struct {
	OrgID int64
	// Code is the target's key, ranked by HMAC-SHA256(seed, Code): its path below the running office
	// without the final "/" (DrawTargetCode) — its own org code ("s012") when it lies directly under
	// the office, "hbw/s012" one level further down. Org codes are unique only among siblings (every
	// district has its s001); the path below the office is unique in any tree.
	Code string
	Name string
	Path Jurisdiction
}

// DrawInspector is a candidate inspector (检查人员) as frozen in the snapshot.
type DrawInspector struct {
	UserID    int64
	Code      string // 督学证号 or user name, as the office's roster keys it
	Name      string
	OrgPath   Jurisdiction   // the inspector's own org (a 兼职督学's school, an office)
	Load      int            // assignments the inspector already carries when the snapshot is taken
	Cap       int            // the most the inspector may carry (the draw's default unless set)
	Conflicts []Jurisdiction // declared 回避 orgs, by path, sorted, without duplicates
}

// ConflictsWith reports whether in must recuse from t (R36, R66): a declared conflict org covers the
// target (an org or one above it), or the inspector's own org is the target or lies under it.
func (in DrawInspector) ConflictsWith(t DrawTarget) bool {
	if t.Path.Covers(in.OrgPath) {
		return true
	}
	for _, c := range in.Conflicts {
		if c.Covers(t.Path) {
			return true
		}
	}
	return false
}

// DrawWitness is one witness of the draw, in the order they registered (Seq 1, 2, …). An office user
// enters their commitment and, later, their value on their behalf.
type DrawWitness struct {
	Seq         int
	Name        string
	Role        string // 身份及单位: 市纪委监委派驻纪检监察组干部, 学校家长代表, 公证员 …
	Commitment  string // lowercase hex SHA-256 of the value
	CommittedBy int64
	CommittedAt time.Time
	Value       string // "" until revealed
	RevealedBy  int64
	RevealedAt  *time.Time
}

// Revealed reports whether the witness's value is in.
func (w DrawWitness) Revealed() bool { return w.RevealedAt != nil }

// DrawPick is an inspector drawn for a target, with the MAC that ranked them.
type DrawPick struct {
	UserID int64
	Code   string
	Name   string
	MAC    string // lowercase hex HMAC-SHA256(seed, target.Code + "|" + Code)
}

// DrawAssignment is a target drawn and its team, in rank order: the planned case the app opens.
type DrawAssignment struct {
	Rank       int // the target's place in the ranking of all candidates, from 1
	Target     DrawTarget
	MAC        string // lowercase hex HMAC-SHA256(seed, Target.Code)
	Inspectors []DrawPick
}

// DrawSkip is a target reached in rank order that could not be staffed at its turn.
type DrawSkip struct {
	Rank       int
	Target     DrawTarget
	MAC        string
	Eligible   int // inspectors neither conflicted nor at their cap, at the target's turn
	Conflicted int // inspectors who must recuse from it
	AtCap      int // inspectors without conflict but already at their cap
	Reason     string
}

// DrawResult is what a completed draw decided.
type DrawResult struct {
	Assignments []DrawAssignment
	Skipped     []DrawSkip
}

// Draw is one 双随机 draw. Everything a replay needs is in it; its state changes only through the
// guarded methods below, none of which does I/O; each change bumps Version.
type Draw struct {
	ID       int64
	OwnerOrg Org // the office running the draw
	Title    string
	Status   DrawStatus
	Version  int

	// The parameters, frozen with the lists.
	Scope      Jurisdiction // where the targets were taken from
	Year       int          // the year of the cases it creates
	CaseType   CaseType     // the type of the cases it creates
	CaseKind   CaseKind     // their kind: random (双随机抽查) as a rule
	Filters    string       // the filters the candidate lists were taken with, as recorded text
	N          int          // targets to draw
	K          int          // inspectors per target
	DefaultCap int          // the load cap of inspectors without their own

	Targets    []DrawTarget    // sorted by Code
	Inspectors []DrawInspector // sorted by Code
	CreatedBy  int64
	CreatedAt  time.Time // whole seconds; part of the snapshot
	Commitment string    // lowercase hex SHA-256 of Snapshot()

	Witnesses []DrawWitness
	ClosedBy  int64
	ClosedAt  *time.Time

	Seed        string // lowercase hex, once completed
	Result      *DrawResult
	CompletedAt *time.Time

	CancelReason string
	CancelledBy  int64
	CancelledAt  *time.Time
}

// Head is what the write path needs of the draw: the office running it, and no target org.
func (d *Draw) Head() Head {
	return Head{Object: "draw", ID: d.ID, Version: d.Version, Label: d.Label(), Owner: d.OwnerOrg}
}

// Permission answers what step op needs of the authorizer.
func (d *Draw) Permission(op Op) (Permission, bool) {
	p, ok := drawPermissions[op]
	return p, ok
}

// Label names the draw for messages: 随机抽取#3（2026年春季中小学双随机抽查）.
func (d *Draw) Label() string {
	if d.ID == 0 {
		return "随机抽取（" + d.Title + "）"
	}
	return fmt.Sprintf("随机抽取#%d（%s）", d.ID, d.Title)
}

// DrawInspectorInput is a candidate inspector as the app reads it from the roster.
type DrawInspectorInput struct {
	UserID    int64
	Code      string
	Name      string
	OrgPath   Jurisdiction
	Load      int
	Cap       int // 0: the draw's default cap
	Conflicts []Jurisdiction
}

// DrawInput is a draw as the office sets it up: its parameters and the candidate lists, already
// filtered (the filters are recorded as text, for the public to read).
type DrawInput struct {
	Title      string
	Scope      Jurisdiction
	Year       int
	CaseType   CaseType
	CaseKind   CaseKind
	Filters    string
	N, K       int
	DefaultCap int
	Targets    []Org
	Inspectors []DrawInspectorInput
}

// NewDraw freezes the snapshot of a draw run by by's org and computes its commitment. The lists are
// put in code order, so that the snapshot does not depend on the order they were read in.
func NewDraw(by Actor, in DrawInput, now time.Time) (*Draw, error) {
	fields := map[string]string{}
	d := &Draw{OwnerOrg: by.Org, Title: in.Title, Status: DrawCommitted, Version: 1,
		Scope: in.Scope, Year: in.Year, CaseType: in.CaseType, CaseKind: in.CaseKind, Filters: in.Filters,
		N: in.N, K: in.K, DefaultCap: in.DefaultCap, CreatedBy: by.UserID, CreatedAt: now.Truncate(time.Second).In(CST)}

	drawText(fields, &d.Title, "title", "抽取名称", true, maxTitle)
	drawText(fields, &d.Filters, "filters", "筛选条件", false, 500)
	switch {
	case !drawPathOK(d.Scope):
		fields["scope"] = "抽取范围无效。"
	case !by.Org.Path.Covers(d.Scope):
		fields["scope"] = "抽取范围须在本单位（" + by.Org.Name + "）管辖范围之内。"
	}
	if d.Year < 2000 || d.Year > 2100 {
		fields["year"] = "年度应为2000至2100之间的年份。"
	}
	if !d.CaseType.Valid() {
		fields["case_type"] = "督导类型应为督政、督学或评估监测。"
	}
	switch {
	case !d.CaseKind.Valid():
		fields["case_kind"] = "督导方式无效。"
	case d.CaseKind == KindRoutine:
		// R21, R28: routine visits are the 责任督学's, assigned to each school, not drawn.
		fields["case_kind"] = "经常性督导由各校的责任督学承担，不通过随机抽取安排。"
	}
	if d.N < 1 || d.N > DrawMaxN {
		fields["n"] = fmt.Sprintf("抽取对象数应为1至%d。", DrawMaxN)
	}
	if d.K < DrawMinK || d.K > DrawMaxK {
		// R66: at least two inspectors per target.
		fields["k"] = fmt.Sprintf("每个对象选派的督学人数应为%d至%d人。", DrawMinK, DrawMaxK)
	}
	if d.DefaultCap < 1 || d.DefaultCap > DrawMaxCap {
		fields["default_cap"] = fmt.Sprintf("督学工作量上限应为1至%d。", DrawMaxCap)
	}

	d.Targets = drawTargets(fields, by.Org, d.Scope, d.CaseType, in.Targets)
	d.Inspectors = drawInspectors(fields, d.DefaultCap, in.Inspectors)
	if _, bad := fields["n"]; !bad && len(d.Targets) > 0 && d.N > len(d.Targets) {
		fields["n"] = fmt.Sprintf("抽取对象数（%d）不能超过候选对象数（%d）。", d.N, len(d.Targets))
	}
	if _, bad := fields["k"]; !bad && len(d.Inspectors) > 0 && d.K > len(d.Inspectors) {
		fields["k"] = fmt.Sprintf("每个对象选派的督学人数（%d）不能超过候选督学数（%d）。", d.K, len(d.Inspectors))
	}
	if len(fields) > 0 {
		return nil, FieldError("随机抽取信息有误。", fields)
	}
	d.Commitment = drawSHA256Hex(d.Snapshot())
	return d, nil
}

// drawTargets checks the candidate targets and returns them in code order.
func drawTargets(fields map[string]string, owner Org, scope Jurisdiction, t CaseType, orgs []Org) []DrawTarget {
	switch {
	case len(orgs) == 0:
		fields["targets"] = "候选检查对象名单不能为空。"
		return nil
	case len(orgs) > DrawMaxTargets:
		fields["targets"] = fmt.Sprintf("候选检查对象不能超过%d个。", DrawMaxTargets)
		return nil
	}
	out := make([]DrawTarget, 0, len(orgs))
	codes, ids := map[string]bool{}, map[int64]bool{}
	for i, o := range orgs {
		name := strings.TrimSpace(o.Name)
		what := fmt.Sprintf("第%d个候选对象（%s）", i+1, o.Code)
		code := DrawTargetCode(owner.Path, o.Path)
		var msg string
		switch {
		case o.ID <= 0 || !ValidOrgCode(o.Code):
			msg = "机构编号或代码无效"
		case !drawPathOK(o.Path) || o.Path.Parent().Child(o.Code) != o.Path:
			msg = "机构路径无效"
		case name == "" || utf8.RuneCountInString(name) > 100 || !drawPlain(name):
			msg = "机构名称无效"
		case codes[code] || ids[o.ID]:
			msg = "重复"
		case o.ID == owner.ID:
			msg = "是组织抽取的单位本身"
		case !scope.Covers(o.Path) || code == "":
			msg = "不在抽取范围之内"
		case !drawTargetFits(t, o.Kind):
			msg = "不是" + t.Label() + "的督导对象"
		}
		if msg != "" {
			fields["targets"] = what + msg + "。"
			return nil
		}
		codes[code], ids[o.ID] = true, true
		out = append(out, DrawTarget{OrgID: o.ID, Code: code, Name: name, Path: o.Path})
	}
	slices.SortFunc(out, func(a, b DrawTarget) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// drawTargetFits says whether an org of kind k may be the target of a case of type t (as NewCase
// checks, so that the cases the draw creates can be opened).
func drawTargetFits(t CaseType, k OrgKind) bool {
	switch t {
	case CaseGovernment:
		return k == OrgDistrict || k == OrgCity
	case CaseSchool:
		return k == OrgSchool
	case CaseMonitoring:
		return k == OrgDistrict || k == OrgCity || k == OrgSchool
	}
	return true // the type is reported on its own
}

// drawInspectors checks the candidate inspectors and returns them in code order, each with its
// effective cap and its conflicts sorted.
func drawInspectors(fields map[string]string, defaultCap int, ins []DrawInspectorInput) []DrawInspector {
	switch {
	case len(ins) == 0:
		fields["inspectors"] = "候选督学名单不能为空。"
		return nil
	case len(ins) > DrawMaxInspectors:
		fields["inspectors"] = fmt.Sprintf("候选督学不能超过%d人。", DrawMaxInspectors)
		return nil
	}
	out := make([]DrawInspector, 0, len(ins))
	codes, ids := map[string]bool{}, map[int64]bool{}
	for i, in := range ins {
		name := strings.TrimSpace(in.Name)
		what := fmt.Sprintf("第%d名候选督学（%s）", i+1, in.Code)
		capacity := in.Cap
		if capacity == 0 {
			capacity = defaultCap
		}
		conflicts := slices.Clone(in.Conflicts)
		slices.Sort(conflicts)
		conflicts = slices.Compact(conflicts)
		var msg string
		switch {
		case in.UserID <= 0 || !drawInspectorCodeOK(in.Code):
			msg = "的编号或代码无效（代码为1至64位字母、数字、点、下划线或连字符）"
		case name == "" || utf8.RuneCountInString(name) > 50 || !drawPlain(name):
			msg = "的姓名无效"
		case !drawPathOK(in.OrgPath):
			msg = "的所在单位无效"
		case codes[in.Code] || ids[in.UserID]:
			msg = "重复"
		case in.Load < 0 || in.Load > drawMaxLoad:
			msg = fmt.Sprintf("的现有工作量应为0至%d", drawMaxLoad)
		case capacity < 1 || capacity > DrawMaxCap:
			msg = fmt.Sprintf("的工作量上限应为1至%d", DrawMaxCap)
		case len(conflicts) > DrawMaxConflicts:
			msg = fmt.Sprintf("申报的回避单位不能超过%d个", DrawMaxConflicts)
		case slices.ContainsFunc(conflicts, func(p Jurisdiction) bool { return !drawPathOK(p) }):
			msg = "申报的回避单位无效"
		}
		if msg != "" {
			fields["inspectors"] = what + msg + "。"
			return nil
		}
		codes[in.Code], ids[in.UserID] = true, true
		if len(conflicts) == 0 {
			conflicts = nil
		}
		out = append(out, DrawInspector{UserID: in.UserID, Code: in.Code, Name: name, OrgPath: in.OrgPath,
			Load: in.Load, Cap: capacity, Conflicts: conflicts})
	}
	slices.SortFunc(out, func(a, b DrawInspector) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// drawText trims s and checks it like checkText; it must also hold no control characters (tabs and
// line breaks delimit the snapshot's encoding).
func drawText(fields map[string]string, s *string, field, what string, required bool, max int) {
	checkText(fields, s, field, what, required, max)
	if _, bad := fields[field]; !bad && !drawPlain(*s) {
		fields[field] = what + "不能包含换行符、制表符等控制字符。"
	}
}

// drawPlain reports whether s is valid UTF-8 without control characters.
func drawPlain(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// drawPathOK reports whether p is a well-formed jurisdiction path: org codes each followed by "/".
func drawPathOK(p Jurisdiction) bool {
	s, ok := strings.CutSuffix(string(p), "/")
	if !ok {
		return false
	}
	for _, seg := range strings.Split(s, "/") {
		if !ValidOrgCode(seg) {
			return false
		}
	}
	return true
}

// drawInspectorCodeOK: 1 to 64 of A–Z a–z 0–9 . _ - (never "|", which joins codes in a MAC message).
func drawInspectorCodeOK(c string) bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for i := 0; i < len(c); i++ {
		b := c[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
			return false
		}
	}
	return true
}

// Snapshot is the canonical encoding of what the draw froze: UTF-8 lines, each ending in "\n", fields
// separated by one TAB (docs/draw.md §4.1). The commitment is its SHA-256.
func (d *Draw) Snapshot() []byte {
	var b bytes.Buffer
	line := func(fields ...string) {
		b.WriteString(strings.Join(fields, "\t"))
		b.WriteByte('\n')
	}
	itoa := strconv.Itoa
	line("dudao-draw/1")
	line("title", d.Title)
	line("owner", string(d.OwnerOrg.Path))
	line("scope", string(d.Scope))
	line("year", itoa(d.Year))
	line("case_type", string(d.CaseType))
	line("case_kind", string(d.CaseKind))
	line("filters", d.Filters)
	line("n", itoa(d.N))
	line("k", itoa(d.K))
	line("default_cap", itoa(d.DefaultCap))
	line("created_at", d.CreatedAt.In(CST).Format(time.RFC3339))
	line("targets", itoa(len(d.Targets)))
	for _, t := range d.Targets {
		line("t", strconv.FormatInt(t.OrgID, 10), t.Code, t.Name, string(t.Path))
	}
	line("inspectors", itoa(len(d.Inspectors)))
	for _, in := range d.Inspectors {
		cs := make([]string, len(in.Conflicts))
		for i, c := range in.Conflicts {
			cs[i] = string(c)
		}
		line("i", strconv.FormatInt(in.UserID, 10), in.Code, in.Name, string(in.OrgPath), itoa(in.Load), itoa(in.Cap), strings.Join(cs, ","))
	}
	return b.Bytes()
}

func drawSHA256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// WitnessCommitment is the commitment of a witness value: the lowercase hex SHA-256 of its bytes. No
// salt is added: the value itself must be long and random enough not to be guessed from its hash.
func WitnessCommitment(value string) string { return drawSHA256Hex([]byte(value)) }

// CheckWitnessValue refuses a value that is too short to hide behind its hash, or that could be typed
// two ways: WitnessValueMinLen to WitnessValueMaxLen visible ASCII characters, no spaces.
func CheckWitnessValue(value string) error {
	ok := len(value) >= WitnessValueMinLen && len(value) <= WitnessValueMaxLen
	for i := 0; ok && i < len(value); i++ {
		ok = value[i] >= 0x21 && value[i] <= 0x7e
	}
	if !ok {
		return FieldError("见证人随机值不符合要求。", map[string]string{"value": fmt.Sprintf(
			"随机值应为%d至%d个半角字母、数字或符号（不含空格），例如连续掷骰%d次以上的点数，或随机生成的字母数字串。",
			WitnessValueMinLen, WitnessValueMaxLen, WitnessValueMinLen+4)})
	}
	return nil
}

// DrawSeed derives the seed from the draw's commitment (lowercase hex) and the witnesses' values in
// their registration order:
//
//	SHA-256( "dudao-draw-seed/1\n" ‖ commitment (32 bytes) ‖ uint32be(m) ‖ for each value: uint32be(len) ‖ value )
//
// Binding the commitment means a seed belongs to one snapshot: the same values give another seed in
// another draw.
func DrawSeed(commitment string, values []string) ([]byte, error) {
	c, err := hex.DecodeString(commitment)
	if err != nil || len(c) != sha256.Size || commitment != strings.ToLower(commitment) {
		return nil, Errorf(EINVALID, "快照承诺值应为64位小写十六进制数。")
	}
	h := sha256.New()
	h.Write([]byte("dudao-draw-seed/1\n"))
	h.Write(c)
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(values)))
	h.Write(n[:])
	for _, v := range values {
		binary.BigEndian.PutUint32(n[:], uint32(len(v)))
		h.Write(n[:])
		h.Write([]byte(v))
	}
	return h.Sum(nil), nil
}

// drawMAC is HMAC-SHA256 keyed by the raw seed over the UTF-8 of msg.
func drawMAC(seed []byte, msg string) []byte {
	m := hmac.New(sha256.New, seed)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// drawRanked is a list index with the MAC that ranks it.
type drawRanked struct {
	idx  int
	code string
	mac  []byte
}

// drawRank sorts by MAC as a big-endian byte string, ties (never seen in practice) by code.
func drawRank(xs []drawRanked) {
	slices.SortFunc(xs, func(a, b drawRanked) int {
		if c := bytes.Compare(a.mac, b.mac); c != 0 {
			return c
		}
		return strings.Compare(a.code, b.code)
	})
}

// runDraw is the procedure of docs/draw.md §4.8: targets in rank order until N are staffed; each
// gets the K lowest-ranked inspectors that neither conflict with it nor are at their cap, or is
// skipped, with the reason, when fewer than K are left.
func runDraw(d *Draw, seed []byte) DrawResult {
	targets := make([]drawRanked, len(d.Targets))
	for i, t := range d.Targets {
		targets[i] = drawRanked{idx: i, code: t.Code, mac: drawMAC(seed, t.Code)}
	}
	drawRank(targets)
	load := make([]int, len(d.Inspectors))
	for j, in := range d.Inspectors {
		load[j] = in.Load
	}
	res := DrawResult{Assignments: []DrawAssignment{}, Skipped: []DrawSkip{}}
	for r, x := range targets {
		if len(res.Assignments) >= d.N {
			break
		}
		t := d.Targets[x.idx]
		var eligible []drawRanked
		conflicted, atCap := 0, 0
		for j, in := range d.Inspectors {
			switch {
			case in.ConflictsWith(t):
				conflicted++
			case load[j] >= in.Cap:
				atCap++
			default:
				eligible = append(eligible, drawRanked{idx: j, code: in.Code})
			}
		}
		if len(eligible) < d.K {
			res.Skipped = append(res.Skipped, DrawSkip{Rank: r + 1, Target: t, MAC: hex.EncodeToString(x.mac),
				Eligible: len(eligible), Conflicted: conflicted, AtCap: atCap, Reason: drawSkipReason(len(eligible), d.K, conflicted, atCap)})
			continue
		}
		for e := range eligible {
			eligible[e].mac = drawMAC(seed, t.Code+"|"+eligible[e].code)
		}
		drawRank(eligible)
		a := DrawAssignment{Rank: r + 1, Target: t, MAC: hex.EncodeToString(x.mac), Inspectors: make([]DrawPick, d.K)}
		for p, e := range eligible[:d.K] {
			in := d.Inspectors[e.idx]
			a.Inspectors[p] = DrawPick{UserID: in.UserID, Code: in.Code, Name: in.Name, MAC: hex.EncodeToString(e.mac)}
			load[e.idx]++
		}
		res.Assignments = append(res.Assignments, a)
	}
	return res
}

// drawSkipReason says why a target could not be staffed.
func drawSkipReason(eligible, k, conflicted, atCap int) string {
	return fmt.Sprintf("回避后未达工作量上限的督学仅%d人，不足%d人（须回避%d人，已达工作量上限%d人）。", eligible, k, conflicted, atCap)
}

// Drawn counts the targets drawn (0 before completion).
func (d *Draw) Drawn() int {
	if d.Result == nil {
		return 0
	}
	return len(d.Result.Assignments)
}

// Witness returns the witness registered seq-th, or nil.
func (d *Draw) Witness(seq int) *DrawWitness {
	if seq < 1 || seq > len(d.Witnesses) {
		return nil
	}
	return &d.Witnesses[seq-1]
}

func (d *Draw) wrongState(what string) *Error {
	return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", d.Label(), d.Status.Label(), what)
}

// Check returns nil when the domain lets by take step act on the draw now: the table allows it and
// the ceremony is the running office's own. Roles and jurisdictions are the authorizer's. Used for
// allowed_actions and first by every step.
func (d *Draw) Check(act DrawAction, by Actor) error {
	if !d.Status.Can(act) || !act.Valid() {
		switch {
		case d.Status == DrawCompleted && act == DrawCancel:
			return Errorf(ECONFLICT, "%s已完成，抽取结果已经产生，不能再终止。", d.Label())
		case d.Status == DrawRevealing && act == DrawCommitWitness:
			return Errorf(ECONFLICT, "%s已截止见证人登记，不能再增加见证人。", d.Label())
		}
		return d.wrongState(act.Label())
	}
	if act != DrawCancel && by.Org.ID != d.OwnerOrg.ID {
		return Errorf(EFORBIDDEN, "只有组织抽取的%s的人员才能%s。", d.OwnerOrg.Name, act.Label())
	}
	switch act {
	case DrawCommitWitness:
		if len(d.Witnesses) >= DrawMaxWitnesses {
			return Errorf(ECONFLICT, "见证人不能超过%d名。", DrawMaxWitnesses)
		}
	case DrawCloseCommitments:
		if len(d.Witnesses) < DrawMinWitnesses {
			return Errorf(ECONFLICT, "至少须有%d名见证人登记承诺值，才能开始揭示；现有%d名。", DrawMinWitnesses, len(d.Witnesses))
		}
	}
	return nil
}

// AllowedActions lists, in workflow order, the steps by may take now: those roleAllows (the
// authorizer's check; nil grants every step) grants and Check lets through. Never nil.
func (d *Draw) AllowedActions(by Actor, roleAllows func(DrawAction) bool) []DrawAction {
	return Allowed(DrawActions, func(a DrawAction) error { return d.Check(a, by) }, roleAllows)
}

func (d *Draw) advance(a DrawAction) {
	d.Status = drawTransitions.Next(d.Status, a)
	d.Version++
}

// CommitWitness registers a witness, named with their role and unit, by the SHA-256 of the value they
// chose (entered by an office user on their behalf). The value itself comes only after every
// commitment is in.
func (d *Draw) CommitWitness(by Actor, now time.Time, name, role, commitment string) error {
	if err := d.Check(DrawCommitWitness, by); err != nil {
		return err
	}
	fields := map[string]string{}
	drawText(fields, &name, "name", "见证人姓名", true, 50)
	drawText(fields, &role, "role", "见证人身份及单位", true, 100)
	commitment = strings.ToLower(strings.TrimSpace(commitment))
	if c, err := hex.DecodeString(commitment); err != nil || len(c) != sha256.Size {
		fields["commitment"] = "承诺值应为随机值的SHA-256摘要，即64位十六进制数。"
	}
	for _, w := range d.Witnesses {
		if w.Name == name {
			fields["name"] = "见证人「" + name + "」已登记，见证人不能重复。"
		}
		if w.Commitment == commitment {
			fields["commitment"] = "该承诺值与已登记的见证人" + w.Name + "的相同；每名见证人须自行选取不同的随机值。"
		}
	}
	if len(fields) > 0 {
		return FieldError("见证人信息有误。", fields)
	}
	d.Witnesses = append(d.Witnesses, DrawWitness{Seq: len(d.Witnesses) + 1, Name: name, Role: role,
		Commitment: commitment, CommittedBy: by.UserID, CommittedAt: now})
	d.advance(DrawCommitWitness)
	return nil
}

// CloseCommitments ends the registration: from now on no witness may join, and the values may be
// revealed.
func (d *Draw) CloseCommitments(by Actor, now time.Time) error {
	if err := d.Check(DrawCloseCommitments, by); err != nil {
		return err
	}
	d.ClosedBy, d.ClosedAt = by.UserID, &now
	d.advance(DrawCloseCommitments)
	return nil
}

// Reveal records the value of the seq-th witness, which must hash to their commitment; a wrong value
// changes nothing. The last value completes the draw: the seed is derived and the result computed.
func (d *Draw) Reveal(by Actor, now time.Time, seq int, value string) error {
	if err := d.Check(DrawReveal, by); err != nil {
		return err
	}
	w := d.Witness(seq)
	switch {
	case w == nil:
		return FieldError("见证人不存在。", map[string]string{"seq": fmt.Sprintf("应为1至%d之间的见证人序号。", len(d.Witnesses))})
	case w.Revealed():
		return Errorf(ECONFLICT, "见证人%s的随机值已经录入。", w.Name)
	}
	if err := CheckWitnessValue(value); err != nil {
		return err
	}
	if WitnessCommitment(value) != w.Commitment {
		return FieldError("随机值与承诺值不符。", map[string]string{"value": fmt.Sprintf(
			"该值的SHA-256摘要为%s，与见证人%s登记的承诺值%s不符；请见证人核对后重新录入。",
			WitnessCommitment(value), w.Name, w.Commitment)})
	}
	values := make([]string, 0, len(d.Witnesses))
	for i := range d.Witnesses {
		if i+1 != seq && !d.Witnesses[i].Revealed() {
			values = nil
			break
		}
		values = append(values, d.Witnesses[i].Value)
	}
	var seed []byte
	if values != nil {
		values[seq-1] = value
		var err error
		if seed, err = DrawSeed(d.Commitment, values); err != nil {
			return err
		}
	}
	w.Value, w.RevealedBy, w.RevealedAt = value, by.UserID, &now
	d.advance(DrawReveal)
	if seed != nil {
		res := runDraw(d, seed)
		d.Seed, d.Result, d.CompletedAt = hex.EncodeToString(seed), &res, &now
		d.Status = drawTransitions.Next(d.Status, drawComplete)
	}
	return nil
}

// Cancel ends a draw that has not completed, with a reason. The draw stays on record, published with
// its reason: cancelling is the one way left to discard a draw, and it is seen.
func (d *Draw) Cancel(by Actor, now time.Time, reason string) error {
	if err := d.Check(DrawCancel, by); err != nil {
		return err
	}
	fields := map[string]string{}
	drawText(fields, &reason, "reason", "终止理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明终止抽取的理由。", fields)
	}
	d.CancelReason, d.CancelledBy, d.CancelledAt = reason, by.UserID, &now
	d.advance(DrawCancel)
	return nil
}

// DrawActParams carries a step's parameters; each step reads what it needs.
type DrawActParams struct {
	WitnessName string // commit_witness
	WitnessRole string // commit_witness
	Commitment  string // commit_witness
	Seq         int    // reveal
	Value       string // reveal
	Reason      string // cancel
}

// Act takes step a with its parameters: the one dispatch from an action to its guarded method.
func (d *Draw) Act(a DrawAction, by Actor, now time.Time, p DrawActParams) error {
	switch a {
	case DrawCommitWitness:
		return d.CommitWitness(by, now, p.WitnessName, p.WitnessRole, p.Commitment)
	case DrawCloseCommitments:
		return d.CloseCommitments(by, now)
	case DrawReveal:
		return d.Reveal(by, now, p.Seq, p.Value)
	case DrawCancel:
		return d.Cancel(by, now, p.Reason)
	}
	return Errorf(ENOTFOUND, "没有「%s」这一步骤。", a)
}

// Verify replays the draw from what it publishes: it recomputes the commitment from the snapshot,
// checks each revealed value against its witness's commitment and, for a completed draw, recomputes
// the seed and the result. It fails with a Chinese message naming every part that differs. A replay
// proves the record consistent; that the commitment is the one announced before the witnesses
// committed is checked against that announcement (the public page, the draw.create audit event).
func (d *Draw) Verify() error {
	var probs []string
	commitment := drawSHA256Hex(d.Snapshot())
	if commitment != d.Commitment {
		probs = append(probs, fmt.Sprintf("快照承诺值不符：按记录的参数和候选名单重算为%s，记录为%s", commitment, d.Commitment))
	}
	values := make([]string, 0, len(d.Witnesses))
	missing := false
	for i, w := range d.Witnesses {
		switch {
		case w.Seq != i+1:
			probs = append(probs, fmt.Sprintf("见证人%s的序号应为%d，记录为%d", w.Name, i+1, w.Seq))
		case !w.Revealed():
			missing = true
			if w.Value != "" {
				probs = append(probs, fmt.Sprintf("见证人%d（%s）尚未揭示，却记有随机值", w.Seq, w.Name))
			}
		case WitnessCommitment(w.Value) != w.Commitment:
			probs = append(probs, fmt.Sprintf("见证人%d（%s）的随机值与其承诺值不符：随机值的SHA-256为%s，承诺值为%s",
				w.Seq, w.Name, WitnessCommitment(w.Value), w.Commitment))
		}
		values = append(values, w.Value)
	}
	if d.Status != DrawCompleted {
		if d.Seed != "" || d.Result != nil {
			probs = append(probs, "抽取尚未完成，却记有种子或结果")
		}
		return drawVerdict(probs)
	}
	switch {
	case len(d.Witnesses) < DrawMinWitnesses:
		probs = append(probs, fmt.Sprintf("见证人仅%d名，少于%d名", len(d.Witnesses), DrawMinWitnesses))
	case missing:
		probs = append(probs, "抽取已完成，但有见证人的随机值未揭示")
	}
	seed, _ := DrawSeed(commitment, values) // commitment is computed here, always well formed
	if s := hex.EncodeToString(seed); s != d.Seed {
		probs = append(probs, fmt.Sprintf("种子不符：按承诺值和各见证人随机值重算为%s，记录为%s", s, d.Seed))
	}
	if d.N < 1 || d.K < DrawMinK || d.K > DrawMaxK {
		// the procedure is not defined for these; the commitment has already said they changed
		return drawVerdict(append(probs, fmt.Sprintf("抽取参数无效（N=%d，K=%d），无法重算结果", d.N, d.K)))
	}
	want := runDraw(d, seed)
	if d.Result == nil {
		probs = append(probs, "抽取已完成，却没有记录结果")
	} else if p := diffDrawResult(want, *d.Result); p != "" {
		probs = append(probs, "抽取结果不符："+p)
	}
	return drawVerdict(probs)
}

func drawVerdict(probs []string) error {
	if len(probs) == 0 {
		return nil
	}
	return Errorf(ECONFLICT, "抽取核验不通过：%s。", strings.Join(probs, "；"))
}

// diffDrawResult names the first difference between the recomputed result and the recorded one, ""
// when there is none. The skip reasons are wording and are not compared; their counts are.
func diffDrawResult(want, got DrawResult) string {
	if len(want.Assignments) != len(got.Assignments) {
		return fmt.Sprintf("重算抽中%d个对象，记录为%d个", len(want.Assignments), len(got.Assignments))
	}
	for i, w := range want.Assignments {
		g := got.Assignments[i]
		if w.Rank != g.Rank || w.Target != g.Target {
			return fmt.Sprintf("第%d个抽中对象重算为%s（第%d位），记录为%s（第%d位）", i+1, drawTargetLabel(w.Target), w.Rank, drawTargetLabel(g.Target), g.Rank)
		}
		sameWho := func(a, b DrawPick) bool { return a.UserID == b.UserID && a.Code == b.Code && a.Name == b.Name }
		if !slices.EqualFunc(w.Inspectors, g.Inspectors, sameWho) {
			return fmt.Sprintf("%s的督学重算为%s，记录为%s", drawTargetLabel(w.Target), drawPicksLabel(w.Inspectors), drawPicksLabel(g.Inspectors))
		}
		if !slices.Equal(w.Inspectors, g.Inspectors) || w.MAC != g.MAC {
			return fmt.Sprintf("%s或其督学的排序值（HMAC）与重算不符", drawTargetLabel(w.Target))
		}
	}
	if len(want.Skipped) != len(got.Skipped) {
		return fmt.Sprintf("重算跳过%d个对象，记录为%d个", len(want.Skipped), len(got.Skipped))
	}
	for i, w := range want.Skipped {
		g := got.Skipped[i]
		if w.Rank != g.Rank || w.Target != g.Target || w.MAC != g.MAC {
			return fmt.Sprintf("第%d个跳过的对象重算为%s（第%d位），记录为%s（第%d位）", i+1, drawTargetLabel(w.Target), w.Rank, drawTargetLabel(g.Target), g.Rank)
		}
		if w.Eligible != g.Eligible || w.Conflicted != g.Conflicted || w.AtCap != g.AtCap {
			return fmt.Sprintf("跳过%s时的可派人数重算为%d人（回避%d人、满负荷%d人），记录为%d人（回避%d人、满负荷%d人）",
				drawTargetLabel(w.Target), w.Eligible, w.Conflicted, w.AtCap, g.Eligible, g.Conflicted, g.AtCap)
		}
	}
	return ""
}

func drawTargetLabel(t DrawTarget) string { return t.Name + "（" + t.Code + "）" }

func drawPicksLabel(ps []DrawPick) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.Name + "（" + p.Code + "）"
	}
	return strings.Join(s, "、")
}
