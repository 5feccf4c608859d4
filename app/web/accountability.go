package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Request bodies of the API and the forms of the UI alike. Validator tags check shape; the domain
// checks meaning.
type proposeRequest struct {
	TargetType  string `json:"target_type" form:"target_type" label:"问责对象类型" validate:"required,oneof=unit person"`
	TargetOrgID int64  `json:"target_org_id" form:"target_org_id" label:"问责对象单位" validate:"required,gt=0"`
	PersonName  string `json:"person_name" form:"person_name" label:"责任人姓名" validate:"max=50"`
	PersonTitle string `json:"person_title" form:"person_title" label:"责任人职务" validate:"max=100"`
	CaseID      *int64 `json:"case_id" form:"case_id" label:"案件" validate:"omitempty,gt=0"`
	FindingID   *int64 `json:"finding_id" form:"finding_id" label:"问题" validate:"omitempty,gt=0"`
	Trigger     string `json:"trigger" form:"trigger" label:"问责情形" validate:"required,oneof=policy duty task_delay conduct quality safety_refusal"`
	Facts       string `json:"facts" form:"facts" label:"事实材料" validate:"required,max=10000"`
}

func (r proposeRequest) toProposeInput() app.ProposeInput {
	return app.ProposeInput{TargetType: domain.TargetType(r.TargetType), TargetOrgID: r.TargetOrgID, PersonName: r.PersonName,
		PersonTitle: r.PersonTitle, CaseID: r.CaseID, FindingID: r.FindingID, Trigger: domain.Trigger(r.Trigger), Facts: r.Facts}
}

