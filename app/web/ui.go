package web

import "github.com/labstack/echo/v4"

// uiRoutes registers the pages of the web UI beyond login and home.
func (s *Server) uiRoutes(g *echo.Group) {}
