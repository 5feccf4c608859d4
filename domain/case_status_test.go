package domain

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

var (
	caseRectified = caseLate.Add(time.Hour)     // the school's measures and files
	caseActAt     = caseLate.Add(2 * time.Hour) // the action under test
)

// edge is one arrow of SPEC §2.1, written out independently of the table under test.
type edge struct {
	from        Status
	act         Action
	routineOnly bool
	to          Status // with findings outstanding
	settledTo   Status // with none left
}

var specEdges = []edge{
	{StatusPlanned, ActStart, false, StatusInspecting, StatusInspecting},
	{StatusPlanned, ActCancel, false, StatusCancelled, StatusCancelled},
	{StatusInspecting, ActSubmitPreliminary, false, StatusFeedback, StatusFeedback},
	{StatusInspecting, ActIssue, true, StatusRectifying, StatusClosed},
	{StatusInspecting, ActCancel, false, StatusCancelled, StatusCancelled},
	{StatusFeedback, ActAcknowledge, false, StatusFeedback, StatusFeedback},
	{StatusFeedback, ActSubmitForReview, false, StatusReview, StatusReview},
	{StatusReview, ActReturn, false, StatusInspecting, StatusInspecting},
	{StatusReview, ActIssue, false, StatusRectifying, StatusClosed},
	{StatusRectifying, ActSubmitRectification, false, StatusVerifying, StatusVerifying},
	{StatusVerifying, ActRecheck, false, StatusRectifying, StatusClosed},
}

func specEdge(s Status, a Action) (edge, bool) {
	for _, e := range specEdges {
		if e.from == s && e.act == a {
			return e, true
		}
	}
	return edge{}, false
}

// caseInState builds, through the case's own methods, a case of kind k in status s. With settled, the
// case has no finding outstanding where that matters to the next step (inspecting, feedback, review).
func caseInState(t *testing.T, k CaseKind, s Status, settled bool) *Case {
	t.Helper()
	r := caseRules()
	c := newTestCase(t, k)
	defer func() {
		if c.Status != s {
			t.Fatalf("built a %s case, want %s", c.Status, s)
		}
	}()
	switch s {
	case StatusPlanned:
		return c
	case StatusCancelled:
		must(t, c.Cancel(director, caseNow, "督导计划调整。"))
		return c
	}
	must(t, c.Start(inspector, caseNow))
	if s == StatusRectifying || s == StatusVerifying || (!settled && s != StatusClosed) {
		addTestFinding(t, c, 1, "食堂餐具消毒不规范", SeverityMajor)
	}
	if s == StatusInspecting {
		return c
	}
	must(t, c.SubmitPreliminary(inspector, caseNow, r))
	if s == StatusFeedback {
		return c
	}
	must(t, c.SubmitForReview(inspector, caseLate))
	if s == StatusReview {
		return c
	}
	must(t, c.Issue(director, caseLate, r, nil))
	if s == StatusClosed {
		return c
	}
	rectifyTestFinding(t, c, 1, caseRectified)
	if s == StatusRectifying {
		return c
	}
	must(t, c.SubmitRectification(principal, caseRectified))
	return c
}

// doAction takes action a on c as the person who may, with valid parameters; a recheck passes
// everything when settled and fails everything otherwise.
func doAction(c *Case, a Action, settled bool) error {
	r := caseRules()
	switch a {
	case ActStart:
		return c.Start(inspector, caseActAt)
	case ActSubmitPreliminary:
		return c.SubmitPreliminary(inspector, caseActAt, r)
	case ActAcknowledge:
		return c.Acknowledge(principal, caseNow) // within the window
	case ActSubmitForReview:
		return c.SubmitForReview(inspector, caseActAt)
	case ActReturn:
		return c.Return(director, caseActAt, "证据不足，请补充。")
	case ActIssue:
		return c.Issue(director, caseActAt, r, nil)
	case ActSubmitRectification:
		return c.SubmitRectification(principal, caseActAt)
	case ActRecheck:
		var results []RecheckResult
		for _, f := range c.Findings {
			if f.Status == FindingSubmitted {
				results = append(results, RecheckResult{FindingID: f.ID, Passed: settled, Comment: "复查意见。", NewDueOn: "2026-05-01"})
			}
		}
		return c.Recheck(rechecker, caseActAt, r, results)
	case ActCancel:
		return c.Cancel(director, caseActAt, "督导计划调整。")
	}
	return fmt.Errorf("no such action %q", a)
}