type editAccountabilityRequest struct {
	Trigger string `json:"trigger" form:"trigger" label:"问责情形" validate:"required,oneof=policy duty task_delay conduct quality safety_refusal"`
	Facts   string `json:"facts" form:"facts" label:"事实材料" validate:"required,max=10000"`
	Version *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

// accActionRequest holds the parameters of every step; each step's method says which it needs.
type accActionRequest struct {
	Version     *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	Trigger     string `json:"trigger" form:"trigger" label:"问责情形" validate:"omitempty,oneof=policy duty task_delay conduct quality safety_refusal"`
	NoticeText  string `json:"notice_text" form:"notice_text" label:"告知书内容" validate:"max=10000"`
	Text        string `json:"text" form:"text" label:"陈述申辩内容" validate:"max=10000"`
	Situation   string `json:"situation" form:"situation" label:"基本情况" validate:"max=10000"`
	Facts       string `json:"facts" form:"facts" label:"问责事实" validate:"max=10000"`
	LegalBasis  string `json:"legal_basis" form:"legal_basis" label:"问责依据" validate:"max=2000"`
	Form        string `json:"form" form:"form" label:"问责方式" validate:"max=32"`
	EffectiveOn string `json:"effective_on" form:"effective_on" label:"生效日期" validate:"omitempty,datetime=2006-01-02"`
	Reason      string `json:"reason" form:"reason" label:"理由" validate:"max=2000"`
}

func (r accActionRequest) toAccActInput() app.AccActInput {
	return app.AccActInput{Version: r.Version, NoticeText: r.NoticeText, Text: r.Text, Reason: r.Reason, Trigger: domain.Trigger(r.Trigger), Facts: r.Facts,
		Decision: domain.Decision{Situation: r.Situation, Facts: r.Facts, LegalBasis: r.LegalBasis, Form: r.Form, EffectiveOn: domain.Date(r.EffectiveOn)}}
}

type interviewRequest struct {
	HeldOn    string `json:"held_on" form:"held_on" label:"约谈日期" validate:"required,datetime=2006-01-02"`
	Attendees string `json:"attendees" form:"attendees" label:"参加人员" validate:"required,max=500"`
	Minutes   string `json:"minutes" form:"minutes" label:"约谈记录" validate:"required,max=10000"`
}

type incentiveRequest struct {
	Kind        string `json:"kind" form:"kind" label:"激励方式" validate:"required,oneof=commendation resource"`
	TargetOrgID int64  `json:"target_org_id" form:"target_org_id" label:"激励对象" validate:"required,gt=0"`
	CaseID      *int64 `json:"case_id" form:"case_id" label:"案件" validate:"omitempty,gt=0"`
	Reason      string `json:"reason" form:"reason" label:"激励理由" validate:"required,max=10000"`
}

func (r incentiveRequest) toIncentiveInput() app.IncentiveInput {
	return app.IncentiveInput{Kind: domain.IncKind(r.Kind), TargetOrgID: r.TargetOrgID, CaseID: r.CaseID, Reason: r.Reason}
}

type incActionRequest struct {
	Version  *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	Decision string `json:"decision" form:"decision" label:"激励决定内容" validate:"max=10000"`
	Reason   string `json:"reason" form:"reason" label:"理由" validate:"max=2000"`
}

// JSON answers.
type interviewJSON struct {
	ID         int64  `json:"id"`
	HeldOn     string `json:"held_on"`
	Attendees  string `json:"attendees"`
	Minutes    string `json:"minutes"`
	RecordedBy int64  `json:"recorded_by"`
	RecordedAt string `json:"recorded_at"`
}

type accFlagsJSON struct {
	Aggravating        bool     `json:"aggravating"`
	AggravatingReasons []string `json:"aggravating_reasons"`
	Stale              bool     `json:"stale"`
}

type accountabilityJSON struct {
	ID                int64           `json:"id"`
	TargetType        string          `json:"target_type"`
	TargetTypeLabel   string          `json:"target_type_label"`
	TargetOrg         orgJSON         `json:"target_org"`
	PersonName        string          `json:"person_name"`
	PersonTitle       string          `json:"person_title"`
	OwnerOrg          orgJSON         `json:"owner_org"`
	CaseID            *int64          `json:"case_id"`
	CaseNumber        string          `json:"case_number,omitempty"`
	FindingID         *int64          `json:"finding_id"`
	Trigger           string          `json:"trigger"`
	TriggerLabel      string          `json:"trigger_label"`
	Cause             string          `json:"cause"`
	CauseLabel        string          `json:"cause_label"`
	Facts             string          `json:"facts"`
	Status            string          `json:"status"`
	StatusLabel       string          `json:"status_label"`
	Version           int             `json:"version"`
	ProposedBy        int64           `json:"proposed_by"`
	ProposedAt        string          `json:"proposed_at"`
	NoticeText        string          `json:"notice_text"`
	NoticedAt         *string         `json:"noticed_at"`
	StatementDeadline *string         `json:"statement_deadline"`
	StatementLastDay  *string         `json:"statement_last_day"`
	StatementText     string          `json:"statement_text"`
	StatementAt       *string         `json:"statement_at"`
	Situation         string          `json:"situation"`
	DecisionFacts     string          `json:"decision_facts"`
	LegalBasis        string          `json:"legal_basis"`
	Form              string          `json:"form"`
	FormLabel         string          `json:"form_label"`
	EffectiveOn       *string         `json:"effective_on"`
	DecidedBy         int64           `json:"decided_by"`
	DecidedAt         *string         `json:"decided_at"`
	PublishedAt       *string         `json:"published_at"`
	DropReason        string          `json:"drop_reason"`
	DroppedAt         *string         `json:"dropped_at"`
	Interviews        []interviewJSON `json:"interviews"`
	Flags             accFlagsJSON    `json:"flags"`
	AllowedActions    []string        `json:"allowed_actions"`
	CreatedID         *int64          `json:"created_id,omitempty"` // the interview a 201 made
}

func toAccountabilityJSON(v app.AccountabilityView) accountabilityJSON {
	r := v.Record
	j := accountabilityJSON{ID: r.ID, TargetType: string(r.TargetType), TargetTypeLabel: r.TargetType.Label(), TargetOrg: toOrgJSON(r.TargetOrg),
		PersonName: r.PersonName, PersonTitle: r.PersonTitle, OwnerOrg: toOrgJSON(r.OwnerOrg), CaseID: r.CaseID, CaseNumber: r.CaseNumber,
		FindingID: r.FindingID, Trigger: string(r.Trigger), TriggerLabel: r.Trigger.Label(), Cause: string(r.Cause), CauseLabel: r.Cause.Label(),
		Facts: r.Facts, Status: string(r.Status), StatusLabel: r.Status.Label(), Version: r.Version, ProposedBy: r.ProposedBy,
		ProposedAt: rfc(r.ProposedAt), NoticeText: r.NoticeText, NoticedAt: rfcPtr(r.NoticedAt), StatementDeadline: rfcPtr(r.StatementDeadline),
		StatementLastDay: datePtr(r.LastStatementDay()), StatementText: r.StatementText, StatementAt: rfcPtr(r.StatementAt),
		Situation: r.Situation, DecisionFacts: r.DecisionFacts, LegalBasis: r.LegalBasis, Form: r.Form, FormLabel: domain.FormLabel(r.Form),
		EffectiveOn: datePtr(r.EffectiveOn), DecidedBy: r.DecidedBy, DecidedAt: rfcPtr(r.DecidedAt), PublishedAt: rfcPtr(r.PublishedAt),
		DropReason: r.DropReason, DroppedAt: rfcPtr(r.DroppedAt), Interviews: []interviewJSON{},
		Flags:          accFlagsJSON{Aggravating: v.Flags.Aggravating, AggravatingReasons: v.Flags.Reasons, Stale: v.Flags.Stale},
		AllowedActions: []string{}}
	if j.Flags.AggravatingReasons == nil {
		j.Flags.AggravatingReasons = []string{}
	}
	for _, iv := range r.Interviews {
		j.Interviews = append(j.Interviews, interviewJSON{ID: iv.ID, HeldOn: string(iv.HeldOn), Attendees: iv.Attendees, Minutes: iv.Minutes,
			RecordedBy: iv.RecordedBy, RecordedAt: rfc(iv.RecordedAt)})
	}
	for _, act := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(act))
	}
	return j
}

