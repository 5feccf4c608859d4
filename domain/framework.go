package domain

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Frameworks (评估指标体系, SPEC §3): versioned trees of items with weights, maximum scores and
// 一票否决 (veto) items (R63). An inspection scores the leaves; the result records the framework's
// code and version, so a later version never changes an old score. A version is drafted, published
// (from then on immutable: a change is a new version) and retired when no longer to be used.

// FrameworkStatus is where a framework version stands.
type FrameworkStatus string

const (
	FwDraft     FrameworkStatus = "draft"     // 草稿: being written, not yet usable
	FwPublished FrameworkStatus = "published" // 已发布: usable, immutable
	FwRetired   FrameworkStatus = "retired"   // 已停用: kept for the scores made with it
)

// FrameworkStatuses lists the statuses in lifecycle order.
var FrameworkStatuses = []FrameworkStatus{FwDraft, FwPublished, FwRetired}

// Valid reports whether s is a known status.
func (s FrameworkStatus) Valid() bool { return slices.Contains(FrameworkStatuses, s) }

// Label is the Chinese name of s.
func (s FrameworkStatus) Label() string {
	switch s {
	case FwDraft:
		return "草稿"
	case FwPublished:
		return "已发布"
	case FwRetired:
		return "已停用"
	}
	return string(s)
}

// FrameworkAction is a step of a framework version's lifecycle and the casbin action it needs.
type FrameworkAction string

const (
	FwEdit    FrameworkAction = "edit"    // change a draft
	FwPublish FrameworkAction = "publish" // publish a draft
	FwRetire  FrameworkAction = "retire"  // stop a published version being used for new inspections
)

// FrameworkActions lists the steps in lifecycle order.
var FrameworkActions = []FrameworkAction{FwEdit, FwPublish, FwRetire}

// Valid reports whether a is a known step.
func (a FrameworkAction) Valid() bool { return slices.Contains(FrameworkActions, a) }

// Label is the Chinese verb phrase for a.
func (a FrameworkAction) Label() string {
	switch a {
	case FwEdit:
		return "修改指标体系"
	case FwPublish:
		return "发布指标体系"
	case FwRetire:
		return "停用指标体系"
	}
	return string(a)
}

// Op is the step's name in the write path and the audit log.
func (a FrameworkAction) Op() Op { return Op("framework." + string(a)) }

// Creations: a first version, and a new version drawn from a published or retired one.
const (
	OpCreateFramework Op = "framework.create"
	OpReviseFramework Op = "framework.revise"
)

// frameworkTransitions is the one table the framework guards consult. Nothing leads back to draft:
// a published version is changed only by drafting the next version (Revise).
var frameworkTransitions = Machine[FrameworkStatus, FrameworkAction]{
	FwDraft:     {FwEdit: FwDraft, FwPublish: FwPublished},
	FwPublished: {FwRetire: FwRetired},
}

// Can reports whether a framework version in status s may take step a.
func (s FrameworkStatus) Can(a FrameworkAction) bool { return frameworkTransitions.Can(s, a) }

// frameworkPermissions: frameworks are the supervision office's, at the office that keeps them.
var frameworkPermissions = map[Op]Permission{
	OpCreateFramework: Need("framework", "create", AtOwner, "新建指标体系"),
	OpReviseFramework: Need("framework", "create", AtOwner, "修订指标体系（新版本）"),
	FwEdit.Op():       Need("framework", "edit", AtOwner, FwEdit.Label()),
	FwPublish.Op():    Need("framework", "publish", AtOwner, FwPublish.Label()),
	FwRetire.Op():     Need("framework", "retire", AtOwner, FwRetire.Label()),
}

// Applicability says which inspections a framework serves: a case type and, optionally, kinds (none
// listed: every kind of that type).
type Applicability struct {
	Type  CaseType   `json:"type"`
	Kinds []CaseKind `json:"kinds,omitempty"`
}

