package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"dudao/app/export"
	"dudao/app/sheet"
	"dudao/domain"
)

// 评估监测 (SPEC §3 Monitoring): the indicator catalog, observations entered by hand or imported, the
// attainment of each indicator per org, the 评估监测 cases proposed by binding indicators behind their
// trajectory, and the reports of the plan's monitoring cycle.
//
// Proposals are made where the data is written: an observation entered or imported proposes, in the
// same transaction, what it calls for, so data and proposal land together (and an import refused
// proposes nothing). The scheduler goes over the binding indicators again (Tick), which catches
// values written before a catalog change; the proposal's unique key keeps both to once.

var (
	errObservationNotFound = domain.Errorf(domain.ENOTFOUND, "监测数据不存在。")
	errProposalNotFound    = domain.Errorf(domain.ENOTFOUND, "立案建议不存在。")
	errTaskNotFound        = domain.Errorf(domain.ENOTFOUND, "督办事项不存在。")
)

// initMonitoring registers the records of frameworks, monitoring and the 督办 ledger with the write
// path.
func (x *App) initMonitoring() {
	if r := x.d.Frameworks; r != nil {
		x.frameworks = kind[*domain.Framework]{get: r.GetFramework, save: r.SaveFramework, insert: r.CreateFramework, notFound: errFrameworkNotFound}
	}
	if r := x.d.Observations; r != nil {
		x.observations = kind[*domain.Observation]{get: r.GetObservation, save: r.SaveObservation, insert: r.CreateObservation, notFound: errObservationNotFound}
	}
	if r := x.d.Proposals; r != nil {
		x.proposals = kind[*domain.CaseProposal]{get: r.GetCaseProposal, save: r.SaveCaseProposal, insert: r.CreateCaseProposal,
			notFound: errProposalNotFound, after: x.proposalTold}
	}
	if r := x.d.Tasks; r != nil {
		x.tasks = kind[*domain.Task]{get: r.GetTask, save: r.SaveTask, insert: r.CreateTask, notFound: errTaskNotFound}
	}
}

// catalog is the indicator catalog; a build without one has no monitoring.
func (x *App) catalog() (*domain.IndicatorCatalog, error) {
	if x.d.Indicators == nil {
		return nil, fmt.Errorf("app: no indicator catalog")
	}
	return x.d.Indicators, nil
}

// Catalog is the indicator catalog, for the demo and the command line (people read it through
// Indicators).
func (x *App) Catalog() *domain.IndicatorCatalog { return x.d.Indicators }

// Indicators lists the catalog, in its order, for whoever reads indicators.
func (x *App) Indicators(a domain.Actor) ([]domain.Indicator, error) {
	if !x.MayAnywhere(a, "indicator", "read") {
		return nil, domain.Errorf(domain.EFORBIDDEN, "您无权查看监测指标。")
	}
	cat, err := x.catalog()
	if err != nil {
		return nil, err
	}
	return cat.All(), nil
}

// Indicator is one entry of the catalog.
func (x *App) Indicator(a domain.Actor, code string) (domain.Indicator, error) {
	all, err := x.Indicators(a)
	if err != nil {
		return domain.Indicator{}, err
	}
	for _, ind := range all {
		if ind.Code == code {
			return ind, nil
		}
	}
	return domain.Indicator{}, domain.Errorf(domain.ENOTFOUND, "指标%s不在指标目录中。", code)
}

// ObservationInput is a value entered by hand.
type ObservationInput struct {
	IndicatorCode string
	OrgID         int64
	Year          int
	Value         float64
	Note          string
	Version       *int // the version of the value corrected, when the client saw one
	// Source and Sample are the command line's and the demo's: the plan's own figures, 示例 data.
	// People's entries are 手工填报 and real.
	Source string
	Sample bool
}

