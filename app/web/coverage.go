package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// Coverage (挂牌督导): the API and the page.

type coverageFindingJSON struct {
	Rule        string `json:"rule"`
	RuleLabel   string `json:"rule_label"`
	SchoolID    *int64 `json:"school_id"`
	InspectorID *int64 `json:"inspector_id"`
	Name        string `json:"name"`
	Message     string `json:"message"`
}

type coverageJSON struct {
	Today    string `json:"today"`
	Semester struct {
		Label string `json:"label"`
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"semester"`
	Schools    int                   `json:"schools"`
	Inspectors int                   `json:"inspectors"`
	Counts     map[string]int        `json:"counts"`
	Findings   []coverageFindingJSON `json:"findings"`
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func toCoverageJSON(r app.CoverageReport) coverageJSON {
	j := coverageJSON{Today: string(r.Today), Schools: r.Schools, Inspectors: r.Inspectors, Counts: map[string]int{}, Findings: []coverageFindingJSON{}}
	j.Semester.Label, j.Semester.Start, j.Semester.End = r.Semester.Label(), string(r.Semester.Start), string(r.Semester.End)
	for _, rule := range domain.CoverageRules {
		j.Counts[string(rule)] = r.Counts[rule]
	}
	for _, f := range r.Findings {
		j.Findings = append(j.Findings, coverageFindingJSON{Rule: string(f.Rule), RuleLabel: f.Rule.Label(), SchoolID: idPtr(f.SchoolID),
			InspectorID: idPtr(f.InspectorID), Name: f.Name, Message: f.Message})
	}
	return j
}

func (s *Server) apiCoverage(c echo.Context) error {
	a, _ := actorOf(c)
	r, err := s.app.Coverage(c.Request().Context(), a)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toCoverageJSON(r))
}

const tmplCoverage = "registry/coverage.html"

// coverageGroup is one rule with its findings, as the page shows it.
type coverageGroup struct {
	Rule, Label, Tone string
	Findings          []domain.CoverageFinding
}

type coveragePage struct {
	frame
	R      app.CoverageReport
	Groups []coverageGroup
}

func (coveragePage) template() string { return tmplCoverage }

func (s *Server) uiCoverage(c echo.Context) error {
	a, _ := actorOf(c)
	r, err := s.app.Coverage(c.Request().Context(), a)
	if err != nil {
		return err
	}
	p := coveragePage{frame: s.frame(c, "挂牌督导覆盖情况"), R: r}
	tone := map[domain.CoverageRule]string{domain.CovNoInspector: "danger", domain.CovInspectorAbsent: "danger", domain.CovOverLoad: "danger",
		domain.CovTermLimit: "danger", domain.CovTermExpired: "danger"}
	for _, rule := range domain.CoverageRules {
		g := coverageGroup{Rule: string(rule), Label: rule.Label(), Tone: "warn"}
		if t, ok := tone[rule]; ok {
			g.Tone = t
		}
		for _, f := range r.Findings {
			if f.Rule == rule {
				g.Findings = append(g.Findings, f)
			}
		}
		if len(g.Findings) == 0 {
			g.Tone = "ok"
		}
		p.Groups = append(p.Groups, g)
	}
	return s.render(c, http.StatusOK, p)
}
