package domain

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// 评估监测 (SPEC §3 Monitoring): the indicator catalog of the city's 十四五 plan (表1, 表2 and the
// targets stated in its prose and 专栏 boxes), observations per org and year, and attainment against
// the 2025 target and against the straight trajectory from the 2020 baseline. The catalog is data
// (policies/indicators.json); this file is what the data means.

// IndicatorAttribute is the 属性 column of 表2: a binding target (约束性) or an expected one (预期性).
// Most indicators come from the plan's prose and have none; the empty attribute encodes as null.
type IndicatorAttribute string

const (
	AttrBinding  IndicatorAttribute = "约束性"
	AttrExpected IndicatorAttribute = "预期性"
)

// Valid reports whether a is one of the two attributes or none.
func (a IndicatorAttribute) Valid() bool { return a == "" || a == AttrBinding || a == AttrExpected }

// MarshalJSON writes the empty attribute as null, as the catalog does.
func (a IndicatorAttribute) MarshalJSON() ([]byte, error) { return nullableString(string(a)) }

// Direction says which way an indicator improves.
type Direction string

const (
	HigherIsBetter Direction = "higher_is_better"
	LowerIsBetter  Direction = "lower_is_better"
)

// Directions lists the directions the catalog may use; the plan's 77 indicators use both and nothing else.
var Directions = []Direction{HigherIsBetter, LowerIsBetter}

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return slices.Contains(Directions, d) }

// Label is the Chinese name of d.
func (d Direction) Label() string {
	switch d {
	case HigherIsBetter:
		return "越高越好"
	case LowerIsBetter:
		return "越低越好"
	}
	return string(d)
}

// TargetOp is how the plan states a target: "以上/不少于/稳定在…以上" (>=), "以内" (<=), an exact value
// (=), or not at all (empty, encoded as null), when the direction decides.
type TargetOp string

const (
	TargetAtLeast TargetOp = ">="
	TargetAtMost  TargetOp = "<="
	TargetExactly TargetOp = "="
)

// Valid reports whether o is one of the three operators or none.
func (o TargetOp) Valid() bool {
	return o == "" || o == TargetAtLeast || o == TargetAtMost || o == TargetExactly
}

// MarshalJSON writes the empty operator as null, as the catalog does.
func (o TargetOp) MarshalJSON() ([]byte, error) { return nullableString(string(o)) }

func nullableString(s string) ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(s)
}

// RegionStandard is the 自治区 standard the plan quotes for comparison.
type RegionStandard struct {
	Value float64  `json:"value"`
	Op    TargetOp `json:"op"`
	Line  int      `json:"line"`
}

// Plan years: the 十三五 ended with the 2020 baseline; the 十四五 targets are for 2025.
const (
	BaselineYear = 2020
	TargetYear   = 2025
)

// Indicator is one entry of the catalog. JSON names are the catalog file's own, so that
// GET /api/v1/indicators answers them as they are: a null number is a nil pointer, a null attribute
// or operator is empty and encodes as null again; a null note reads as "".
type Indicator struct {
	Code     string `json:"code"`
	NameZh   string `json:"name_zh"`
	NameEn   string `json:"name_en,omitempty"`
	Category string `json:"category"`
	Unit     string `json:"unit"`
	// Baseline is the value by year (2015, 2020) as 表1/表2 state it; nil where the table is empty.
	Baseline   map[int]*float64   `json:"baseline"`
	Target2025 *float64           `json:"target_2025"`
	TargetOp   TargetOp           `json:"target_op"`
	Attribute  IndicatorAttribute `json:"attribute"`
	Direction  Direction          `json:"direction"`
	// Milestones are interim targets the text states (year → value).
	Milestones     map[int]float64 `json:"milestones"`
	RegionStandard *RegionStandard `json:"region_standard"`
	// Baseline13th is a value the text gives as a 十三五 achievement without a year.
	Baseline13th *float64 `json:"baseline_13th_fyp,omitempty"`
	// ValueUnplaced is a table value that cannot be placed in a column with certainty.
	ValueUnplaced *float64 `json:"value_unplaced,omitempty"`
	Note          string   `json:"note"`
	Source        string   `json:"source"` // where in the plan: "表2 (line 578)"
}

var indicatorCodeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// signedUnits are the units whose values may be negative (a change, not a level). Every unit of the
// plan's catalog is a count, a rate, an amount or a duration, none of which can be below zero.
var signedUnits = []string{"百分点"}

// Binding reports whether the indicator is 约束性.
func (i Indicator) Binding() bool { return i.Attribute == AttrBinding }

// Percent reports whether values are percentages ("%", "%/年"), which cannot exceed 100.
func (i Indicator) Percent() bool { return strings.HasPrefix(i.Unit, "%") }

// Signed reports whether a value may be negative.
func (i Indicator) Signed() bool { return slices.Contains(signedUnits, i.Unit) }

// BaselineValue is the stated value of year, if the plan states one.
func (i Indicator) BaselineValue(year int) (float64, bool) {
	if v := i.Baseline[year]; v != nil {
		return *v, true
	}
	return 0, false
}

// Validate checks one catalog entry: a code usable in files and URLs, a name and a unit, known
// attribute, direction and operator, an operator that agrees with the direction, and years in range.
func (i Indicator) Validate() error {
	fields := map[string]string{}
	if !indicatorCodeRe.MatchString(i.Code) {
		fields["code"] = "指标代码须为小写字母开头、不超过64位的小写字母、数字或下划线。"
	}
	if strings.TrimSpace(i.NameZh) == "" {
		fields["name_zh"] = "指标名称为必填项。"
	}
	if strings.TrimSpace(i.Unit) == "" {
		fields["unit"] = "计量单位为必填项。"
	}
	if !i.Attribute.Valid() {
		fields["attribute"] = "属性应为约束性、预期性或空。"
	}
	if !i.Direction.Valid() {
		fields["direction"] = "方向应为higher_is_better或lower_is_better。"
	}
	switch {
	case !i.TargetOp.Valid():
		fields["target_op"] = "目标关系应为>=、<=、=或空。"
	case i.TargetOp == TargetAtLeast && i.Direction == LowerIsBetter, i.TargetOp == TargetAtMost && i.Direction == HigherIsBetter:
		fields["target_op"] = "目标关系与方向相反。"
	}
	for y := range i.Baseline {
		if y < ObservationMinYear || y > BaselineYear {
			fields["baseline"] = fmt.Sprintf("基线年份%d不在%d至%d之间。", y, ObservationMinYear, BaselineYear)
		}
	}
	for y := range i.Milestones {
		if y <= BaselineYear || y > TargetYear {
			fields["milestones"] = fmt.Sprintf("阶段目标年份%d不在%d至%d之间。", y, BaselineYear+1, TargetYear)
		}
	}
	if len(fields) > 0 {
		return FieldError(fmt.Sprintf("指标%s有误。", i.Code), fields)
	}
	return nil
}

// IndicatorCatalog is the validated catalog, in its file's order, with lookup by code.
type IndicatorCatalog struct {
	items  []Indicator
	byCode map[string]int
}

// NewIndicatorCatalog validates every entry and that codes are unique.
func NewIndicatorCatalog(items []Indicator) (*IndicatorCatalog, error) {
	c := &IndicatorCatalog{items: items, byCode: make(map[string]int, len(items))}
	fields := map[string]string{}
	for n, i := range items {
		if err := i.Validate(); err != nil {
			for k, v := range err.(*Error).Fields {
				fields[fmt.Sprintf("%s.%s", i.Code, k)] = v
			}
		}
		if _, dup := c.byCode[i.Code]; dup {
			fields[i.Code+".code"] = fmt.Sprintf("指标代码%s重复（第%d项）。", i.Code, n+1)
		}
		c.byCode[i.Code] = n
	}
	if len(items) == 0 {
		fields["indicators"] = "指标目录为空。"
	}
	if len(fields) > 0 {
		return nil, FieldError("指标目录有误。", fields)
	}
	return c, nil
}

// All is the catalog in order. Callers must not change it.
func (c *IndicatorCatalog) All() []Indicator { return c.items }

// Len is the number of indicators.
func (c *IndicatorCatalog) Len() int { return len(c.items) }

// Get is the indicator with code.
func (c *IndicatorCatalog) Get(code string) (Indicator, bool) {
	n, ok := c.byCode[code]
	if !ok {
		return Indicator{}, false
	}
	return c.items[n], true
}

