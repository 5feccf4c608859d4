package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// The audit page (issue 14): the audit log in the caller's scope, newest first, a keyset page at a
// time, filtered by date, actor and object type, with the chain's state. For whoever reads the audit
// log (auditors, directors); anyone else gets 403 like the API.

const tmplAudit = "audit/list.html"

// auditPerPage is how many events a page shows.
const auditPerPage = 50

type auditPage struct {
	frame
	Chain               app.AuditChain
	LastAt              string
	From, To, Who, Type string // Who: the actor filter (Actor is the signed-in user's)
	Filtered            bool
	Types               []struct{ Type, Label string }
	Items               []auditRowView
	FirstHref, NextHref string
	Errors              []string
}

func (auditPage) template() string { return tmplAudit }

type auditRowView struct {
	At, Actor, Action, Object, Detail string
}

func (s *Server) uiAudit(c echo.Context) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	chain, err := s.app.AuditChainState(ctx, a)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	p := auditPage{frame: s.frame(c, "审计日志"), Chain: chain, From: q.Get("from"), To: q.Get("to"),
		Who: strings.TrimSpace(q.Get("actor")), Type: q.Get("type"), Types: domain.AuditObjectTypes}
	if chain.Last != nil {
		p.LastAt = cst(chain.Last.At)
	}
	p.Filtered = p.From != "" || p.To != "" || p.Who != "" || p.Type != ""
	f := domain.AuditFilter{ActorName: p.Who, PerPage: auditPerPage + 1}
	bad := func(msg string) { p.Errors = append(p.Errors, msg) }
	if p.Type != "" && domain.AuditObjectLabel(p.Type) == p.Type {
		bad("对象类型无效。")
	}
	f.ObjectType = p.Type
	if p.From != "" {
		d, err := domain.ParseDate(p.From)
		if err != nil {
			bad("起始日期应为 YYYY-MM-DD 格式的日期。")
		} else {
			f.From = d.Time()
		}
	}
	if p.To != "" {
		d, err := domain.ParseDate(p.To)
		if err != nil {
			bad("截止日期应为 YYYY-MM-DD 格式的日期。")
		} else {
			f.To = d.AddDays(1).Time() // the whole last day
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad("截止日期不能早于起始日期。")
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			bad("分页参数无效。")
		}
		f.Before = n
	}
	if len(p.Errors) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, p)
	}
	events, err := s.app.AuditPage(ctx, a, f)
	if err != nil {
		return err
	}
	keep := url.Values{}
	for _, k := range []string{"from", "to", "actor", "type"} {
		if v := q.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	if len(events) > auditPerPage {
		events = events[:auditPerPage]
		next := url.Values{}
		for k, v := range keep {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(events[len(events)-1].ID, 10))
		p.NextHref = "/audit?" + next.Encode()
	}
	if f.Before != 0 {
		p.FirstHref = "/audit"
		if len(keep) > 0 {
			p.FirstHref += "?" + keep.Encode()
		}
	}
	for _, e := range events {
		actor := e.ActorName
		if e.ActorID == 0 && actor == "" {
			actor = "系统"
		}
		p.Items = append(p.Items, auditRowView{At: cst(e.At), Actor: actor, Action: domain.AuditActionLabel(e.Action),
			Object: domain.AuditObjectLabel(e.ObjectType) + " #" + strconv.FormatInt(e.ObjectID, 10), Detail: e.Detail})
	}
	return s.render(c, http.StatusOK, p)
}
