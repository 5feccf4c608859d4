package web

import (
	"io/fs"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"dudao/templates"
)

// routes is every route of dudao in one place: the JSON API under /api/v1 (bearer token), then the
// pages of the UI (session cookie and CSRF). Each handler lives in the file of its resource.
func (s *Server) routes() {
	e := s.Echo
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler(), s.metricsGuard)
	static, _ := fs.Sub(templates.FS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", longCache(http.FileServer(http.FS(filesOnly{static}))))))

	// JSON bodies are capped; evidence uploads carry their own, larger cap.
	jsonLimit := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   byteSize(s.cfg.MaxBodyBytes),
		Skipper: func(c echo.Context) bool { return c.Path() == "/api/v1/cases/:id/evidence" },
	})
	api := e.Group("/api/v1", jsonLimit)
	api.POST("/auth/login", s.apiLogin)
	api.GET("/openapi.json", s.apiOpenAPI)
	// Every POST of a signed-in client may carry an Idempotency-Key (SPEC §4.1).
	v1 := api.Group("", s.requireBearer, s.idempotent)
	v1.POST("/auth/logout", s.apiLogout)
	v1.GET("/me", s.apiMe)
	v1.GET("/orgs", s.apiListOrgs)
	v1.GET("/orgs/:id", s.apiGetOrg)

	v1.POST("/cases", s.apiOpenCase)
	v1.GET("/cases", s.apiListCases)
	v1.GET("/cases/:id", s.apiGetCase)
	v1.POST("/cases/:id/actions/:action", s.apiAct)
	v1.POST("/cases/:id/findings", s.apiAddFinding)
	v1.GET("/cases/:id/findings/:fid", s.apiGetFinding)
	v1.PATCH("/cases/:id/findings/:fid", s.apiUpdateFinding)
	v1.DELETE("/cases/:id/findings/:fid", s.apiRemoveFinding)
	v1.POST("/cases/:id/findings/:fid/measures", s.apiAddMeasure)
	v1.GET("/cases/:id/findings/:fid/measures/:mid", s.apiGetMeasure)
	v1.POST("/cases/:id/objections", s.apiFileObjection)
	v1.GET("/cases/:id/objections/:oid", s.apiGetObjection)
	v1.POST("/cases/:id/objections/:oid/ruling", s.apiRuleObjection)
	v1.POST("/cases/:id/evidence", s.apiUploadEvidence)
	v1.GET("/evidence/:eid", s.apiDownloadEvidence)
	v1.GET("/cases/:id/audit", s.apiCaseAudit)
	v1.GET("/cases/:id/opinion.pdf", s.reportOpinionPDF)
	v1.GET("/audit", s.apiListAudit)

	v1.GET("/accountability", s.apiListAccountability)
	v1.POST("/accountability", s.apiProposeAccountability)
	v1.GET("/accountability/:id", s.apiGetAccountability)
	v1.PATCH("/accountability/:id", s.apiEditAccountability)
	v1.POST("/accountability/:id/actions/:action", s.apiActAccountability)
	v1.POST("/accountability/:id/interviews", s.apiRecordInterview)
	v1.GET("/accountability/:id/interviews/:iid", s.apiGetInterview)
	v1.GET("/incentives", s.apiListIncentives)
	v1.POST("/incentives", s.apiProposeIncentive)
	v1.GET("/incentives/:id", s.apiGetIncentive)
	v1.POST("/incentives/:id/actions/:action", s.apiActIncentive)

	v1.GET("/notifications", s.apiListNotifications)
	v1.POST("/notifications/read-all", s.apiReadAllNotifications)
	v1.POST("/notifications/:id/read", s.apiReadNotification)
	v1.GET("/notifications/email", s.apiGetNotificationEmail)
	v1.PUT("/notifications/email", s.apiSetNotificationEmail)

	v1.GET("/reports/accountability", s.apiAccountabilityReport)
	v1.GET("/reports/accountability.pdf", s.reportAccountabilityPDF)
	v1.GET("/reports/accountability.xlsx", s.reportAccountabilityXLSX)
	v1.GET("/reports/ledger.xlsx", s.reportLedgerXLSX)

	// Accounts (issue 13): users and grants; disable, enable, reset a password, revoke a grant.
	v1.GET("/users", s.apiListUsers)
	v1.GET("/users/:id", s.apiGetUser)
	v1.POST("/users/:id/disable", s.apiDisableUser)
	v1.POST("/users/:id/enable", s.apiEnableUser)
	v1.POST("/users/:id/password", s.apiResetPassword)
	v1.POST("/users/:id/grants", s.apiGrantRole)
	v1.DELETE("/users/:id/grants/:gid", s.apiRevokeGrant)
	api.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })

	ui := e.Group("", middleware.BodyLimit(byteSize(s.cfg.MaxBodyBytes)), s.loadWebSession, s.csrf)
	ui.GET("/login", s.loginPage)
	ui.POST("/login", s.loginSubmit)
	// Every page below needs a signed-in user (per route: a group would answer unknown paths too).
	w := s.requireWeb
	ui.POST("/logout", s.logoutSubmit, w)
	ui.GET("/", s.homePage, w)
	ui.GET("/ui/nav", s.uiNav, w)

	ui.GET("/cases", s.uiCaseList, w)
	ui.GET("/cases/new", s.uiCaseNew, w)
	ui.POST("/cases", s.uiCaseOpen, w)
	ui.GET("/cases/:id", s.uiCaseShow, w)
	ui.POST("/cases/:id/actions/:action", s.uiCaseAct, w)
	ui.POST("/cases/:id/findings", s.uiFindingAdd, w)
	ui.GET("/cases/:id/findings/:fid/edit", s.uiFindingEdit, w)
	ui.POST("/cases/:id/findings/:fid", s.uiFindingUpdate, w)
	ui.POST("/cases/:id/findings/:fid/delete", s.uiFindingRemove, w)
	ui.POST("/cases/:id/objections", s.uiObjectionFile, w)
	ui.POST("/cases/:id/objections/:oid/ruling", s.uiObjectionRule, w)
	ui.GET("/cases/:id/rectification", s.uiRectification, w)
	ui.POST("/cases/:id/findings/:fid/measures", s.uiMeasureAdd, w)
	ui.GET("/cases/:id/recheck", s.uiRecheck, w)
	ui.GET("/cases/:id/evidence/:eid", s.uiEvidence, w)
	ui.GET("/cases/:id/opinion.pdf", s.reportOpinionPDF, w)
	// Evidence comes from phone cameras, far larger than the group's body cap: the upload route has
	// the same CSRF check and session but the upload cap.
	e.POST("/cases/:id/evidence", s.uiEvidenceUpload,
		middleware.BodyLimit(byteSize(s.cfg.MaxUploadBytes+2*uploadOverhead)), s.loadWebSession, s.csrf, s.requireWeb)

	ui.GET("/accountability", s.uiAccList, w)
	ui.POST("/accountability", s.uiAccPropose, w)
	ui.POST("/accountability/incentives", s.uiIncPropose, w)
	ui.GET("/accountability/incentives/:id", s.uiIncShow, w)
	ui.POST("/accountability/incentives/:id/actions/:action", s.uiIncAct, w)
	ui.GET("/accountability/:id", s.uiAccShow, w)
	ui.POST("/accountability/:id/actions/:action", s.uiAccAct, w)
	ui.POST("/accountability/:id/interviews", s.uiAccInterview, w)

	ui.GET("/notifications", s.uiInbox, w)
	ui.POST("/notifications/read-all", s.uiInboxReadAll, w)
	ui.POST("/notifications/email", s.uiInboxEmail, w)
	ui.POST("/notifications/:id/read", s.uiInboxRead, w)

	ui.GET("/reports/accountability", s.reportAccountabilityView, w)
	ui.GET("/reports/accountability.pdf", s.reportAccountabilityPDF, w)
	ui.GET("/reports/accountability.xlsx", s.reportAccountabilityXLSX, w)
	ui.GET("/reports/ledger.xlsx", s.reportLedgerXLSX, w)

	ui.GET("/admin/orgs", s.uiAdminOrgs, w)
	ui.POST("/admin/orgs", s.uiAdminOrgCreate, w)
	ui.GET("/admin/users", s.uiAdminUsers, w)
	ui.POST("/admin/users", s.uiAdminUserCreate, w)
	ui.POST("/admin/grants", s.uiAdminGrant, w)
	// Accounts (issue 13): disable, enable, reset a password, revoke a grant.
	ui.POST("/admin/users/:id/disable", s.uiAdminDisable, w)
	ui.POST("/admin/users/:id/enable", s.uiAdminEnable, w)
	ui.POST("/admin/users/:id/password", s.uiAdminPassword, w)
	ui.POST("/admin/users/:id/grants/:gid/revoke", s.uiAdminRevoke, w)
}
