package demo

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"dudao/domain"
)

// demoWorld is the org tree and users of wuhai.json, with ids, as the demo creates them.
type demoWorld struct {
	orgs  map[domain.Jurisdiction]domain.Org
	users map[string]domain.Actor
}

func loadWorld(t *testing.T) demoWorld {
	t.Helper()
	b, err := os.ReadFile("wuhai.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Orgs []struct {
			Code, Name, Kind, Parent string
		} `json:"orgs"`
		Users []struct {
			Username, Role, Org string
		} `json:"users"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	w := demoWorld{orgs: map[domain.Jurisdiction]domain.Org{}, users: map[string]domain.Actor{}}
	for i, o := range f.Orgs {
		p := domain.Jurisdiction(o.Parent + o.Code + "/")
		w.orgs[p] = domain.Org{ID: int64(i + 1), Code: o.Code, Name: o.Name, Kind: domain.OrgKind(o.Kind), Path: p}
	}
	for i, u := range f.Users {
		org := w.orgs[domain.Jurisdiction(u.Org)]
		w.users[u.Username] = domain.Actor{UserID: int64(100 + i), Username: u.Username, Org: org,
			Grants: []domain.Grant{{Role: domain.Role(u.Role), OrgID: org.ID, Path: org.Path}}}
	}
	return w
}

func TestDemoLedgerFromThePlan(t *testing.T) {
	l, err := DemoLedger()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[domain.TaskSourceKind]int{}
	for _, lt := range l.Tasks {
		kinds[lt.Input.Source.Kind]++
	}
	if len(l.Tasks) != 46 || kinds[domain.SourcePlanProject] != 15 || kinds[domain.SourcePlanTask] != 31 || l.Owner != "wuhai/" {
		t.Fatalf("%d tasks %v owner %s; want the plan's 15 projects and 31 dated tasks, assigned by wuhai/", len(l.Tasks), kinds, l.Owner)
	}
	first, last := l.Tasks[0].Input, l.Tasks[45].Input
	if first.Title != "乌海市第一中学新校区建设项目" || first.Source.Line != 2751 || l.Tasks[0].Target != "wuhai/yz/" ||
		last.Title != "教育信息化应用水平走在自治区前列" || last.Source.Line != 1714 {
		t.Errorf("first %+v, last %+v", first, last)
	}
	// Deadlines from the plan's words: the right answers, written down.
	due := map[string]domain.Date{
		"2021秋季学期": "2022-01-31", // the autumn semester ends with January
		"2022秋季学期": "2023-01-31",
		"2022":     "2022-12-31",
		"2023":     "2023-12-31",
		"2024":     "2024-12-31",
		"2025":     "2025-12-31",
		"3年内":      "2023-12-31", // three years from the plan's first year, 2021
		"2022前":    "2021-12-31",
	}
	targets := map[domain.Jurisdiction]int{}
	for _, lt := range l.Tasks {
		in := lt.Input
		targets[lt.Target]++
		if in.Source.Kind == domain.SourcePlanTask {
			if want, ok := due[in.DueText]; !ok || in.DueOn != want {
				t.Errorf("%s: due %s from %q, want %s", in.Title, in.DueOn, in.DueText, want)
			}
		}
		if in.DueText == "" || !in.Public {
			t.Errorf("%s: due text %q public %v", in.Title, in.DueText, in.Public)
		}
		if in.Sample != (len(lt.Steps) > 0) {
			t.Errorf("%s: sample %v with %d demo steps", in.Title, in.Sample, len(lt.Steps))
		}
	}
	// The projects with a school or a district are that unit's; the city's tasks are the city's.
	want := map[domain.Jurisdiction]int{"wuhai/": 37, "wuhai/yz/": 1, "wuhai/lz/": 1, "wuhai/sz/": 1, "wuhai/zjx/": 1,
		"wuhai/wd/": 2, "wuhai/hbw/": 1, "wuhai/hn/": 1, "wuhai/hn/esy/": 1}
	if len(targets) != len(want) {
		t.Errorf("targets %v, want %v", targets, want)
	}
	for p, n := range want {
		if targets[p] != n {
			t.Errorf("%d tasks for %s, want %d (all: %v)", targets[p], p, n, targets)
		}
	}
	sm := l.Tasks[12].Input // project 13, 智慧校园: 2020—2022年分三批
	if sm.DueOn != "2022-12-31" || !strings.Contains(sm.Title, "智慧校园") {
		t.Errorf("smart campus task %+v", sm)
	}
}

// TestDemoLedgerReplays assigns every task and replays its demo steps through the domain, as the demo
// users of wuhai.json at its orgs: every step is one the rules allow, and the ledger shows every
// status.
func TestDemoLedgerReplays(t *testing.T) {
	l, err := DemoLedger()
	if err != nil {
		t.Fatal(err)
	}
	w := loadWorld(t)
	owner := w.users["city.director"]
	if owner.Org.Path != l.Owner {
		t.Fatalf("city.director sits at %s, the ledger's owner is %s", owner.Org.Path, l.Owner)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CST)
	statuses := map[domain.TaskStatus]int{}
	overdue := 0
	for _, lt := range l.Tasks {
		target, ok := w.orgs[lt.Target]
		if !ok {
			t.Errorf("%s: target %s is not an org of wuhai.json", lt.Input.Title, lt.Target)
			continue
		}
		in := lt.Input
		in.TargetOrg = target
		k, err := domain.NewTask(owner, in, now)
		if err != nil {
			t.Errorf("%s: %v", in.Title, err)
			continue
		}
		for _, s := range lt.Steps {
			by, ok := w.users[s.By]
			if !ok {
				t.Fatalf("%s: no demo user %s", in.Title, s.By)
			}
			var err error
			switch s.Action {
			case domain.TaskProgress:
				_, err = k.ReportProgress(by, now, s.Period, s.Text, s.Percent)
			case domain.TaskReport:
				_, err = k.Report(by, now, s.Text)
			case domain.TaskVerify:
				err = k.Verify(by, now)
			case domain.TaskAccept:
				err = k.Accept(by, now, s.Comment)
			case domain.TaskReturn:
				err = k.Return(by, now, s.Comment)
			default:
				t.Fatalf("%s: step %s", in.Title, s.Action)
			}
			if err != nil {
				t.Errorf("%s: %s by %s: %v", in.Title, s.Action, s.By, err)
			}
		}
		statuses[k.Status]++
		if k.Overdue(now) {
			overdue++
		}
	}
	want := map[domain.TaskStatus]int{domain.TaskDone: 11, domain.TaskInProgress: 8, domain.TaskReported: 2, domain.TaskVerifying: 1,
		domain.TaskReturned: 2, domain.TaskAssigned: 22}
	for _, st := range domain.TaskStatuses {
		if statuses[st] != want[st] {
			t.Errorf("%d tasks %s, want %d (all: %v)", statuses[st], st, want[st], statuses)
		}
	}
	// Every deadline lies in the plan period, so in March 2026 whatever the units still hold is overdue.
	if overdue != 22+8+2 {
		t.Errorf("%d overdue, want 32", overdue)
	}
}

func TestParseLedgerRefuses(t *testing.T) {
	good := `{"owner":"wuhai/","tasks":[{"title":"甲","source":{"kind":"plan_task","line":1},"target":"wuhai/hbw/","due_on":"2025-12-31","due_text":"2025","public":true,"steps":[]}]}`
	if l, err := ParseLedger([]byte(good)); err != nil || len(l.Tasks) != 1 || l.Tasks[0].Input.Sample {
		t.Fatalf("good ledger: %+v, %v", l, err)
	}
	for name, doc := range map[string]string{
		"bad date":       strings.Replace(good, "2025-12-31", "2025-13-01", 1),
		"outside owner":  strings.Replace(good, `"target":"wuhai/hbw/"`, `"target":"baotou/"`, 1),
		"unknown step":   strings.Replace(good, `"steps":[]`, `"steps":[{"action":"approve","by":"x"}]`, 1),
		"unknown field":  strings.Replace(good, `"public"`, `"publik"`, 1),
		"not a path":     strings.Replace(good, `"target":"wuhai/hbw/"`, `"target":"hbw"`, 1),
		"no title":       strings.Replace(good, `"title":"甲"`, `"title":""`, 1),
		"unknown source": strings.Replace(good, "plan_task", "rumour", 1),
	} {
		if _, err := ParseLedger([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
