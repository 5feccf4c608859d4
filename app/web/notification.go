package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/domain"
)

type notificationJSON struct {
	ID               int64   `json:"id"`
	Kind             string  `json:"kind"`
	KindLabel        string  `json:"kind_label"`
	Title            string  `json:"title"`
	Body             string  `json:"body"`
	Link             string  `json:"link"`
	CaseID           *int64  `json:"case_id"`
	AccountabilityID *int64  `json:"accountability_id"`
	CreatedAt        string  `json:"created_at"`
	ReadAt           *string `json:"read_at"`
	Read             bool    `json:"read"`
	Emailed          bool    `json:"emailed"`
}

func toNotificationJSON(n domain.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: string(n.Kind), KindLabel: n.Kind.Label(), Title: n.Title, Body: n.Body, Link: n.Link,
		CaseID: n.CaseID, AccountabilityID: n.AccountabilityID, CreatedAt: rfc(n.CreatedAt), ReadAt: rfcPtr(n.ReadAt),
		Read: n.ReadAt != nil, Emailed: n.EmailedAt != nil}
}

type ntfEmailRequest struct {
	Email string `json:"email" label:"邮箱" validate:"omitempty,max=200"`
}

func (s *Server) apiListNotifications(c echo.Context) error {
	page, per, _, _, err := accListParams(c, func(string) bool { return false })
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	items, total, unread, err := s.app.ListNotifications(c.Request().Context(), a, page, per)
	if err != nil {
		return err
	}
	out := make([]notificationJSON, len(items))
	for i, n := range items {
		out[i] = toNotificationJSON(n)
	}
	if per == 0 {
		per = 20
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out, "total": total, "unread": unread, "page": page, "per_page": per})
}

func (s *Server) apiReadNotification(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	n, err := s.app.MarkNotificationRead(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toNotificationJSON(n))
}

func (s *Server) apiReadAllNotifications(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.app.MarkAllNotificationsRead(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"updated": n})
}

func (s *Server) apiGetNotificationEmail(c echo.Context) error {
	a, _ := actorOf(c)
	e, err := s.app.MyEmail(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"email": e})
}

func (s *Server) apiSetNotificationEmail(c echo.Context) error {
	var req ntfEmailRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	a, _ := actorOf(c)
	if err := s.app.SetMyEmail(c.Request().Context(), a, req.Email); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"email": strings.TrimSpace(req.Email)})
}

// The notifications inbox page.

const tmplInbox = "notifications/inbox.html"

type inboxItem struct {
	ID                      int64
	KindLabel, Title, Body  string
	Link, CreatedAt, ReadAt string
	Read                    bool
}

type inboxPage struct {
	frame
	Items   []inboxItem
	Total   int
	Unread  int
	Page    int
	Pages   int
	Email   string
	Form    uiForm
	PrevURL string
	NextURL string
}

func (inboxPage) template() string { return tmplInbox }

const inboxPerPage = 30

func (s *Server) uiInbox(c echo.Context) error { return s.showInbox(c, uiForm{}, "", http.StatusOK) }

func (s *Server) showInbox(c echo.Context, form uiForm, alert string, status int) error {
	a, _ := actorOf(c)
	ctx := c.Request().Context()
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	items, total, unread, err := s.app.ListNotifications(ctx, a, page, inboxPerPage)
	if err != nil {
		return err
	}
	email, err := s.app.MyEmail(ctx, a)
	if err != nil {
		return err
	}
	p := inboxPage{frame: s.frame(c, "消息通知"), Total: total, Unread: unread, Page: page, Pages: (total + inboxPerPage - 1) / inboxPerPage,
		Email: email, Form: form}
	p.Alert = alert
	if page > 1 {
		p.PrevURL = "/notifications?page=" + strconv.Itoa(page-1)
	}
	if page < p.Pages {
		p.NextURL = "/notifications?page=" + strconv.Itoa(page+1)
	}
	for _, n := range items {
		p.Items = append(p.Items, inboxItem{ID: n.ID, KindLabel: n.Kind.Label(), Title: n.Title, Body: n.Body, Link: safeNext(n.Link),
			CreatedAt: cst(n.CreatedAt), ReadAt: cstPtr(n.ReadAt), Read: n.ReadAt != nil})
	}
	return s.render(c, status, p)
}

// uiInboxRead marks a notification read and, with go=1, follows its link.
func (s *Server) uiInboxRead(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a, _ := actorOf(c)
	n, err := s.app.MarkNotificationRead(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	if c.FormValue("go") == "1" && n.Link != "" {
		return c.Redirect(http.StatusSeeOther, safeNext(n.Link))
	}
	return s.redirectWith(c, "/notifications", true, "已标为已读。")
}

func (s *Server) uiInboxReadAll(c echo.Context) error {
	a, _ := actorOf(c)
	n, err := s.app.MarkAllNotificationsRead(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return s.redirectWith(c, "/notifications", true, "已将 "+strconv.Itoa(n)+" 条通知标为已读。")
}

type ntfEmailForm struct {
	Email string `form:"email" label:"邮箱" validate:"omitempty,max=200"`
}

func (s *Server) uiInboxEmail(c echo.Context) error {
	a, _ := actorOf(c)
	var form ntfEmailForm
	values, verr := bindForm(c, &form)
	again := func(f uiForm, alert string, status int) error { return s.showInbox(c, f, alert, status) }
	return s.pageWrite(c, "email", values, verr, again, func() (string, string, error) {
		if err := s.app.SetMyEmail(c.Request().Context(), a, form.Email); err != nil {
			return "", "", err
		}
		if strings.TrimSpace(form.Email) == "" {
			return "/notifications", "已取消邮件提醒。", nil
		}
		return "/notifications", "邮件提醒地址已保存。", nil
	})
}