// The one table says exactly what SPEC §2.1 says.
func TestTransitionTable(t *testing.T) {
	for s := range transitions {
		if !s.Valid() {
			t.Errorf("table has unknown status %q", s)
		}
	}
	for _, s := range Statuses {
		for _, a := range Actions {
			got, inTable := transitions[s][a]
			want, inSpec := specEdge(s, a)
			if inTable != inSpec {
				t.Errorf("%s --%s-->: in table %v, in spec %v", s, a, inTable, inSpec)
				continue
			}
			if !inSpec {
				if s.Can(a) || s.CanFor(KindRoutine, a) || s.CanFor(KindSpecial, a) {
					t.Errorf("%s.Can(%s) is true without an edge", s, a)
				}
				continue
			}
			settled := got.settled
			if settled == "" {
				settled = got.to
			}
			if got.to != want.to || settled != want.settledTo || got.routineOnly != want.routineOnly {
				t.Errorf("%s --%s--> %+v, want %+v", s, a, got, want)
			}
			if s.Can(a) != !want.routineOnly || !s.CanFor(KindRoutine, a) || s.CanFor(KindSpecial, a) != !want.routineOnly {
				t.Errorf("%s: Can/CanFor(%s) disagree with the spec", s, a)
			}
		}
	}
	for _, s := range []Status{StatusClosed, StatusCancelled} {
		if len(transitions[s]) != 0 || !s.Final() {
			t.Errorf("%s is not final", s)
		}
	}
}

// Every (status, action) pair, taken on a real case: an allowed one lands in the right state and bumps the
// version once; any other is a conflict that leaves the case exactly as it was.
func TestEveryStatusActionPair(t *testing.T) {
	for _, k := range []CaseKind{KindSpecial, KindRoutine} {
		for _, settled := range []bool{false, true} {
			for _, s := range Statuses {
				for _, a := range Actions {
					name := fmt.Sprintf("%s/settled=%v/%s/%s", k, settled, s, a)
					t.Run(name, func(t *testing.T) {
						c := caseInState(t, k, s, settled)
						twin := caseInState(t, k, s, settled)
						e, ok := specEdge(s, a)
						ok = ok && (!e.routineOnly || k == KindRoutine)
						err := doAction(c, a, settled)
						if !ok {
							wantCode(t, err, ECONFLICT)
							if !reflect.DeepEqual(c, twin) {
								t.Errorf("a refused %s changed the case:\n got %+v\nwant %+v", a, c, twin)
							}
							return
						}
						must(t, err)
						want := e.to
						if settled {
							want = e.settledTo
						}
						if c.Status != want || c.Version != twin.Version+1 {
							t.Errorf("status %s version %d, want %s version %d", c.Status, c.Version, want, twin.Version+1)
						}
						if (c.Status == StatusClosed) != (c.ClosedAt != nil) {
							t.Errorf("status %s with ClosedAt %v", c.Status, c.ClosedAt)
						}
					})
				}
			}
		}
	}
}

