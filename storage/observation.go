package storage

import (
	"context"
	"time"

	"dudao/domain"
)

// Observations (评估监测): one value per org, indicator and year.

type observationRow struct {
	ID            int64
	IndicatorCode string
	OrgID         int64
	OrgPath       string
	Year          int
	Value         float64
	Source        string
	Note          string
	Sample        bool
	EnteredBy     int64
	EnteredAt     time.Time
	Version       int
}

func (observationRow) TableName() string { return "observations" }

func observationFromDomain(o *domain.Observation) observationRow {
	return observationRow{ID: o.ID, IndicatorCode: o.IndicatorCode, OrgID: o.Org.ID, OrgPath: string(o.Org.Path), Year: o.Year, Value: o.Value,
		Source: o.Source, Note: o.Note, Sample: o.Sample, EnteredBy: o.EnteredBy, EnteredAt: o.EnteredAt.UTC(), Version: o.Version}
}

func (r observationRow) toDomain(org domain.Org) domain.Observation {
	return domain.Observation{ID: r.ID, IndicatorCode: r.IndicatorCode, Org: org, Year: r.Year, Value: r.Value, Source: r.Source,
		Note: r.Note, Sample: r.Sample, EnteredBy: r.EnteredBy, EnteredAt: r.EnteredAt, Version: r.Version}
}

// observationsOf turns rows into observations with their orgs, read in one query.
func (db *DB) observationsOf(ctx context.Context, rows []observationRow) ([]domain.Observation, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.OrgID
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Observation, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(orgs[r.OrgID])
	}
	return out, nil
}

// CreateObservation inserts one; a second for the same org, indicator and year is ECONFLICT.
func (db *DB) CreateObservation(ctx context.Context, o *domain.Observation) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := observationFromDomain(o)
	row.ID = 0
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, o.Label(), "create observation")
	}
	o.ID = row.ID
	return nil
}

// observationBatch is how many rows one INSERT carries: 12 columns each stays under SQLite's and
// PostgreSQL's bind-parameter limits.
const observationBatch = 500

// CreateObservations inserts new observations in batches and sets their ids.
func (db *DB) CreateObservations(ctx context.Context, obs []*domain.Observation) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	for start := 0; start < len(obs); start += observationBatch {
		part := obs[start:min(start+observationBatch, len(obs))]
		rows := make([]observationRow, len(part))
		for i, o := range part {
			rows[i] = observationFromDomain(o)
			rows[i].ID = 0
		}
		if err := db.conn(ctx).Create(&rows).Error; err != nil {
			return translate(err, "监测数据", "create observations")
		}
		for i := range rows {
			part[i].ID = rows[i].ID
		}
	}
	return nil
}

// GetObservation reads one.
func (db *DB) GetObservation(ctx context.Context, id int64) (*domain.Observation, error) {
	var row observationRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "监测数据", "get observation")
	}
	out, err := db.observationsOf(ctx, []observationRow{row})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// SaveObservation writes a correction if the stored version is still expected.
func (db *DB) SaveObservation(ctx context.Context, o *domain.Observation, expected int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := observationFromDomain(o)
	res := db.conn(ctx).Model(&observationRow{}).Where("id = ? AND version = ?", o.ID, expected).
		Select("value", "source", "note", "entered_by", "entered_at", "version").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "监测数据", "save observation")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", o.Label())
	}
	return nil
}

// ListObservations reads one page in scope, ordered by org path, indicator and year: the order of
// the unique key's index, whose leading org_path serves the scope too.
func (db *DB) ListObservations(ctx context.Context, f domain.ObservationFilter) ([]domain.Observation, int, error) {
	where, args := db.monScope("org_path", f.Scopes)
	q := db.conn(ctx).Model(&observationRow{}).Where(where, args...)
	if f.IndicatorCode != "" {
		q = q.Where("indicator_code = ?", f.IndicatorCode)
	}
	if f.OrgID != 0 {
		q = q.Where("org_id = ?", f.OrgID)
	}
	if f.Year != 0 {
		q = q.Where("year = ?", f.Year)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "监测数据", "count observations")
	}
	per, page := f.PerPage, max(f.Page, 1)
	if per <= 0 {
		per = 50
	}
	var rows []observationRow
	if err := q.Order(db.byteOrder("org_path") + ", indicator_code, year").Limit(per).Offset((page - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "监测数据", "list observations")
	}
	out, err := db.observationsOf(ctx, rows)
	return out, int(total), err
}

// FindObservations reads every observation of the given orgs in a span of years, ordered by org,
// indicator and year.
func (db *DB) FindObservations(ctx context.Context, q domain.ObservationQuery) ([]domain.Observation, error) {
	tx := db.conn(ctx).Where("year >= ? AND year <= ?", q.From, q.To)
	if !q.Every {
		if len(q.Orgs) == 0 {
			return nil, nil
		}
		paths := make([]string, len(q.Orgs))
		for i, p := range q.Orgs {
			paths[i] = string(p)
		}
		tx = tx.Where("org_path IN ?", paths)
	}
	if len(q.Codes) > 0 {
		tx = tx.Where("indicator_code IN ?", q.Codes)
	}
	var rows []observationRow
	if err := tx.Order(db.byteOrder("org_path") + ", indicator_code, year").Find(&rows).Error; err != nil {
		return nil, translate(err, "监测数据", "find observations")
	}
	return db.observationsOf(ctx, rows)
}

var _ domain.ObservationRepo = (*DB)(nil)

// monScope is the scope condition of the monitoring and ledger lists: the shared helper, called from
// this one place.
func (db *DB) monScope(col string, scopes []domain.Jurisdiction) (string, []any) {
	return db.scopeWhere(col, scopes)
}
