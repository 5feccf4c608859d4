package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Supervision plans (实督第一年、预排第二年、考虑第三年): the API and the pages.

type planRequest struct {
	StartYear int `json:"start_year" form:"start_year" label:"计划起始年度" validate:"required,gte=2000,lte=2100"`
}

type planItemRequest struct {
	TargetOrgID int64  `json:"target_org_id" form:"target_org_id" label:"被督导单位" validate:"required,gt=0"`
	Type        string `json:"type" form:"type" label:"督导类型" validate:"required,oneof=government school monitoring"`
	Kind        string `json:"kind" form:"kind" label:"督导方式" validate:"required,oneof=comprehensive special routine random followup"`
	Year        int    `json:"year" form:"year" label:"年度" validate:"required,gte=2000,lte=2100"`
	Quarter     int    `json:"quarter" form:"quarter" label:"季度" validate:"gte=0,lte=4"`
	Month       int    `json:"month" form:"month" label:"月份" validate:"gte=0,lte=12"`
	Note        string `json:"note" form:"note" label:"备注" validate:"max=2000"`
}

func (r planItemRequest) toPlanItemInput() app.PlanItemInput {
	return app.PlanItemInput{TargetOrgID: r.TargetOrgID, Type: domain.CaseType(r.Type), Kind: domain.CaseKind(r.Kind), Year: r.Year,
		Quarter: r.Quarter, Month: r.Month, Note: r.Note}
}

type planActionRequest struct {
	Version *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	Comment string `json:"comment" form:"comment" label:"退回意见" validate:"max=2000"`
}

type planItemJSON struct {
	ID         int64   `json:"id"`
	Target     orgJSON `json:"target_org"`
	Type       string  `json:"type"`
	Kind       string  `json:"kind"`
	Year       int     `json:"year"`
	Stage      int     `json:"stage"`
	StageLabel string  `json:"stage_label"`
	Quarter    int     `json:"quarter"`
	Month      int     `json:"month"`
	When       string  `json:"when"`
	Note       string  `json:"note"`
}

type planJSON struct {
	ID             int64          `json:"id"`
	Office         orgJSON        `json:"office"`
	StartYear      int            `json:"start_year"`
	Label          string         `json:"label"`
	RolledFrom     *int64         `json:"rolled_from"`
	Status         string         `json:"status"`
	StatusLabel    string         `json:"status_label"`
	Version        int            `json:"version"`
	ReturnComment  string         `json:"return_comment"`
	ApprovedAt     *string        `json:"approved_at"`
	PublishedAt    *string        `json:"published_at"`
	Items          []planItemJSON `json:"items"`
	AllowedActions []string       `json:"allowed_actions"`
	CreatedID      *int64         `json:"created_id,omitempty"` // the item a 201 made
}

func toPlanItemJSON(p *domain.Plan, it domain.PlanItem) planItemJSON {
	st, _ := p.Stage(it.Year)
	return planItemJSON{ID: it.ID, Target: toOrgJSON(it.Target), Type: string(it.Type), Kind: string(it.Kind), Year: it.Year, Stage: int(st),
		StageLabel: st.Label(), Quarter: it.Quarter, Month: it.Month, When: it.When(), Note: it.Note}
}

func toPlanJSON(v app.PlanView) planJSON {
	p := v.Plan
	j := planJSON{ID: p.ID, Office: toOrgJSON(p.Office), StartYear: p.StartYear, Label: p.Label(), RolledFrom: p.RolledFrom, Status: string(p.Status),
		StatusLabel: p.Status.Label(), Version: p.Version, ReturnComment: p.ReturnComment, ApprovedAt: rfcPtr(p.ApprovedAt),
		PublishedAt: rfcPtr(p.PublishedAt), Items: []planItemJSON{}, AllowedActions: []string{}}
	for _, it := range p.Items {
		j.Items = append(j.Items, toPlanItemJSON(p, it))
	}
	for _, a := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

func planURL(id int64) string { return "/api/v1/plans/" + strconv.FormatInt(id, 10) }

func planReply(c echo.Context, v app.PlanView, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPlanJSON(v))
}