type incentiveJSON struct {
	ID             int64    `json:"id"`
	Kind           string   `json:"kind"`
	KindLabel      string   `json:"kind_label"`
	TargetOrg      orgJSON  `json:"target_org"`
	OwnerOrg       orgJSON  `json:"owner_org"`
	CaseID         *int64   `json:"case_id"`
	CaseNumber     string   `json:"case_number,omitempty"`
	Reason         string   `json:"reason"`
	Status         string   `json:"status"`
	StatusLabel    string   `json:"status_label"`
	Version        int      `json:"version"`
	ProposedBy     int64    `json:"proposed_by"`
	ProposedAt     string   `json:"proposed_at"`
	Decision       string   `json:"decision"`
	DecidedBy      int64    `json:"decided_by"`
	DecidedAt      *string  `json:"decided_at"`
	PublishedAt    *string  `json:"published_at"`
	DropReason     string   `json:"drop_reason"`
	DroppedAt      *string  `json:"dropped_at"`
	AllowedActions []string `json:"allowed_actions"`
}

func toIncentiveJSON(v app.IncentiveView) incentiveJSON {
	i := v.Record
	j := incentiveJSON{ID: i.ID, Kind: string(i.Kind), KindLabel: i.Kind.Label(), TargetOrg: toOrgJSON(i.TargetOrg), OwnerOrg: toOrgJSON(i.OwnerOrg),
		CaseID: i.CaseID, CaseNumber: i.CaseNumber, Reason: i.Reason, Status: string(i.Status), StatusLabel: i.Status.Label(), Version: i.Version,
		ProposedBy: i.ProposedBy, ProposedAt: rfc(i.ProposedAt), Decision: i.Decision, DecidedBy: i.DecidedBy, DecidedAt: rfcPtr(i.DecidedAt),
		PublishedAt: rfcPtr(i.PublishedAt), DropReason: i.DropReason, DroppedAt: rfcPtr(i.DroppedAt), AllowedActions: []string{}}
	for _, act := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(act))
	}
	return j
}

// accListParams reads page, per_page, status (checked by valid) and target_org_id; a bad value is 422.
func accListParams(c echo.Context, valid func(string) bool) (page, perPage int, status string, targetOrgID int64, err error) {
	q := c.QueryParams()
	fields := map[string]string{}
	intParam := func(name string, min, max int) int {
		s := q.Get(name)
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < min || n > max {
			fields[name] = "应为 " + strconv.Itoa(min) + " 到 " + strconv.Itoa(max) + " 之间的整数。"
		}
		return n
	}
	page, perPage = intParam("page", 1, 1_000_000), intParam("per_page", 1, 200)
	status = q.Get("status")
	if status != "" && !valid(status) {
		fields["status"] = "状态无效。"
	}
	if s := q.Get("target_org_id"); s != "" {
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil || n <= 0 {
			fields["target_org_id"] = "单位编号无效。"
		}
		targetOrgID = n
	}
	if len(fields) > 0 {
		return 0, 0, "", 0, domain.FieldError("查询条件有误。", fields)
	}
	return max(page, 1), perPage, status, targetOrgID, nil
}

