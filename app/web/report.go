package web

import "github.com/labstack/echo/v4"

// reportRoutes registers the reports API (accountability report, 意见书 PDF, ledger Excel).
func (s *Server) reportRoutes(g *echo.Group) {}
