// Package web is dudao's HTTP face: the JSON API under /api/v1 and the server-rendered Chinese UI,
// both on Echo. Handlers bind, validate, call a use case and respond; errors map to statuses in errors.go.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4" // v4: the customer's stack; echo v5 changed handler signatures
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"dudao/app"
	"dudao/templates"
)

// Config tunes the HTTP layer.
type Config struct {
	// SecureCookies marks cookies Secure; turn on when served over HTTPS.
	SecureCookies bool
	// MaxBodyBytes caps JSON bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxUploadBytes caps one evidence file (default 20 MB); keep it equal to app.Options.MaxUploadBytes.
	MaxUploadBytes int64
	// Ready reports whether the service can take traffic (database reachable, schema current).
	Ready func(ctx context.Context) error
	// Registry receives the HTTP metrics; nil makes a private one.
	Registry *prometheus.Registry

	// Issue 13 (security.go). Key signs form tokens and flash messages: the system's secret, the same on
	// every node; required. TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (none: only the peer address counts). BodyTimeout is the least time
	// a request body may take to arrive (default 30s), more for long bodies. MetricsToken, when set, is a
	// bearer token that may read /metrics from anywhere (without it, only a direct scraper on loopback).
	Key            []byte
	TrustedProxies []netip.Prefix
	BodyTimeout    time.Duration
	MetricsToken   string
}

// Server is the configured Echo instance with its dependencies.
type Server struct {
	*echo.Echo
	app          *app.App
	cfg          Config
	log          *slog.Logger
	tmpl         *renderer
	assetVersion string
}

// New builds the router.
func New(x *app.App, cfg Config, log *slog.Logger) (*Server, error) {
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxUploadBytes == 0 {
		cfg.MaxUploadBytes = 20 << 20
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if len(cfg.Key) < 32 {
		return nil, errors.New("web: no signing key")
	}
	if cfg.BodyTimeout == 0 {
		cfg.BodyTimeout = 30 * time.Second
	}
	tmpl, err := newRenderer(templateFuncs())
	if err != nil {
		return nil, err
	}
	v, err := NewValidator()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Validator = v
	s := &Server{Echo: e, app: x, cfg: cfg, log: log, tmpl: tmpl, assetVersion: assetVersion()}
	e.HTTPErrorHandler = s.errorHandler
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	e.Use(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		RequestIDHandler: func(c echo.Context, id string) {
			c.SetRequest(c.Request().WithContext(app.WithRequestID(c.Request().Context(), id)))
		},
	}))
	e.Use(s.metrics(cfg.Registry))
	e.Use(s.recover)
	e.Use(s.accessLog)
	e.Use(s.transport, s.bodyDeadline) // issue 13: HSTS, no-store, body deadline
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ReferrerPolicy:        "same-origin",
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
	}))

	s.routes()
	return s, nil
}

func (s *Server) readyz(c echo.Context) error {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		}
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

// recover turns a panic into a 500 that the error handler logs with its request id.
func (s *Server) recover(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = panicError{r}
			}
		}()
		return next(c)
	}
}

type panicError struct{ v any }

func (p panicError) Error() string { return "panic: " + strings.TrimSpace(fmtAny(p.v)) }

func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Info("http", "method", c.Request().Method, "path", c.Request().URL.Path, "status", c.Response().Status,
			"ms", time.Since(start).Milliseconds(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

func longCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		h.ServeHTTP(w, r)
	})
}

// assetVersion fingerprints the embedded static files so long cache lifetimes stay correct across releases.
func assetVersion() string {
	h := sha256.New()
	_ = fs.WalkDir(templates.FS, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(templates.FS, p)
			h.Write([]byte(p))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