// accListReply answers a page of views as {items, total, page, per_page}.
func accListReply[V, J any](c echo.Context, views []V, conv func(V) J, total, page, perPage int) error {
	items := make([]J, len(views))
	for i, v := range views {
		items[i] = conv(v)
	}
	return listReply(c, items, total, page, perPage)
}

// listReply answers a page of items as {items, total, page, per_page}.
func listReply(c echo.Context, items any, total, page, perPage int) error {
	if perPage == 0 {
		perPage = 20
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total, "page": max(page, 1), "per_page": perPage})
}

func (s *Server) apiListAccountability(c echo.Context) error {
	page, per, status, org, err := accListParams(c, func(v string) bool { return domain.AccStatus(v).Valid() })
	if err != nil {
		return err
	}
	f := domain.AccountabilityFilter{Status: domain.AccStatus(status), TargetOrgID: org, Page: page, PerPage: per}
	if s := c.QueryParam("case_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return domain.FieldError("查询条件有误。", map[string]string{"case_id": "案件编号无效。"})
		}
		f.CaseID = n
	}
	a, _ := actorOf(c)
	vs, total, err := s.app.ListAccountability(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	return accListReply(c, vs, toAccountabilityJSON, total, page, per)
}

func accReply(c echo.Context, status int, v app.AccountabilityView, err error) error {
	return viewReply(c, status, v, err, toAccountabilityJSON)
}

// getByID answers GET …/{id}: the record the use case reads for the caller (404 out of scope), as JSON.
func getByID[V, J any](c echo.Context, get func(context.Context, domain.Actor, int64) (V, error), conv func(V) J) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := get(c.Request().Context(), a, id)
	return viewReply(c, http.StatusOK, v, err, conv)
}

// viewReply answers a use case's view as JSON, or its error.
func viewReply[V, J any](c echo.Context, status int, v V, err error, conv func(V) J) error {
	if err != nil {
		return err
	}
	return c.JSON(status, conv(v))
}

func (s *Server) apiProposeAccountability(c echo.Context) error {
	var req proposeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ProposeAccountability(c.Request().Context(), a, req.toProposeInput())
	if err != nil {
		return err
	}
	return created(c, accURL(v.Record.ID), toAccountabilityJSON(v))
}

func accURL(id int64) string { return "/api/v1/accountability/" + strconv.FormatInt(id, 10) }

func (s *Server) apiGetAccountability(c echo.Context) error {
	return getByID(c, s.app.GetAccountability, toAccountabilityJSON)
}

func (s *Server) apiEditAccountability(c echo.Context) error {
	var req editAccountabilityRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActAccountability(c.Request().Context(), a, id, domain.AccEdit,
		app.AccActInput{Version: req.Version, Trigger: domain.Trigger(req.Trigger), Facts: req.Facts})
	return accReply(c, http.StatusOK, v, err)
}

// accPathAction is the {action} of the steps endpoint; the write path refuses an unknown one (and
// interviews, which have their own route).
func accPathAction(c echo.Context) (domain.AccAction, error) {
	return domain.AccAction(c.Param("action")), nil
}

func (s *Server) apiActAccountability(c echo.Context) error {
	var req accActionRequest
	id, err := pathID(c, "id")
	var act domain.AccAction
	if err == nil {
		act, err = accPathAction(c)
	}
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActAccountability(c.Request().Context(), a, id, act, req.toAccActInput())
	return accReply(c, http.StatusOK, v, err)
}

func (s *Server) apiRecordInterview(c echo.Context) error {
	var req interviewRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, iv, err := s.app.RecordInterview(c.Request().Context(), a, id, domain.Date(req.HeldOn), req.Attendees, req.Minutes)
	if err != nil {
		return err
	}
	j := toAccountabilityJSON(v)
	j.CreatedID = &iv.ID
	return created(c, accURL(id)+"/interviews/"+strconv.FormatInt(iv.ID, 10), j)
}