// A school case: one objection upheld, one finding failed at recheck and rectified again, then closed.
func TestSchoolCaseFullPath(t *testing.T) {
	r := caseRules()
	c := newTestCase(t, KindSpecial)
	changes := 0
	step := func(err error) {
		t.Helper()
		must(t, err)
		changes++
		if c.Version != 1+changes {
			t.Fatalf("version %d after %d changes", c.Version, changes)
		}
	}
	step(c.Start(inspector, caseNow))
	addTestFinding(t, c, 1, "食堂餐具消毒不规范", SeverityMajor)
	addTestFinding(t, c, 2, "课后服务收费公示不全", SeverityMinor)
	changes += 2
	step(c.SubmitPreliminary(inspector, caseNow, r))
	if c.PreliminaryAt == nil || c.ObjectionDeadline == nil || c.Status != StatusFeedback {
		t.Fatalf("after preliminary: %+v", c)
	}

	day2 := caseNow.Add(24 * time.Hour)
	wantCode(t, c.SubmitForReview(inspector, day2), ECONFLICT) // the window is open
	two := int64(2)
	o, err := c.FileObjection(principal, day2, &two, "收费项目已在校门口公示，附照片。")
	step(err)
	o.ID = 5
	wantCode(t, c.Issue(director, day2, r, nil), ECONFLICT) // not in review yet
	step(c.RuleObjection(director, day2, 5, true, "公示照片属实，撤回该问题。"))
	_, err = c.FileObjection(principal, caseLate, nil, "逾期的申辩")
	wantCode(t, err, ECONFLICT)

	step(c.SubmitForReview(inspector, caseLate))
	if c.ReviewSubmittedBy != inspector.UserID || c.Status != StatusReview {
		t.Fatalf("after review: %+v", c)
	}
	wantCode(t, c.Issue(inspector, caseLate, r, nil), EFORBIDDEN) // not a director
	step(c.Issue(director, caseLate, r, map[int64]Date{1: "2026-04-30"}))
	if c.Status != StatusRectifying || c.IssuedBy != director.UserID || c.IssuedAt == nil {
		t.Fatalf("after issue: %+v", c)
	}
	if f1, f2 := c.Finding(1), c.Finding(2); f1.DueOn != "2026-04-30" || f1.Status != FindingOpen || f2.Status != FindingWithdrawn || f2.DueOn != "" {
		t.Fatalf("findings after issue: %+v", c.Findings)
	}

	rectifyTestFinding(t, c, 1, caseRectified)
	changes += 2
	wantCode(t, c.SubmitRectification(officeUser, caseRectified), EFORBIDDEN)
	step(c.SubmitRectification(principal, caseRectified))
	if c.Status != StatusVerifying || c.Finding(1).Status != FindingSubmitted || c.Finding(2).Status != FindingWithdrawn || c.RectificationSubmittedBy != principal.UserID {
		t.Fatalf("after rectification: %+v", c)
	}

	round1 := caseRectified.Add(24 * time.Hour)
	wantCode(t, c.Recheck(inspector, round1, r, []RecheckResult{{FindingID: 1, Passed: true}}), EFORBIDDEN)
	step(c.Recheck(rechecker, round1, r, []RecheckResult{{FindingID: 1, Passed: false, Comment: "消毒台账仍不完整。", NewDueOn: "2026-04-20"}}))
	f1 := c.Finding(1)
	if c.Status != StatusRectifying || f1.Status != FindingFailed || f1.DueOn != "2026-04-20" || c.RecheckFailures != 1 || c.ClosedAt != nil {
		t.Fatalf("after failed recheck: %+v", c)
	}
	if len(c.Rechecks) != 1 || c.Rechecks[0] != (Recheck{CaseID: 100, FindingID: 1, Round: 1, Passed: false, Comment: "消毒台账仍不完整。", NewDueOn: "2026-04-20", By: rechecker.UserID, At: round1}) {
		t.Fatalf("rechecks = %+v", c.Rechecks)
	}

	again := round1.Add(24 * time.Hour)
	rectifyTestFinding(t, c, 1, again)
	changes += 2
	step(c.SubmitRectification(principal, again))
	round2 := again.Add(24 * time.Hour)
	step(c.Recheck(rechecker, round2, r, []RecheckResult{{FindingID: 1, Passed: true, Comment: "已整改到位。"}}))
	if c.Status != StatusClosed || c.ClosedAt == nil || !c.ClosedAt.Equal(round2) || c.Finding(1).Status != FindingPassed || c.RecheckFailures != 1 {
		t.Fatalf("after passed recheck: %+v", c)
	}
	if len(c.Rechecks) != 2 || c.Rechecks[1].Round != 2 || !c.Rechecks[1].Passed {
		t.Fatalf("rechecks = %+v", c.Rechecks)
	}
	for _, by := range []Actor{inspector, rechecker, director, director2, principal, officeUser} {
		if got := c.AllowedActions(by, round2, r, nil); len(got) != 0 {
			t.Errorf("closed case allows %v to %s", got, by.Name)
		}
	}
}

