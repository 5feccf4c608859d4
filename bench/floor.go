package main

import (
	"context"
	"dudao/storage"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"dudao/domain"
)

// The floor: what the same machine, framework, ORM and driver do with the same rows and nothing of
// dudao's. A bare Echo server on its own connection pool to the same database answers each measured
// request with the least work that gives the same data: the rows the endpoint answered read by id
// and encoded as JSON, the same answer's bytes from memory (home pages, the report), or one
// transaction that updates a case and appends a chained audit event (transitions). Each figure of
// the run is divided by its floor's.

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openGorm opens dsn as storage.Open does (same driver, pragmas and pool size), for the floor and the
// harness's own maintenance (ANALYZE, creating PostgreSQL databases).
func openGorm(dsn string) (*gorm.DB, error) {
	cfg := &gorm.Config{Logger: logger.Default.LogMode(logger.Silent), NowFunc: func() time.Time { return time.Now().UTC() }}
	if isPostgres(dsn) {
		g, err := gorm.Open(postgres.Open(storage.PostgresDSN(dsn)), cfg)
		if err != nil {
			return nil, err
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(32)
		return g, nil
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	g, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: storage.SQLiteDriverName(), DSN: "file:" + dsn + "?" + q.Encode()}), cfg)
	if err != nil {
		return nil, err
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	return g, nil
}

func closeGorm(g *gorm.DB) {
	if sqlDB, err := g.DB(); err == nil {
		_ = sqlDB.Close()
	}
}

// pgExec runs one statement on the PostgreSQL server of dsn (CREATE and DROP DATABASE).
func pgExec(ctx context.Context, dsn, q string) error {
	g, err := openGorm(dsn)
	if err != nil {
		return err
	}
	defer closeGorm(g)
	if err := g.WithContext(ctx).Exec(q).Error; err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

func pgDatabaseExists(ctx context.Context, dsn, name string) (bool, error) {
	g, err := openGorm(dsn)
	if err != nil {
		return false, err
	}
	defer closeGorm(g)
	var n int64
	err = g.WithContext(ctx).Raw("SELECT COUNT(*) FROM pg_database WHERE datname = ?", name).Scan(&n).Error
	return n > 0, err
}

// analyze gathers the planner's statistics; on SQLite it also folds the WAL into the file, so that
// the file can be copied alone.
func analyze(ctx context.Context, dsn string) error {
	g, err := openGorm(dsn)
	if err != nil {
		return err
	}
	defer closeGorm(g)
	if err := g.WithContext(ctx).Exec("ANALYZE").Error; err != nil {
		return fmt.Errorf("ANALYZE: %w", err)
	}
	if !isPostgres(dsn) {
		if err := g.WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	return nil
}

// floorCase and floorFinding are the tables' rows as a bare GORM program reads them.
type floorCase struct {
	ID                       int64      `json:"id"`
	Number                   string     `json:"number"`
	Year                     int        `json:"year"`
	Seq                      int        `json:"seq"`
	Type                     string     `json:"type"`
	Kind                     string     `json:"kind"`
	OwnerOrgID               int64      `json:"owner_org_id"`
	OwnerPath                string     `json:"owner_path"`
	TargetOrgID              int64      `json:"target_org_id"`
	TargetPath               string     `json:"target_path"`
	Title                    string     `json:"title"`
	PlannedOn                string     `json:"planned_on"`
	Status                   string     `json:"status"`
	Version                  int        `json:"version"`
	CreatedBy                int64      `json:"created_by"`
	CreatedAt                time.Time  `json:"created_at"`
	StartedAt                *time.Time `json:"started_at"`
	PreliminaryAt            *time.Time `json:"preliminary_at"`
	IssuedAt                 *time.Time `json:"issued_at"`
	ClosedAt                 *time.Time `json:"closed_at"`
	ObjectionDeadline        *time.Time `json:"objection_deadline"`
	Acknowledged             bool       `json:"acknowledged"`
	ReviewSubmittedBy        int64      `json:"review_submitted_by"`
	IssuedBy                 int64      `json:"issued_by"`
	RectificationSubmittedBy int64      `json:"rectification_submitted_by"`
	RecheckFailures          int        `json:"recheck_failures"`
	CancelReason             string     `json:"cancel_reason"`
	ReturnComment            string     `json:"return_comment"`
	UpdatedAt                time.Time  `json:"updated_at"`
}

func (floorCase) TableName() string { return "cases" }

type floorFinding struct {
	ID          int64  `json:"id"`
	CaseID      int64  `json:"case_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Severity    string `json:"severity"`
	Category    string `json:"category"`
	ItemCode    string `json:"item_code"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
}

func (floorFinding) TableName() string { return "findings" }

type floorAudit struct {
	ID           int64
	At           time.Time
	ActorID      int64
	ActorName    string
	Action       string
	ObjectType   string
	ObjectID     int64
	ObjectPath   string
	BeforeDigest string
	AfterDigest  string
	Detail       string
	RequestID    string
	PrevHash     string
	Hash         string
}

func (floorAudit) TableName() string { return "audit_events" }

// floor is the bare server.
type floor struct {
	db    *gorm.DB
	pg    bool
	mu    sync.RWMutex
	bytes map[string]stored
}

type stored struct {
	contentType string
	body        []byte
}

func newFloor(dsn string) (*floor, http.Handler, error) {
	g, err := openGorm(dsn)
	if err != nil {
		return nil, nil, err
	}
	f := &floor{db: g, pg: isPostgres(dsn), bytes: map[string]stored{}}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/floor/cases", f.cases)
	e.GET("/floor/cases/:id", f.oneCase)
	e.GET("/floor/bytes/:name", f.serveBytes)
	e.PUT("/floor/bytes/:name", f.keepBytes)
	e.POST("/floor/write/:id", f.write)
	return f, e, nil
}

func (f *floor) close() { closeGorm(f.db) }

// cases reads the listed cases by id: the rows of one page of the list.
func (f *floor) cases(c echo.Context) error {
	var ids []int64
	for _, s := range strings.Split(c.QueryParam("ids"), ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	var rows []floorCase
	if err := f.db.WithContext(c.Request().Context()).Where("id IN ?", ids).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": rows})
}

// oneCase reads a case and its findings: the rows of the case page.
func (f *floor) oneCase(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	ctx := c.Request().Context()
	var row floorCase
	if err := f.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return err
	}
	var fs []floorFinding
	if err := f.db.WithContext(ctx).Where("case_id = ?", id).Order("id").Find(&fs).Error; err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"case": row, "findings": fs})
}

