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

	// JSON bodies are capped; evidence uploads and observation imports carry their own, larger cap.
	jsonLimit := middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit: byteSize(s.cfg.MaxBodyBytes),
		Skipper: func(c echo.Context) bool {
			return c.Path() == "/api/v1/cases/:id/evidence" || c.Path() == "/api/v1/observations/import"
		},
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

	// Frameworks, monitoring and the 督办 ledger (SPEC §3): framework.go, monitoring.go, task.go.
	v1.GET("/frameworks", s.apiListFrameworks)
	v1.POST("/frameworks", s.apiCreateFramework)
	v1.GET("/frameworks/:id", s.apiGetFramework)
	v1.PATCH("/frameworks/:id", s.apiEditFramework)
	v1.POST("/frameworks/:id/actions/:action", s.apiActFramework)
	v1.POST("/frameworks/:id/revisions", s.apiReviseFramework)
	v1.GET("/cases/:id/scoring", s.apiGetScoring)
	v1.PUT("/cases/:id/scoring", s.apiScoreCase)
	v1.POST("/cases/:id/scoring/items/:code/finding", s.apiFindingFromItem)
	v1.GET("/indicators", s.apiListIndicators)
	v1.GET("/indicators/:code", s.apiGetIndicator)
	v1.GET("/observations", s.apiListObservations)
	v1.POST("/observations", s.apiRecordObservation)
	v1.GET("/observations/template.xlsx", s.apiObservationTemplate)
	v1.POST("/observations/import", s.apiImportObservations, middleware.BodyLimit(byteSize(s.cfg.MaxUploadBytes+2*uploadOverhead)))
	v1.GET("/observations/:id", s.apiGetObservation)
	v1.PATCH("/observations/:id", s.apiCorrectObservation)
	v1.GET("/monitoring/attainment", s.apiAttainment)
	v1.GET("/monitoring/proposals", s.apiListProposals)
	v1.GET("/monitoring/proposals/:id", s.apiGetProposal)
	v1.POST("/monitoring/proposals/:id/actions/:action", s.apiActProposal)
	v1.GET("/reports/monitoring", s.apiMonitoringReport)
	v1.GET("/reports/monitoring.pdf", s.reportMonitoringPDF)
	v1.GET("/reports/monitoring.xlsx", s.reportMonitoringXLSX)
	v1.GET("/tasks", s.apiListTasks)
	v1.POST("/tasks", s.apiCreateTask)
	v1.GET("/tasks/:id", s.apiGetTask)
	v1.PATCH("/tasks/:id", s.apiEditTask)
	v1.POST("/tasks/:id/actions/:action", s.apiActTask)

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

	// Frameworks, monitoring and the 督办 ledger (SPEC §3): framework.go, monitoring.go, task.go.
	ui.GET("/frameworks", s.uiFrameworkList, w)
	ui.GET("/frameworks/:id", s.uiFrameworkShow, w)
	ui.POST("/frameworks/:id/actions/:action", s.uiFrameworkAct, w)
	ui.POST("/frameworks/:id/revisions", s.uiFrameworkRevise, w)
	ui.GET("/cases/:id/checklist", s.uiChecklist, w)
	ui.POST("/cases/:id/checklist", s.uiChecklistScore, w)
	ui.GET("/cases/:id/checklist/summary", s.uiChecklistSummary, w)
	ui.POST("/cases/:id/checklist/items/:code/finding", s.uiChecklistFinding, w)
	ui.GET("/monitoring", s.uiMonitoring, w)
	ui.POST("/monitoring/observations", s.uiObservationRecord, w)
	ui.GET("/monitoring/import", s.uiImportPage, w)
	ui.GET("/monitoring/template.xlsx", s.uiObservationTemplate, w)
	ui.GET("/monitoring/report", s.uiMonitoringReport, w)
	ui.GET("/monitoring/report.pdf", s.reportMonitoringPDF, w)
	ui.GET("/monitoring/report.xlsx", s.reportMonitoringXLSX, w)
	ui.GET("/monitoring/proposals/:id", s.uiProposalShow, w)
	ui.POST("/monitoring/proposals/:id/actions/:action", s.uiProposalAct, w)
	ui.GET("/tasks", s.uiTaskList, w)
	ui.POST("/tasks", s.uiTaskCreate, w)
	ui.GET("/tasks/:id", s.uiTaskShow, w)
	ui.POST("/tasks/:id/actions/:action", s.uiTaskAct, w)
	// An import file is far larger than the group's body cap: the upload route has the same CSRF check
	// and session but the upload cap, like evidence.
	e.POST("/monitoring/import", s.uiImport,
		middleware.BodyLimit(byteSize(s.cfg.MaxUploadBytes+2*uploadOverhead)), s.csrf(), s.loadWebSession, s.requireWeb)

	ui.GET("/admin/orgs", s.uiAdminOrgs, w)
	ui.POST("/admin/orgs", s.uiAdminOrgCreate, w)
	ui.GET("/admin/users", s.uiAdminUsers, w)
	ui.POST("/admin/users", s.uiAdminUserCreate, w)
	ui.POST("/admin/grants", s.uiAdminGrant, w)
}