// Observation years: the 十三五 baseline to ten years past the 十四五 targets.
const (
	ObservationMinYear = 2015
	ObservationMaxYear = 2035
)

// Observation is the value of an indicator for an org in a year: entered by hand, imported from a
// file, or stated by the plan. One per (indicator, org, year); a new value corrects it.
type Observation struct {
	ID            int64
	IndicatorCode string
	Org           Org
	Year          int
	Value         float64
	Source        string // where the value comes from: 规划表2, 手工填报, 导入：文件名 第N行
	Note          string
	Sample        bool // 示例: demonstration data, not from the plan or a real return
	EnteredBy     int64
	EnteredAt     time.Time
	Version       int
}

// Observation ops; the casbin action is "write" on "observation" at the org the value is about.
const (
	OpRecordObservation  Op = "observation.record"
	OpCorrectObservation Op = "observation.correct"
)

var obsPermissions = map[Op]Permission{
	OpRecordObservation:  Need("observation", "write", AtOwner, "填报监测数据"),
	OpCorrectObservation: Need("observation", "write", AtOwner, "更正监测数据"),
}

// Head is what the write path needs: an observation lies at the org it is about.
func (o *Observation) Head() Head {
	return Head{Object: "observation", ID: o.ID, Version: o.Version, Label: o.Label(), Owner: o.Org}
}

// Permission answers what op needs of the authorizer.
func (o *Observation) Permission(op Op) (Permission, bool) {
	p, ok := obsPermissions[op]
	return p, ok
}

// Label names the observation for messages.
func (o *Observation) Label() string {
	return fmt.Sprintf("监测数据（%s %s %d年）", o.IndicatorCode, o.Org.Name, o.Year)
}

// Key is what makes an observation unique: indicator, org and year.
func (o *Observation) Key() string { return observationKey(o.IndicatorCode, o.Org.Path, o.Year) }

func observationKey(code string, path Jurisdiction, year int) string {
	return fmt.Sprintf("%s|%s|%d", code, path, year)
}

// ObservationInput is a value as a person enters it.
type ObservationInput struct {
	IndicatorCode string
	Org           Org
	Year          int
	Value         float64
	Source        string
	Note          string
	Sample        bool
}

const maxObsNote = 500

// NewObservation checks in against the catalog. Whether by may write for the org is the authorizer's.
func NewObservation(by Actor, cat *IndicatorCatalog, in ObservationInput, now time.Time) (*Observation, error) {
	fields := map[string]string{}
	ind, ok := cat.Get(strings.TrimSpace(in.IndicatorCode))
	if !ok {
		fields["indicator_code"] = fmt.Sprintf("指标代码「%s」不在指标目录中。", in.IndicatorCode)
	}
	if in.Org.Path == "" {
		fields["org_id"] = "请指定单位。"
	}
	if in.Year < ObservationMinYear || in.Year > ObservationMaxYear {
		fields["year"] = fmt.Sprintf("年份应在%d至%d之间。", ObservationMinYear, ObservationMaxYear)
	}
	if ok {
		if reasons := checkValue(ind, in.Value); len(reasons) > 0 {
			fields["value"] = strings.Join(reasons, "")
		}
	}
	checkText(fields, &in.Note, "note", "备注", false, maxObsNote)
	checkText(fields, &in.Source, "source", "数据来源", false, 200)
	if len(fields) > 0 {
		return nil, FieldError("监测数据有误。", fields)
	}
	if in.Source == "" {
		in.Source = "手工填报"
	}
	return &Observation{IndicatorCode: ind.Code, Org: in.Org, Year: in.Year, Value: in.Value, Source: in.Source,
		Note: in.Note, Sample: in.Sample, EnteredBy: by.UserID, EnteredAt: now, Version: 1}, nil
}

// Correct replaces the value (a later return, a corrected import), keeping who entered it last. A
// value someone enters is a real one: a correction drops the 示例 mark of demonstration data.
func (o *Observation) Correct(by Actor, now time.Time, cat *IndicatorCatalog, value float64, source, note string) error {
	n, err := NewObservation(by, cat, ObservationInput{IndicatorCode: o.IndicatorCode, Org: o.Org, Year: o.Year, Value: value,
		Source: source, Note: note}, now)
	if err != nil {
		return err
	}
	o.Value, o.Source, o.Note, o.EnteredBy, o.EnteredAt, o.Sample = n.Value, n.Source, n.Note, by.UserID, now, false
	o.Version++
	return nil
}

