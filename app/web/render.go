package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"strings"

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

// renderer holds one parsed template set per page: the layouts and partials plus the page.
// Every .html file outside layouts/ and partials/ is a page, named by its path ("cases/show.html").
type renderer struct {
	sets map[string]*template.Template
}

func newRenderer(funcs template.FuncMap) (*renderer, error) {
	r := &renderer{sets: map[string]*template.Template{}}
	var shared, pages []string
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") || strings.HasPrefix(p, "static/") {
			return err
		}
		if strings.HasPrefix(p, "layouts/") || strings.HasPrefix(p, "partials/") {
			shared = append(shared, p)
		} else {
			pages = append(pages, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	for _, name := range pages {
		t, err := template.New(name).Funcs(funcs).ParseFS(templates.FS, append(append([]string{}, shared...), name)...)
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

// templateFuncs are the helpers every template may call; keep them about presentation only.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		// frameOf is the UI frame (navigation, flash, alert) of a page that has one, else nil: pages
		// built on Base alone get the navigation loaded by htmx.
		// unitPick passes a unit picker's groups and selected value to the "unitopts" template.
		"unitPick": func(groups []optGroup, selected string) unitPick { return unitPick{Groups: groups, Selected: selected} },
		"frameOf": func(p any) *frame {
			if f, ok := p.(interface{ uiFrame() *frame }); ok {
				return f.uiFrame()
			}
			return nil
		},
	}
}
