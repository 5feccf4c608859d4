package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// 双随机 draws: the API (with the public and the verify endpoints) and the pages.

type drawRequest struct {
	Title                 string `json:"title" form:"title" label:"抽取名称" validate:"required,max=200"`
	ScopeOrgID            int64  `json:"scope_org_id" form:"scope_org_id" label:"抽取范围" validate:"omitempty,gt=0"`
	Year                  int    `json:"year" form:"year" label:"年度" validate:"omitempty,gte=2000,lte=2100"`
	CaseType              string `json:"case_type" form:"case_type" label:"督导类型" validate:"required,oneof=government school monitoring"`
	CaseKind              string `json:"case_kind" form:"case_kind" label:"督导方式" validate:"omitempty,oneof=comprehensive special routine random followup"`
	N                     int    `json:"n" form:"n" label:"抽取对象数" validate:"required,gte=1,lte=1000"`
	K                     int    `json:"k" form:"k" label:"每个对象的督学人数" validate:"required,gte=2,lte=10"`
	DefaultCap            int    `json:"default_cap" form:"default_cap" label:"督学工作量上限" validate:"omitempty,gte=1,lte=100"`
	InspectorKind         string `json:"inspector_kind" form:"inspector_kind" label:"督学类别" validate:"omitempty,oneof=full_time part_time"`
	ExcludeInspectedSince string `json:"exclude_inspected_since" form:"exclude_inspected_since" label:"排除此日以来已受督导的对象" validate:"omitempty,datetime=2006-01-02"`
}

func (r drawRequest) toDrawCreateInput() app.DrawCreateInput {
	return app.DrawCreateInput{Title: r.Title, ScopeOrgID: r.ScopeOrgID, Year: r.Year, CaseType: domain.CaseType(r.CaseType),
		CaseKind: domain.CaseKind(r.CaseKind), N: r.N, K: r.K, DefaultCap: r.DefaultCap, InspectorKind: domain.InspectorKind(r.InspectorKind),
		ExcludeInspectedSince: domain.Date(r.ExcludeInspectedSince)}
}

// drawActionRequest holds the parameters of every step; each step reads what it needs.
type drawActionRequest struct {
	Version    *int   `json:"version" form:"version" label:"版本号" validate:"omitempty,gt=0"`
	Name       string `json:"name" form:"name" label:"见证人姓名" validate:"max=50"`
	Role       string `json:"role" form:"role" label:"见证人身份及单位" validate:"max=100"`
	Commitment string `json:"commitment" form:"commitment" label:"承诺值" validate:"max=64"`
	Seq        int    `json:"seq" form:"seq" label:"见证人序号" validate:"gte=0,lte=9"`
	Value      string `json:"value" form:"value" label:"随机值" validate:"max=128"`
	Reason     string `json:"reason" form:"reason" label:"终止理由" validate:"max=2000"`
}

func (r drawActionRequest) toDrawActInput() app.DrawActInput {
	return app.DrawActInput{Version: r.Version, DrawActParams: domain.DrawActParams{WitnessName: r.Name, WitnessRole: r.Role,
		Commitment: r.Commitment, Seq: r.Seq, Value: r.Value, Reason: r.Reason}}
}

// JSON answers: everything a replay needs, in the names of docs/draw.md.
type drawTargetJSON struct {
	OrgID int64  `json:"org_id"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	Path  string `json:"path"`
}

type drawInspectorJSON struct {
	UserID    int64    `json:"user_id"`
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	OrgPath   string   `json:"org_path"`
	Load      int      `json:"load"`
	Cap       int      `json:"cap"`
	Conflicts []string `json:"conflicts"`
}

type drawWitnessJSON struct {
	Seq         int     `json:"seq"`
	Name        string  `json:"name"`
	Role        string  `json:"role"`
	Commitment  string  `json:"commitment"`
	CommittedAt string  `json:"committed_at"`
	Value       *string `json:"value"` // null until revealed
	RevealedAt  *string `json:"revealed_at"`
}

type drawPickJSON struct {
	UserID int64  `json:"user_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	MAC    string `json:"mac"`
}

