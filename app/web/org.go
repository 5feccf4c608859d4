package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"dudao/domain"
)

func (s *Server) apiListOrgs(c echo.Context) error {
	a, _ := actorOf(c)
	orgs, err := s.app.ListOrgs(c.Request().Context(), a)
	if err != nil {
		return err
	}
	items := make([]orgJSON, len(orgs))
	for i, o := range orgs {
		items[i] = toOrgJSON(o)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

func (s *Server) apiGetOrg(c echo.Context) error {
	a, _ := actorOf(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	o, err := s.app.GetOrg(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toOrgJSON(o))
}

// pathID reads a positive integer id from the path; anything else is ENOTFOUND (ids cannot be probed).
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.ENOTFOUND, "记录不存在。")
	}
	return id, nil
}