// A 责任督学's routine visit is issued on the spot (R28); another kind of case may not skip the feedback.
func TestRoutineCaseIssuedOnTheSpot(t *testing.T) {
	r := caseRules()
	c := newTestCase(t, KindRoutine)
	must(t, c.Start(inspector, caseNow))
	addTestFinding(t, c, 1, "消防通道堵塞", SeverityCritical)
	addTestFinding(t, c, 2, "作业公示不全", SeverityMinor)
	if got := c.AllowedActions(inspector, caseNow, r, nil); !slices.Equal(got, []Action{ActSubmitPreliminary, ActIssue, ActCancel}) {
		t.Errorf("allowed = %v", got)
	}
	// Someone off the team may not issue the visit.
	wantCode(t, c.Issue(caseActor(50, caseDistrict, RoleSupervisor), caseNow, r, nil), EFORBIDDEN)
	must(t, c.Issue(inspector, caseNow, r, nil))
	if c.Status != StatusRectifying || c.IssuedBy != inspector.UserID {
		t.Fatalf("after issue: %+v", c)
	}
	// R15 and the severity clocks: critical 7 days, minor 30.
	if c.Finding(1).DueOn != "2026-03-09" || c.Finding(2).DueOn != "2026-04-01" {
		t.Errorf("due dates %s %s", c.Finding(1).DueOn, c.Finding(2).DueOn)
	}

	other := newTestCase(t, KindComprehensive)
	must(t, other.Start(inspector, caseNow))
	addTestFinding(t, other, 1, "消防通道堵塞", SeverityCritical)
	before := other.Version
	wantCode(t, other.Issue(director, caseNow, r, nil), ECONFLICT)
	if other.Status != StatusInspecting || other.Version != before {
		t.Errorf("refused issue changed the case: %+v", other)
	}
}

// With every finding withdrawn, issuing the opinion closes the case.
func TestIssueWithNoOpenFindingsCloses(t *testing.T) {
	r := caseRules()
	c := newTestCase(t, KindSpecial)
	must(t, c.Start(inspector, caseNow))
	addTestFinding(t, c, 1, "课后服务收费公示不全", SeverityMinor)
	must(t, c.SubmitPreliminary(inspector, caseNow, r))
	one := int64(1)
	o, err := c.FileObjection(principal, caseNow, &one, "已公示。")
	must(t, err)
	o.ID = 3
	must(t, c.SubmitForReview(inspector, caseLate))
	wantCode(t, c.Issue(director, caseLate, r, nil), ECONFLICT) // the objection is not ruled yet
	must(t, c.RuleObjection(director, caseLate, 3, true, "属实。"))
	must(t, c.Issue(director, caseLate, r, nil))
	if c.Status != StatusClosed || c.ClosedAt == nil || !c.ClosedAt.Equal(caseLate) || c.Finding(1).DueOn != "" {
		t.Fatalf("after issue: %+v", c)
	}
}