// orgFor loads the org a write or a query names; one the caller may not do act on for obj is a field
// error on org_id, the same as one that does not exist.
func (x *App) orgFor(ctx context.Context, a domain.Actor, id int64, obj, act, what string) (domain.Org, error) {
	o, err := x.d.Orgs.GetOrg(ctx, id)
	if err != nil || (!a.System && !x.d.Authz.Allowed(a, obj, act, o.Path)) {
		if err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
			return domain.Org{}, err
		}
		return domain.Org{}, domain.FieldError(what+"有误。", map[string]string{"org_id": "单位不存在或不在您的范围内。"})
	}
	return o, nil
}

// RecordObservation enters a value by hand: a new one, or a correction of the one the org already
// has for the indicator and year. It says which; a binding indicator behind its trajectory proposes a
// case in the same transaction.
func (x *App) RecordObservation(ctx context.Context, a domain.Actor, in ObservationInput) (o *domain.Observation, created bool, err error) {
	cat, err := x.catalog()
	if err != nil {
		return nil, false, err
	}
	if need, _ := (&domain.Observation{}).Permission(domain.OpRecordObservation); !x.permitsAnywhere(a, need) {
		return nil, false, domain.Errorf(domain.EFORBIDDEN, "您无权填报监测数据。")
	}
	source := in.Source
	if source == "" {
		source = "手工填报"
	}
	err = x.inTx(ctx, func(ctx context.Context) error {
		org, err := x.orgFor(ctx, a, in.OrgID, "observation", "write", "监测数据")
		if err != nil {
			return err
		}
		code := strings.ToLower(strings.TrimSpace(in.IndicatorCode))
		there, err := x.d.Observations.FindObservations(ctx, domain.ObservationQuery{Orgs: []domain.Jurisdiction{org.Path}, Codes: []string{code},
			From: in.Year, To: in.Year})
		if err != nil {
			return err
		}
		var ex *domain.Observation
		if len(there) > 0 {
			ex = &there[0]
		}
		o, created, err = x.putObservation(ctx, a, cat, domain.Observation{IndicatorCode: code, Org: org, Year: in.Year, Value: in.Value,
			Source: source, Note: in.Note, Sample: in.Sample, EnteredBy: a.UserID}, ex, in.Version)
		if err != nil {
			return err
		}
		_, err = x.proposeFor(ctx, []domain.Observation{*o})
		return err
	})
	return o, created, err
}

// putObservation writes o through the write path: created when ex (the org's value for the indicator
// and year) is nil, else a correction of ex.
func (x *App) putObservation(ctx context.Context, a domain.Actor, cat *domain.IndicatorCatalog, o domain.Observation, ex *domain.Observation, version *int) (*domain.Observation, bool, error) {
	if ex == nil {
		need, _ := (&domain.Observation{}).Permission(domain.OpRecordObservation)
		made, err := create(ctx, x, x.observations, a, domain.OpRecordObservation, need, func(_ context.Context, now time.Time) (*domain.Observation, string, error) {
			n, err := domain.NewObservation(a, cat, domain.ObservationInput{IndicatorCode: o.IndicatorCode, Org: o.Org, Year: o.Year,
				Value: o.Value, Source: o.Source, Note: o.Note, Sample: o.Sample}, now)
			if err != nil {
				return nil, "", err
			}
			return n, n.Source, nil
		})
		return made, true, err
	}
	fixed, err := change(ctx, x, x.observations, a, ex.ID, domain.OpCorrectObservation, version, func(_ context.Context, e *domain.Observation, now time.Time) (string, error) {
		return fmt.Sprintf("%s → %s（%s）", fmtValue(e.Value), fmtValue(o.Value), o.Source), e.Correct(a, now, cat, o.Value, o.Source, o.Note)
	})
	return fixed, false, err
}

// fmtValue writes a value as short as it reads (95.8, 97) for the audit detail.
func fmtValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// CorrectObservation corrects a value by its id.
func (x *App) CorrectObservation(ctx context.Context, a domain.Actor, id int64, value float64, note string, version *int) (*domain.Observation, error) {
	cat, err := x.catalog()
	if err != nil {
		return nil, err
	}
	var out *domain.Observation
	err = x.inTx(ctx, func(ctx context.Context) error {
		o, err := load(ctx, x, x.observations, a, id)
		if err != nil {
			return err
		}
		o.Value, o.Note, o.Source = value, note, "手工更正"
		if out, _, err = x.putObservation(ctx, a, cat, *o, o, version); err != nil {
			return err
		}
		_, err = x.proposeFor(ctx, []domain.Observation{*out})
		return err
	})
	return out, err
}

