package domain

import (
	"fmt"
	"time"
)

// A case scored against a framework (SPEC §3 Frameworks): the inspection team scores the leaves of one
// framework version while inspecting; the case keeps the result as computed then, naming the
// framework's code and version, so a later version never changes it. A failed item becomes a finding
// in one step. Scoring is part of recording the inspection, so it takes the same right as recording
// findings, on the case's own write path (its version, its audit log).

// Scoring is what a case keeps of its scored framework.
type Scoring struct {
	ScoreResult
	FrameworkName string
	ScoredBy      int64
	ScoredAt      time.Time
}

// The case's scoring steps.
const (
	OpScoreCase       Op = "case.score"        // score (or score again) the framework items
	OpFindingFromItem Op = "finding.from_item" // turn a failed item into a finding
)

// CanScore reports whether by may score the case with fw now: while inspecting, by the inspection
// team, with a published version that applies to the case — or the version the case is already
// scored with, even if it was retired since (the inspection finishes with the version it began with).
func (c *Case) CanScore(by Actor, fw *Framework) error {
	if c.Status != StatusInspecting {
		return c.wrongState("评估打分")
	}
	if !c.onTeam(by) {
		return Errorf(EFORBIDDEN, "只有本案督导组成员或%s的人员才能评估打分。", c.OwnerOrg.Name)
	}
	if fw == nil {
		return nil
	}
	if c.Scoring != nil && c.Scoring.FrameworkID == fw.ID {
		return nil
	}
	return fw.CanUse(c.Type, c.Kind)
}

// Score records the scores of fw's items, replacing an earlier scoring. The result is computed now
// and kept as it is.
func (c *Case) Score(by Actor, now time.Time, fw *Framework, scores []ItemScore) (*Scoring, error) {
	if err := c.CanScore(by, fw); err != nil {
		return nil, err
	}
	res, err := fw.Score(scores)
	if err != nil {
		return nil, err
	}
	c.Scoring = &Scoring{ScoreResult: res, FrameworkName: fw.Name, ScoredBy: by.UserID, ScoredAt: now}
	c.Version++
	return c.Scoring, nil
}

// FindingFromItem records the finding that a failed item of the case's scoring calls for (titled
// after the item, its severity by Framework.FindingFor's rule), once per item: an item already turned
// into a finding that still stands is refused. fw must be the version the case was scored with.
func (c *Case) FindingFromItem(by Actor, now time.Time, r Rules, fw *Framework, code string) (*Finding, error) {
	if c.Scoring == nil {
		return nil, Errorf(ECONFLICT, "案件%s尚未评估打分。", c.label())
	}
	if err := c.CanEditFindings(by); err != nil {
		return nil, err
	}
	in, err := fw.FindingFor(c.Scoring.ScoreResult, code)
	if err != nil {
		return nil, err
	}
	for _, f := range c.Findings {
		if f.ItemCode == in.ItemCode && f.Status != FindingWithdrawn {
			return nil, Errorf(ECONFLICT, "「%s」已形成问题「%s」，不能重复形成。", in.Title, f.Title)
		}
	}
	return c.AddFinding(by, now, r, in)
}

// ScoringLabel says in words how the scoring came out: 78.5分（合格） or 一票否决.
func (s *Scoring) ScoringLabel() string {
	switch {
	case len(s.VetoFailed) > 0:
		return fmt.Sprintf("%s分（一票否决，不合格）", fmtNum(s.Total))
	case !s.Complete:
		return fmt.Sprintf("%s分（尚有%d项未评）", fmtNum(s.Total), len(s.Missing))
	case s.Passed:
		return fmt.Sprintf("%s分（合格）", fmtNum(s.Total))
	}
	return fmt.Sprintf("%s分（不合格）", fmtNum(s.Total))
}