func (s *Server) apiGetInterview(c echo.Context) error {
	ids, err := pathIDs(c, "id", "iid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetAccountability(c.Request().Context(), a, ids[0])
	if err != nil {
		return err
	}
	for _, iv := range toAccountabilityJSON(v).Interviews {
		if iv.ID == ids[1] {
			return c.JSON(http.StatusOK, iv)
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "约谈记录不存在。")
}

func (s *Server) apiListIncentives(c echo.Context) error {
	page, per, status, org, err := accListParams(c, func(v string) bool { return domain.IncStatus(v).Valid() })
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	vs, total, err := s.app.ListIncentives(c.Request().Context(), a, domain.IncentiveFilter{Status: domain.IncStatus(status), TargetOrgID: org, Page: page, PerPage: per})
	if err != nil {
		return err
	}
	return accListReply(c, vs, toIncentiveJSON, total, page, per)
}

func incReply(c echo.Context, status int, v app.IncentiveView, err error) error {
	return viewReply(c, status, v, err, toIncentiveJSON)
}

func (s *Server) apiProposeIncentive(c echo.Context) error {
	var req incentiveRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ProposeIncentive(c.Request().Context(), a, req.toIncentiveInput())
	if err != nil {
		return err
	}
	return created(c, "/api/v1/incentives/"+strconv.FormatInt(v.Record.ID, 10), toIncentiveJSON(v))
}

func (s *Server) apiGetIncentive(c echo.Context) error {
	return getByID(c, s.app.GetIncentive, toIncentiveJSON)
}

func (s *Server) apiActIncentive(c echo.Context) error {
	var req incActionRequest
	id, err := pathID(c, "id")
	act := domain.IncAction(c.Param("action")) // an unknown one is refused by the write path
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActIncentive(c.Request().Context(), a, id, act, app.IncActInput{Version: req.Version, Decision: req.Decision, Reason: req.Reason})
	return incReply(c, http.StatusOK, v, err)
}

// Pages of 问责 and 激励, in the web UI.

const (
	tmplAccList = "accountability/list.html"
	tmplAccShow = "accountability/show.html"
	tmplIncShow = "accountability/incentive.html"
)

type accRow struct {
	Href, Target, TargetType, Trigger, Status, StatusLabel, Case, ProposedAt, Form string
	Aggravating, Stale                                                             bool
}

type incRow struct {
	Href, Target, Kind, Status, StatusLabel, Case, ProposedAt string
}

type accListPage struct {
	frame
	Status      string
	Statuses    []option
	Items       []accRow
	Total       int
	Incentives  []incRow
	IncTotal    int
	CanPropose  bool
	CanIncent   bool
	Units       []optGroup // the units in scope, by district
	Cases       []option   // the recent issued cases in scope, by number and title
	Triggers    []option
	TargetTypes []option
	IncKinds    []option
	Form        uiForm
}

func (accListPage) template() string { return tmplAccList }

func triggerOptions() []option {
	out := make([]option, len(domain.Triggers))
	for i, t := range domain.Triggers {
		out[i] = option{string(t), t.Label()}
	}
	return out
}

// issuedStatuses are the states of a case whose 意见书 has been issued: those a 问责 or 激励 arises from.
var issuedStatuses = []domain.Status{domain.StatusRectifying, domain.StatusVerifying, domain.StatusClosed}

// casePickerSize is how many cases the 问责 and 激励 forms offer.
const casePickerSize = 100

func (s *Server) uiAccList(c echo.Context) error {
	return s.showAccList(c, uiForm{}, "", http.StatusOK)
}

func (s *Server) showAccList(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	st := domain.AccStatus(c.QueryParam("status"))
	if !st.Valid() {
		st = ""
	}
	p := accListPage{frame: s.frame(c, "问责与激励"), Status: string(st), Form: form, Triggers: triggerOptions(),
		TargetTypes: []option{{"unit", "单位"}, {"person", "个人（责任人）"}},
		IncKinds:    []option{{string(domain.IncCommendation), domain.IncCommendation.Label()}, {string(domain.IncResource), domain.IncResource.Label()}},
		CanPropose:  s.app.MayAnywhere(a, "accountability", "propose"), CanIncent: s.app.MayAnywhere(a, "incentive", "propose")}
	p.Alert = alert
	for _, x := range domain.AccStatuses {
		p.Statuses = append(p.Statuses, option{string(x), x.Label()})
	}
	vs, total, err := s.app.ListAccountability(ctx, a, domain.AccountabilityFilter{Status: st, PerPage: 100})
	if err != nil {
		return err
	}
	p.Total = total
	for _, v := range vs {
		r := v.Record
		who := r.TargetOrg.Name
		if r.TargetType == domain.TargetPerson {
			who += " " + r.PersonName
		}
		p.Items = append(p.Items, accRow{Href: "/accountability/" + strconv.FormatInt(r.ID, 10), Target: who, TargetType: r.TargetType.Label(),
			Trigger: r.Trigger.Label(), Status: string(r.Status), StatusLabel: r.Status.Label(), Case: r.CaseNumber,
			ProposedAt: cst(r.ProposedAt), Form: domain.FormLabel(r.Form), Aggravating: v.Flags.Aggravating, Stale: v.Flags.Stale})
	}
	ivs, itotal, err := s.app.ListIncentives(ctx, a, domain.IncentiveFilter{PerPage: 100})
	if err != nil {
		return err
	}
	p.IncTotal = itotal
	for _, v := range ivs {
		i := v.Record
		p.Incentives = append(p.Incentives, incRow{Href: "/accountability/incentives/" + strconv.FormatInt(i.ID, 10), Target: i.TargetOrg.Name,
			Kind: i.Kind.Label(), Status: string(i.Status), StatusLabel: i.Status.Label(), Case: i.CaseNumber, ProposedAt: cst(i.ProposedAt)})
	}
	if p.CanPropose || p.CanIncent {
		orgs, err := s.app.ListOrgs(ctx, a)
		if err != nil {
			return err
		}
		p.Units = unitGroups(orgs, func(o domain.Org) bool { return o.ID != a.Org.ID })
		// The case a record arises from, by the number users know: the newest issued cases in scope
		// (one page of the case list, newest first), not an id the pages never show.
		cases, err := s.app.ListCases(ctx, a, domain.CaseFilter{Statuses: issuedStatuses, PerPage: casePickerSize, Page: 1})
		if err != nil {
			return err
		}
		for _, cs := range cases.Items {
			p.Cases = append(p.Cases, option{strconv.FormatInt(cs.ID, 10), cs.Number + " " + cs.Title + "（" + cs.TargetOrg.Name + "）"})
		}
	}
	return s.render(c, status, p)
}

func (s *Server) uiAccPropose(c echo.Context) error {
	a, _ := actorOf(c)
	var req proposeRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showAccList(c, f, alert, status) }
	return s.pageWrite(c, "propose", values, verr, again, func() (string, string, error) {
		v, err := s.app.ProposeAccountability(c.Request().Context(), a, req.toProposeInput())
		if err != nil {
			return "", "", err
		}
		return "/accountability/" + strconv.FormatInt(v.Record.ID, 10), "问责建议已提出，等待督导室主任处理。", nil
	})
}

func (s *Server) uiIncPropose(c echo.Context) error {
	a, _ := actorOf(c)
	var req incentiveRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showAccList(c, f, alert, status) }
	return s.pageWrite(c, "incentive", values, verr, again, func() (string, string, error) {
		v, err := s.app.ProposeIncentive(c.Request().Context(), a, req.toIncentiveInput())
		if err != nil {
			return "", "", err
		}
		return "/accountability/incentives/" + strconv.FormatInt(v.Record.ID, 10), "激励建议已提出，等待督导室主任决定。", nil
	})
}

