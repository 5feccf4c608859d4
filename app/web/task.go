package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// The 督办 ledger (督办事项): the API and the ledger pages.

const (
	tmplTaskList = "tasks/list.html"
	tmplTaskShow = "tasks/show.html"
)

// Requests.
type taskRequest struct {
	Title       string `json:"title" form:"title" label:"督办事项名称" validate:"required,max=200"`
	Description string `json:"description" form:"description" label:"事项说明" validate:"max=5000"`
	SourceKind  string `json:"source_kind" form:"source_kind" label:"来源" validate:"omitempty,oneof=plan_project plan_task other"`
	SourceRef   string `json:"source_ref" form:"source_ref" label:"来源说明" validate:"max=200"`
	SourceLine  int    `json:"source_line" form:"source_line" label:"规划行号" validate:"gte=0"`
	TargetOrgID int64  `json:"target_org_id" form:"target_org_id" label:"责任单位" validate:"required,gt=0"`
	DueOn       string `json:"due_on" form:"due_on" label:"办理期限" validate:"required,datetime=2006-01-02"`
	DueText     string `json:"due_text" form:"due_text" label:"期限原文" validate:"max=50"`
	Public      bool   `json:"public" form:"public" label:"公开"`
}

func (r taskRequest) toTaskInput() app.TaskInput {
	return app.TaskInput{Title: r.Title, Description: r.Description, Source: domain.TaskSource{Kind: domain.TaskSourceKind(r.SourceKind),
		Ref: r.SourceRef, Line: r.SourceLine}, TargetOrgID: r.TargetOrgID, DueOn: domain.Date(r.DueOn), DueText: r.DueText, Public: r.Public}
}