// GetObservation reads one value; out of scope is ENOTFOUND.
func (x *App) GetObservation(ctx context.Context, a domain.Actor, id int64) (*domain.Observation, error) {
	return load(ctx, x, x.observations, a, id)
}

// ListObservations lists values in the caller's scope.
func (x *App) ListObservations(ctx context.Context, a domain.Actor, f domain.ObservationFilter) ([]domain.Observation, int, error) {
	f.Scopes = x.scopes(a, "observation", "read")
	if len(f.Scopes) == 0 {
		return nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看监测数据。")
	}
	f.PerPage, f.Page = clampPage(f.PerPage, f.Page)
	return x.d.Observations.ListObservations(ctx, f)
}

// ImportResult says what an import did, or (Bad) why it did nothing.
type ImportResult struct {
	File      string
	Rows      int
	Created   int
	Corrected int
	Unchanged int // the same value and note as already stored: nothing written
	Proposals int // 评估监测 cases proposed
	Bad       []domain.RowCheck
	Took      time.Duration
}

// ImportProgress is told how many rows of the total an import has written so far.
type ImportProgress func(done, total int)

// progressEvery is how often an import reports its progress, in rows.
const progressEvery = 500

// maxBadInError bounds the rows an import refusal names in its error fields; the result keeps all.
const maxBadInError = 200

// ImportObservations reads an import file (CSV or XLSX) and checks every row. When a row is bad,
// nothing is written and the result names each bad row with its line and reasons (the error is
// EINVALID, with a field per bad row). When all are good, every row is written in one transaction
// through the write path (created, or correcting the value there; a row equal to what is stored is
// left alone), telling progress how far it got, and the binding indicators behind their trajectory
// propose their cases in the same transaction.
func (x *App) ImportObservations(ctx context.Context, a domain.Actor, name string, r io.Reader, progress ImportProgress) (ImportResult, error) {
	start := time.Now()
	res := ImportResult{File: name}
	cat, err := x.catalog()
	if err != nil {
		return res, err
	}
	scopes := x.scopes(a, "observation", "write")
	if len(scopes) == 0 && !a.System {
		return res, domain.Errorf(domain.EFORBIDDEN, "您无权导入监测数据。")
	}
	rows, err := sheet.ParseObservations(r, name)
	if err != nil {
		return res, err
	}
	res.Rows = len(rows)
	if len(rows) == 0 {
		return res, domain.FieldError("导入文件有误。", map[string]string{"file": "文件中没有数据行。"})
	}
	if a.System { // the command line: every org (the empty jurisdiction holds them all)
		scopes = []domain.Jurisdiction{""}
	}
	orgs, err := x.d.Orgs.ListOrgs(ctx, scopes)
	if err != nil {
		return res, err
	}
	im := domain.CheckObservationRows(rows, cat, domain.NewOrgIndex(orgs), importName(name), a, x.d.Clock.Now())
	if !im.OK() {
		fields := map[string]string{}
		for _, rc := range im.Rows {
			if len(rc.Reasons) == 0 {
				continue
			}
			res.Bad = append(res.Bad, rc)
			if len(fields) < maxBadInError {
				fields[fmt.Sprintf("第%d行", rc.Line)] = strings.Join(rc.Reasons, "")
			}
		}
		if len(res.Bad) > maxBadInError {
			fields["其他"] = fmt.Sprintf("另有%d行不合格，未逐一列出。", len(res.Bad)-maxBadInError)
		}
		res.Took = time.Since(start)
		return res, domain.FieldError(fmt.Sprintf("导入文件%s共%d行，其中%d行不合格，未导入任何数据。请改正后重新导入。", name, len(rows), im.Invalid), fields)
	}
	obs := im.Observations()
	err = x.inTx(ctx, func(ctx context.Context) error {
		res.Created, res.Corrected, res.Unchanged = 0, 0, 0
		paths := map[domain.Jurisdiction]bool{}
		from, to := domain.ObservationMaxYear, domain.ObservationMinYear
		for _, o := range obs {
			paths[o.Org.Path] = true
			from, to = min(from, o.Year), max(to, o.Year)
		}
		q := domain.ObservationQuery{From: from, To: to}
		for p := range paths {
			q.Orgs = append(q.Orgs, p)
		}
		there, err := x.d.Observations.FindObservations(ctx, q)
		if err != nil {
			return err
		}
		byKey := make(map[string]*domain.Observation, len(there))
		for i := range there {
			byKey[there[i].Key()] = &there[i]
		}
		for i, o := range obs {
			ex := byKey[o.Key()]
			switch {
			case ex != nil && ex.Value == o.Value && ex.Note == o.Note:
				res.Unchanged++
			default:
				if _, created, err := x.putObservation(ctx, a, cat, o, ex, nil); err != nil {
					return fmt.Errorf("%s第%d行：%w", name, im.Rows[i].Line, err)
				} else if created {
					res.Created++
				} else {
					res.Corrected++
				}
			}
			if progress != nil && ((i+1)%progressEvery == 0 || i+1 == len(obs)) {
				progress(i+1, len(obs))
			}
		}
		res.Proposals, err = x.proposeFor(ctx, obs)
		return err
	})
	res.Took = time.Since(start)
	return res, err
}