func TestDutyRules(t *testing.T) {
	r := caseRules()

	t.Run("the author does not issue", func(t *testing.T) {
		c := caseInState(t, KindSpecial, StatusFeedback, false)
		must(t, c.SubmitForReview(director, caseLate)) // a director of the owner org drafted it
		wantCode(t, c.Issue(director, caseLate, r, nil), EFORBIDDEN)
		// Who else may not issue (a supervisor, a director elsewhere) is the authorizer's: a reviewed
		// report asks for "issue" at the owner, an on-the-spot one for "issue_routine".
		if p, _ := c.Permission(ActIssue.Op()); p.Any[0] != (Right{Act: "issue", Side: AtOwner}) {
			t.Errorf("issue from review needs %+v", p)
		}
		if p, _ := caseInState(t, KindRoutine, StatusInspecting, false).Permission(ActIssue.Op()); p.Any[0] != (Right{Act: "issue_routine", Side: AtOwner}) {
			t.Errorf("issue on the spot needs %+v", p)
		}
		if c.Status != StatusReview || c.IssuedAt != nil {
			t.Fatalf("refused issue changed the case: %+v", c)
		}
		must(t, c.Issue(director2, caseLate, r, nil))
	})

	t.Run("recheck is independent", func(t *testing.T) {
		pass := []RecheckResult{{FindingID: 1, Passed: true}}
		c := caseInState(t, KindSpecial, StatusVerifying, false)
		submitter := caseActor(principal.UserID, caseCity, RoleSupervisor)
		wantCode(t, c.Recheck(submitter, caseActAt, r, pass), EFORBIDDEN)
		wantCode(t, c.Recheck(inspector, caseActAt, r, pass), EFORBIDDEN)
		if c.Status != StatusVerifying || len(c.Rechecks) != 0 {
			t.Fatalf("refused recheck changed the case: %+v", c)
		}
		lax := r
		lax.IndependentRecheck = false
		wantCode(t, c.Recheck(submitter, caseActAt, lax, pass), EFORBIDDEN)
		must(t, c.Recheck(inspector, caseActAt, lax, pass))
	})

	t.Run("the district office does not rectify for its school", func(t *testing.T) {
		c := caseInState(t, KindSpecial, StatusRectifying, false)
		wantCode(t, c.SubmitRectification(officeUser, caseActAt), EFORBIDDEN)
		wantCode(t, c.SubmitRectification(director, caseActAt), EFORBIDDEN)
		if slices.Contains(c.AllowedActions(officeUser, caseActAt, r, nil), ActSubmitRectification) {
			t.Error("the district office is offered submit_rectification")
		}
		must(t, c.SubmitRectification(principal, caseActAt))

		f := caseInState(t, KindSpecial, StatusFeedback, false)
		wantCode(t, f.Acknowledge(officeUser, caseNow), EFORBIDDEN)
		_, err := f.FileObjection(officeUser, caseNow, nil, "代学校申辩")
		wantCode(t, err, EFORBIDDEN)
	})

	t.Run("the objection window", func(t *testing.T) {
		c := caseInState(t, KindSpecial, StatusFeedback, false)
		deadline := *c.ObjectionDeadline
		wantCode(t, c.SubmitForReview(inspector, deadline.Add(-time.Second)), ECONFLICT)
		_, err := c.FileObjection(principal, deadline, nil, "逾期")
		wantCode(t, err, ECONFLICT)
		wantCode(t, c.Acknowledge(principal, deadline), ECONFLICT) // nothing left to waive
		must(t, c.SubmitForReview(inspector, deadline))

		c = caseInState(t, KindSpecial, StatusFeedback, false)
		must(t, c.Acknowledge(principal, caseNow))
		wantCode(t, c.Acknowledge(principal, caseNow), ECONFLICT)
		must(t, c.SubmitForReview(inspector, caseNow))
	})

	t.Run("a returned report opens a new window", func(t *testing.T) {
		c := caseInState(t, KindSpecial, StatusFeedback, false)
		must(t, c.Acknowledge(principal, caseNow))
		must(t, c.SubmitForReview(inspector, caseNow))
		must(t, c.Return(director, caseNow, "问题描述不清。"))
		if c.Status != StatusInspecting || c.ReturnComment != "问题描述不清。" {
			t.Fatalf("after return: %+v", c)
		}
		next := caseNow.Add(48 * time.Hour)
		must(t, c.SubmitPreliminary(inspector, next, r))
		if c.Acknowledged || !c.ObjectionDeadline.After(next) {
			t.Fatalf("after second preliminary: %+v", c)
		}
		wantCode(t, c.SubmitForReview(inspector, next), ECONFLICT)
	})

	t.Run("only an assigned inspector starts", func(t *testing.T) {
		c := newTestCase(t, KindSpecial)
		wantCode(t, c.Start(caseActor(50, caseDistrict, RoleSupervisor), caseNow), EFORBIDDEN)
		wantCode(t, c.Start(principal, caseNow), EFORBIDDEN)
		wantCode(t, c.Start(rechecker, caseNow), EFORBIDDEN) // of the owner org, but not assigned
		must(t, c.Start(inspector, caseNow))
	})
}