// taskActionRequest carries what any step of a task takes: progress (period, text, percent), report
// (text), accept (comment), return (comment, required), verify (nothing).
type taskActionRequest struct {
	Period  string `json:"period" form:"period" label:"调度期" validate:"max=50"`
	Text    string `json:"text" form:"text" label:"内容" validate:"max=5000"`
	Percent int    `json:"percent" form:"percent" label:"完成进度" validate:"gte=0,lte=100"`
	Comment string `json:"comment" form:"comment" label:"意见" validate:"max=2000"`
	Version *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

// taskEditRequest changes a task (PATCH, and the edit form).
type taskEditRequest struct {
	Title       string `json:"title" form:"title" label:"督办事项名称" validate:"required,max=200"`
	Description string `json:"description" form:"description" label:"事项说明" validate:"max=5000"`
	DueOn       string `json:"due_on" form:"due_on" label:"办理期限" validate:"required,datetime=2006-01-02"`
	DueText     string `json:"due_text" form:"due_text" label:"期限原文" validate:"max=50"`
	Public      bool   `json:"public" form:"public" label:"公开"`
	Version     *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

func (r taskActionRequest) toActInput() app.TaskActInput {
	return app.TaskActInput{Version: r.Version, Period: r.Period, Text: r.Text, Percent: r.Percent, Comment: r.Comment}
}

func (r taskEditRequest) toActInput() app.TaskActInput {
	return app.TaskActInput{Version: r.Version, Edit: domain.TaskEditInput{Title: r.Title, Description: r.Description, DueOn: domain.Date(r.DueOn),
		DueText: r.DueText, Public: r.Public}}
}

// JSON answers.
type taskReportJSON struct {
	ID      int64  `json:"id"`
	Final   bool   `json:"final"`
	Period  string `json:"period"`
	Text    string `json:"text"`
	Percent int    `json:"percent"`
	By      int64  `json:"by"`
	At      string `json:"at"`
}

type taskJSON struct {
	ID             int64             `json:"id"`
	Title          string            `json:"title"`
	Description    string            `json:"description"`
	Source         domain.TaskSource `json:"source"`
	SourceLabel    string            `json:"source_label"`
	OwnerOrg       orgJSON           `json:"owner_org"`
	TargetOrg      orgJSON           `json:"target_org"`
	DueOn          string            `json:"due_on"`
	DueText        string            `json:"due_text"`
	Public         bool              `json:"public"`
	Sample         bool              `json:"sample"`
	Status         string            `json:"status"`
	StatusLabel    string            `json:"status_label"`
	Version        int               `json:"version"`
	Percent        int               `json:"percent"`
	Overdue        bool              `json:"overdue"`
	DaysOverdue    int               `json:"days_overdue"`
	Returns        int               `json:"returns"`
	ReturnReason   string            `json:"return_reason,omitempty"`
	DoneComment    string            `json:"done_comment,omitempty"`
	CreatedAt      string            `json:"created_at"`
	ReportedAt     *string           `json:"reported_at"`
	DoneAt         *string           `json:"done_at"`
	Reports        []taskReportJSON  `json:"reports"`
	AllowedActions []string          `json:"allowed_actions"`
}

func toTaskJSON(v app.TaskView) taskJSON {
	t := v.Task
	j := taskJSON{ID: t.ID, Title: t.Title, Description: t.Description, Source: t.Source, SourceLabel: t.Source.Label(),
		OwnerOrg: toOrgJSON(t.OwnerOrg), TargetOrg: toOrgJSON(t.TargetOrg), DueOn: string(t.DueOn), DueText: t.DueText, Public: t.Public,
		Sample: t.Sample, Status: string(t.Status), StatusLabel: t.Status.Label(), Version: t.Version, Percent: t.Percent, Overdue: v.Overdue,
		DaysOverdue: v.DaysOverdue, Returns: t.Returns, ReturnReason: t.ReturnReason, DoneComment: t.DoneComment, CreatedAt: rfc(t.CreatedAt),
		ReportedAt: rfcPtr(t.ReportedAt), DoneAt: rfcPtr(t.DoneAt), Reports: []taskReportJSON{}, AllowedActions: []string{}}
	for _, r := range t.Reports {
		j.Reports = append(j.Reports, taskReportJSON{ID: r.ID, Final: r.Final, Period: r.Period, Text: r.Text, Percent: r.Percent, By: r.By, At: rfc(r.At)})
	}
	for _, a := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

func taskURL(id int64) string { return "/api/v1/tasks/" + strconv.FormatInt(id, 10) }

// taskFilter reads the ledger's filters; a bad one is 422.
func taskFilter(c echo.Context) (domain.TaskFilter, error) {
	q, err := queryInts(c, "target_org_id", "page", "per_page")
	if err != nil {
		return domain.TaskFilter{}, err
	}
	f := domain.TaskFilter{Status: domain.TaskStatus(c.QueryParam("status")), TargetOrgID: q["target_org_id"], Page: int(q["page"]),
		PerPage: int(q["per_page"]), Q: strings.TrimSpace(c.QueryParam("q"))}
	fields := map[string]string{}
	if f.Status != "" && !f.Status.Valid() {
		fields["status"] = "状态无效。"
	}
	for _, p := range []struct {
		name string
		dst  *bool
	}{{"overdue", &f.Overdue}, {"public", &f.Public}} {
		if s := c.QueryParam(p.name); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				fields[p.name] = "应为 true 或 false。"
			}
			*p.dst = b
		}
	}
	if len([]rune(f.Q)) > 100 {
		fields["q"] = "关键词不超过100个字。"
	}
	if len(fields) > 0 {
		return f, domain.FieldError("查询条件有误。", fields)
	}
	return f, nil
}

func (s *Server) apiListTasks(c echo.Context) error {
	f, err := taskFilter(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	list, total, err := s.app.ListTasks(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	items := make([]taskJSON, len(list))
	for i, v := range list {
		items[i] = toTaskJSON(v)
	}
	per := f.PerPage
	if per <= 0 {
		per = 20
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": total, "page": max(f.Page, 1), "per_page": min(per, 200)})
}

func (s *Server) apiCreateTask(c echo.Context) error {
	var req taskRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.CreateTask(c.Request().Context(), a, req.toTaskInput())
	if err != nil {
		return err
	}
	return created(c, taskURL(v.Task.ID), toTaskJSON(v))
}

func (s *Server) apiGetTask(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetTask(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

func (s *Server) apiEditTask(c echo.Context) error {
	var req taskEditRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActTask(c.Request().Context(), a, id, domain.TaskEdit, req.toActInput())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

func (s *Server) apiActTask(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.TaskAction(c.Param("action"))
	if act == domain.TaskEdit { // PATCH /tasks/{id}
		return domain.Errorf(domain.ENOTFOUND, "没有「%s」这个操作。", act)
	}
	var req taskActionRequest
	if c.Request().ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	a, _ := actorOf(c)
	v, err := s.app.ActTask(c.Request().Context(), a, id, act, req.toActInput())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toTaskJSON(v))
}

// Pages.

type taskRowView struct {
	Href, Title, Target, Source, DueOn, DueText string
	Status, StatusLabel, Note                   string
	Percent                                     int
	Overdue, Public, Sample                     bool
}

func toTaskRow(v app.TaskView) taskRowView {
	t := v.Task
	r := taskRowView{Href: "/tasks/" + strconv.FormatInt(t.ID, 10), Title: t.Title, Target: t.TargetOrg.Name, Source: t.Source.Kind.Label(),
		DueOn: string(t.DueOn), DueText: t.DueText, Status: string(t.Status), StatusLabel: t.Status.Label(), Percent: t.Percent,
		Overdue: v.Overdue, Public: t.Public, Sample: t.Sample}
	if v.Overdue {
		r.Note = fmt.Sprintf("已逾期 %d 天", v.DaysOverdue)
	}
	return r
}

type taskListPage struct {
	frame
	Status, Q          string
	Overdue            bool
	Statuses           []option
	Items              []taskRowView
	Total, Page, Pages int
	PrevHref, NextHref string
	CanCreate          bool
	Targets            []optGroup
	Form               uiForm
	Kinds              []option
	Errors             map[string]string
}

func (taskListPage) template() string { return tmplTaskList }

type taskReportView struct {
	Final                bool
	Period, Text, By, At string
	Percent              int
}

type taskShowPage struct {
	frame
	T                                                   taskJSON
	Row                                                 taskRowView
	Reports                                             []taskReportView
	Source                                              string
	Progress, Report, Verify, Accept, Return, Edit, Any bool
	Form                                                uiForm
}

func (taskShowPage) template() string { return tmplTaskShow }

const tasksPerPage = 20

func (s *Server) uiTaskList(c echo.Context) error {
	return s.showTaskList(c, uiForm{}, http.StatusOK)
}

func (s *Server) showTaskList(c echo.Context, form uiForm, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	q := c.QueryParams()
	p := taskListPage{frame: s.frame(c, "督办台账"), Status: q.Get("status"), Q: q.Get("q"), Overdue: q.Get("overdue") == "true", Form: form,
		CanCreate: s.app.MayAnywhere(a, "task", "create")}
	for _, st := range domain.TaskStatuses {
		p.Statuses = append(p.Statuses, option{string(st), st.Label()})
	}
	for _, k := range []domain.TaskSourceKind{domain.SourceOther, domain.SourcePlanTask, domain.SourcePlanProject} {
		p.Kinds = append(p.Kinds, option{string(k), k.Label()})
	}
	f, err := taskFilter(c)
	if err != nil {
		de, ok := err.(*domain.Error)
		if !ok || de.Code != domain.EINVALID {
			return err
		}
		p.Errors = de.Fields
		return s.render(c, http.StatusUnprocessableEntity, p)
	}
	f.PerPage = tasksPerPage
	f.Page = max(f.Page, 1)
	list, total, err := s.app.ListTasks(ctx, a, f)
	if err != nil {
		return err
	}
	for _, v := range list {
		p.Items = append(p.Items, toTaskRow(v))
	}
	p.Total, p.Page, p.Pages = total, f.Page, max(1, (total+tasksPerPage-1)/tasksPerPage)
	link := func(page int) string {
		v := url.Values{}
		for _, k := range []string{"status", "q", "overdue"} {
			if s := q.Get(k); s != "" {
				v.Set(k, s)
			}
		}
		v.Set("page", strconv.Itoa(page))
		return "/tasks?" + v.Encode()
	}
	if p.Page > 1 {
		p.PrevHref = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.NextHref = link(p.Page + 1)
	}
	if p.CanCreate {
		orgs, err := s.app.ListOrgs(ctx, a)
		if err != nil {
			return err
		}
		p.Targets = unitGroups(orgs, func(o domain.Org) bool { return a.Org.Path.Covers(o.Path) })
	}
	return s.render(c, status, p)
}

func (s *Server) uiTaskCreate(c echo.Context) error {
	var req taskRequest
	values, verr := bindForm(c, &req)
	if values == nil {
		return verr
	}
	a, _ := actorOf(c)
	again := func(f uiForm, alert string, status int) error {
		f.ID = "task"
		if alert != "" {
			f.Message = alert
		}
		return s.showTaskList(c, f, status)
	}
	var v app.TaskView
	err := verr
	if err == nil {
		v, err = s.app.CreateTask(c.Request().Context(), a, req.toTaskInput())
	}
	if err == nil {
		return s.redirectWith(c, "/tasks/"+strconv.FormatInt(v.Task.ID, 10), true, "已交办督办事项「"+v.Task.Title+"」。")
	}
	if f, ok := refusedForm("task", values, err); ok {
		return again(f, "", http.StatusUnprocessableEntity)
	}
	if alert, status, ok := alertFor(err); ok {
		return again(uiForm{Values: values}, alert, status)
	}
	return err
}

func (s *Server) showTask(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	v, err := s.app.GetTask(ctx, a, id)
	if err != nil {
		return err
	}
	names, err := s.app.TaskUserNames(ctx, a, v.Task)
	if err != nil {
		return err
	}
	p := taskShowPage{frame: s.frame(c, v.Task.Title), T: toTaskJSON(v), Row: toTaskRow(v), Source: v.Task.Source.Label(), Form: form}
	p.Alert = alert
	for i := len(v.Task.Reports) - 1; i >= 0; i-- { // newest first
		r := v.Task.Reports[i]
		p.Reports = append(p.Reports, taskReportView{Final: r.Final, Period: r.Period, Text: r.Text, Percent: r.Percent, By: names[r.By], At: cst(r.At)})
	}
	for _, act := range v.Allowed {
		switch act {
		case domain.TaskProgress:
			p.Progress = true
		case domain.TaskReport:
			p.Report = true
		case domain.TaskVerify:
			p.Verify = true
		case domain.TaskAccept:
			p.Accept = true
		case domain.TaskReturn:
			p.Return = true
		case domain.TaskEdit:
			p.Edit = true
		}
	}
	p.Any = len(v.Allowed) > 0
	return s.render(c, status, p)
}

func (s *Server) uiTaskShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showTask(c, id, uiForm{}, "", http.StatusOK)
}

// taskDone is the message after a step.
var taskDone = map[domain.TaskAction]string{
	domain.TaskProgress: "进展已报送。", domain.TaskReport: "落实报告已报送，等待核查。", domain.TaskVerify: "已开始核查。",
	domain.TaskAccept: "核查通过，事项已办结。", domain.TaskReturn: "已退回责任单位重新办理。", domain.TaskEdit: "督办事项已修改。",
}

func (s *Server) uiTaskAct(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	act := domain.TaskAction(c.Param("action"))
	again := func(f uiForm, alert string, status int) error { return s.showTask(c, id, f, alert, status) }
	back := "/tasks/" + strconv.FormatInt(id, 10)
	var in app.TaskActInput
	var values url.Values
	var verr error
	if act == domain.TaskEdit {
		var req taskEditRequest
		values, verr = bindForm(c, &req)
		in = req.toActInput()
	} else {
		var req taskActionRequest
		values, verr = bindForm(c, &req)
		in = req.toActInput()
	}
	if values == nil {
		return verr
	}
	return s.act(c, "task-"+string(act), values, back, again, func() (string, error) {
		if verr != nil {
			return "", verr
		}
		if _, err := s.app.ActTask(c.Request().Context(), a, id, act, in); err != nil {
			return "", err
		}
		return taskDone[act], nil
	})
}
