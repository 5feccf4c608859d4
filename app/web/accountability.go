package web

import "github.com/labstack/echo/v4"

// accountabilityRoutes registers the accountability (问责) and incentive (激励) API.
func (s *Server) accountabilityRoutes(g *echo.Group) {}
