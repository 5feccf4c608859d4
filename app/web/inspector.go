package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// The inspector registry (督学名录库): its API and its pages.

// inspectorRequest is a recommendation, an import (with the first term) or an edit.
type inspectorRequest struct {
	UserID         int64  `json:"user_id" form:"user_id" label:"督学账号" validate:"omitempty,gt=0"`
	Code           string `json:"code" form:"code" label:"督学编号" validate:"max=32"`
	Name           string `json:"name" form:"name" label:"姓名" validate:"max=50"`
	UnitOrgID      int64  `json:"unit_org_id" form:"unit_org_id" label:"工作单位" validate:"required,gt=0"`
	Kind           string `json:"kind" form:"kind" label:"督学类别" validate:"required,oneof=full_time part_time"`
	CertNo         string `json:"cert_no" form:"cert_no" label:"督学证号" validate:"max=32"`
	LoadCap        int    `json:"load_cap" form:"load_cap" label:"负责学校数上限" validate:"gte=0,lte=50"`
	Recommendation string `json:"recommendation" form:"recommendation" label:"推荐意见" validate:"max=2000"`
	// Terms import an inspector appointed before the registry was kept here (oldest first).
	Terms []termRequest `json:"terms" form:"-" label:"任期" validate:"max=10,dive"`
	// TermFrom and TermUntil are the form's one term.
	TermFrom  string `json:"-" form:"term_from" label:"任期开始日期" validate:"omitempty,datetime=2006-01-02"`
	TermUntil string `json:"-" form:"term_until" label:"任期届满日期" validate:"omitempty,datetime=2006-01-02"`
	Version   *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
}

type termRequest struct {
	From  string `json:"from" label:"任期开始日期" validate:"required,datetime=2006-01-02"`
	Until string `json:"until" label:"任期届满日期" validate:"omitempty,datetime=2006-01-02"`
}

func (r inspectorRequest) toInspectorInput() app.InspectorInput {
	in := app.InspectorInput{UserID: r.UserID, Code: r.Code, Name: r.Name, UnitOrgID: r.UnitOrgID, Kind: domain.InspectorKind(r.Kind),
		CertNo: r.CertNo, LoadCap: r.LoadCap, Recommendation: r.Recommendation}
	for _, t := range r.Terms {
		in.Terms = append(in.Terms, domain.Term{From: domain.Date(t.From), Until: domain.Date(t.Until)})
	}
	if r.TermFrom != "" {
		in.Terms = append(in.Terms, domain.Term{From: domain.Date(r.TermFrom), Until: domain.Date(r.TermUntil)})
	}
	return in
}

// inspActionRequest holds the parameters of every step; each step reads what it needs.
type inspActionRequest struct {
	Version        *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	Note           string `json:"note" form:"note" label:"审核意见" validate:"max=2000"`
	Reason         string `json:"reason" form:"reason" label:"理由" validate:"max=2000"`
	From           string `json:"from" form:"from" label:"任期开始日期" validate:"omitempty,datetime=2006-01-02"`
	CertNo         string `json:"cert_no" form:"cert_no" label:"督学证号" validate:"max=32"`
	Recommendation string `json:"recommendation" form:"recommendation" label:"推荐意见" validate:"max=2000"`
}

func (r inspActionRequest) toInspActInput() app.InspActInput {
	return app.InspActInput{Version: r.Version, Note: r.Note, Reason: r.Reason, From: domain.Date(r.From), CertNo: r.CertNo, Recommendation: r.Recommendation}
}

type trainingRequest struct {
	Year     int    `json:"year" form:"year" label:"培训年度" validate:"required,gte=2000,lte=2100"`
	Hours    int    `json:"hours" form:"hours" label:"学时" validate:"required,gt=0,lte=400"`
	Course   string `json:"course" form:"course" label:"培训课程" validate:"required,max=200"`
	Provider string `json:"provider" form:"provider" label:"培训机构" validate:"max=200"`
}

