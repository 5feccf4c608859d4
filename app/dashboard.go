package app

import (
	"context"

	"dudao/domain"
)

// WorkKind names one work list of a home page: what waits for the user in one of their roles.
type WorkKind string

const (
	WorkMine     WorkKind = "mine"     // supervisor: planned and inspecting cases the user inspects
	WorkReady    WorkKind = "ready"    // supervisor: reports the user may submit for review
	WorkRechecks WorkKind = "rechecks" // supervisor: rectifications the user may recheck
	WorkReviews  WorkKind = "reviews"  // director: reports to issue or return
	WorkRulings  WorkKind = "rulings"  // director: objections to rule on
	WorkOpinions WorkKind = "opinions" // the target: preliminary opinions to acknowledge or object to
	WorkRectify  WorkKind = "rectify"  // the target: findings to rectify, earliest due first
	WorkChase    WorkKind = "chase"    // district office: its schools' open findings in rectification, earliest due first
	WorkOverdue  WorkKind = "overdue"  // district office, auditor: cases past their deadlines
	WorkRecent   WorkKind = "recent"   // auditor: the newest cases in scope
)

// WorkCase is a case on a work list, with what the user may do to it now.
type WorkCase struct {
	domain.CaseSummary
	Allowed   []domain.Action
	Abilities CaseAbilities
}

// WorkList is one list of a home page. Total counts what the list holds before it is cut to size
// (for the lists read in one query, what that query kept).
type WorkList struct {
	Kind     WorkKind
	Cases    []WorkCase
	Findings []domain.FindingDue
	Total    int
}

// Dashboard is what a home page shows of cases: counts by status, the overdue count and the work
// lists of the user's roles. Each list is one query, whatever the number of cases in scope.
type Dashboard struct {
	ByStatus map[domain.Status]int
	Overdue  int
	Lists    []WorkList
}

// workScan is how many cases a work list reads before keeping those the user may act on.
const workScan = 50

// Dashboard builds the user's home: nil lists when the user reads no cases.
func (x *App) Dashboard(ctx context.Context, a domain.Actor) (Dashboard, error) {
	var d Dashboard
	scopes := x.scopes(a, "case", "read")
	if len(scopes) == 0 {
		return d, nil
	}
	today := domain.DateOf(x.d.Clock.Now())
	var err error
	if d.ByStatus, d.Overdue, err = x.d.Cases.CaseCounts(ctx, scopes, today); err != nil {
		return d, err
	}
	list := func(kind WorkKind, f domain.CaseFilter, keep func(w WorkCase) bool) error {
		f.Scopes, f.Today, f.PerPage = scopes, today, workScan
		sums, err := x.d.Cases.CaseSummaries(ctx, f)
		if err != nil {
			return err
		}
		wl := WorkList{Kind: kind}
		for i := range sums {
			w := x.workCase(a, sums[i])
			if keep == nil || keep(w) {
				wl.Cases = append(wl.Cases, w)
			}
		}
		wl.Total = len(wl.Cases)
		d.Lists = append(d.Lists, wl)
		return nil
	}
	may := func(acts ...domain.Action) func(WorkCase) bool {
		return func(w WorkCase) bool {
			for _, x := range w.Allowed {
				for _, want := range acts {
					if x == want {
						return true
					}
				}
			}
			return false
		}
	}
	type step struct {
		kind WorkKind
		role bool
		f    domain.CaseFilter
		keep func(WorkCase) bool
	}
	supervisor, director := a.Has(domain.RoleSupervisor), a.Has(domain.RoleDirector)
	target := a.Has(domain.RoleSchool) || a.Has(domain.RoleDistrictOffice)
	steps := []step{
		{WorkMine, supervisor, domain.CaseFilter{Statuses: []domain.Status{domain.StatusPlanned, domain.StatusInspecting}, InspectorID: a.UserID}, nil},
		{WorkReady, supervisor, domain.CaseFilter{Status: domain.StatusFeedback}, may(domain.ActSubmitForReview)},
		{WorkRechecks, supervisor, domain.CaseFilter{Status: domain.StatusVerifying}, may(domain.ActRecheck)},
		{WorkReviews, director, domain.CaseFilter{Status: domain.StatusReview}, may(domain.ActIssue, domain.ActReturn)},
		{WorkRulings, director, domain.CaseFilter{Statuses: []domain.Status{domain.StatusFeedback, domain.StatusReview}, PendingObjections: true},
			func(w WorkCase) bool { return w.Abilities.RuleObjections }},
		{WorkOpinions, target, domain.CaseFilter{Status: domain.StatusFeedback},
			func(w WorkCase) bool { return may(domain.ActAcknowledge)(w) || w.Abilities.FileObjection }},
	}
	for _, s := range steps {
		if s.role {
			if err := list(s.kind, s.f, s.keep); err != nil {
				return d, err
			}
		}
	}
	if target {
		fs, total, err := x.d.Cases.FindingsToRectify(ctx, a.Org.ID, workScan)
		if err != nil {
			return d, err
		}
		d.Lists = append(d.Lists, WorkList{Kind: WorkRectify, Findings: fs, Total: total})
	}
	if a.Has(domain.RoleDistrictOffice) {
		fs, total, err := x.d.Cases.FindingsToChase(ctx, scopes, a.Org.ID, workScan)
		if err != nil {
			return d, err
		}
		d.Lists = append(d.Lists, WorkList{Kind: WorkChase, Findings: fs, Total: total})
	}
	if a.Has(domain.RoleDistrictOffice) || a.Has(domain.RoleAuditor) {
		if err := list(WorkOverdue, domain.CaseFilter{Overdue: true}, nil); err != nil {
			return d, err
		}
	}
	if a.Has(domain.RoleAuditor) {
		if err := list(WorkRecent, domain.CaseFilter{}, nil); err != nil {
			return d, err
		}
		total := 0
		for _, n := range d.ByStatus {
			total += n
		}
		d.Lists[len(d.Lists)-1].Total = total
	}
	return d, nil
}

// workCase is a summary with what a may do to it now, answered by the domain from the summary alone.
func (x *App) workCase(a domain.Actor, s domain.CaseSummary) WorkCase {
	c := &s.Case
	return WorkCase{CaseSummary: s,
		Allowed:   c.AllowedActions(a, x.d.Clock.Now(), x.d.Rules, func(act domain.Action) bool { return x.may(a, c, act.Op()) }),
		Abilities: x.Abilities(a, c)}
}
