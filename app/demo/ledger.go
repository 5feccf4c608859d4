package demo

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"dudao/domain"
)

// The demo 督办 ledger: the plan's 15 key projects and 31 dated tasks as tasks the city's office has
// assigned, each with its responsible unit and a due date worked out from the plan's wording (the
// wording kept in DueText), and some demo progress (示例) to replay through the task use cases.

//go:embed ledger.json
var ledgerJSON []byte

// Ledger is the demo ledger: the office that assigns every task, and the tasks.
type Ledger struct {
	Owner domain.Jurisdiction
	Tasks []LedgerTask
}

// LedgerTask is one task to assign. Input.TargetOrg carries only the path (Target); the caller puts
// the stored org there. Input.Sample is set when the task has demo steps.
type LedgerTask struct {
	Input  domain.TaskInput
	Target domain.Jurisdiction
	Steps  []LedgerStep
}

// LedgerStep is one demo step, to take as the demo user By (a username of SPEC §4.3), in order.
type LedgerStep struct {
	Action  domain.TaskAction
	By      string
	Period  string // progress
	Text    string // progress, report
	Percent int    // progress
	Comment string // accept, return
}

type ledgerFile struct {
	Source string `json:"source"`
	Owner  string `json:"owner"`
	Tasks  []struct {
		Title       string            `json:"title"`
		Description string            `json:"description"`
		Source      domain.TaskSource `json:"source"`
		Target      string            `json:"target"`
		DueOn       string            `json:"due_on"`
		DueText     string            `json:"due_text"`
		Public      bool              `json:"public"`
		Steps       []struct {
			Action  string `json:"action"`
			By      string `json:"by"`
			Period  string `json:"period"`
			Text    string `json:"text"`
			Percent int    `json:"percent"`
			Comment string `json:"comment"`
		} `json:"steps"`
	} `json:"tasks"`
}

// DemoLedger is the embedded ledger.json.
func DemoLedger() (Ledger, error) { return ParseLedger(ledgerJSON) }

// ParseLedger reads a ledger in the format of ledger.json and checks each task as NewTask would (with
// stand-in orgs at the given paths). Pure: no orgs are looked up and nothing is stored.
func ParseLedger(b []byte) (Ledger, error) {
	var f ledgerFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return Ledger{}, fmt.Errorf("demo: ledger: %w", err)
	}
	owner := domain.Org{Name: "督办单位", Path: domain.Jurisdiction(f.Owner)}
	if !strings.HasSuffix(f.Owner, "/") {
		return Ledger{}, fmt.Errorf("demo: ledger: owner %q is not a path", f.Owner)
	}
	l := Ledger{Owner: owner.Path}
	for n, t := range f.Tasks {
		lt := LedgerTask{Target: domain.Jurisdiction(t.Target), Input: domain.TaskInput{
			Title: t.Title, Description: t.Description, Source: t.Source, TargetOrg: domain.Org{Path: domain.Jurisdiction(t.Target)},
			DueOn: domain.Date(t.DueOn), DueText: t.DueText, Public: t.Public, Sample: len(t.Steps) > 0,
		}}
		if !strings.HasSuffix(t.Target, "/") {
			return Ledger{}, fmt.Errorf("demo: ledger task %d (%s): target %q is not a path", n+1, t.Title, t.Target)
		}
		if _, err := domain.NewTask(domain.Actor{Org: owner}, lt.Input, time.Time{}); err != nil {
			e, _ := err.(*domain.Error)
			return Ledger{}, fmt.Errorf("demo: ledger task %d (%s): %w %v", n+1, t.Title, err, e.Fields)
		}
		for _, s := range t.Steps {
			a := domain.TaskAction(s.Action)
			if !a.Valid() || s.By == "" {
				return Ledger{}, fmt.Errorf("demo: ledger task %d (%s): step %q by %q", n+1, t.Title, s.Action, s.By)
			}
			lt.Steps = append(lt.Steps, LedgerStep{Action: a, By: s.By, Period: s.Period, Text: s.Text, Percent: s.Percent, Comment: s.Comment})
		}
		l.Tasks = append(l.Tasks, lt)
	}
	return l, nil
}
