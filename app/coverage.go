package app

import (
	"context"
	"time"

	"dudao/domain"
)

// Coverage (挂牌督导, SPEC §3): the floors of 责任督学 supervision over what the caller may read. The
// schools' rules (R21, R28, R3) look at the schools where the caller reads 挂牌 records; the
// inspectors' rules (R21, R38, R6) at the registry profiles the caller reads. Visits are the days
// routine cases (经常性督导) started.

// CoverageReport is what coverage found at one moment.
type CoverageReport struct {
	Today      domain.Date
	Semester   domain.Semester
	Rules      domain.RegistryRules
	Schools    int // schools looked at
	Inspectors int // registry profiles looked at
	Findings   []domain.CoverageFinding
	Counts     map[domain.CoverageRule]int
}

// Coverage runs the coverage rules now over the caller's scope.
func (x *App) Coverage(ctx context.Context, a domain.Actor) (CoverageReport, error) {
	schoolScopes := x.scopes(a, "assignment", "read")
	inspScopes := x.scopes(a, "inspector", "read")
	if len(schoolScopes) == 0 && len(inspScopes) == 0 {
		return CoverageReport{}, domain.Errorf(domain.EFORBIDDEN, "您无权查看挂牌督导覆盖情况。")
	}
	now := x.d.Clock.Now()
	rr := x.d.Rules.Registry
	today := domain.DateOf(now)
	r := CoverageReport{Today: today, Semester: rr.SemesterOf(today), Rules: rr, Counts: map[domain.CoverageRule]int{}}
	err := x.inTx(ctx, func(ctx context.Context) error {
		if len(schoolScopes) > 0 {
			if err := x.schoolCoverage(ctx, &r, schoolScopes, now); err != nil {
				return err
			}
		}
		if len(inspScopes) > 0 {
			ins, _, err := x.d.Registry.ListInspectors(ctx, domain.InspectorFilter{Scopes: inspScopes})
			if err != nil {
				return err
			}
			assignments, err := x.d.Registry.ListAssignments(ctx, inspScopes)
			if err != nil {
				return err
			}
			r.Inspectors = len(ins)
			r.Findings = append(r.Findings, domain.OverLoad(ins, assignments, now)...)
			r.Findings = append(r.Findings, domain.TrainingGaps(ins, now, rr)...)
			r.Findings = append(r.Findings, domain.TermAlerts(ins, now, rr)...)
		}
		return nil
	})
	for _, f := range r.Findings {
		r.Counts[f.Rule]++
	}
	return r, err
}

// schoolCoverage adds the schools' findings: no 责任督学 or one who cannot serve, too few visits this
// month and this semester.
func (x *App) schoolCoverage(ctx context.Context, r *CoverageReport, scopes []domain.Jurisdiction, now time.Time) error {
	orgs, err := x.d.Orgs.ListOrgs(ctx, scopes)
	if err != nil {
		return err
	}
	var schools []domain.Org
	for _, o := range orgs {
		if o.Kind == domain.OrgSchool {
			schools = append(schools, o)
		}
	}
	r.Schools = len(schools)
	assignments, err := x.d.Registry.ListAssignments(ctx, scopes)
	if err != nil {
		return err
	}
	var named []int64 // the inspectors in post today, whether or not the caller reads the registry
	for k := range assignments {
		if p := assignments[k].Current(r.Today); p != nil {
			named = append(named, p.InspectorID)
		}
	}
	var ins []domain.Inspector
	if len(named) > 0 {
		if ins, _, err = x.d.Registry.ListInspectors(ctx, domain.InspectorFilter{IDs: named}); err != nil {
			return err
		}
	}
	from := r.Semester.Start
	if first := domain.Date(string(r.Today)[:8] + "01"); first.Before(from) {
		from = first
	}
	visits, err := x.d.Registry.RoutineVisits(ctx, scopes, from, r.Today)
	if err != nil {
		return err
	}
	r.Findings = append(r.Findings, domain.SchoolsWithoutInspector(schools, assignments, ins, now)...)
	r.Findings = append(r.Findings, domain.MonthlyVisitGaps(schools, visits, now, r.Rules)...)
	r.Findings = append(r.Findings, domain.SemesterVisitGaps(schools, visits, now, r.Rules)...)
	return nil
}