// importName is the file name as the observations' source records it (the source holds 400 characters).
func importName(name string) string {
	if r := []rune(name); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return name
}

// ObservationTemplate writes the XLSX import template with the catalog.
func (x *App) ObservationTemplate(a domain.Actor, w io.Writer) error {
	inds, err := x.Indicators(a)
	if err != nil {
		return err
	}
	return sheet.ObservationTemplate(w, inds)
}

// proposeFor proposes the 评估监测 cases that obs call for: a binding indicator behind its trajectory
// for an org with an office above it in the tree, once per indicator, org and year. The proposal lies
// with the org's parent (the district office over a school, the city over a district). The city itself
// has none in the tree: its indicators are the city government's, answered to the region above, so
// they propose nothing here. The system proposes; the directors over the office are told. Returns how
// many were proposed now.
func (x *App) proposeFor(ctx context.Context, obs []domain.Observation) (int, error) {
	if x.d.Proposals == nil {
		return 0, nil
	}
	cat, err := x.catalog()
	if err != nil {
		return 0, err
	}
	var atts []domain.Attainment
	for _, o := range obs {
		// The plan period's years only: a 2020 value is where the trajectory starts, not a lag in it.
		if o.Year <= domain.BaselineYear {
			continue
		}
		if ind, ok := cat.Get(o.IndicatorCode); ok && ind.Binding() {
			att, _ := cat.AssessObservation(o)
			atts = append(atts, att)
		}
	}
	props := domain.MonitoringProposals(cat, atts)
	if len(props) == 0 {
		return 0, nil
	}
	keys := make([]string, len(props))
	for i, p := range props {
		keys[i] = p.Key
	}
	taken, err := x.d.Proposals.CaseProposalKeys(ctx, keys)
	if err != nil {
		return 0, err
	}
	need, _ := (&domain.CaseProposal{}).Permission(domain.OpProposeCase)
	n := 0
	for _, p := range props {
		if taken[p.Key] || p.Org.ParentID == nil {
			continue
		}
		owner, err := x.d.Orgs.GetOrg(ctx, *p.Org.ParentID)
		if err != nil {
			return n, err
		}
		if _, err := create(ctx, x, x.proposals, System, domain.OpProposeCase, need, func(_ context.Context, now time.Time) (*domain.CaseProposal, string, error) {
			cp, err := domain.NewCaseProposal(p, owner, now)
			if err != nil {
				return nil, "", err
			}
			return cp, cp.Facts, nil
		}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// proposalTold tells the directors over the office of a new proposal, in its transaction.
func (x *App) proposalTold(ctx context.Context, _ domain.Actor, p *domain.CaseProposal, op domain.Op, now time.Time) error {
	if op != domain.OpProposeCase {
		return nil
	}
	_, err := x.notify(ctx, domain.ProposalMessage(p), domain.DirectorAudience(p.OwnerOrg), now)
	return err
}

// ProposalView is a proposal with the caller's steps.
type ProposalView struct {
	Proposal *domain.CaseProposal
	Allowed  []domain.ProposalAction
}

func (x *App) proposalView(a domain.Actor, p *domain.CaseProposal) ProposalView {
	return ProposalView{Proposal: p, Allowed: p.AllowedActions(a, x.d.Clock.Now(), func(act domain.ProposalAction) bool { return x.may(a, p, act.Op()) })}
}

// GetProposal reads a proposal; out of scope is ENOTFOUND.
func (x *App) GetProposal(ctx context.Context, a domain.Actor, id int64) (ProposalView, error) {
	p, err := load(ctx, x, x.proposals, a, id)
	if err != nil {
		return ProposalView{}, err
	}
	return x.proposalView(a, p), nil
}

// ListProposals lists the proposals in the caller's scope, newest first.
func (x *App) ListProposals(ctx context.Context, a domain.Actor, f domain.CaseProposalFilter) ([]ProposalView, int, error) {
	f.Scopes = x.scopes(a, "monitoring", "read")
	if len(f.Scopes) == 0 {
		return nil, 0, domain.Errorf(domain.EFORBIDDEN, "您无权查看评估监测。")
	}
	f.PerPage, f.Page = clampPage(f.PerPage, f.Page)
	list, total, err := x.d.Proposals.ListCaseProposals(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ProposalView, len(list))
	for i := range list {
		out[i] = x.proposalView(a, &list[i])
	}
	return out, total, nil
}

// AcceptInput opens the case a proposal calls for: its inspectors, and optionally its kind (专项督导
// by default), title (the proposal's by default) and planned day.
type AcceptInput struct {
	Kind         domain.CaseKind
	Title        string
	InspectorIDs []int64
	PlannedOn    domain.Date
	Version      *int
}

// AcceptProposal opens the 评估监测 case a proposal calls for, owned by the director's office, and
// records it on the proposal: both in one transaction.
func (x *App) AcceptProposal(ctx context.Context, a domain.Actor, id int64, in AcceptInput) (ProposalView, *domain.Case, error) {
	var c *domain.Case
	p, err := change(ctx, x, x.proposals, a, id, domain.ProposalAccept.Op(), in.Version, func(ctx context.Context, p *domain.CaseProposal, now time.Time) (string, error) {
		if err := p.Check(domain.ProposalAccept, a, now); err != nil {
			return "", err
		}
		kind, title := in.Kind, strings.TrimSpace(in.Title)
		if kind == "" {
			kind = domain.KindSpecial
		}
		if title == "" {
			title = p.Title
		}
		var err error
		c, err = x.OpenCase(ctx, a, OpenCaseInput{Type: domain.CaseMonitoring, Kind: kind, TargetOrgID: p.TargetOrg.ID, Title: title,
			InspectorIDs: in.InspectorIDs, PlannedOn: in.PlannedOn})
		if err != nil {
			return "", err
		}
		return c.Number, p.Accept(a, now, c)
	})
	if err != nil {
		return ProposalView{}, nil, err
	}
	return x.proposalView(a, p), c, nil
}

// DismissProposal declines a proposal with a reason.
func (x *App) DismissProposal(ctx context.Context, a domain.Actor, id int64, reason string, version *int) (ProposalView, error) {
	p, err := change(ctx, x, x.proposals, a, id, domain.ProposalDismiss.Op(), version, func(_ context.Context, p *domain.CaseProposal, now time.Time) (string, error) {
		return strings.TrimSpace(reason), p.Dismiss(a, now, reason)
	})
	if err != nil {
		return ProposalView{}, err
	}
	return x.proposalView(a, p), nil
}

// monitoringOrg is the org a monitoring query is about: the one asked for, or the caller's own (or,
// when the caller's grant for monitoring lies elsewhere, the first org where it does). An org the
// caller may not read monitoring of is ENOTFOUND.
func (x *App) monitoringOrg(ctx context.Context, a domain.Actor, orgID int64) (domain.Org, error) {
	scopes := x.scopes(a, "monitoring", "read")
	if len(scopes) == 0 {
		return domain.Org{}, domain.Errorf(domain.EFORBIDDEN, "您无权查看评估监测。")
	}
	notFound := domain.Errorf(domain.ENOTFOUND, "单位不存在或不在您的评估监测查看范围内。")
	var org domain.Org
	var err error
	switch {
	case orgID != 0:
		org, err = x.d.Orgs.GetOrg(ctx, orgID)
	case x.d.Authz.Allowed(a, "monitoring", "read", a.Org.Path):
		org = a.Org
	default:
		org, err = x.d.Orgs.GetOrgByPath(ctx, scopes[0])
	}
	if err != nil {
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return domain.Org{}, notFound
		}
		return domain.Org{}, err
	}
	if !x.d.Authz.Allowed(a, "monitoring", "read", org.Path) {
		return domain.Org{}, notFound
	}
	return org, nil
}

// AttainmentTable is every indicator of the catalog for one org in one year.
type AttainmentTable struct {
	Org    domain.Org
	Year   int
	Rows   []AttainmentRow
	Counts map[domain.AttainmentStatus]int
}

// AttainmentRow is one indicator's attainment, and whether its value is 示例.
type AttainmentRow struct {
	Indicator domain.Indicator
	domain.Attainment
	Sample bool
}

// Attainment assesses every indicator for an org in a year (0: last year) against the 2025 target and
// the trajectory from the 2020 baseline.
func (x *App) Attainment(ctx context.Context, a domain.Actor, orgID int64, year int) (AttainmentTable, error) {
	cat, err := x.catalog()
	if err != nil {
		return AttainmentTable{}, err
	}
	org, err := x.monitoringOrg(ctx, a, orgID)
	if err != nil {
		return AttainmentTable{}, err
	}
	if year == 0 {
		year = x.Today().Time().Year() - 1
	}
	if year < domain.ObservationMinYear || year > domain.ObservationMaxYear {
		return AttainmentTable{}, domain.FieldError("查询条件有误。", map[string]string{"year": fmt.Sprintf("年份应在%d至%d之间。", domain.ObservationMinYear, domain.ObservationMaxYear)})
	}
	obs, err := x.d.Observations.FindObservations(ctx, domain.ObservationQuery{Orgs: []domain.Jurisdiction{org.Path}, From: year, To: year})
	if err != nil {
		return AttainmentTable{}, err
	}
	byCode := map[string]domain.Observation{}
	for _, o := range obs {
		byCode[o.IndicatorCode] = o
	}
	t := AttainmentTable{Org: org, Year: year, Counts: map[domain.AttainmentStatus]int{}}
	for _, ind := range cat.All() {
		var v *float64
		o, ok := byCode[ind.Code]
		if ok {
			val := o.Value
			v = &val
		}
		row := AttainmentRow{Indicator: ind, Attainment: ind.Assess(org, year, v), Sample: ok && o.Sample}
		t.Counts[row.Status]++
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// reportOrgs are the columns of a monitoring view over org: the org itself and the districts (and
// other non-school orgs) directly under it.
func (x *App) reportOrgs(ctx context.Context, org domain.Org) ([]domain.Org, error) {
	under, err := x.d.Orgs.ListOrgs(ctx, []domain.Jurisdiction{org.Path})
	if err != nil {
		return nil, err
	}
	out := []domain.Org{org}
	for _, o := range under {
		if o.ParentID != nil && *o.ParentID == org.ID && o.Kind != domain.OrgSchool {
			out = append(out, o)
		}
	}
	return out, nil
}

// MonitoringReport builds a report of the plan's monitoring cycle for an org (0: the caller's) and the
// districts under it.
func (x *App) MonitoringReport(ctx context.Context, a domain.Actor, kind domain.MonitoringReportKind, year int, orgID int64) (domain.MonitoringReport, error) {
	cat, err := x.catalog()
	if err != nil {
		return domain.MonitoringReport{}, err
	}
	today := x.Today()
	y, err := kind.ReportYear(year, today)
	if err != nil {
		return domain.MonitoringReport{}, err
	}
	org, err := x.monitoringOrg(ctx, a, orgID)
	if err != nil {
		return domain.MonitoringReport{}, err
	}
	orgs, err := x.reportOrgs(ctx, org)
	if err != nil {
		return domain.MonitoringReport{}, err
	}
	paths := make([]domain.Jurisdiction, len(orgs))
	for i, o := range orgs {
		paths[i] = o.Path
	}
	obs, err := x.d.Observations.FindObservations(ctx, domain.ObservationQuery{Orgs: paths, From: domain.BaselineYear, To: y})
	if err != nil {
		return domain.MonitoringReport{}, err
	}
	return domain.BuildMonitoringReport(cat, kind, y, org, orgs, obs, today), nil
}

// MonitorHome is what the monitoring home shows: the indicators behind their trajectory (each at its
// latest value) and what to enter next (the indicators with a target that lack last year's value),
// over the caller's org and the districts under it.
type MonitorHome struct {
	Org      domain.Org // the org the home is about (with the districts under it)
	Year     int        // the year whose values are due now: last year
	Behind   []AttainmentRow
	ToEnter  []MissingValues
	Orgs     int
	Proposal int // open 评估监测 case proposals in scope
}

// MissingValues is what one org still has to enter for Year.
type MissingValues struct {
	Org        domain.Org
	Indicators []domain.Indicator
}

// MonitoringHome answers the monitoring part of a home page; ok is false for whoever reads no
// monitoring.
func (x *App) MonitoringHome(ctx context.Context, a domain.Actor) (MonitorHome, bool, error) {
	if !x.MayAnywhere(a, "monitoring", "read") {
		return MonitorHome{}, false, nil
	}
	cat, err := x.catalog()
	if err != nil {
		return MonitorHome{}, false, err
	}
	org, err := x.monitoringOrg(ctx, a, 0)
	if err != nil {
		return MonitorHome{}, false, err
	}
	orgs, err := x.reportOrgs(ctx, org)
	if err != nil {
		return MonitorHome{}, false, err
	}
	thisYear := x.Today().Time().Year()
	h := MonitorHome{Org: org, Year: thisYear - 1, Orgs: len(orgs)}
	paths := make([]domain.Jurisdiction, len(orgs))
	for i, o := range orgs {
		paths[i] = o.Path
	}
	obs, err := x.d.Observations.FindObservations(ctx, domain.ObservationQuery{Orgs: paths, From: domain.ObservationMinYear, To: thisYear})
	if err != nil {
		return MonitorHome{}, false, err
	}
	type key struct {
		org  int64
		code string
	}
	latest := map[key]domain.Observation{} // obs come by org, indicator and year: the last one wins
	for _, o := range obs {
		latest[key{o.Org.ID, o.IndicatorCode}] = o
	}
	for _, o := range orgs {
		miss := MissingValues{Org: o}
		for _, ind := range cat.All() {
			if ind.Target2025 == nil {
				continue
			}
			l, ok := latest[key{o.ID, ind.Code}]
			if !ok || l.Year < h.Year {
				miss.Indicators = append(miss.Indicators, ind)
			}
			if !ok {
				continue
			}
			v := l.Value
			att := ind.Assess(o, l.Year, &v)
			if att.Status == domain.AttBehind || att.Status == domain.AttBelowTarget {
				h.Behind = append(h.Behind, AttainmentRow{Indicator: ind, Attainment: att, Sample: l.Sample})
			}
		}
		if len(miss.Indicators) > 0 {
			h.ToEnter = append(h.ToEnter, miss)
		}
	}
	// Binding indicators first, then the furthest behind.
	sort.SliceStable(h.Behind, func(i, j int) bool {
		bi, bj := h.Behind[i].Indicator.Binding(), h.Behind[j].Indicator.Binding()
		if bi != bj {
			return bi
		}
		return h.Behind[i].Status == domain.AttBehind && h.Behind[j].Status != domain.AttBehind
	})
	if x.d.Proposals != nil {
		_, n, err := x.d.Proposals.ListCaseProposals(ctx, domain.CaseProposalFilter{Scopes: x.scopes(a, "monitoring", "read"), Status: domain.ProposalOpen, PerPage: 1})
		if err != nil {
			return MonitorHome{}, false, err
		}
		h.Proposal = n
	}
	return h, true, nil
}

// tickMonitoring proposes, as a catch-up, the cases the stored values of binding indicators call for
// (the plan years up to this one), once each.
func (x *App) tickMonitoring(ctx context.Context) (int, error) {
	if x.d.Indicators == nil || x.d.Observations == nil || x.d.Proposals == nil {
		return 0, nil
	}
	cat := x.d.Indicators
	var codes []string
	for _, ind := range cat.All() {
		if ind.Binding() {
			codes = append(codes, ind.Code)
		}
	}
	if len(codes) == 0 {
		return 0, nil
	}
	obs, err := x.d.Observations.FindObservations(ctx, domain.ObservationQuery{Every: true, Codes: codes, From: domain.BaselineYear + 1,
		To: x.Today().Time().Year()})
	if err != nil {
		return 0, err
	}
	obs = slices.DeleteFunc(obs, func(o domain.Observation) bool { return o.Org.ParentID == nil })
	n := 0
	err = x.inTx(ctx, func(ctx context.Context) error {
		n, err = x.proposeFor(ctx, obs)
		return err
	})
	return n, err
}

// MayMonitor reports whether a reads the monitoring of org (a page's org choices).
func (x *App) MayMonitor(a domain.Actor, org domain.Org) bool {
	return x.d.Authz.Allowed(a, "monitoring", "read", org.Path)
}

// MayEnterObservations reports whether a enters values for org (a form's org choices).
func (x *App) MayEnterObservations(a domain.Actor, org domain.Org) bool {
	return x.d.Authz.Allowed(a, "observation", "write", org.Path)
}

// MonitoringReportPDF renders a monitoring report as PDF with the configured Chinese font, or the
// embedded one.
func (x *App) MonitoringReportPDF(ctx context.Context, a domain.Actor, kind domain.MonitoringReportKind, year int, orgID int64) (Document, error) {
	r, err := x.MonitoringReport(ctx, a, kind, year, orgID)
	if err != nil {
		return Document{}, err
	}
	font, err := x.pdfFont()
	if err != nil {
		return Document{}, err
	}
	b, err := export.MonitoringPDF(r, font)
	if err != nil {
		return Document{}, x.fontError(err)
	}
	return Document{Filename: monitoringFilename(r, "pdf"), ContentType: export.ContentTypePDF, Body: b}, nil
}

// MonitoringReportXLSX renders a monitoring report as an Excel workbook.
func (x *App) MonitoringReportXLSX(ctx context.Context, a domain.Actor, kind domain.MonitoringReportKind, year int, orgID int64) (Document, error) {
	r, err := x.MonitoringReport(ctx, a, kind, year, orgID)
	if err != nil {
		return Document{}, err
	}
	b, err := export.MonitoringXLSX(r)
	if err != nil {
		return Document{}, err
	}
	return Document{Filename: monitoringFilename(r, "xlsx"), ContentType: export.ContentTypeXLSX, Body: b}, nil
}

// monitoringFilename is e.g. 评估监测_年度监测报告_乌海市_2024.pdf; names never carry path separators.
func monitoringFilename(r domain.MonitoringReport, ext string) string {
	name := strings.NewReplacer("/", "_", `\`, "_").Replace(r.Scope.Name)
	return fmt.Sprintf("评估监测_%s_%s_%d.%s", r.Kind.Label(), name, r.Year, ext)
}