type drawAssignmentJSON struct {
	Rank       int            `json:"rank"`
	Target     drawTargetJSON `json:"target"`
	MAC        string         `json:"mac"`
	Inspectors []drawPickJSON `json:"inspectors"`
	CaseID     *int64         `json:"case_id,omitempty"`
}

type drawSkipJSON struct {
	Rank       int            `json:"rank"`
	Target     drawTargetJSON `json:"target"`
	MAC        string         `json:"mac"`
	Eligible   int            `json:"eligible"`
	Conflicted int            `json:"conflicted"`
	AtCap      int            `json:"at_cap"`
	Reason     string         `json:"reason"`
}

type drawResultJSON struct {
	Assignments []drawAssignmentJSON `json:"assignments"`
	Skipped     []drawSkipJSON       `json:"skipped"`
}

type drawInputsJSON struct {
	Title      string              `json:"title"`
	Owner      string              `json:"owner"`
	Scope      string              `json:"scope"`
	Year       int                 `json:"year"`
	CaseType   string              `json:"case_type"`
	CaseKind   string              `json:"case_kind"`
	Filters    string              `json:"filters"`
	N          int                 `json:"n"`
	K          int                 `json:"k"`
	DefaultCap int                 `json:"default_cap"`
	CreatedAt  string              `json:"created_at"`
	Targets    []drawTargetJSON    `json:"targets"`
	Inspectors []drawInspectorJSON `json:"inspectors"`
	// Snapshot is the canonical encoding whose SHA-256 is the commitment (docs/draw.md §4.1).
	Snapshot string `json:"snapshot"`
}

type drawJSON struct {
	ID             int64             `json:"id"`
	Title          string            `json:"title"`
	Owner          orgJSON           `json:"owner_org"`
	Status         string            `json:"status"`
	StatusLabel    string            `json:"status_label"`
	Version        int               `json:"version"`
	Commitment     string            `json:"commitment"`
	Inputs         drawInputsJSON    `json:"inputs"`
	Witnesses      []drawWitnessJSON `json:"witnesses"`
	ClosedAt       *string           `json:"closed_at"`
	Seed           *string           `json:"seed"`
	Result         *drawResultJSON   `json:"result"`
	CompletedAt    *string           `json:"completed_at"`
	CancelReason   string            `json:"cancel_reason"`
	CancelledAt    *string           `json:"cancelled_at"`
	AllowedActions []string          `json:"allowed_actions"`
}

func toDrawTargetJSON(t domain.DrawTarget) drawTargetJSON {
	return drawTargetJSON{OrgID: t.OrgID, Code: t.Code, Name: t.Name, Path: string(t.Path)}
}