// checkValue says, in Chinese, what is impossible about v for ind; nil when nothing is.
func checkValue(ind Indicator, v float64) []string {
	var out []string
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return []string{"数值无效。"}
	case v < 0 && !ind.Signed():
		out = append(out, fmt.Sprintf("数值不能为负数（单位：%s）。", ind.Unit))
	}
	if ind.Percent() && v > 100 {
		out = append(out, fmt.Sprintf("单位为%s，数值不能超过100。", ind.Unit))
	}
	return out
}

// PlanObservations are the values the plan states for the whole city (表1, 表2): the baselines of
// every indicator, as observations of org (the city) entered by the system at now.
func (c *IndicatorCatalog) PlanObservations(city Org, now time.Time) []Observation {
	var out []Observation
	for _, ind := range c.items {
		for _, y := range sortedYears(ind.Baseline) {
			if v := ind.Baseline[y]; v != nil {
				out = append(out, Observation{IndicatorCode: ind.Code, Org: city, Year: y, Value: *v,
					Source: "规划：" + ind.Source, EnteredAt: now, Version: 1})
			}
		}
	}
	return out
}

func sortedYears[V any](m map[int]V) []int {
	ys := make([]int, 0, len(m))
	for y := range m {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// ObservationRow is one data row of an import file as written, with its line (CSV) or row (XLSX)
// number, before any checking.
type ObservationRow struct {
	Line          int
	IndicatorCode string
	OrgCode       string
	Year          string
	Value         string
	Note          string
}

// RowCheck is the verdict on one row: an observation, or the reasons it cannot be one.
type RowCheck struct {
	Line        int
	Observation *Observation // nil when Reasons is not empty
	Reasons     []string
}

// ObservationImport is the verdict on a whole file.
type ObservationImport struct {
	Rows    []RowCheck
	Valid   int
	Invalid int
}

// OK reports whether every row can be imported. The import is all or nothing: a file with a bad row
// is sent back whole, so that a corrected file can be imported again without doubling anything.
func (im ObservationImport) OK() bool { return im.Invalid == 0 && im.Valid > 0 }

// Observations are the rows' observations, in file order (only when OK).
func (im ObservationImport) Observations() []Observation {
	out := make([]Observation, 0, im.Valid)
	for _, r := range im.Rows {
		if r.Observation != nil {
			out = append(out, *r.Observation)
		}
	}
	return out
}

// CheckObservationRows turns rows into observations or reasons: a known indicator code, an org of
// orgs (the importer's scope, so that an org out of scope reads as unknown), a year in 2015–2035, a
// number that is possible for the indicator's unit, and no (indicator, org, year) twice in the file.
// name is the file's name, for the observations' Source. Pure: the app stores the result.
func CheckObservationRows(rows []ObservationRow, cat *IndicatorCatalog, orgs *OrgIndex, name string, by Actor, now time.Time) ObservationImport {
	im := ObservationImport{Rows: make([]RowCheck, len(rows))}
	first := map[string]int{} // key → index of its first row
	flagged := map[int]bool{}
	for n, row := range rows {
		rc := RowCheck{Line: row.Line}
		code := strings.ToLower(strings.TrimSpace(row.IndicatorCode))
		ind, indOK := cat.Get(code)
		switch {
		case code == "":
			rc.Reasons = append(rc.Reasons, "指标代码为空。")
		case !indOK:
			rc.Reasons = append(rc.Reasons, fmt.Sprintf("指标代码「%s」不在指标目录中。", strings.TrimSpace(row.IndicatorCode)))
		}
		org, why := orgs.Resolve(row.OrgCode)
		if why != "" {
			rc.Reasons = append(rc.Reasons, why)
		}
		year, why := parseYear(row.Year)
		if why != "" {
			rc.Reasons = append(rc.Reasons, why)
		}
		var value float64
		if indOK {
			var reasons []string
			value, reasons = parseValue(ind, row.Value)
			rc.Reasons = append(rc.Reasons, reasons...)
		}
		note := strings.TrimSpace(row.Note)
		if utf8.RuneCountInString(note) > maxObsNote {
			rc.Reasons = append(rc.Reasons, fmt.Sprintf("备注不超过%d个字。", maxObsNote))
		}
		if indOK && org.Path != "" && year != 0 {
			k := observationKey(ind.Code, org.Path, year)
			if f, dup := first[k]; dup {
				rc.Reasons = append(rc.Reasons, fmt.Sprintf("与第%d行的指标、单位和年份重复。", rows[f].Line))
				if !flagged[f] {
					flagged[f] = true
					im.Rows[f].Reasons = append(im.Rows[f].Reasons, fmt.Sprintf("与第%d行的指标、单位和年份重复。", row.Line))
					im.Rows[f].Observation = nil
				}
			} else {
				first[k] = n
			}
		}
		if len(rc.Reasons) == 0 {
			rc.Observation = &Observation{IndicatorCode: ind.Code, Org: org, Year: year, Value: value,
				Source: fmt.Sprintf("导入：%s 第%d行", name, row.Line), Note: note, EnteredBy: by.UserID, EnteredAt: now, Version: 1}
		}
		im.Rows[n] = rc
	}
	for _, r := range im.Rows {
		if len(r.Reasons) == 0 {
			im.Valid++
		} else {
			im.Invalid++
		}
	}
	return im
}

// normalizeNumber turns full-width digits and signs (typed with a Chinese input method) into ASCII
// and trims space.
func normalizeNumber(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == '．':
			r = '.'
		case r == '－':
			r = '-'
		case r == '＋':
			r = '+'
		case r == '，':
			r = ','
		case r == '％':
			r = '%'
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

var thousandsRe = regexp.MustCompile(`^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$`)

// parseValue reads a value as written: "97.5", "97.5%" (for a percentage), "1,000", full-width digits.
func parseValue(ind Indicator, s string) (float64, []string) {
	raw := strings.TrimSpace(s)
	s = normalizeNumber(s)
	if s == "" {
		return 0, []string{"数值为空。"}
	}
	if t, ok := strings.CutSuffix(s, "%"); ok {
		if !ind.Percent() {
			return 0, []string{fmt.Sprintf("数值「%s」带有百分号，但该指标的单位是%s。", raw, ind.Unit)}
		}
		s = strings.TrimSpace(t)
	}
	if thousandsRe.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, []string{fmt.Sprintf("数值「%s」不是数字。", raw)}
	}
	return v, checkValue(ind, v)
}

// parseYear reads a year as written: "2024", "2024年", "2024.0" (a number cell).
func parseYear(s string) (int, string) {
	raw := strings.TrimSpace(s)
	s = strings.TrimSuffix(normalizeNumber(s), "年")
	if s == "" {
		return 0, "年份为空。"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) {
		return 0, fmt.Sprintf("年份「%s」不是整数年份。", raw)
	}
	if f < ObservationMinYear || f > ObservationMaxYear {
		return 0, fmt.Sprintf("年份%s不在%d至%d之间。", raw, ObservationMinYear, ObservationMaxYear)
	}
	return int(f), ""
}

// OrgIndex finds orgs by what an import file writes for them. Org codes are unique only among
// siblings (every district has its s001), so a file names an org by its code when that is unique,
// or by enough of its path to be: "hbw", "hbw/s001", "wuhai/hbw/s001/".
type OrgIndex struct {
	bySuffix map[string][]Org
}

// NewOrgIndex indexes orgs (the importer's scope) by every tail of their paths.
func NewOrgIndex(orgs []Org) *OrgIndex {
	x := &OrgIndex{bySuffix: map[string][]Org{}}
	for _, o := range orgs {
		segs := strings.Split(strings.TrimSuffix(string(o.Path), "/"), "/")
		for i := range segs {
			k := strings.Join(segs[i:], "/")
			x.bySuffix[k] = append(x.bySuffix[k], o)
		}
	}
	return x
}

// Resolve is the one org ref names, or why there is none ("" when found).
func (x *OrgIndex) Resolve(ref string) (Org, string) {
	k := strings.ToLower(strings.Trim(strings.TrimSpace(ref), "/"))
	if k == "" {
		return Org{}, "单位代码为空。"
	}
	switch m := x.bySuffix[k]; len(m) {
	case 0:
		return Org{}, fmt.Sprintf("单位代码「%s」不存在或不在您的填报范围内。", strings.TrimSpace(ref))
	case 1:
		return m[0], ""
	default:
		paths := make([]string, 0, len(m))
		for _, o := range m {
			paths = append(paths, strings.TrimSuffix(string(o.Path), "/"))
		}
		slices.Sort(paths)
		return Org{}, fmt.Sprintf("单位代码「%s」对应多个单位，请写出上级代码，如「%s」。", strings.TrimSpace(ref), strings.Join(paths, "」「"))
	}
}

// AttainmentStatus is how an observation stands against its indicator's target.
type AttainmentStatus string

const (
	AttAttained    AttainmentStatus = "attained"     // 已达标: the 2025 target is met
	AttOnTrack     AttainmentStatus = "on_track"     // 按进度: not yet at target, at or ahead of the trajectory
	AttBehind      AttainmentStatus = "behind"       // 滞后: short of the trajectory (of the target itself from 2025)
	AttBelowTarget AttainmentStatus = "below_target" // 未达标: short of the target, no trajectory to judge the pace by
	AttNoData      AttainmentStatus = "no_data"      // 无数据
	AttNoTarget    AttainmentStatus = "no_target"    // 无目标: the plan states no 2025 target
)

// AttainmentStatuses lists the statuses from best to unknown.
var AttainmentStatuses = []AttainmentStatus{AttAttained, AttOnTrack, AttBehind, AttBelowTarget, AttNoData, AttNoTarget}

// Label is the Chinese name of s.
func (s AttainmentStatus) Label() string {
	switch s {
	case AttAttained:
		return "已达标"
	case AttOnTrack:
		return "按进度"
	case AttBehind:
		return "滞后"
	case AttBelowTarget:
		return "未达标"
	case AttNoData:
		return "无数据"
	case AttNoTarget:
		return "无目标"
	}
	return string(s)
}

// Attainment is one indicator for one org in one year against the plan. Gaps are in the indicator's
// unit and signed as shortfalls: positive is how far short, zero or negative is met (or ahead by that
// much), whichever way the indicator improves.
type Attainment struct {
	IndicatorCode string           `json:"indicator_code"`
	Org           Org              `json:"-"`
	Year          int              `json:"year"`
	Unit          string           `json:"unit"`
	Value         *float64         `json:"value"`
	Target        *float64         `json:"target"`   // the 2025 target
	Expected      *float64         `json:"expected"` // where the trajectory stands in Year
	Status        AttainmentStatus `json:"status"`
	TargetGap     *float64         `json:"target_gap"`
	ExpectedGap   *float64         `json:"expected_gap"`
}

// Expected is where the indicator should stand in year on its way to the 2025 target: the straight
// line from the 2020 baseline, expected(y) = b2020 + (t2025 − b2020)·(y − 2020)/5, bent through the
// interim milestones the plan states (a stated milestone outranks the line). From 2025 on it is the
// target. False before the first known point (no 2020 baseline and no earlier milestone) and when the
// plan states no target.
func (i Indicator) Expected(year int) (float64, bool) {
	if i.Target2025 == nil {
		return 0, false
	}
	if year >= TargetYear {
		return *i.Target2025, true
	}
	if m, ok := i.Milestones[year]; ok {
		return m, true
	}
	// The known points of the trajectory, in year order: the baseline, the milestones, the target.
	type point struct {
		y int
		v float64
	}
	var pts []point
	if b, ok := i.BaselineValue(BaselineYear); ok {
		pts = append(pts, point{BaselineYear, b})
	}
	for _, y := range sortedYears(i.Milestones) {
		if y > BaselineYear && y < TargetYear {
			pts = append(pts, point{y, i.Milestones[y]})
		}
	}
	pts = append(pts, point{TargetYear, *i.Target2025})
	for k := 1; k < len(pts); k++ {
		a, b := pts[k-1], pts[k]
		if year >= a.y && year <= b.y {
			return a.v + (b.v-a.v)*float64(year-a.y)/float64(b.y-a.y), true
		}
	}
	return 0, false
}

// reached reports whether v is at bar or beyond it in the direction the indicator improves. The
// operator and the direction agree (Validate), so one comparison serves both: at least the bar for
// higher_is_better (以上), at most for lower_is_better (以内); an exact target (=, the plan's only one
// is a 100% share) is reached at the value itself and cannot be passed.
func (i Indicator) reached(v, bar float64) bool { return i.shortfall(v, bar) <= 0 }

// shortfall is how far v falls short of bar in the indicator's direction (negative: ahead).
func (i Indicator) shortfall(v, bar float64) float64 {
	if i.Direction == LowerIsBetter {
		return roundGap(v - bar)
	}
	return roundGap(bar - v)
}

// roundGap keeps a gap to 6 decimals, so that 97 − 95.8 reads 1.2 and not 1.2000000000000028, and a
// value that differs from the bar only by binary fractions counts as reaching it.
func roundGap(g float64) float64 { return math.Round(g*1e6) / 1e6 }

// Assess judges value (nil: none) of the indicator for org in year.
func (i Indicator) Assess(org Org, year int, value *float64) Attainment {
	a := Attainment{IndicatorCode: i.Code, Org: org, Year: year, Unit: i.Unit, Value: value, Target: i.Target2025}
	exp, hasExp := i.Expected(year)
	if hasExp {
		e := roundGap(exp)
		a.Expected = &e
	}
	switch {
	case i.Target2025 == nil:
		a.Status = AttNoTarget
		return a
	case value == nil:
		a.Status = AttNoData
		return a
	}
	v, t := *value, *i.Target2025
	tg := i.shortfall(v, t)
	a.TargetGap = &tg
	if hasExp {
		eg := i.shortfall(v, exp)
		a.ExpectedGap = &eg
	}
	switch {
	case i.reached(v, t):
		a.Status = AttAttained
	case !hasExp:
		a.Status = AttBelowTarget
	case i.reached(v, exp):
		a.Status = AttOnTrack
	default:
		a.Status = AttBehind
	}
	return a
}

// AssessObservation judges an observation against the catalog; false when its indicator is unknown.
func (c *IndicatorCatalog) AssessObservation(o Observation) (Attainment, bool) {
	ind, ok := c.Get(o.IndicatorCode)
	if !ok {
		return Attainment{}, false
	}
	v := o.Value
	return ind.Assess(o.Org, o.Year, &v), true
}

// MonitoringProposal is a 约束性 indicator behind its trajectory for an org in a year: the trigger
// for proposing a 评估监测 case against that org (SPEC §3 Monitoring). Key is stable — indicator, org
// path and year, not the value — so that the app proposes once however often the data is re-imported
// or corrected.
type MonitoringProposal struct {
	Key        string
	Indicator  Indicator
	Org        Org
	Year       int
	Attainment Attainment
	Title      string // a case title
	Facts      string // what the proposal says, in Chinese
}

// MonitoringKey is the dedup key of a proposal for indicator code, org and year.
func MonitoringKey(code string, org Org, year int) string {
	return fmt.Sprintf("monitoring:%s:%s:%d", code, org.Path, year)
}

// MonitoringProposals lists, in key order, the attainments that call for a 评估监测 case: a binding
// (约束性) indicator behind its trajectory. A value below target without a trajectory to judge by, or
// an expected (预期性) indicator however far behind, proposes nothing.
func MonitoringProposals(cat *IndicatorCatalog, atts []Attainment) []MonitoringProposal {
	var out []MonitoringProposal
	seen := map[string]bool{}
	for _, a := range atts {
		ind, ok := cat.Get(a.IndicatorCode)
		if !ok || !ind.Binding() || a.Status != AttBehind || a.Value == nil || a.Expected == nil {
			continue
		}
		k := MonitoringKey(ind.Code, a.Org, a.Year)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, MonitoringProposal{
			Key: k, Indicator: ind, Org: a.Org, Year: a.Year, Attainment: a,
			Title: fmt.Sprintf("%s%d年%s滞后于规划进度", a.Org.Name, a.Year, ind.NameZh),
			Facts: fmt.Sprintf("约束性指标「%s」：%s%d年为%s%s，按规划进度应达到%s%s（2025年目标%s%s），差%s%s。",
				ind.NameZh, a.Org.Name, a.Year, fmtNum(*a.Value), ind.Unit, fmtNum(*a.Expected), ind.Unit,
				fmtNum(*a.Target), ind.Unit, fmtNum(*a.ExpectedGap), ind.Unit),
		})
	}
	slices.SortFunc(out, func(a, b MonitoringProposal) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// fmtNum writes a number as short as it reads: 95.8, 97, 1.2.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
