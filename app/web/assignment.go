package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// 责任督学挂牌: the API and the pages of the schools' records, and the printable sign, which anyone may
// read (R22: the sign hangs at the school gate).

// assignmentRequest names a school's first 责任督学 and the sign.
type assignmentRequest struct {
	SchoolOrgID int64  `json:"school_org_id" form:"school_org_id" label:"学校" validate:"required,gt=0"`
	InspectorID int64  `json:"inspector_id" form:"inspector_id" label:"责任督学" validate:"required,gt=0"`
	From        string `json:"from" form:"from" label:"开始日期" validate:"omitempty,datetime=2006-01-02"`
	Phone       string `json:"phone" form:"phone" label:"联系电话" validate:"required,max=32"`
	Duties      string `json:"duties" form:"duties" label:"督导事项" validate:"max=2000"`
	SignNumber  string `json:"sign_number" form:"sign_number" label:"挂牌编号" validate:"max=32"`
}

func (p assignmentRequest) toPostingInput() domain.PostingInput {
	return domain.PostingInput{From: domain.Date(p.From), Phone: p.Phone, Duties: p.Duties, SignNumber: p.SignNumber}
}

// asgActionRequest holds the parameters of every step on a record; each step reads what it needs.
type asgActionRequest struct {
	Version     *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	InspectorID int64  `json:"inspector_id" form:"inspector_id" label:"责任督学" validate:"omitempty,gt=0"`
	From        string `json:"from" form:"from" label:"开始日期" validate:"omitempty,datetime=2006-01-02"`
	On          string `json:"on" form:"on" label:"结束日期" validate:"omitempty,datetime=2006-01-02"`
	Phone       string `json:"phone" form:"phone" label:"联系电话" validate:"max=32"`
	Duties      string `json:"duties" form:"duties" label:"督导事项" validate:"max=2000"`
	SignNumber  string `json:"sign_number" form:"sign_number" label:"挂牌编号" validate:"max=32"`
	Reason      string `json:"reason" form:"reason" label:"原因" validate:"max=500"`
}

func (r asgActionRequest) toAsgActInput() app.AsgActInput {
	return app.AsgActInput{Version: r.Version, InspectorID: r.InspectorID, Reason: r.Reason, On: domain.Date(r.On),
		Posting: domain.PostingInput{From: domain.Date(r.From), Phone: r.Phone, Duties: r.Duties, SignNumber: r.SignNumber},
		Sign:    domain.SignInput{Phone: r.Phone, Duties: r.Duties, SignNumber: r.SignNumber}}
}

// JSON answers.
type postingJSON struct {
	ID            int64   `json:"id"`
	InspectorID   int64   `json:"inspector_id"`
	InspectorCode string  `json:"inspector_code"`
	Name          string  `json:"name"`
	Phone         string  `json:"phone"`
	Duties        string  `json:"duties"`
	SignNumber    string  `json:"sign_number"`
	From          string  `json:"from"`
	Until         *string `json:"until"`
	EndReason     string  `json:"end_reason"`
}

type signJSON struct {
	School     string `json:"school"`
	Inspector  string `json:"inspector"`
	Phone      string `json:"phone"`
	Duties     string `json:"duties"`
	Office     string `json:"office"`
	SignNumber string `json:"sign_number"`
	Since      string `json:"since"`
}

type assignmentJSON struct {
	ID             int64         `json:"id"`
	Office         orgJSON       `json:"office"`
	School         orgJSON       `json:"school"`
	Postings       []postingJSON `json:"postings"`
	Sign           *signJSON     `json:"sign"` // in force today; null when no 责任督学 is in post
	Version        int           `json:"version"`
	AllowedActions []string      `json:"allowed_actions"`
}

func toSignJSON(s domain.Sign) *signJSON {
	return &signJSON{School: s.School, Inspector: s.Inspector, Phone: s.Phone, Duties: s.Duties, Office: s.Office,
		SignNumber: s.SignNumber, Since: string(s.Since)}
}

