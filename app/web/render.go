package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"

	"github.com/labstack/echo/v4"

	"dudao/templates"
)

// Page template names, one per page, next to the handlers that render them.
const (
	tmplLogin = "auth/login.html"
	tmplHome  = "home/home.html"
	tmplError = "errors/error.html"
)

// page is what every typed page struct provides: its template and the shared frame.
type page interface {
	template() string
}

// Base is the frame every page shares.
type Base struct {
	Title        string
	Actor        *actorView
	CSRF         string
	AssetVersion string
}

type actorView struct {
	Username, Name, OrgName, OrgPath string
}

type errorPage struct {
	Base
	Status  int
	Message string
}

func (errorPage) template() string { return tmplError }

// renderer holds one parsed template set per page: the layout plus the page.
type renderer struct {
	sets map[string]*template.Template
}

func newRenderer() (*renderer, error) {
	r := &renderer{sets: map[string]*template.Template{}}
	layout, err := fs.ReadFile(templates.FS, "layouts/base.html")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{tmplLogin, tmplHome, tmplError} {
		body, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		t, err := template.New(name).Parse(string(layout))
		if err == nil {
			_, err = t.Parse(string(body))
		}
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		r.sets[name] = t
	}
	return r, nil
}

// render executes p into a buffer first, so a template error becomes a clean 500, not half a page.
func (s *Server) render(c echo.Context, status int, p page) error {
	t, ok := s.tmpl.sets[p.template()]
	if !ok {
		return fmt.Errorf("web: no template %s", p.template())
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		return fmt.Errorf("web: render %s: %w", p.template(), err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

// base fills the shared frame from the request.
func (s *Server) base(c echo.Context, title string) Base {
	b := Base{Title: title, AssetVersion: s.assetVersion}
	if tok, ok := c.Get(csrfContextKey).(string); ok {
		b.CSRF = tok
	}
	if a, ok := actorOf(c); ok {
		b.Actor = &actorView{Username: a.Username, Name: a.Name, OrgName: a.Org.Name, OrgPath: string(a.Org.Path)}
	}
	return b
}