func (f *floor) keepBytes(c echo.Context) error {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.bytes[c.Param("name")] = stored{contentType: c.Request().Header.Get("Content-Type"), body: b}
	f.mu.Unlock()
	return c.NoContent(http.StatusNoContent)
}

func (f *floor) serveBytes(c echo.Context) error {
	f.mu.RLock()
	s, ok := f.bytes[c.Param("name")]
	f.mu.RUnlock()
	if !ok {
		return echo.ErrNotFound
	}
	return c.Blob(http.StatusOK, s.contentType, s.body)
}

// write is one audited change done bare: in one transaction, touch the case and append an audit
// event chained after the last one (under the same lock as storage's appends on PostgreSQL).
func (f *floor) write(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
	err := f.db.WithContext(c.Request().Context()).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		if err := tx.Model(&floorCase{}).Where("id = ?", id).Update("updated_at", now).Error; err != nil {
			return err
		}
		// The chain's lock is taken last, as storage's Append takes it.
		if f.pg {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7240002)").Error; err != nil {
				return err
			}
		}
		var prev []string
		if err := tx.Model(&floorAudit{}).Order("id DESC").Limit(1).Pluck("hash", &prev).Error; err != nil {
			return err
		}
		e := domain.AuditEvent{At: now, ActorName: "floor", Action: "bench.floor", ObjectType: "case", ObjectID: id}
		p := ""
		if len(prev) > 0 {
			p = prev[0]
		}
		e.Seal(p)
		return tx.Create(&floorAudit{At: e.At, ActorName: e.ActorName, Action: e.Action, ObjectType: e.ObjectType, ObjectID: id,
			PrevHash: e.PrevHash, Hash: e.Hash}).Error
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
