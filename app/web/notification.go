package web

import "github.com/labstack/echo/v4"

// notificationRoutes registers the notifications inbox API.
func (s *Server) notificationRoutes(g *echo.Group) {}
