package storage

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// The 督办 ledger: tasks and their progress reports.

type taskRow struct {
	ID           int64
	Title        string
	Description  string
	SourceKind   string
	SourceRef    string
	SourceLine   int
	OwnerOrgID   int64
	OwnerPath    string
	TargetOrgID  int64
	TargetPath   string
	DueOn        string
	DueText      string
	IsPublic     bool
	Sample       bool
	Status       string
	Version      int
	Percent      int
	Returns      int
	ReturnReason string
	CreatedBy    int64
	CreatedAt    time.Time
	ReportedBy   int64
	ReportedAt   *time.Time
	VerifiedBy   int64
	VerifiedAt   *time.Time
	DoneBy       int64
	DoneAt       *time.Time
	DoneComment  string
}

func (taskRow) TableName() string { return "tasks" }

type taskReportRow struct {
	ID      int64
	TaskID  int64
	IsFinal bool
	Period  string
	Text    string
	Percent int
	ByUser  int64
	At      time.Time
}

func (taskReportRow) TableName() string { return "task_reports" }

func taskFromDomain(t *domain.Task) taskRow {
	return taskRow{ID: t.ID, Title: t.Title, Description: t.Description, SourceKind: string(t.Source.Kind), SourceRef: t.Source.Ref,
		SourceLine: t.Source.Line, OwnerOrgID: t.OwnerOrg.ID, OwnerPath: string(t.OwnerOrg.Path), TargetOrgID: t.TargetOrg.ID,
		TargetPath: string(t.TargetOrg.Path), DueOn: string(t.DueOn), DueText: t.DueText, IsPublic: t.Public, Sample: t.Sample,
		Status: string(t.Status), Version: t.Version, Percent: t.Percent, Returns: t.Returns, ReturnReason: t.ReturnReason,
		CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC(), ReportedBy: t.ReportedBy, ReportedAt: utcPtr(t.ReportedAt),
		VerifiedBy: t.VerifiedBy, VerifiedAt: utcPtr(t.VerifiedAt), DoneBy: t.DoneBy, DoneAt: utcPtr(t.DoneAt), DoneComment: t.DoneComment}
}

func (r taskRow) toDomain(orgs map[int64]domain.Org) domain.Task {
	return domain.Task{ID: r.ID, Title: r.Title, Description: r.Description,
		Source:   domain.TaskSource{Kind: domain.TaskSourceKind(r.SourceKind), Ref: r.SourceRef, Line: r.SourceLine},
		OwnerOrg: orgs[r.OwnerOrgID], TargetOrg: orgs[r.TargetOrgID], DueOn: domain.Date(r.DueOn), DueText: r.DueText,
		Public: r.IsPublic, Sample: r.Sample, Status: domain.TaskStatus(r.Status), Version: r.Version, Percent: r.Percent,
		Returns: r.Returns, ReturnReason: r.ReturnReason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ReportedBy: r.ReportedBy,
		ReportedAt: r.ReportedAt, VerifiedBy: r.VerifiedBy, VerifiedAt: r.VerifiedAt, DoneBy: r.DoneBy, DoneAt: r.DoneAt, DoneComment: r.DoneComment}
}

func (db *DB) tasksOf(ctx context.Context, rows []taskRow) ([]domain.Task, error) {
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.OwnerOrgID, r.TargetOrgID)
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Task, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain(orgs)
	}
	return out, nil
}

// CreateTask inserts a task with its reports.
func (db *DB) CreateTask(ctx context.Context, t *domain.Task) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := taskFromDomain(t)
	row.ID = 0
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "督办事项", "create task")
	}
	t.ID = row.ID
	return db.saveTaskReports(db.conn(ctx), t)
}

