package domain

import (
	"fmt"
	"slices"
	"time"
)

// A binding (约束性) indicator behind its trajectory for an org proposes a 评估监测 case against that
// org (SPEC §3 Monitoring). The system records the proposal (立案建议) once per indicator, org and year
// (MonitoringProposal.Key) and tells the directors over the org; a director opens the case from it,
// choosing its inspectors (a case needs them, and whom to send is a director's call, not the
// system's), or declines it with a reason. The proposal then names the case, so the same data never
// proposes twice.

// ProposalStatus is where a proposal stands.
type ProposalStatus string

const (
	ProposalOpen      ProposalStatus = "open"      // 待处理
	ProposalAccepted  ProposalStatus = "accepted"  // 已立案
	ProposalDismissed ProposalStatus = "dismissed" // 不予立案
)

// ProposalStatuses lists the statuses in order.
var ProposalStatuses = []ProposalStatus{ProposalOpen, ProposalAccepted, ProposalDismissed}

// Valid reports whether s is a known status.
func (s ProposalStatus) Valid() bool { return slices.Contains(ProposalStatuses, s) }

// Label is the Chinese name of s.
func (s ProposalStatus) Label() string {
	switch s {
	case ProposalOpen:
		return "待处理"
	case ProposalAccepted:
		return "已立案"
	case ProposalDismissed:
		return "不予立案"
	}
	return string(s)
}

// ProposalAction is a director's step on a proposal; its value is the {action} of
// POST /api/v1/monitoring/proposals/{id}/actions/{action}.
type ProposalAction string

const (
	ProposalAccept  ProposalAction = "accept"  // 立案
	ProposalDismiss ProposalAction = "dismiss" // 不予立案
)

// ProposalActions lists the steps in order.
var ProposalActions = []ProposalAction{ProposalAccept, ProposalDismiss}

// Label is the Chinese verb phrase for a.
func (a ProposalAction) Label() string {
	switch a {
	case ProposalAccept:
		return "据此立案"
	case ProposalDismiss:
		return "不予立案"
	}
	return string(a)
}

// Op is the step's name in the write path and the audit log.
func (a ProposalAction) Op() Op { return Op("monitoring." + string(a)) }

// OpProposeCase is the system's proposal.
const OpProposeCase Op = "monitoring.propose"

var proposalTransitions = Machine[ProposalStatus, ProposalAction]{
	ProposalOpen: {ProposalAccept: ProposalAccepted, ProposalDismiss: ProposalDismissed},
}

// proposalPermissions: the system proposes; a director over the office the proposal lies with
// decides (casbin "monitoring decide" at the owner).
var proposalPermissions = map[Op]Permission{
	OpProposeCase:        Need("monitoring", "propose", AtOwner, "提出评估监测立案建议"),
	ProposalAccept.Op():  Need("monitoring", "decide", AtOwner, ProposalAccept.Label()),
	ProposalDismiss.Op(): Need("monitoring", "decide", AtOwner, ProposalDismiss.Label()),
}

// CaseProposal is a proposed 评估监测 case.
type CaseProposal struct {
	ID            int64
	Key           string // MonitoringProposal.Key: indicator, org path and year
	IndicatorCode string
	IndicatorName string
	Unit          string
	Year          int
	Value         float64
	Expected      float64
	Target        float64
	Title         string // the case title it proposes
	Facts         string
	OwnerOrg      Org // the office over the org: the org's parent
	TargetOrg     Org
	Status        ProposalStatus
	Version       int
	CaseID        *int64
	CaseNumber    string // read only, for display
	ProposedAt    time.Time
	DecidedBy     int64
	DecidedAt     *time.Time
	Reason        string // why not (dismissed)
}