// accStep is one step of the procedure as the page shows it.
type accStep struct {
	Label, State string // State: done, current, todo
}

type accShowPage struct {
	frame
	R         *domain.Accountability
	Flags     domain.AccFlags
	Steps     []accStep
	Can       map[string]bool
	Forms     []option
	Triggers  []option
	Today     string
	Form      uiForm
	CaseHref  string
	Times     map[string]string // formatted instants
	FormLabel string
	// DecideHint tells the director handling a noticed record why the decision is not open yet.
	DecideHint string
}

func (accShowPage) template() string { return tmplAccShow }

func accSteps(r *domain.Accountability) []accStep {
	order := []domain.AccStatus{domain.AccProposed, domain.AccNoticed, domain.AccDecided, domain.AccPublished}
	labels := []string{"提出问责建议", "书面告知·陈述申辩", "作出问责决定", "公开"}
	if r.Status == domain.AccDropped {
		return []accStep{{"提出问责建议", "done"}, {"不予问责", "current"}}
	}
	cur := 0
	for i, st := range order {
		if st == r.Status {
			cur = i
		}
	}
	out := make([]accStep, len(order))
	for i := range order {
		state := "todo"
		switch {
		case i < cur:
			state = "done"
		case i == cur:
			state = "current"
		}
		out[i] = accStep{labels[i], state}
	}
	return out
}