func toAssignmentJSON(v app.AssignmentView) assignmentJSON {
	r := v.Record
	j := assignmentJSON{ID: r.ID, Office: toOrgJSON(r.Office), School: toOrgJSON(r.School), Postings: []postingJSON{}, Version: r.Version,
		AllowedActions: []string{}}
	for _, p := range r.Postings {
		j.Postings = append(j.Postings, postingJSON{ID: p.ID, InspectorID: p.InspectorID, InspectorCode: p.InspectorCode, Name: p.Name,
			Phone: p.Phone, Duties: p.Duties, SignNumber: p.SignNumber, From: string(p.From), Until: datePtr(p.Until), EndReason: p.EndReason})
	}
	if v.HasSign {
		j.Sign = toSignJSON(v.Sign)
	}
	for _, a := range v.Allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

func assignmentURL(id int64) string { return "/api/v1/assignments/" + strconv.FormatInt(id, 10) }

// schoolAssignmentJSON is a school of the caller's scope with its record's id and sign (null when it has
// none): the list.
type schoolAssignmentJSON struct {
	School       orgJSON   `json:"school"`
	AssignmentID *int64    `json:"assignment_id"`
	Sign         *signJSON `json:"sign"`
}

func (s *Server) apiListAssignments(c echo.Context) error {
	a, _ := actorOf(c)
	list, err := s.app.SchoolAssignments(c.Request().Context(), a)
	if err != nil {
		return err
	}
	today := s.app.Today()
	items := make([]schoolAssignmentJSON, len(list))
	for k, sa := range list {
		items[k] = schoolAssignmentJSON{School: toOrgJSON(sa.School)}
		if r := sa.Record; r != nil {
			id := r.ID
			items[k].AssignmentID = &id
			if sign, ok := r.SignOn(today); ok {
				items[k].Sign = toSignJSON(sign)
			}
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

func (s *Server) apiCreateAssignment(c echo.Context) error {
	var req assignmentRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.CreateAssignment(c.Request().Context(), a, req.SchoolOrgID, app.PostingInput{InspectorID: req.InspectorID, Posting: req.toPostingInput()})
	if err != nil {
		return err
	}
	return created(c, assignmentURL(v.Record.ID), toAssignmentJSON(v))
}

func (s *Server) apiGetAssignment(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetAssignment(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAssignmentJSON(v))
}

func (s *Server) apiActAssignment(c echo.Context) error {
	var req asgActionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActAssignment(c.Request().Context(), a, id, domain.AsgAction(c.Param("action")), req.toAsgActInput())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAssignmentJSON(v))
}

// apiPublicSign answers the sign in force of a 挂牌 record, without login.
func (s *Server) apiPublicSign(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sign, err := s.app.PublicSign(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toSignJSON(sign))
}

// Pages of 挂牌.

const (
	tmplAssignments = "registry/assignments.html"
	tmplAssignment  = "registry/assignment.html"
	tmplSign        = "registry/sign.html"
)

type schoolRow struct {
	Name, Path, Href, Inspector, Phone, Since, SignHref string
	HasRecord, InPost                                   bool
}

type assignmentsPage struct {
	frame
	Items      []schoolRow
	Without    int
	CanAssign  bool
	Schools    []option // schools without a record, for the form
	Inspectors []option
	Form       uiForm
	Duties     string
}

func (assignmentsPage) template() string { return tmplAssignments }

func (s *Server) uiAssignments(c echo.Context) error {
	return s.showAssignments(c, uiForm{}, "", http.StatusOK)
}

func (s *Server) showAssignments(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	list, err := s.app.SchoolAssignments(ctx, a)
	if err != nil {
		return err
	}
	p := assignmentsPage{frame: s.frame(c, "责任督学挂牌"), CanAssign: s.app.MayAssign(a), Form: form, Duties: domain.DefaultDuties()}
	p.Alert = alert
	today := s.app.Today()
	for _, sa := range list {
		row := schoolRow{Name: sa.School.Name, Path: string(sa.School.Path)}
		if r := sa.Record; r != nil {
			row.HasRecord, row.Href = true, "/assignments/"+strconv.FormatInt(r.ID, 10)
			if sign, ok := r.SignOn(today); ok {
				row.InPost, row.Inspector, row.Phone, row.Since = true, sign.Inspector, sign.Phone, string(sign.Since)
				row.SignHref = "/public/signs/" + strconv.FormatInt(r.ID, 10)
			}
		} else {
			p.Schools = append(p.Schools, option{strconv.FormatInt(sa.School.ID, 10), sa.School.Name})
		}
		if !row.InPost {
			p.Without++
		}
		p.Items = append(p.Items, row)
	}
	if p.CanAssign {
		if p.Inspectors, err = s.inspectorOptions(c); err != nil {
			return err
		}
	}
	return s.render(c, status, p)
}

// inspectorOptions are the appointed inspectors in service the caller reads, with their load: the
// choices of a 责任督学.
func (s *Server) inspectorOptions(c echo.Context) ([]option, error) {
	a, _ := actorOf(c)
	list, loads, _, err := s.app.ListProfiles(c.Request().Context(), a, domain.InspectorFilter{Status: domain.InspAppointed, PerPage: 200})
	if err != nil {
		return nil, err
	}
	today := s.app.Today()
	var out []option
	for k := range list {
		i := &list[k]
		if i.InService(today) {
			out = append(out, option{strconv.FormatInt(i.ID, 10),
				i.Name + "（" + i.Code + "，已负责" + strconv.Itoa(loads[i.ID]) + "/" + strconv.Itoa(i.LoadCap) + "所）"})
		}
	}
	return out, nil
}

func (s *Server) uiCreateAssignment(c echo.Context) error {
	a, _ := actorOf(c)
	var req assignmentRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showAssignments(c, f, alert, status) }
	return s.pageWrite(c, "assign", values, verr, again, func() (string, string, error) {
		v, err := s.app.CreateAssignment(c.Request().Context(), a, req.SchoolOrgID, app.PostingInput{InspectorID: req.InspectorID, Posting: req.toPostingInput()})
		if err != nil {
			return "", "", err
		}
		return "/assignments/" + strconv.FormatInt(v.Record.ID, 10), "已指定责任督学。", nil
	})
}

type postingRow struct {
	Name, Code, Phone, From, Until, EndReason, SignNumber string
	Open                                                  bool
}

type assignmentPage struct {
	frame
	R          *domain.Assignment
	Postings   []postingRow
	Sign       domain.Sign
	HasSign    bool
	SignHref   string
	Can        map[string]bool
	Inspectors []option
	Form       uiForm
	Open       *domain.Posting
	Today      string
	// PostActs are the steps that name a 责任督学 the caller may take: assign, reassign.
	PostActs []option
}

func (assignmentPage) template() string { return tmplAssignment }

func (s *Server) uiAssignment(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showAssignment(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showAssignment(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	v, err := s.app.GetAssignment(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	r := v.Record
	p := assignmentPage{frame: s.frame(c, r.Label()), R: r, Sign: v.Sign, HasSign: v.HasSign, Can: map[string]bool{}, Form: form,
		Open: r.Open(), Today: string(s.app.Today()), SignHref: "/public/signs/" + strconv.FormatInt(r.ID, 10)}
	p.Alert = alert
	for k := len(r.Postings) - 1; k >= 0; k-- { // newest first
		po := r.Postings[k]
		p.Postings = append(p.Postings, postingRow{Name: po.Name, Code: po.InspectorCode, Phone: po.Phone, From: string(po.From),
			Until: string(po.Until), EndReason: po.EndReason, SignNumber: po.SignNumber, Open: po.Until == ""})
	}
	for _, act := range v.Allowed {
		p.Can[string(act)] = true
		if act == domain.AsgAssign || act == domain.AsgReassign {
			p.PostActs = append(p.PostActs, option{string(act), act.Label()})
		}
	}
	if len(p.PostActs) > 0 {
		if p.Inspectors, err = s.inspectorOptions(c); err != nil {
			return err
		}
	}
	return s.render(c, status, p)
}

func (s *Server) uiActAssignment(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.AsgAction(c.Param("action")) // an unknown one is refused by the write path
	a, _ := actorOf(c)
	var req asgActionRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showAssignment(c, id, f, alert, status) }
	return s.pageWrite(c, "asg-"+string(act), values, verr, again, func() (string, string, error) {
		if _, err := s.app.ActAssignment(c.Request().Context(), a, id, act, req.toAsgActInput()); err != nil {
			return "", "", err
		}
		return "/assignments/" + strconv.FormatInt(id, 10), act.Label() + "：已完成。", nil
	})
}

type signPage struct {
	Base
	Sign   domain.Sign
	Duties []string
}

func (signPage) template() string { return tmplSign }

// uiPublicSign is the printable 挂牌 of a school: public, like the sign at its gate (R22).
func (s *Server) uiPublicSign(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sign, err := s.app.PublicSign(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, signPage{Base: s.base(c, sign.School+"责任督学挂牌"), Sign: sign, Duties: signDuties(sign.Duties)})
}

// signDuties splits the duties at the 8 standing matters' enumeration marks, for a list on the sign.
func signDuties(d string) []string {
	var out []string
	cur := []rune{}
	for _, r := range d {
		if r == '；' || r == '\n' {
			if len(cur) > 0 {
				out = append(out, string(cur))
			}
			cur = cur[:0]
			continue
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}
