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
	// Issue 12, the case as paperwork: the notice, the documents as issued, their correction, and the
	// 复查/复核 requests of R16.
	v1.POST("/cases/:id/notice", s.apiSendNotice)
	v1.GET("/cases/:id/documents", s.apiListDocuments)
	v1.GET("/cases/:id/documents/:did", s.apiGetDocument)
	v1.GET("/cases/:id/documents/:did/pdf", s.documentPDF)
	v1.POST("/cases/:id/documents/:did/corrections", s.apiCorrectDocument)
	v1.GET("/cases/:id/reviews", s.apiListReviews)
	v1.POST("/cases/:id/reviews", s.apiApplyReview)
	v1.GET("/reviews/:id", s.apiGetReview)
	v1.POST("/reviews/:id/decision", s.apiDecideReview)

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
	// Issue 12: the notice, the documents, corrections, 复查/复核.
	ui.POST("/cases/:id/notice", s.uiSendNotice, w)
	ui.GET("/cases/:id/documents/:did", s.uiDocument, w)
	ui.GET("/cases/:id/documents/:did/pdf", s.documentPDF, w)
	ui.POST("/cases/:id/documents/:did/corrections", s.uiCorrectDocument, w)
	ui.POST("/cases/:id/reviews", s.uiApplyReview, w)
	ui.POST("/cases/:id/reviews/:rid/decision", s.uiDecideReview, w)
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

	ui.GET("/admin/orgs", s.uiAdminOrgs, w)
	ui.POST("/admin/orgs", s.uiAdminOrgCreate, w)
	ui.GET("/admin/users", s.uiAdminUsers, w)
	ui.POST("/admin/users", s.uiAdminUserCreate, w)
	ui.POST("/admin/grants", s.uiAdminGrant, w)
}