func TestActionParameters(t *testing.T) {
	r := caseRules()
	unchanged := func(t *testing.T, c *Case, s Status, v int) {
		t.Helper()
		if c.Status != s || c.Version != v {
			t.Errorf("a refused action changed the case: %s v%d, want %s v%d", c.Status, c.Version, s, v)
		}
	}

	c := caseInState(t, KindSpecial, StatusPlanned, false)
	wantFields(t, c.Cancel(director, caseNow, "  "), "comment")
	unchanged(t, c, StatusPlanned, 1)

	c = caseInState(t, KindSpecial, StatusReview, false)
	v := c.Version
	wantFields(t, c.Return(director, caseLate, ""), "comment")
	for _, due := range []map[int64]Date{
		{9: "2026-04-30"}, // not a finding of the case
		{1: "2026-03-10"}, // before today
		{1: "2026/04/30"}, // malformed
		{1: "2026-04-30", 2: "2026-04-30"},
	} {
		wantFields(t, c.Issue(director2, caseLate, r, due), "due_dates")
	}
	unchanged(t, c, StatusReview, v)
	must(t, c.Issue(director2, caseLate, r, map[int64]Date{1: "2026-03-11"})) // today is fine
	if c.Finding(1).DueOn != "2026-03-11" {
		t.Errorf("due = %s", c.Finding(1).DueOn)
	}

	c = caseInState(t, KindSpecial, StatusRectifying, false)
	addMissing := c.Finding(1)
	addMissing.Evidence = nil
	wantFields(t, c.SubmitRectification(principal, caseActAt), "findings")

	c = caseInState(t, KindSpecial, StatusVerifying, false)
	v = c.Version
	for name, results := range map[string][]RecheckResult{
		"none":            nil,
		"unknown finding": {{FindingID: 1, Passed: true}, {FindingID: 9, Passed: true}},
		"twice":           {{FindingID: 1, Passed: true}, {FindingID: 1, Passed: true}},
		"no reason":       {{FindingID: 1, Passed: false, NewDueOn: "2026-05-01"}},
		"no new date":     {{FindingID: 1, Passed: false, Comment: "未整改"}},
		"date in past":    {{FindingID: 1, Passed: false, Comment: "未整改", NewDueOn: "2026-03-01"}},
	} {
		t.Run(name, func(t *testing.T) {
			wantFields(t, c.Recheck(rechecker, caseActAt, r, results), "results")
		})
	}
	unchanged(t, c, StatusVerifying, v)
	if c.Finding(1).Status != FindingSubmitted || len(c.Rechecks) != 0 || c.RecheckFailures != 0 {
		t.Errorf("refused recheck changed the findings: %+v", c)
	}
}

func TestAllowedActions(t *testing.T) {
	r := caseRules()
	roles := map[Role][]Action{
		RoleSupervisor: {ActStart, ActSubmitPreliminary, ActSubmitForReview, ActIssue, ActRecheck},
		RoleDirector:   {ActReturn, ActIssue, ActCancel},
		RoleSchool:     {ActAcknowledge, ActSubmitRectification},
	}
	allows := func(role Role) func(Action) bool {
		return func(a Action) bool { return slices.Contains(roles[role], a) }
	}
	tests := []struct {
		status Status
		by     Actor
		role   Role
		at     time.Time
		want   []Action
	}{
		{StatusPlanned, inspector, RoleSupervisor, caseNow, []Action{ActStart}},
		{StatusPlanned, director, RoleDirector, caseNow, []Action{ActCancel}},
		{StatusPlanned, principal, RoleSchool, caseNow, []Action{}},
		{StatusFeedback, principal, RoleSchool, caseNow, []Action{ActAcknowledge}},
		{StatusFeedback, principal, RoleSchool, caseLate, []Action{}},
		{StatusFeedback, inspector, RoleSupervisor, caseNow, []Action{}},
		{StatusFeedback, inspector, RoleSupervisor, caseLate, []Action{ActSubmitForReview}},
		{StatusReview, director, RoleDirector, caseLate, []Action{ActReturn, ActIssue}},
		{StatusReview, inspector, RoleSupervisor, caseLate, []Action{}},
		{StatusRectifying, principal, RoleSchool, caseActAt, []Action{ActSubmitRectification}},
		{StatusRectifying, officeUser, RoleSchool, caseActAt, []Action{}},
		{StatusVerifying, rechecker, RoleSupervisor, caseActAt, []Action{ActRecheck}},
		{StatusVerifying, inspector, RoleSupervisor, caseActAt, []Action{}},
	}
	for _, tt := range tests {
		c := caseInState(t, KindSpecial, tt.status, false)
		got := c.AllowedActions(tt.by, tt.at, r, allows(tt.role))
		if got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s, %s as %s: allowed %v, want %v", tt.status, tt.by.Name, tt.role, got, tt.want)
		}
	}
	c := caseInState(t, KindSpecial, StatusPlanned, false)
	if _, ok := c.Permission("case.approve"); ok {
		t.Error("an unknown action has a permission")
	}
	v := c.Version
	wantCode(t, c.Act("approve", director, caseNow, r, ActParams{}), ENOTFOUND)
	if c.Version != v || c.Status != StatusPlanned {
		t.Errorf("an unknown action changed the case: %+v", c)
	}
}