func (s *Server) uiAccShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showAcc(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showAcc(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, err := s.app.GetAccountability(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	r := v.Record
	p := accShowPage{frame: s.frame(c, r.Label()), R: r, Flags: v.Flags, Steps: accSteps(r), Can: map[string]bool{}, Triggers: triggerOptions(),
		Today: string(domain.DateOf(s.app.Now())), Form: form, FormLabel: domain.FormLabel(r.Form),
		Times: map[string]string{"proposed": cst(r.ProposedAt), "noticed": cstPtr(r.NoticedAt), "statement": cstPtr(r.StatementAt),
			"decided": cstPtr(r.DecidedAt), "published": cstPtr(r.PublishedAt), "dropped": cstPtr(r.DroppedAt)}}
	p.Alert = alert
	for _, act := range v.Allowed {
		p.Can[string(act)] = true
	}
	if r.Status == domain.AccNoticed && p.Can[string(domain.AccDrop)] && !p.Can[string(domain.AccDecide)] && r.StatementAt == nil {
		p.DecideHint = "陈述申辩期至" + string(r.LastStatementDay()) + "（含）；问责对象陈述申辩或期满后，方可作出问责决定。"
	}
	for _, f := range domain.FormsFor(r.TargetType) {
		p.Forms = append(p.Forms, option{f, domain.FormLabel(f)})
	}
	if r.CaseID != nil {
		p.CaseHref = "/cases/" + strconv.FormatInt(*r.CaseID, 10)
	}
	return s.render(c, status, p)
}

// accDone is the message after a step.
func accDone(act domain.AccAction) string {
	switch act {
	case domain.AccEdit:
		return "问责建议已修改。"
	case domain.AccNotice:
		return "已书面告知问责对象，陈述申辩期开始。"
	case domain.AccStatement:
		return "陈述申辩已提交。"
	case domain.AccDecide:
		return "问责决定已作出。"
	case domain.AccPublish:
		return "问责决定已公开。"
	case domain.AccDrop:
		return "已决定不予问责。"
	}
	return "已完成。"
}

func (s *Server) uiAccAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.AccAction(c.Param("action")) // an unknown one is refused by the write path
	a, _ := actorOf(c)
	var req accActionRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showAcc(c, id, f, alert, status) }
	return s.pageWrite(c, "acc-"+string(act), values, verr, again, func() (string, string, error) {
		in := req.toAccActInput()
		if _, err := s.app.ActAccountability(c.Request().Context(), a, id, act, in); err != nil {
			return "", "", err
		}
		return "/accountability/" + strconv.FormatInt(id, 10), accDone(act), nil
	})
}

func (s *Server) uiAccInterview(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	var req interviewRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showAcc(c, id, f, alert, status) }
	return s.pageWrite(c, "interview", values, verr, again, func() (string, string, error) {
		if _, _, err := s.app.RecordInterview(c.Request().Context(), a, id, domain.Date(req.HeldOn), req.Attendees, req.Minutes); err != nil {
			return "", "", err
		}
		return "/accountability/" + strconv.FormatInt(id, 10) + "#interviews", "约谈记录已保存。", nil
	})
}

type incShowPage struct {
	frame
	I     *domain.Incentive
	Can   map[string]bool
	Form  uiForm
	Times map[string]string
}

func (incShowPage) template() string { return tmplIncShow }

func (s *Server) uiIncShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showInc(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showInc(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, err := s.app.GetIncentive(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	i := v.Record
	p := incShowPage{frame: s.frame(c, i.Label()), I: i, Can: map[string]bool{}, Form: form,
		Times: map[string]string{"proposed": cst(i.ProposedAt), "decided": cstPtr(i.DecidedAt), "published": cstPtr(i.PublishedAt), "dropped": cstPtr(i.DroppedAt)}}
	p.Alert = alert
	for _, act := range v.Allowed {
		p.Can[string(act)] = true
	}
	return s.render(c, status, p)
}

func (s *Server) uiIncAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.IncAction(c.Param("action")) // an unknown one is refused by the write path
	a, _ := actorOf(c)
	var req incActionRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showInc(c, id, f, alert, status) }
	return s.pageWrite(c, "inc-"+string(act), values, verr, again, func() (string, string, error) {
		if _, err := s.app.ActIncentive(c.Request().Context(), a, id, act, app.IncActInput{Version: req.Version, Decision: req.Decision, Reason: req.Reason}); err != nil {
			return "", "", err
		}
		return "/accountability/incentives/" + strconv.FormatInt(id, 10), act.Label() + "：已完成。", nil
	})
}