// saveTaskReports inserts the reports not yet stored.
func (db *DB) saveTaskReports(conn *gorm.DB, t *domain.Task) error {
	for i := range t.Reports {
		r := &t.Reports[i]
		r.TaskID = t.ID
		if r.ID != 0 {
			continue
		}
		row := taskReportRow{TaskID: t.ID, IsFinal: r.Final, Period: r.Period, Text: r.Text, Percent: r.Percent, ByUser: r.By, At: r.At.UTC()}
		if err := conn.Create(&row).Error; err != nil {
			return translate(err, "进展报告", "insert task report")
		}
		r.ID = row.ID
	}
	return nil
}

// GetTask reads a task with its reports in order.
func (db *DB) GetTask(ctx context.Context, id int64) (*domain.Task, error) {
	var row taskRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "督办事项", "get task")
	}
	list, err := db.tasksOf(ctx, []taskRow{row})
	if err != nil {
		return nil, err
	}
	t := &list[0]
	var reps []taskReportRow
	if err := db.conn(ctx).Where("task_id = ?", id).Order("id").Find(&reps).Error; err != nil {
		return nil, translate(err, "进展报告", "get task reports")
	}
	for _, r := range reps {
		t.Reports = append(t.Reports, domain.ProgressReport{ID: r.ID, TaskID: r.TaskID, Final: r.IsFinal, Period: r.Period, Text: r.Text,
			Percent: r.Percent, By: r.ByUser, At: r.At})
	}
	return t, nil
}

// SaveTask writes a step if the stored version is still expected.
func (db *DB) SaveTask(ctx context.Context, t *domain.Task, expected int) error {
	if err := db.mustTx(ctx); err != nil {
		return err
	}
	row := taskFromDomain(t)
	res := db.conn(ctx).Model(&taskRow{}).Where("id = ? AND version = ?", t.ID, expected).
		Select("title", "description", "due_on", "due_text", "is_public", "status", "version", "percent", "returns", "return_reason",
			"reported_by", "reported_at", "verified_by", "verified_at", "done_by", "done_at", "done_comment").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "督办事项", "save task")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ECONFLICT, "%s已被他人修改，请刷新后重试。", t.Label())
	}
	return db.saveTaskReports(db.conn(ctx), t)
}

// withUnit lists the statuses in which the unit owes the next step: only those can be overdue.
var withUnit = []string{string(domain.TaskAssigned), string(domain.TaskInProgress), string(domain.TaskReturned)}

// ListTasks reads one page of the ledger in scope, earliest due first.
func (db *DB) ListTasks(ctx context.Context, f domain.TaskFilter) ([]domain.Task, int, error) {
	// The office that keeps a record always lies above its unit, so the unit's path says it all.
	tw, targs := db.monScope("target_path", f.Scopes)
	q := db.conn(ctx).Model(&taskRow{}).Where(tw, targs...)
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if f.TargetOrgID != 0 {
		q = q.Where("target_org_id = ?", f.TargetOrgID)
	}
	if f.Overdue {
		q = q.Where("status IN ? AND due_on < ?", withUnit, string(f.Today))
	}
	if f.Public {
		q = q.Where("is_public")
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		q = q.Where("title LIKE ? ESCAPE '\\'", "%"+escapeLike(s)+"%")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "督办事项", "count tasks")
	}
	per, page := f.PerPage, max(f.Page, 1)
	if per <= 0 {
		per = 20
	}
	var rows []taskRow
	if err := q.Order("due_on, id").Limit(per).Offset((page - 1) * per).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "督办事项", "list tasks")
	}
	out, err := db.tasksOf(ctx, rows)
	return out, int(total), err
}

// OverdueTasks lists the tasks the units hold past their due date, earliest first, from the open
// tasks' (status, due_on) index.
func (db *DB) OverdueTasks(ctx context.Context, today domain.Date) ([]domain.Task, error) {
	var rows []taskRow
	if err := db.conn(ctx).Where("status IN ? AND due_on < ?", withUnit, string(today)).Order("due_on, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "督办事项", "list overdue tasks")
	}
	return db.tasksOf(ctx, rows)
}

var _ domain.TaskRepo = (*DB)(nil)
