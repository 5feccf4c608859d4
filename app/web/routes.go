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
	e.GET("/metrics", s.metricsHandler())
	static, _ := fs.Sub(templates.FS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", longCache(http.FileServer(http.FS(static))))))

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

	// Inspector registry, 挂牌, plans, draws and coverage (issue 10). The sign and a draw's published
	// record are public (R22, R64: 一公开).
	v1.GET("/inspectors", s.apiListInspectors)
	v1.POST("/inspectors", s.apiCreateInspector)
	v1.GET("/inspectors/:id", s.apiGetInspector)
	v1.PATCH("/inspectors/:id", s.apiEditInspector)
	v1.POST("/inspectors/:id/actions/:action", s.apiActInspector)
	v1.POST("/inspectors/:id/trainings", s.apiAddTraining)
	v1.GET("/inspectors/:id/trainings/:tid", s.apiGetTraining)
	v1.DELETE("/inspectors/:id/trainings/:tid", s.apiRemoveTraining)
	v1.POST("/inspectors/:id/conflicts", s.apiDeclareConflict)
	v1.GET("/inspectors/:id/conflicts/:cid", s.apiGetConflict)
	v1.DELETE("/inspectors/:id/conflicts/:cid", s.apiWithdrawConflict)
	v1.GET("/assignments", s.apiListAssignments)
	v1.POST("/assignments", s.apiCreateAssignment)
	v1.GET("/assignments/:id", s.apiGetAssignment)
	v1.POST("/assignments/:id/actions/:action", s.apiActAssignment)
	v1.GET("/plans", s.apiListPlans)
	v1.POST("/plans", s.apiCreatePlan)
	v1.GET("/plans/:id", s.apiGetPlan)
	v1.POST("/plans/:id/actions/:action", s.apiActPlan)
	v1.POST("/plans/:id/roll", s.apiRollPlan)
	v1.POST("/plans/:id/items", s.apiAddPlanItem)
	v1.GET("/plans/:id/items/:iid", s.apiGetPlanItem)
	v1.PATCH("/plans/:id/items/:iid", s.apiUpdatePlanItem)
	v1.DELETE("/plans/:id/items/:iid", s.apiRemovePlanItem)
	v1.GET("/draws", s.apiListDraws)
	v1.POST("/draws", s.apiCreateDraw)
	v1.GET("/draws/:id", s.apiGetDraw)
	v1.POST("/draws/:id/actions/:action", s.apiActDraw)
	v1.GET("/draws/:id/verify", s.apiVerifyDraw)
	v1.GET("/coverage", s.apiCoverage)
	api.GET("/public/draws/:id", s.apiPublicDraw)
	api.GET("/public/draws/:id/snapshot", s.apiPublicDrawSnapshot)
	api.GET("/public/signs/:id", s.apiPublicSign)

	api.Any("/*", func(c echo.Context) error { return echo.ErrNotFound })

	ui := e.Group("", middleware.BodyLimit(byteSize(s.cfg.MaxBodyBytes)), s.csrf(), s.loadWebSession)
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
		middleware.BodyLimit(byteSize(s.cfg.MaxUploadBytes+2*uploadOverhead)), s.csrf(), s.loadWebSession, s.requireWeb)

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

	// Inspector registry, 挂牌, plans, draws and coverage (issue 10); the printable sign is public (R22).
	ui.GET("/inspectors", s.uiInspectors, w)
	ui.POST("/inspectors", s.uiRecommendInspector, w)
	ui.GET("/inspectors/:id", s.uiInspector, w)
	ui.POST("/inspectors/:id", s.uiEditInspector, w)
	ui.POST("/inspectors/:id/actions/:action", s.uiActInspector, w)
	ui.POST("/inspectors/:id/trainings", s.uiAddTraining, w)
	ui.POST("/inspectors/:id/trainings/:tid/delete", s.uiRemoveTraining, w)
	ui.POST("/inspectors/:id/conflicts", s.uiDeclareConflict, w)
	ui.POST("/inspectors/:id/conflicts/:cid/delete", s.uiWithdrawConflict, w)
	ui.GET("/assignments", s.uiAssignments, w)
	ui.POST("/assignments", s.uiCreateAssignment, w)
	ui.GET("/assignments/:id", s.uiAssignment, w)
	ui.POST("/assignments/:id/actions/:action", s.uiActAssignment, w)
	ui.GET("/public/signs/:id", s.uiPublicSign)
	ui.GET("/plans", s.uiPlans, w)
	ui.POST("/plans", s.uiCreatePlan, w)
	ui.GET("/plans/:id", s.uiPlan, w)
	ui.POST("/plans/:id/actions/:action", s.uiActPlan, w)
	ui.POST("/plans/:id/roll", s.uiRollPlan, w)
	ui.POST("/plans/:id/items", s.uiAddPlanItem, w)
	ui.POST("/plans/:id/items/:iid/delete", s.uiRemovePlanItem, w)
	ui.GET("/draws", s.uiDraws, w)
	ui.POST("/draws", s.uiCreateDraw, w)
	ui.GET("/draws/:id", s.uiDraw, w)
	ui.POST("/draws/:id/actions/:action", s.uiActDraw, w)
	ui.GET("/coverage", s.uiCoverage, w)

	ui.GET("/admin/orgs", s.uiAdminOrgs, w)
	ui.POST("/admin/orgs", s.uiAdminOrgCreate, w)
	ui.GET("/admin/users", s.uiAdminUsers, w)
	ui.POST("/admin/users", s.uiAdminUserCreate, w)
	ui.POST("/admin/grants", s.uiAdminGrant, w)
}