func (s *Server) apiListPlans(c echo.Context) error {
	a, _ := actorOf(c)
	vs, err := s.app.ListPlans(c.Request().Context(), a)
	if err != nil {
		return err
	}
	items := make([]planJSON, len(vs))
	for k, v := range vs {
		items[k] = toPlanJSON(v)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

func (s *Server) apiCreatePlan(c echo.Context) error {
	var req planRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.CreatePlan(c.Request().Context(), a, req.StartYear)
	if err != nil {
		return err
	}
	return created(c, planURL(v.Plan.ID), toPlanJSON(v))
}

func (s *Server) apiRollPlan(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.RollPlan(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return created(c, planURL(v.Plan.ID), toPlanJSON(v))
}

func (s *Server) apiGetPlan(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetPlan(c.Request().Context(), a, id)
	return planReply(c, v, err)
}

func (s *Server) apiActPlan(c echo.Context) error {
	var req planActionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActPlan(c.Request().Context(), a, id, domain.PlanAction(c.Param("action")), req.Version, req.Comment)
	return planReply(c, v, err)
}

func (s *Server) apiAddPlanItem(c echo.Context) error {
	var req planItemRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, it, err := s.app.AddPlanItem(c.Request().Context(), a, id, req.toPlanItemInput())
	if err != nil {
		return err
	}
	j := toPlanJSON(v)
	j.CreatedID = &it.ID
	return created(c, planURL(id)+"/items/"+strconv.FormatInt(it.ID, 10), j)
}

func (s *Server) apiGetPlanItem(c echo.Context) error {
	ids, err := pathIDs(c, "id", "iid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetPlan(c.Request().Context(), a, ids[0])
	if err != nil {
		return err
	}
	for _, it := range v.Plan.Items {
		if it.ID == ids[1] {
			return c.JSON(http.StatusOK, toPlanItemJSON(v.Plan, it))
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "督导事项不存在。")
}

func (s *Server) apiUpdatePlanItem(c echo.Context) error {
	var req planItemRequest
	ids, err := pathIDs(c, "id", "iid")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.UpdatePlanItem(c.Request().Context(), a, ids[0], ids[1], req.toPlanItemInput())
	return planReply(c, v, err)
}

func (s *Server) apiRemovePlanItem(c echo.Context) error {
	ids, err := pathIDs(c, "id", "iid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.RemovePlanItem(c.Request().Context(), a, ids[0], ids[1])
	return planReply(c, v, err)
}

// Pages of the plans.

const (
	tmplPlans = "registry/plans.html"
	tmplPlan  = "registry/plan.html"
)

type planRow struct {
	Href, Label, Office, Status, StatusLabel string
	Items                                    int
}

type plansPage struct {
	frame
	Items     []planRow
	CanCreate bool
	Years     []int
	Form      uiForm
}

func (plansPage) template() string { return tmplPlans }

func (s *Server) uiPlans(c echo.Context) error { return s.showPlans(c, uiForm{}, "", http.StatusOK) }

func (s *Server) showPlans(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	vs, err := s.app.ListPlans(c.Request().Context(), a)
	if err != nil {
		return err
	}
	y := s.app.Today().Time().Year()
	p := plansPage{frame: s.frame(c, "督导计划"), CanCreate: s.app.MayAnywhere(a, "plan", "create"), Years: []int{y, y + 1}, Form: form}
	p.Alert = alert
	for _, v := range vs {
		pl := v.Plan
		p.Items = append(p.Items, planRow{Href: "/plans/" + strconv.FormatInt(pl.ID, 10), Label: pl.Label(), Office: pl.Office.Name,
			Status: string(pl.Status), StatusLabel: pl.Status.Label(), Items: len(pl.Items)})
	}
	return s.render(c, status, p)
}

func (s *Server) uiCreatePlan(c echo.Context) error {
	a, _ := actorOf(c)
	var req planRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showPlans(c, f, alert, status) }
	return s.pageWrite(c, "plan", values, verr, again, func() (string, string, error) {
		v, err := s.app.CreatePlan(c.Request().Context(), a, req.StartYear)
		if err != nil {
			return "", "", err
		}
		return "/plans/" + strconv.FormatInt(v.Plan.ID, 10), "计划已创建，请增加督导事项。", nil
	})
}

// planStage is one of a plan's three years with its items, as the page shows them.
type planStage struct {
	Year  int
	Label string
	Items []planItemView
}

type planItemView struct {
	ID                                     int64
	Target, Type, Kind, When, Note, Delete string
}

type planPage struct {
	frame
	P        *domain.Plan
	Stages   []planStage
	Can      map[string]bool
	CanEdit  bool
	CanRoll  bool
	Form     uiForm
	Targets  []optGroup
	Types    []option
	Kinds    []option
	Years    []int
	Months   []int
	Quarters []int
	RollHref string
}

func (planPage) template() string { return tmplPlan }

func (s *Server) uiPlan(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showPlan(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showPlan(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, err := s.app.GetPlan(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	pl := v.Plan
	p := planPage{frame: s.frame(c, pl.Label()), P: pl, Can: map[string]bool{}, CanEdit: v.CanEdit, CanRoll: v.CanRoll, Form: form,
		Months: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Quarters: []int{1, 2, 3, 4}}
	p.Alert = alert
	for st := domain.StageExecute; st <= domain.StageConsider; st++ {
		y := pl.StartYear + int(st) - 1
		p.Years = append(p.Years, y)
		stage := planStage{Year: y, Label: st.Label()}
		for _, it := range pl.Items {
			if it.Year == y {
				stage.Items = append(stage.Items, planItemView{ID: it.ID, Target: it.Target.Name, Type: it.Type.Label(), Kind: it.Kind.Label(),
					When: it.When(), Note: it.Note, Delete: "/plans/" + strconv.FormatInt(pl.ID, 10) + "/items/" + strconv.FormatInt(it.ID, 10) + "/delete"})
			}
		}
		p.Stages = append(p.Stages, stage)
	}
	for _, act := range v.Allowed {
		p.Can[string(act)] = true
	}
	if p.CanEdit {
		orgs, err := s.app.ListOrgs(c.Request().Context(), a)
		if err != nil {
			return err
		}
		p.Targets = unitGroups(orgs, func(o domain.Org) bool { return o.ID != pl.Office.ID && pl.Office.Path.Covers(o.Path) })
		for _, t := range []domain.CaseType{domain.CaseSchool, domain.CaseGovernment, domain.CaseMonitoring} {
			p.Types = append(p.Types, option{string(t), t.Label()})
		}
		for _, k := range []domain.CaseKind{domain.KindComprehensive, domain.KindSpecial, domain.KindRoutine, domain.KindRandom, domain.KindFollowup} {
			p.Kinds = append(p.Kinds, option{string(k), k.Label()})
		}
	}
	return s.render(c, status, p)
}

// planWrite runs a write of the plan page and comes back to it.
func (s *Server) planWrite(c echo.Context, formID string, dto any, write func(a domain.Actor, id int64) (string, string, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	values, verr := bindForm(c, dto)
	again := func(f uiForm, alert string, status int) error { return s.showPlan(c, id, f, alert, status) }
	return s.pageWrite(c, formID, values, verr, again, func() (string, string, error) {
		return write(a, id)
	})
}

func (s *Server) uiActPlan(c echo.Context) error {
	act := domain.PlanAction(c.Param("action")) // an unknown one is refused by the write path
	var req planActionRequest
	return s.planWrite(c, "plan-"+string(act), &req, func(a domain.Actor, id int64) (string, string, error) {
		_, err := s.app.ActPlan(c.Request().Context(), a, id, act, req.Version, req.Comment)
		return "/plans/" + strconv.FormatInt(id, 10), act.Label() + "：已完成。", err
	})
}

func (s *Server) uiAddPlanItem(c echo.Context) error {
	var req planItemRequest
	return s.planWrite(c, "item", &req, func(a domain.Actor, id int64) (string, string, error) {
		_, _, err := s.app.AddPlanItem(c.Request().Context(), a, id, req.toPlanItemInput())
		return "/plans/" + strconv.FormatInt(id, 10) + "#items", "督导事项已增加。", err
	})
}

func (s *Server) uiRemovePlanItem(c echo.Context) error {
	iid, err := pathID(c, "iid")
	if err != nil {
		return err
	}
	var none struct{}
	return s.planWrite(c, "item-remove", &none, func(a domain.Actor, id int64) (string, string, error) {
		_, err := s.app.RemovePlanItem(c.Request().Context(), a, id, iid)
		return "/plans/" + strconv.FormatInt(id, 10) + "#items", "督导事项已删除。", err
	})
}

func (s *Server) uiRollPlan(c echo.Context) error {
	var none struct{}
	return s.planWrite(c, "roll", &none, func(a domain.Actor, id int64) (string, string, error) {
		v, err := s.app.RollPlan(c.Request().Context(), a, id)
		if err != nil {
			return "", "", err
		}
		return "/plans/" + strconv.FormatInt(v.Plan.ID, 10), "已滚动编制下一年度计划（草拟中），请补充考虑第三年的督导事项。", nil
	})
}