// toDrawJSON answers a draw; cases (by target org) are the cases it opened, nil for the public.
func toDrawJSON(d *domain.Draw, cases map[int64]int64, allowed []domain.DrawAction) drawJSON {
	j := drawJSON{ID: d.ID, Title: d.Title, Owner: toOrgJSON(d.OwnerOrg), Status: string(d.Status), StatusLabel: d.Status.Label(), Version: d.Version,
		Commitment: d.Commitment, Witnesses: []drawWitnessJSON{}, ClosedAt: rfcPtr(d.ClosedAt), CompletedAt: rfcPtr(d.CompletedAt),
		CancelReason: d.CancelReason, CancelledAt: rfcPtr(d.CancelledAt), AllowedActions: []string{},
		Inputs: drawInputsJSON{Title: d.Title, Owner: string(d.OwnerOrg.Path), Scope: string(d.Scope), Year: d.Year, CaseType: string(d.CaseType),
			CaseKind: string(d.CaseKind), Filters: d.Filters, N: d.N, K: d.K, DefaultCap: d.DefaultCap,
			CreatedAt: d.CreatedAt.In(domain.CST).Format("2006-01-02T15:04:05-07:00"), Targets: []drawTargetJSON{},
			Inspectors: []drawInspectorJSON{}, Snapshot: string(d.Snapshot())}}
	for _, t := range d.Targets {
		j.Inputs.Targets = append(j.Inputs.Targets, toDrawTargetJSON(t))
	}
	for _, in := range d.Inspectors {
		cs := []string{}
		for _, c := range in.Conflicts {
			cs = append(cs, string(c))
		}
		j.Inputs.Inspectors = append(j.Inputs.Inspectors, drawInspectorJSON{UserID: in.UserID, Code: in.Code, Name: in.Name,
			OrgPath: string(in.OrgPath), Load: in.Load, Cap: in.Cap, Conflicts: cs})
	}
	for _, w := range d.Witnesses {
		wj := drawWitnessJSON{Seq: w.Seq, Name: w.Name, Role: w.Role, Commitment: w.Commitment, CommittedAt: rfc(w.CommittedAt), RevealedAt: rfcPtr(w.RevealedAt)}
		if w.Revealed() {
			v := w.Value
			wj.Value = &v
		}
		j.Witnesses = append(j.Witnesses, wj)
	}
	if d.Seed != "" {
		s := d.Seed
		j.Seed = &s
	}
	if r := d.Result; r != nil {
		res := &drawResultJSON{Assignments: []drawAssignmentJSON{}, Skipped: []drawSkipJSON{}}
		for _, a := range r.Assignments {
			aj := drawAssignmentJSON{Rank: a.Rank, Target: toDrawTargetJSON(a.Target), MAC: a.MAC, Inspectors: []drawPickJSON{}}
			for _, p := range a.Inspectors {
				aj.Inspectors = append(aj.Inspectors, drawPickJSON{UserID: p.UserID, Code: p.Code, Name: p.Name, MAC: p.MAC})
			}
			if id, ok := cases[a.Target.OrgID]; ok {
				aj.CaseID = &id
			}
			res.Assignments = append(res.Assignments, aj)
		}
		for _, s := range r.Skipped {
			res.Skipped = append(res.Skipped, drawSkipJSON{Rank: s.Rank, Target: toDrawTargetJSON(s.Target), MAC: s.MAC, Eligible: s.Eligible,
				Conflicted: s.Conflicted, AtCap: s.AtCap, Reason: s.Reason})
		}
		j.Result = res
	}
	for _, a := range allowed {
		j.AllowedActions = append(j.AllowedActions, string(a))
	}
	return j
}

func drawViewJSON(v app.DrawView) drawJSON { return toDrawJSON(v.Draw, v.Cases, v.Allowed) }

func drawURL(id int64) string { return "/api/v1/draws/" + strconv.FormatInt(id, 10) }

func (s *Server) apiListDraws(c echo.Context) error {
	page, per, status, _, err := accListParams(c, func(v string) bool { return domain.DrawStatus(v).Valid() })
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	list, total, err := s.app.ListDraws(c.Request().Context(), a, domain.DrawFilter{Status: domain.DrawStatus(status), Page: page, PerPage: per})
	if err != nil {
		return err
	}
	items := make([]drawJSON, len(list))
	for k := range list {
		items[k] = toDrawJSON(&list[k], nil, nil)
	}
	return listReply(c, items, total, page, per)
}

func (s *Server) apiCreateDraw(c echo.Context) error {
	var req drawRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.CreateDraw(c.Request().Context(), a, req.toDrawCreateInput())
	if err != nil {
		return err
	}
	return created(c, drawURL(v.Draw.ID), drawViewJSON(v))
}

func (s *Server) apiGetDraw(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.GetDraw(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, drawViewJSON(v))
}

func (s *Server) apiActDraw(c echo.Context) error {
	var req drawActionRequest
	id, err := pathID(c, "id")
	if err == nil {
		err = bindJSON(c, &req)
	}
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.ActDraw(c.Request().Context(), a, id, domain.DrawAction(c.Param("action")), req.toDrawActInput())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, drawViewJSON(v))
}