// NewCaseProposal records p as a proposal lying with owner, the office over p's org (which must hold
// it strictly: an org is not supervised by itself).
func NewCaseProposal(p MonitoringProposal, owner Org, now time.Time) (*CaseProposal, error) {
	if !owner.Path.Covers(p.Org.Path) || owner.ID == p.Org.ID {
		return nil, Errorf(EINVALID, "%s不在%s的管辖范围内，不能据此提出立案建议。", p.Org.Name, owner.Name)
	}
	if p.Attainment.Value == nil || p.Attainment.Expected == nil || p.Attainment.Target == nil {
		return nil, Errorf(EINVALID, "指标%s缺少数值或进度目标，不能据此提出立案建议。", p.Indicator.Code)
	}
	return &CaseProposal{Key: p.Key, IndicatorCode: p.Indicator.Code, IndicatorName: p.Indicator.NameZh, Unit: p.Indicator.Unit,
		Year: p.Year, Value: *p.Attainment.Value, Expected: *p.Attainment.Expected, Target: *p.Attainment.Target,
		Title: p.Title, Facts: p.Facts, OwnerOrg: owner, TargetOrg: p.Org, Status: ProposalOpen, Version: 1, ProposedAt: now}, nil
}

// Head is what the write path needs: the proposal lies with the office over the org, about the org.
func (p *CaseProposal) Head() Head {
	return Head{Object: "monitoring", ID: p.ID, Version: p.Version, Label: p.Label(), Owner: p.OwnerOrg, Target: p.TargetOrg}
}

// Permission answers what op needs of the authorizer.
func (p *CaseProposal) Permission(op Op) (Permission, bool) {
	x, ok := proposalPermissions[op]
	return x, ok
}

// Label names the proposal for messages.
func (p *CaseProposal) Label() string {
	if p.ID == 0 {
		return "评估监测立案建议（" + p.TargetOrg.Name + "）"
	}
	return fmt.Sprintf("评估监测立案建议#%d（%s）", p.ID, p.TargetOrg.Name)
}

// Check returns nil when the proposal may take step act now.
func (p *CaseProposal) Check(act ProposalAction, by Actor, now time.Time) error {
	if !proposalTransitions.Can(p.Status, act) {
		return Errorf(ECONFLICT, "%s已%s，不能再%s。", p.Label(), p.Status.Label(), act.Label())
	}
	return nil
}

// AllowedActions lists the steps by may take now.
func (p *CaseProposal) AllowedActions(by Actor, now time.Time, roleAllows func(ProposalAction) bool) []ProposalAction {
	return Allowed(ProposalActions, func(a ProposalAction) error { return p.Check(a, by, now) }, roleAllows)
}

func (p *CaseProposal) decide(act ProposalAction, by Actor, now time.Time) {
	p.Status = proposalTransitions.Next(p.Status, act)
	p.DecidedBy, p.DecidedAt = by.UserID, &now
	p.Version++
}

// Accept records the case opened from the proposal: a 评估监测 case against the proposal's org.
func (p *CaseProposal) Accept(by Actor, now time.Time, c *Case) error {
	if err := p.Check(ProposalAccept, by, now); err != nil {
		return err
	}
	if c == nil || c.ID == 0 || c.Type != CaseMonitoring || c.TargetOrg.ID != p.TargetOrg.ID {
		return Errorf(EINVALID, "据立案建议开立的案件应为针对%s的评估监测案件。", p.TargetOrg.Name)
	}
	id := c.ID
	p.CaseID, p.CaseNumber = &id, c.Number
	p.decide(ProposalAccept, by, now)
	return nil
}

// Dismiss declines the proposal with a reason (required).
func (p *CaseProposal) Dismiss(by Actor, now time.Time, reason string) error {
	if err := p.Check(ProposalDismiss, by, now); err != nil {
		return err
	}
	fields := map[string]string{}
	checkText(fields, &reason, "reason", "不予立案的理由", true, maxText)
	if len(fields) > 0 {
		return FieldError("请说明不予立案的理由。", fields)
	}
	p.Reason = reason
	p.decide(ProposalDismiss, by, now)
	return nil
}

// ProposalMessage tells the directors over the office of a new proposal.
func ProposalMessage(p *CaseProposal) Message {
	return Message{
		Kind:  NotifyCaseProposed,
		Title: "评估监测立案建议：" + p.Title,
		Body:  p.Facts + "请研究是否据此开立评估监测案件。",
		Link:  fmt.Sprintf("/monitoring/proposals/%d", p.ID),
		Key:   "case_proposed:" + p.Key,
	}
}