type conflictRequest struct {
	OrgID  int64  `json:"org_id" form:"org_id" label:"回避单位" validate:"required,gt=0"`
	Reason string `json:"reason" form:"reason" label:"回避事由" validate:"required,max=500"`
}

// JSON answers.
type termJSON struct {
	Seq   int     `json:"seq"`
	From  string  `json:"from"`
	Until *string `json:"until"`
}

type trainingJSON struct {
	ID         int64  `json:"id"`
	Year       int    `json:"year"`
	Hours      int    `json:"hours"`
	Course     string `json:"course"`
	Provider   string `json:"provider"`
	RecordedAt string `json:"recorded_at"`
}

type conflictJSON struct {
	ID         int64   `json:"id"`
	Org        orgJSON `json:"org"`
	Reason     string  `json:"reason"`
	DeclaredAt string  `json:"declared_at"`
}

type inspectorJSON struct {
	ID             int64          `json:"id"`
	UserID         int64          `json:"user_id"`
	Code           string         `json:"code"`
	Name           string         `json:"name"`
	Office         orgJSON        `json:"office"`
	Unit           orgJSON        `json:"unit"`
	Kind           string         `json:"kind"`
	KindLabel      string         `json:"kind_label"`
	CertNo         string         `json:"cert_no"`
	LoadCap        int            `json:"load_cap"`
	Load           int            `json:"load"` // schools held as 责任督学 today
	Status         string         `json:"status"`
	StatusLabel    string         `json:"status_label"`
	InService      bool           `json:"in_service"`
	Recommendation string         `json:"recommendation"`
	ReviewNote     string         `json:"review_note"`
	PublicizedOn   *string        `json:"publicized_on"`
	PublicityUntil *string        `json:"publicity_until"`
	StatusReason   string         `json:"status_reason"`
	Terms          []termJSON     `json:"terms"`
	TrainingHours  int            `json:"training_hours_this_year"`
	Trainings      []trainingJSON `json:"trainings"`
	Conflicts      []conflictJSON `json:"conflicts"`
	Version        int            `json:"version"`
	AllowedActions []string       `json:"allowed_actions"`
	CreatedID      *int64         `json:"created_id,omitempty"` // the training line or conflict a 201 made
}

func toTrainingJSON(t domain.Training) trainingJSON {
	return trainingJSON{ID: t.ID, Year: t.Year, Hours: t.Hours, Course: t.Course, Provider: t.Provider, RecordedAt: rfc(t.RecordedAt)}
}

func toConflictJSON(c domain.Conflict) conflictJSON {
	return conflictJSON{ID: c.ID, Org: toOrgJSON(c.Org), Reason: c.Reason, DeclaredAt: rfc(c.DeclaredAt)}
}