type drawVerificationJSON struct {
	DrawID     int64   `json:"draw_id"`
	Status     string  `json:"status"`
	OK         bool    `json:"ok"`
	Message    string  `json:"message"`
	Commitment string  `json:"commitment"`
	Seed       *string `json:"seed"`
}

// apiVerifyDraw replays the draw: 200 with ok true or false and a Chinese message naming what differs.
func (s *Server) apiVerifyDraw(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	v, err := s.app.VerifyDraw(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	j := drawVerificationJSON{DrawID: v.DrawID, Status: string(v.Status), OK: v.OK, Message: v.Message, Commitment: v.Commitment}
	if v.Seed != "" {
		j.Seed = &v.Seed
	}
	return c.JSON(http.StatusOK, j)
}

// apiPublicDraw answers a draw's published inputs, witnesses, seed and result without login (一公开).
func (s *Server) apiPublicDraw(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.app.PublicDraw(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toDrawJSON(d, nil, nil))
}

// apiPublicDrawSnapshot answers the snapshot's canonical encoding, byte for byte: what the commitment
// hashes, for anyone to check with their own tools (docs/draw.md §6).
func (s *Server) apiPublicDrawSnapshot(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := s.app.PublicDraw(c.Request().Context(), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="draw-%d-snapshot.txt"`, d.ID))
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", d.Snapshot())
}

// Pages of the draws.

const (
	tmplDraws = "registry/draws.html"
	tmplDraw  = "registry/draw.html"
)

type drawRow struct {
	Href, Title, Status, StatusLabel, Created, Commitment string
	N, Drawn, Targets, Inspectors                         int
}

type drawsPage struct {
	frame
	Items     []drawRow
	Total     int
	CanCreate bool
	Scopes    []option
	Types     []option
	Kinds     []option
	Form      uiForm
	Year      int
	Cap       int
}

func (drawsPage) template() string { return tmplDraws }

func (s *Server) uiDraws(c echo.Context) error { return s.showDraws(c, uiForm{}, "", http.StatusOK) }

func (s *Server) showDraws(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	list, total, err := s.app.ListDraws(ctx, a, domain.DrawFilter{PerPage: 100})
	if err != nil {
		return err
	}
	p := drawsPage{frame: s.frame(c, "双随机抽取"), Total: total, CanCreate: s.app.MayAnywhere(a, "draw", "create"), Form: form,
		Year: s.app.Today().Time().Year(), Cap: s.app.Rules().Registry.DefaultLoadCap, Kinds: inspectorKindOptions()}
	p.Alert = alert
	for k := range list {
		d := &list[k]
		p.Items = append(p.Items, drawRow{Href: "/draws/" + strconv.FormatInt(d.ID, 10), Title: d.Title, Status: string(d.Status),
			StatusLabel: d.Status.Label(), Created: cst(d.CreatedAt), Commitment: d.Commitment, N: d.N, Drawn: d.Drawn(),
			Targets: len(d.Targets), Inspectors: len(d.Inspectors)})
	}
	if p.CanCreate {
		orgs, err := s.app.ListOrgs(ctx, a)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Kind != domain.OrgSchool && a.Org.Path.Covers(o.Path) {
				p.Scopes = append(p.Scopes, option{strconv.FormatInt(o.ID, 10), o.Name})
			}
		}
		for _, t := range []domain.CaseType{domain.CaseSchool, domain.CaseGovernment, domain.CaseMonitoring} {
			p.Types = append(p.Types, option{string(t), t.Label()})
		}
	}
	return s.render(c, status, p)
}

func (s *Server) uiCreateDraw(c echo.Context) error {
	a, _ := actorOf(c)
	var req drawRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showDraws(c, f, alert, status) }
	return s.pageWrite(c, "draw", values, verr, again, func() (string, string, error) {
		v, err := s.app.CreateDraw(c.Request().Context(), a, req.toDrawCreateInput())
		if err != nil {
			return "", "", err
		}
		return "/draws/" + strconv.FormatInt(v.Draw.ID, 10), "候选名单已冻结，快照承诺值已公布。请登记见证人承诺值。", nil
	})
}

type drawPickView struct {
	Name, Code, MAC string
}

type drawResultRow struct {
	Rank         int
	Target, Code string
	MAC          string
	Picks        []drawPickView
	CaseHref     string
	Skipped      bool
	Reason       string
}

type drawPage struct {
	frame
	D          *domain.Draw
	Can        map[string]bool
	Form       uiForm
	Rows       []drawResultRow
	Verify     app.DrawVerification
	Snapshot   string
	PublicHref string
	NextSeq    []int // witnesses still to reveal
	Created    string
	TypeLabel  string
	KindLabel  string
}

func (drawPage) template() string { return tmplDraw }

func (s *Server) uiDraw(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.showDraw(c, id, uiForm{}, "", http.StatusOK)
}

func (s *Server) showDraw(c echo.Context, id int64, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	v, err := s.app.GetDraw(ctx, a, id)
	if err != nil {
		return err
	}
	d := v.Draw
	ver, err := s.app.VerifyDraw(ctx, a, id)
	if err != nil {
		return err
	}
	p := drawPage{frame: s.frame(c, d.Label()), D: d, Can: map[string]bool{}, Form: form, Verify: ver, Snapshot: string(d.Snapshot()),
		PublicHref: "/api/v1/public/draws/" + strconv.FormatInt(d.ID, 10), Created: cst(d.CreatedAt), TypeLabel: d.CaseType.Label(),
		KindLabel: d.CaseKind.Label()}
	p.Alert = alert
	for _, act := range v.Allowed {
		p.Can[string(act)] = true
	}
	for _, w := range d.Witnesses {
		if !w.Revealed() {
			p.NextSeq = append(p.NextSeq, w.Seq)
		}
	}
	if r := d.Result; r != nil {
		rows := make([]drawResultRow, 0, len(r.Assignments)+len(r.Skipped))
		for _, as := range r.Assignments {
			row := drawResultRow{Rank: as.Rank, Target: as.Target.Name, Code: as.Target.Code, MAC: as.MAC}
			for _, pk := range as.Inspectors {
				row.Picks = append(row.Picks, drawPickView{Name: pk.Name, Code: pk.Code, MAC: pk.MAC})
			}
			if cid, ok := v.Cases[as.Target.OrgID]; ok {
				row.CaseHref = "/cases/" + strconv.FormatInt(cid, 10)
			}
			rows = append(rows, row)
		}
		for _, sk := range r.Skipped {
			rows = append(rows, drawResultRow{Rank: sk.Rank, Target: sk.Target.Name, Code: sk.Target.Code, MAC: sk.MAC, Skipped: true, Reason: sk.Reason})
		}
		slices.SortFunc(rows, func(x, y drawResultRow) int { return x.Rank - y.Rank }) // as the ranking met them
		p.Rows = rows
	}
	return s.render(c, status, p)
}

func (s *Server) uiActDraw(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	act := domain.DrawAction(c.Param("action")) // an unknown one is refused by the write path
	a, _ := actorOf(c)
	var req drawActionRequest
	values, verr := bindForm(c, &req)
	again := func(f uiForm, alert string, status int) error { return s.showDraw(c, id, f, alert, status) }
	return s.pageWrite(c, "draw-"+string(act), values, verr, again, func() (string, string, error) {
		v, err := s.app.ActDraw(c.Request().Context(), a, id, act, req.toDrawActInput())
		if err != nil {
			return "", "", err
		}
		msg := act.Label() + "：已完成。"
		if v.Draw.Status == domain.DrawCompleted && act == domain.DrawReveal {
			msg = "全部随机值已揭示，抽取完成，已生成" + strconv.Itoa(len(v.Cases)) + "件计划中的督导案件。"
		}
		return "/draws/" + strconv.FormatInt(id, 10), msg, nil
	})
}