// Covers reports whether a case of type t and kind k may use the framework.
func (a Applicability) Covers(t CaseType, k CaseKind) bool {
	return a.Type == t && (len(a.Kinds) == 0 || slices.Contains(a.Kinds, k))
}

// Label is how a reads: 督学·经常性督导.
func (a Applicability) Label() string {
	if len(a.Kinds) == 0 {
		return a.Type.Label()
	}
	ks := make([]string, len(a.Kinds))
	for i, k := range a.Kinds {
		ks[i] = k.Label()
	}
	return a.Type.Label() + "·" + strings.Join(ks, "、")
}

// FrameworkItem is one node of the tree. Leaves are scored from 0 to MaxScore and earn
// Weight × score / MaxScore points; a parent's weight is the sum of its children's, and it earns what
// they earn. A leaf fails below PassScore (60% of MaxScore when not given) or when marked failed; a
// failed veto leaf fails the whole inspection. A veto leaf may weigh nothing (a pure 否决 check).
type FrameworkItem struct {
	Code      string          `json:"code"`
	Title     string          `json:"title"`
	Weight    float64         `json:"weight"`
	MaxScore  float64         `json:"max_score,omitempty"`
	PassScore *float64        `json:"pass_score,omitempty"`
	Veto      bool            `json:"veto,omitempty"`
	Category  string          `json:"category,omitempty"` // the finding category (Rules.Categories) of a failure
	Guidance  string          `json:"guidance,omitempty"` // what to look at and how to score
	Children  []FrameworkItem `json:"children,omitempty"`
}

// Leaf reports whether the item is scored itself.
func (it FrameworkItem) Leaf() bool { return len(it.Children) == 0 }

// Pass is the lowest passing score of a leaf.
func (it FrameworkItem) Pass() float64 {
	if it.PassScore != nil {
		return *it.PassScore
	}
	return DefaultPassRatio * it.MaxScore
}

// DefaultPassRatio is a leaf's pass score as a share of its maximum when the framework gives none
// (合格 at 60%, as Chinese scoring sheets commonly set it).
const DefaultPassRatio = 0.6

func cloneItems(items []FrameworkItem) []FrameworkItem {
	if items == nil {
		return nil
	}
	out := make([]FrameworkItem, len(items))
	for i, it := range items {
		out[i] = it
		if it.PassScore != nil {
			p := *it.PassScore
			out[i].PassScore = &p
		}
		out[i].Children = cloneItems(it.Children)
	}
	return out
}

// walk visits items depth first, parents before children.
func walk(items []FrameworkItem, depth int, fn func(it *FrameworkItem, depth int)) {
	for i := range items {
		fn(&items[i], depth)
		walk(items[i].Children, depth+1, fn)
	}
}

// FrameworkInput is what a framework version says: everything but its lifecycle.
type FrameworkInput struct {
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	AppliesTo   Applicability   `json:"applies_to"`
	PassMark    float64         `json:"pass_mark"` // the lowest passing total, out of 100
	Source      string          `json:"source"`    // where the items come from (R25, the plan)
	Description string          `json:"description,omitempty"`
	Items       []FrameworkItem `json:"items"`
}

// Validate checks what the version says (what NewFramework and Edit check), without changing in.
func (in FrameworkInput) Validate(r Rules) error {
	in.Items = cloneItems(in.Items)
	if fields := in.check(r); len(fields) > 0 {
		return FieldError(fmt.Sprintf("指标体系%s有误。", in.Code), fields)
	}
	return nil
}

const maxFrameworkDepth = 5

var frameworkCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
var itemCodeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$`)

// check trims in and reports what is wrong with it, keyed by JSON field ("items.1.2.weight").
func (in *FrameworkInput) check(r Rules) map[string]string {
	fields := map[string]string{}
	in.Code = strings.TrimSpace(in.Code)
	if !frameworkCodeRe.MatchString(in.Code) {
		fields["code"] = "指标体系代码须为小写字母开头、不超过32位的小写字母、数字、下划线或连字符。"
	}
	checkText(fields, &in.Name, "name", "指标体系名称", true, maxTitle)
	checkText(fields, &in.Source, "source", "依据", false, maxText)
	checkText(fields, &in.Description, "description", "说明", false, maxText)
	if !in.AppliesTo.Type.Valid() {
		fields["applies_to.type"] = "适用的督导类型应为督政、督学或评估监测。"
	}
	for _, k := range in.AppliesTo.Kinds {
		if !k.Valid() {
			fields["applies_to.kinds"] = "适用的督导方式无效。"
		}
	}
	if math.IsNaN(in.PassMark) || in.PassMark < 0 || in.PassMark > 100 {
		fields["pass_mark"] = "合格分数线应在0至100之间。"
	}
	if len(in.Items) == 0 {
		fields["items"] = "至少应有一个评估项目。"
	}
	seen := map[string]bool{}
	var leafWeight float64
	walk(in.Items, 1, func(it *FrameworkItem, depth int) {
		it.Code, it.Title, it.Guidance, it.Category = strings.TrimSpace(it.Code), strings.TrimSpace(it.Title), strings.TrimSpace(it.Guidance), strings.TrimSpace(it.Category)
		key := "items." + it.Code
		switch {
		case !itemCodeRe.MatchString(it.Code):
			fields[key+".code"] = "项目代码须为不超过16位的字母、数字、点、下划线或连字符。"
		case seen[it.Code]:
			fields[key+".code"] = fmt.Sprintf("项目代码%s重复。", it.Code)
		}
		seen[it.Code] = true
		if n := utf8.RuneCountInString(it.Title); n == 0 || n > maxTitle {
			fields[key+".title"] = "项目名称为必填项，且不超过200个字。"
		}
		if utf8.RuneCountInString(it.Guidance) > maxText {
			fields[key+".guidance"] = "评估要点不超过2000个字。"
		}
		if it.Category != "" && !r.ValidCategory(it.Category) {
			fields[key+".category"] = "问题类别应为：" + strings.Join(r.Categories, "、") + "。"
		}
		if depth > maxFrameworkDepth {
			fields[key] = fmt.Sprintf("指标层级不超过%d级。", maxFrameworkDepth)
		}
		if math.IsNaN(it.Weight) || math.IsInf(it.Weight, 0) || it.Weight < 0 {
			fields[key+".weight"] = "权重不能为负数。"
			return
		}
		if !it.Leaf() {
			var sum float64
			for _, c := range it.Children {
				sum += c.Weight
			}
			switch {
			case it.MaxScore != 0 || it.PassScore != nil:
				fields[key+".max_score"] = "只有末级指标评分，上级指标不设满分和合格分。"
			case it.Veto:
				fields[key+".veto"] = "一票否决只能设在末级指标上。"
			case math.Abs(sum-it.Weight) > 1e-6:
				fields[key+".weight"] = fmt.Sprintf("上级指标的权重（%s）应等于下级指标权重之和（%s）。", fmtNum(it.Weight), fmtNum(roundGap(sum)))
			}
			return
		}
		leafWeight += it.Weight
		switch {
		case math.IsNaN(it.MaxScore) || math.IsInf(it.MaxScore, 0) || it.MaxScore <= 0:
			fields[key+".max_score"] = "末级指标的满分应为正数。"
		case it.PassScore != nil && (math.IsNaN(*it.PassScore) || *it.PassScore < 0 || *it.PassScore > it.MaxScore):
			fields[key+".pass_score"] = "合格分应在0至满分之间。"
		}
		if it.Weight == 0 && !it.Veto {
			fields[key+".weight"] = "末级指标的权重应为正数（仅一票否决项可以不计分）。"
		}
	})
	if len(in.Items) > 0 && leafWeight <= 0 {
		fields["items"] = "各末级指标的权重之和应为正数。"
	}
	return fields
}

// Framework is one version of an 评估指标体系, kept by an office (the city's 督导办 for the shipped
// ones). Version numbers the versions of one Code (1, 2, …); Revision is the record's optimistic-lock
// version (Head.Version), bumped by every change.
type Framework struct {
	ID          int64
	Code        string
	Name        string
	Version     int
	AppliesTo   Applicability
	PassMark    float64
	Source      string
	Description string
	Items       []FrameworkItem
	Status      FrameworkStatus
	OwnerOrg    Org
	Revision    int

	CreatedBy   int64
	CreatedAt   time.Time
	PublishedBy int64
	PublishedAt *time.Time
	RetiredBy   int64
	RetiredAt   *time.Time
}

// Head is what the write path needs of the framework version.
func (f *Framework) Head() Head {
	return Head{Object: "framework", ID: f.ID, Version: f.Revision, Label: f.Label(), Owner: f.OwnerOrg}
}

// Permission answers what op needs of the authorizer.
func (f *Framework) Permission(op Op) (Permission, bool) {
	p, ok := frameworkPermissions[op]
	return p, ok
}

// Label names the version for messages: 《责任督学经常性督导八项事项》第2版.
func (f *Framework) Label() string { return fmt.Sprintf("《%s》第%d版", f.Name, f.Version) }

// NewFramework drafts version 1 of a framework kept by by's org.
func NewFramework(by Actor, in FrameworkInput, r Rules, now time.Time) (*Framework, error) {
	in.Items = cloneItems(in.Items)
	if fields := in.check(r); len(fields) > 0 {
		return nil, FieldError("指标体系有误。", fields)
	}
	f := &Framework{Version: 1, Status: FwDraft, OwnerOrg: by.Org, Revision: 1, CreatedBy: by.UserID, CreatedAt: now}
	f.set(in)
	return f, nil
}

func (f *Framework) set(in FrameworkInput) {
	f.Code, f.Name, f.AppliesTo, f.PassMark, f.Source, f.Description, f.Items =
		in.Code, in.Name, in.AppliesTo, in.PassMark, in.Source, in.Description, in.Items
	f.AppliesTo.Kinds = slices.Clone(in.AppliesTo.Kinds)
}

// Input is what the version says, as a copy a new draft can start from.
func (f *Framework) Input() FrameworkInput {
	return FrameworkInput{Code: f.Code, Name: f.Name, AppliesTo: Applicability{Type: f.AppliesTo.Type, Kinds: slices.Clone(f.AppliesTo.Kinds)},
		PassMark: f.PassMark, Source: f.Source, Description: f.Description, Items: cloneItems(f.Items)}
}

// Check returns nil when the framework version may take step act now; roles are the authorizer's.
func (f *Framework) Check(act FrameworkAction, by Actor, now time.Time) error {
	if !f.Status.Can(act) {
		if f.Status != FwDraft && act == FwEdit {
			return Errorf(ECONFLICT, "%s已%s，不能修改；如需调整请修订为新版本。", f.Label(), f.Status.Label())
		}
		return Errorf(ECONFLICT, "%s当前状态为「%s」，不能%s。", f.Label(), f.Status.Label(), act.Label())
	}
	return nil
}

// AllowedActions lists the steps by may take now, like Accountability.AllowedActions.
func (f *Framework) AllowedActions(by Actor, now time.Time, roleAllows func(FrameworkAction) bool) []FrameworkAction {
	return Allowed(FrameworkActions, func(a FrameworkAction) error { return f.Check(a, by, now) }, roleAllows)
}

func (f *Framework) advance(act FrameworkAction) {
	f.Status = frameworkTransitions.Next(f.Status, act)
	f.Revision++
}

// Edit replaces what a draft says. The code stays: versions of one framework share it.
func (f *Framework) Edit(by Actor, now time.Time, r Rules, in FrameworkInput) error {
	if err := f.Check(FwEdit, by, now); err != nil {
		return err
	}
	in.Items = cloneItems(in.Items)
	if strings.TrimSpace(in.Code) == "" {
		in.Code = f.Code
	}
	fields := in.check(r)
	if in.Code != f.Code {
		fields["code"] = "指标体系代码不能修改。"
	}
	if len(fields) > 0 {
		return FieldError("指标体系有误。", fields)
	}
	f.set(in)
	f.advance(FwEdit)
	return nil
}

// Publish makes the draft usable. From now on it does not change.
func (f *Framework) Publish(by Actor, now time.Time) error {
	if err := f.Check(FwPublish, by, now); err != nil {
		return err
	}
	f.PublishedBy, f.PublishedAt = by.UserID, &now
	f.advance(FwPublish)
	return nil
}

// Retire stops the version being used for new inspections; the scores made with it stand.
func (f *Framework) Retire(by Actor, now time.Time) error {
	if err := f.Check(FwRetire, by, now); err != nil {
		return err
	}
	f.RetiredBy, f.RetiredAt = by.UserID, &now
	f.advance(FwRetire)
	return nil
}

// Revise drafts the next version of a published or retired framework, a deep copy with Version + 1 that
// shares nothing with f; f itself is not changed. Storage refuses a second draft of the same number
// (ECONFLICT), since (code, version) is unique.
func (f *Framework) Revise(by Actor, now time.Time) (*Framework, error) {
	if f.Status == FwDraft {
		return nil, Errorf(ECONFLICT, "%s尚未发布，可直接修改，无需修订为新版本。", f.Label())
	}
	in := f.Input()
	return &Framework{Code: in.Code, Name: in.Name, Version: f.Version + 1, AppliesTo: in.AppliesTo, PassMark: in.PassMark,
		Source: in.Source, Description: in.Description, Items: in.Items, Status: FwDraft, OwnerOrg: f.OwnerOrg, Revision: 1,
		CreatedBy: by.UserID, CreatedAt: now}, nil
}

// CanUse says whether an inspection of type t and kind k may start using this version: only a
// published one that applies to it.
func (f *Framework) CanUse(t CaseType, k CaseKind) error {
	if f.Status != FwPublished {
		return Errorf(ECONFLICT, "%s当前状态为「%s」，不能用于督导评估。", f.Label(), f.Status.Label())
	}
	if !f.AppliesTo.Covers(t, k) {
		return Errorf(ECONFLICT, "%s适用于%s，不适用于%s·%s。", f.Label(), f.AppliesTo.Label(), t.Label(), k.Label())
	}
	return nil
}

// Item is the item with code, or nil.
func (f *Framework) Item(code string) *FrameworkItem {
	var found *FrameworkItem
	walk(f.Items, 1, func(it *FrameworkItem, _ int) {
		if it.Code == code && found == nil {
			found = it
		}
	})
	return found
}

// ItemScore is an inspector's score of one leaf: a score from 0 to its maximum, and/or an explicit
// 不合格 mark. A weightless veto leaf needs no score: listing it means it was checked, and it fails
// only when marked.
type ItemScore struct {
	Code  string   `json:"code"`
	Score *float64 `json:"score"`
	Fail  bool     `json:"fail,omitempty"`
	Note  string   `json:"note,omitempty"`
}

// ItemResult is one item of a scored framework.
type ItemResult struct {
	Code      string   `json:"code"`
	Title     string   `json:"title"`
	Depth     int      `json:"depth"` // 1 for top-level items
	Leaf      bool     `json:"leaf"`
	Veto      bool     `json:"veto,omitempty"`
	Score     *float64 `json:"score,omitempty"` // a leaf's score as given
	MaxScore  float64  `json:"max_score,omitempty"`
	Points    float64  `json:"points"`     // weighted points earned (rounded to 0.01)
	MaxPoints float64  `json:"max_points"` // the item's weight
	Assessed  bool     `json:"assessed"`   // a leaf with a score or a mark; a parent whose leaves all are
	Failed    bool     `json:"failed"`     // a leaf below its pass score or marked failed
	Note      string   `json:"note,omitempty"`
}

// ScoreResult is a scored framework: what an inspection keeps. It names the framework version it was
// computed with and keeps the scores given, so it can be shown and recomputed as it was whatever
// later versions say.
//
// Total = 100 × Σ(leaf weight × score / max score) / Σ(leaf weight), rounded to 0.01: with the weights
// summing to 100 it is simply the points earned. Passed = every leaf assessed, no veto leaf failed,
// and Total ≥ PassMark.
type ScoreResult struct {
	FrameworkID      int64        `json:"framework_id"`
	FrameworkCode    string       `json:"framework_code"`
	FrameworkVersion int          `json:"framework_version"`
	Total            float64      `json:"total"`
	PassMark         float64      `json:"pass_mark"`
	Passed           bool         `json:"passed"`
	Complete         bool         `json:"complete"`
	Missing          []string     `json:"missing"`     // leaves not yet assessed
	Failed           []string     `json:"failed"`      // failed leaves, in tree order
	VetoFailed       []string     `json:"veto_failed"` // failed veto leaves: the whole fails
	Items            []ItemResult `json:"items"`       // every item, in tree order
	Scores           []ItemScore  `json:"scores"`      // as given
}

// Score computes the result of scores (leaves only, each at most once, 0 to max).
func (f *Framework) Score(scores []ItemScore) (ScoreResult, error) {
	fields := map[string]string{}
	given := map[string]ItemScore{}
	for _, s := range scores {
		s.Code = strings.TrimSpace(s.Code)
		key := "scores." + s.Code
		it := f.Item(s.Code)
		switch {
		case it == nil:
			fields[key] = fmt.Sprintf("评估项目%s不在%s中。", s.Code, f.Label())
			continue
		case !it.Leaf():
			fields[key] = fmt.Sprintf("「%s」是上级指标，只对末级指标评分。", it.Title)
			continue
		case given[s.Code].Code != "":
			fields[key] = fmt.Sprintf("「%s」重复评分。", it.Title)
			continue
		}
		if s.Score != nil && (math.IsNaN(*s.Score) || *s.Score < 0 || *s.Score > it.MaxScore) {
			fields[key] = fmt.Sprintf("「%s」的得分应在0至%s之间。", it.Title, fmtNum(it.MaxScore))
			continue
		}
		if utf8.RuneCountInString(s.Note) > maxText {
			fields[key] = "评分说明不超过2000个字。"
			continue
		}
		given[s.Code] = s
	}
	if len(fields) > 0 {
		return ScoreResult{}, FieldError("评分有误。", fields)
	}
	res := ScoreResult{FrameworkID: f.ID, FrameworkCode: f.Code, FrameworkVersion: f.Version, PassMark: f.PassMark,
		Missing: []string{}, Failed: []string{}, VetoFailed: []string{}, Scores: slices.Clone(scores)}
	var earned, possible float64
	// score fills the results of items (appending in tree order) and returns their points and whether all were assessed.
	var score func(items []FrameworkItem, depth int) (float64, bool)
	score = func(items []FrameworkItem, depth int) (float64, bool) {
		var sum float64
		all := true
		for _, it := range items {
			n := len(res.Items)
			res.Items = append(res.Items, ItemResult{Code: it.Code, Title: it.Title, Depth: depth, Leaf: it.Leaf(), Veto: it.Veto,
				MaxPoints: it.Weight})
			if !it.Leaf() {
				pts, ok := score(it.Children, depth+1)
				res.Items[n].Points, res.Items[n].Assessed = round2(pts), ok
				sum += pts
				all = all && ok
				continue
			}
			r := &res.Items[n]
			r.MaxScore = it.MaxScore
			possible += it.Weight
			s, ok := given[it.Code]
			r.Note = s.Note
			r.Assessed = ok && (s.Score != nil || s.Fail || it.Weight == 0)
			if !r.Assessed {
				res.Missing = append(res.Missing, it.Code)
				all = false
				continue
			}
			var pts float64
			if s.Score != nil {
				v := *s.Score
				r.Score = &v
				pts = it.Weight * v / it.MaxScore
			}
			r.Points = round2(pts)
			r.Failed = s.Fail || (s.Score != nil && *s.Score < it.Pass())
			if r.Failed {
				res.Failed = append(res.Failed, it.Code)
				if it.Veto {
					res.VetoFailed = append(res.VetoFailed, it.Code)
				}
			}
			sum += pts
		}
		return sum, all
	}
	earned, res.Complete = score(f.Items, 1)
	if possible > 0 {
		res.Total = round2(100 * earned / possible)
	}
	res.Passed = res.Complete && len(res.VetoFailed) == 0 && res.Total >= f.PassMark
	return res, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// FindingFor turns a failed item of res (a result of this version) into a finding for the 问题清单,
// titled after the item, carrying the framework item as "<framework code>:<item code>" so that the
// same problem is recognised across inspections and years. Severity follows one rule: a failed veto
// item is 重大 (critical: a safety accident or falsification calls for action at once, R26, R61); an
// item marked failed without a score, or scored below half its maximum, is 较重 (major); any other
// failure is 一般 (minor).
func (f *Framework) FindingFor(res ScoreResult, code string) (FindingInput, error) {
	if res.FrameworkCode != f.Code || res.FrameworkVersion != f.Version {
		return FindingInput{}, Errorf(ECONFLICT, "评分结果不是按%s作出的。", f.Label())
	}
	it := f.Item(code)
	var r *ItemResult
	for i := range res.Items {
		if res.Items[i].Code == code {
			r = &res.Items[i]
		}
	}
	if it == nil || r == nil {
		return FindingInput{}, Errorf(ENOTFOUND, "评估项目%s不在%s中。", code, f.Label())
	}
	if !r.Failed {
		return FindingInput{}, Errorf(ECONFLICT, "「%s」未判定为不合格，不能据此形成问题。", it.Title)
	}
	sev := SeverityMinor
	switch {
	case it.Veto:
		sev = SeverityCritical
	case r.Score == nil || *r.Score < it.MaxScore/2:
		sev = SeverityMajor
	}
	var d strings.Builder
	fmt.Fprintf(&d, "%s %s「%s」", f.Label(), it.Code, it.Title)
	if r.Score != nil {
		fmt.Fprintf(&d, "得分%s（满分%s，合格分%s）", fmtNum(*r.Score), fmtNum(it.MaxScore), fmtNum(it.Pass()))
	}
	if given := scoreOf(res.Scores, code); given.Fail {
		d.WriteString("，督学判定为不合格")
	}
	if it.Veto {
		d.WriteString("，属一票否决项")
	}
	d.WriteString("。")
	if r.Note != "" {
		d.WriteString(r.Note)
	}
	title := []rune(it.Title)
	if len(title) > maxTitle {
		title = title[:maxTitle]
	}
	desc := []rune(d.String())
	if len(desc) > maxText {
		desc = desc[:maxText]
	}
	return FindingInput{Title: string(title), Description: string(desc), Severity: sev, Category: it.Category,
		ItemCode: f.Code + ":" + it.Code}, nil
}

func scoreOf(scores []ItemScore, code string) ItemScore {
	for _, s := range scores {
		if strings.TrimSpace(s.Code) == code {
			return s
		}
	}
	return ItemScore{}
}

// LatestPublished is the highest published version among versions of one framework, or nil. Older
// published versions may stay in use until retired; new inspections take the latest.
func LatestPublished(versions []*Framework) *Framework {
	var best *Framework
	for _, f := range versions {
		if f.Status == FwPublished && (best == nil || f.Version > best.Version) {
			best = f
		}
	}
	return best
}