func toInspectorJSON(i *domain.Inspector, load int, allowed []domain.InspAction, today domain.Date) inspectorJSON {
	j := inspectorJSON{ID: i.ID, UserID: i.UserID, Code: i.Code, Name: i.Name, Office: toOrgJSON(i.Office), Unit: toOrgJSON(i.Unit),
		Kind: string(i.Kind), KindLabel: i.Kind.Label(), CertNo: i.CertNo, LoadCap: i.LoadCap, Load: load, Status: string(i.Status),
		StatusLabel: i.Status.Label(), InService: i.InService(today), Recommendation: i.Recommendation, ReviewNote: i.ReviewNote,
		PublicizedOn: datePtr(i.PublicizedOn), PublicityUntil: datePtr(i.PublicityUntil), StatusReason: i.StatusReason,
		Terms: []termJSON{}, TrainingHours: i.TrainingHours(today.Time().Year()), Trainings: []trainingJSON{}, Conflicts: []conflictJSON{},
		Version: i.Version, AllowedActions: []string{}}
	for _, t := range i.Terms {
		j.Terms = append(j.Terms, termJSON{Seq: t.Seq, From: string(t.From), Until: datePtr(t.Until)})
	}
	for _, t := range i.Trainings {
		j.Trainings = append(j.Trainings, toTrainingJSON(t))
	}
	for _, c := range i.Conflicts {
		j.Conflicts = append(j.Conflicts, toConflictJSON(c))
	}
	for _, a := range allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

func (s *Server) profileJSON(v app.ProfileView) inspectorJSON {
	return toInspectorJSON(v.Inspector, v.Load, v.Allowed, s.app.Today())
}

func inspectorURL(id int64, rest ...string) string {
	u := "/api/v1/inspectors/" + strconv.FormatInt(id, 10)
	for _, r := range rest {
		u += "/" + r
	}
	return u
}

// inspectorFilter reads the list's query: status, kind, q, page, per_page.
func inspectorFilter(c echo.Context) (domain.InspectorFilter, error) {
	page, per, status, _, err := accListParams(c, func(v string) bool { return domain.InspStatus(v).Valid() })
	if err != nil {
		return domain.InspectorFilter{}, err
	}
	f := domain.InspectorFilter{Status: domain.InspStatus(status), Q: c.QueryParam("q"), Page: page, PerPage: per}
	if k := c.QueryParam("kind"); k != "" {
		if !domain.InspectorKind(k).Valid() {
			return f, domain.FieldError("查询条件有误。", map[string]string{"kind": "督学类别应为 full_time 或 part_time。"})
		}
		f.Kind = domain.InspectorKind(k)
	}
	return f, nil
}

func (s *Server) apiListInspectors(c echo.Context) error {
	f, err := inspectorFilter(c)
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	list, loads, total, err := s.app.ListProfiles(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	items := make([]inspectorJSON, len(list))
	for k := range list {
		items[k] = toInspectorJSON(&list[k], loads[list[k].ID], nil, s.app.Today())
	}
	per := f.PerPage
	if per == 0 {
		per = 50
	}
	return listReply(c, items, total, f.Page, per)
}

func (s *Server) apiCreateInspector(c echo.Context) error {
	var req inspectorRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.RecommendInspector(c.Request().Context(), a, req.toInspectorInput())
	if err != nil {
		return err
	}
	return created(c, inspectorURL(v.Inspector.ID), s.profileJSON(v))
}

func (s *Server) inspectorReply(c echo.Context, v app.ProfileView, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.profileJSON(v))
}

func (s *Server) apiGetInspector(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.InspectorProfile(c.Request().Context(), a, id)
	return s.inspectorReply(c, v, err)
}

func (s *Server) apiEditInspector(c echo.Context) error {
	var req inspectorRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.EditInspector(c.Request().Context(), a, id, req.toInspectorInput(), req.Version)
	return s.inspectorReply(c, v, err)
}

func (s *Server) apiActInspector(c echo.Context) error {
	var req inspActionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActInspector(c.Request().Context(), a, id, domain.InspAction(c.Param("action")), req.toInspActInput())
	return s.inspectorReply(c, v, err)
}

func (s *Server) apiAddTraining(c echo.Context) error {
	var req trainingRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, t, err := s.app.AddTraining(c.Request().Context(), a, id, domain.TrainingInput{Year: req.Year, Hours: req.Hours, Course: req.Course, Provider: req.Provider})
	if err != nil {
		return err
	}
	j := s.profileJSON(v)
	j.CreatedID = &t.ID
	return created(c, inspectorURL(id, "trainings", strconv.FormatInt(t.ID, 10)), j)
}

func (s *Server) apiGetTraining(c echo.Context) error {
	ids, err := pathIDs(c, "id", "tid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.InspectorProfile(c.Request().Context(), a, ids[0])
	if err != nil {
		return err
	}
	for _, t := range v.Inspector.Trainings {
		if t.ID == ids[1] {
			return c.JSON(http.StatusOK, toTrainingJSON(t))
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "培训记录不存在。")
}

func (s *Server) apiRemoveTraining(c echo.Context) error {
	ids, err := pathIDs(c, "id", "tid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.RemoveTraining(c.Request().Context(), a, ids[0], ids[1])
	return s.inspectorReply(c, v, err)
}

func (s *Server) apiDeclareConflict(c echo.Context) error {
	var req conflictRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, cf, err := s.app.DeclareConflict(c.Request().Context(), a, id, req.OrgID, req.Reason)
	if err != nil {
		return err
	}
	j := s.profileJSON(v)
	j.CreatedID = &cf.ID
	return created(c, inspectorURL(id, "conflicts", strconv.FormatInt(cf.ID, 10)), j)
}

func (s *Server) apiGetConflict(c echo.Context) error {
	ids, err := pathIDs(c, "id", "cid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.InspectorProfile(c.Request().Context(), a, ids[0])
	if err != nil {
		return err
	}
	for _, cf := range v.Inspector.Conflicts {
		if cf.ID == ids[1] {
			return c.JSON(http.StatusOK, toConflictJSON(cf))
		}
	}
	return domain.Errorf(domain.ENOTFOUND, "回避记录不存在。")
}

func (s *Server) apiWithdrawConflict(c echo.Context) error {
	ids, err := pathIDs(c, "id", "cid")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.WithdrawConflict(c.Request().Context(), a, ids[0], ids[1])
	return s.inspectorReply(c, v, err)
}

// Pages of the registry.

const (
	tmplInspectors = "registry/inspectors.html"
	tmplInspector  = "registry/inspector.html"
)

type inspectorRow struct {
	Href, Code, Name, Office, Unit, Kind, Status, StatusLabel, CertNo, Term string
	Load, LoadCap, Hours                                                    int
	HoursShort, OverLoad                                                    bool
}

type inspectorsPage struct {
	frame
	Items          []inspectorRow
	Total          int
	Status, Kind   string
	Q              string
	Statuses       []option
	Kinds          []option
	CanRecommend   bool
	CanImport      bool
	Users          []option
	Units          []option
	Form           uiForm
	Year, MinHours int
}

func (inspectorsPage) template() string { return tmplInspectors }

func inspectorKindOptions() []option {
	out := make([]option, len(domain.InspectorKinds))
	for k, x := range domain.InspectorKinds {
		out[k] = option{string(x), x.Label()}
	}
	return out
}

// termText is a profile's current or last term in words.
func termText(i *domain.Inspector, today domain.Date) string {
	t := i.Current(today)
	if t == nil {
		t = i.LastTerm()
	}
	switch {
	case t == nil:
		return "—"
	case t.Until == "":
		return "自" + string(t.From) + "起"
	}
	return "第" + strconv.Itoa(t.Seq) + "届 " + string(t.From) + "至" + string(t.Until)
}

func (s *Server) uiInspectors(c echo.Context) error {
	return s.showInspectors(c, uiForm{}, "", http.StatusOK)
}

func (s *Server) showInspectors(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	f := domain.InspectorFilter{PerPage: 200, Q: c.QueryParam("q")}
	if st := domain.InspStatus(c.QueryParam("status")); st.Valid() {
		f.Status = st
	}
	if k := domain.InspectorKind(c.QueryParam("kind")); k.Valid() {
		f.Kind = k
	}
	today := s.app.Today()
	rr := s.app.Rules().Registry
	p := inspectorsPage{frame: s.frame(c, "督学名录库"), Status: string(f.Status), Kind: string(f.Kind), Q: f.Q, Kinds: inspectorKindOptions(), Form: form,
		CanRecommend: s.app.MayAnywhere(a, "inspector", "recommend"), CanImport: s.app.MayAnywhere(a, "inspector", "import"),
		Year: today.Time().Year(), MinHours: rr.TrainingHoursPerYear}
	p.Alert = alert
	for _, x := range domain.InspStatuses {
		p.Statuses = append(p.Statuses, option{string(x), x.Label()})
	}
	list, loads, total, err := s.app.ListProfiles(ctx, a, f)
	if err != nil {
		return err
	}
	p.Total = total
	for k := range list {
		i := &list[k]
		h := i.TrainingHours(p.Year)
		p.Items = append(p.Items, inspectorRow{Href: "/inspectors/" + strconv.FormatInt(i.ID, 10), Code: i.Code, Name: i.Name, Office: i.Office.Name,
			Unit: i.Unit.Name, Kind: i.Kind.Label(), Status: string(i.Status), StatusLabel: i.Status.Label(), CertNo: i.CertNo,
			Term: termText(i, today), Load: loads[i.ID], LoadCap: i.LoadCap, Hours: h, HoursShort: i.Status.InRegistry() && h < rr.TrainingHoursPerYear,
			OverLoad: loads[i.ID] > i.LoadCap})
	}
	if p.CanRecommend {
		if err := s.registryChoices(c, &p.Users, &p.Units); err != nil {
			return err
		}
	}
	return s.render(c, status, p)
}

// registryChoices fills the selects of the registry forms: the supervisors' accounts of the caller's
// office, and the orgs of its scope.
func (s *Server) registryChoices(c echo.Context, users, units *[]option) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	if users != nil {
		if ins, err := s.app.ListInspectors(ctx, a); err == nil {
			for _, u := range ins {
				*users = append(*users, option{strconv.FormatInt(u.UserID, 10), u.Name + "（" + u.OrgName + "）"})
			}
		}
	}
	orgs, err := s.app.ListOrgs(ctx, a)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		*units = append(*units, option{strconv.FormatInt(o.ID, 10), o.Name})
	}
	return nil
}

func (s *Server) uiRecommendInspector(c echo.Context) error {
	a, _ := actorOf(c)
	var req inspectorRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showInspectors(c, f, alert, status) }
	return s.pageWrite(c, "recommend", values, verr, again, func() (string, string, error) {
		v, err := s.app.RecommendInspector(c.Request().Context(), a, req.toInspectorInput())
		if err != nil {
			return "", "", err
		}
		msg := "已推荐，等待审核。"
		if v.Inspector.Status == domain.InspAppointed {
			msg = "已登记为已聘任的督学。"
		}
		return "/inspectors/" + strconv.FormatInt(v.Inspector.ID, 10), msg, nil
	})
}

type inspectorPage struct {
	frame
	I        *domain.Inspector
	Load     int
	Can      map[string]bool
	CanEdit  bool
	CanTrain bool
	CanDecl  bool
	CanWdraw bool
	Form     uiForm
	Today    string
	Year     int
	Hours    int
	MinHours int
	Term     string
	Kinds    []option
	Units    []option
	Steps    []accStep
	// ReasonActs are the steps the caller may take that need a reason (reject, suspend, retire).
	ReasonActs []option
}

func (inspectorPage) template() string { return tmplInspector }

// inspSteps is the appointment procedure as the page shows it (R33).
func inspSteps(i *domain.Inspector) []accStep {
	labels := []string{"推荐", "审核", "公示", "公布聘任"}
	cur := map[domain.InspStatus]int{domain.InspRecommended: 1, domain.InspApproved: 2, domain.InspPublicized: 3, domain.InspAppointed: 4, domain.InspSuspended: 4, domain.InspRetired: 4}[i.Status]
	out := make([]accStep, len(labels))
	for k, l := range labels {
		state := "todo"
		switch {
		case i.Status == domain.InspRejected:
			state = "todo"
		case k < cur:
			state = "done"
		case k == cur:
			state = "current"
		}
		out[k] = accStep{l, state}
	}
	return out
}

func (s *Server) uiInspector(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showInspector(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showInspector(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, err := s.app.InspectorProfile(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	i := v.Inspector
	today := s.app.Today()
	p := inspectorPage{frame: s.frame(c, i.Label()), I: i, Load: v.Load, Can: map[string]bool{}, CanEdit: v.CanEdit, CanTrain: v.CanTrain,
		CanDecl: v.CanDeclare, CanWdraw: v.CanWithdraw, Form: form, Today: string(today), Year: today.Time().Year(),
		Hours: i.TrainingHours(today.Time().Year()), MinHours: s.app.Rules().Registry.TrainingHoursPerYear, Term: termText(i, today),
		Kinds: inspectorKindOptions(), Steps: inspSteps(i)}
	p.Alert = alert
	for _, act := range v.Allowed {
		p.Can[string(act)] = true
		if act == domain.InspReject || act == domain.InspSuspend || act == domain.InspRetire {
			p.ReasonActs = append(p.ReasonActs, option{string(act), act.Label()})
		}
	}
	if v.CanEdit || v.CanDeclare {
		if err := s.registryChoices(c, nil, &p.Units); err != nil {
			return err
		}
	}
	return s.render(c, status, p)
}

// inspectorWrite runs a write of the profile page and comes back to it.
func (s *Server) inspectorWrite(c echo.Context, formID string, dto any, write func(a domain.Actor, id int64) (string, error)) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	values, verr := bindForm(c, dto)
	again := func(f uiForm, alert string, status int) error { return s.showInspector(c, id, f, alert, status) }
	return s.pageWrite(c, formID, values, verr, again, func() (string, string, error) {
		msg, err := write(a, id)
		return "/inspectors/" + strconv.FormatInt(id, 10), msg, err
	})
}

func (s *Server) uiActInspector(c echo.Context) error {
	act := domain.InspAction(c.Param("action")) // an unknown one is refused by the write path
	var req inspActionRequest
	return s.inspectorWrite(c, "insp-"+string(act), &req, func(a domain.Actor, id int64) (string, error) {
		_, err := s.app.ActInspector(c.Request().Context(), a, id, act, req.toInspActInput())
		return act.Label() + "：已完成。", err
	})
}

func (s *Server) uiEditInspector(c echo.Context) error {
	var req inspectorRequest
	return s.inspectorWrite(c, "edit", &req, func(a domain.Actor, id int64) (string, error) {
		_, err := s.app.EditInspector(c.Request().Context(), a, id, req.toInspectorInput(), req.Version)
		return "督学信息已保存。", err
	})
}

func (s *Server) uiAddTraining(c echo.Context) error {
	var req trainingRequest
	return s.inspectorWrite(c, "training", &req, func(a domain.Actor, id int64) (string, error) {
		_, _, err := s.app.AddTraining(c.Request().Context(), a, id, domain.TrainingInput{Year: req.Year, Hours: req.Hours, Course: req.Course, Provider: req.Provider})
		return "培训记录已登记。", err
	})
}

func (s *Server) uiRemoveTraining(c echo.Context) error {
	tid, err := pathID(c, "tid")
	if err != nil {
		return err
	}
	var none struct{}
	return s.inspectorWrite(c, "training-remove", &none, func(a domain.Actor, id int64) (string, error) {
		_, err := s.app.RemoveTraining(c.Request().Context(), a, id, tid)
		return "培训记录已删除。", err
	})
}

func (s *Server) uiDeclareConflict(c echo.Context) error {
	var req conflictRequest
	return s.inspectorWrite(c, "conflict", &req, func(a domain.Actor, id int64) (string, error) {
		_, _, err := s.app.DeclareConflict(c.Request().Context(), a, id, req.OrgID, req.Reason)
		return "回避情形已登记。", err
	})
}

func (s *Server) uiWithdrawConflict(c echo.Context) error {
	cid, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var none struct{}
	return s.inspectorWrite(c, "conflict-withdraw", &none, func(a domain.Actor, id int64) (string, error) {
		_, err := s.app.WithdrawConflict(c.Request().Context(), a, id, cid)
		return "回避情形已撤销。", err
	})
}
