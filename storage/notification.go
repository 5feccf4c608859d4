package storage

import (
	"context"
	"slices"
	"strings"
	"time"

	"dudao/domain"
)

type notificationRow struct {
	ID               int64
	UserID           int64
	Kind             string
	Title            string
	Body             string
	Link             string
	CaseID           *int64
	AccountabilityID *int64
	DedupKey         string
	CreatedAt        time.Time
	ReadAt           *time.Time
	EmailedAt        *time.Time
}

func (notificationRow) TableName() string { return "notifications" }

func (r notificationRow) toDomain() domain.Notification {
	return domain.Notification{ID: r.ID, UserID: r.UserID, Kind: domain.NotificationKind(r.Kind), Title: r.Title, Body: r.Body,
		Link: r.Link, CaseID: r.CaseID, AccountabilityID: r.AccountabilityID, DedupKey: r.DedupKey, CreatedAt: r.CreatedAt,
		ReadAt: r.ReadAt, EmailedAt: r.EmailedAt}
}

// AddNotification inserts n unless the user already has its dedup key. ON CONFLICT DO NOTHING keeps a
// concurrent duplicate (two nodes ticking at once) from aborting the caller's transaction on PostgreSQL.
func (db *DB) AddNotification(ctx context.Context, n *domain.Notification) (bool, error) {
	var ids []int64
	err := db.conn(ctx).Raw(`INSERT INTO notifications (user_id, kind, title, body, link, case_id, accountability_id, dedup_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, dedup_key) DO NOTHING RETURNING id`,
		n.UserID, string(n.Kind), n.Title, n.Body, n.Link, n.CaseID, n.AccountabilityID, n.DedupKey, n.CreatedAt.UTC()).Scan(&ids).Error
	if err != nil {
		return false, translate(err, "通知", "add notification")
	}
	if len(ids) == 0 {
		return false, nil
	}
	n.ID = ids[0]
	return true, nil
}

// ListNotifications lists the user's notifications, unread first, newest first.
func (db *DB) ListNotifications(ctx context.Context, userID int64, page, perPage int) ([]domain.Notification, int, int, error) {
	q := db.conn(ctx).Model(&notificationRow{}).Where("user_id = ?", userID)
	var total, unread int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, 0, translate(err, "通知", "count notifications")
	}
	if err := db.conn(ctx).Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&unread).Error; err != nil {
		return nil, 0, 0, translate(err, "通知", "count unread notifications")
	}
	per, pg := accPageOf(perPage, page)
	var rows []notificationRow
	err := db.conn(ctx).Where("user_id = ?", userID).
		Order("CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC").
		Limit(per).Offset((pg - 1) * per).Find(&rows).Error
	if err != nil {
		return nil, 0, 0, translate(err, "通知", "list notifications")
	}
	out := make([]domain.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, int(total), int(unread), nil
}

// MarkRead marks one of the user's notifications read; it stays read at its first reading.
func (db *DB) MarkRead(ctx context.Context, userID, id int64, at time.Time) (domain.Notification, error) {
	if err := db.mustTx(ctx); err != nil {
		return domain.Notification{}, err
	}
	if err := db.conn(ctx).Model(&notificationRow{}).Where("id = ? AND user_id = ? AND read_at IS NULL", id, userID).
		Update("read_at", at.UTC()).Error; err != nil {
		return domain.Notification{}, translate(err, "通知", "mark notification read")
	}
	var row notificationRow
	if err := db.conn(ctx).Where("id = ? AND user_id = ?", id, userID).Take(&row).Error; err != nil {
		return domain.Notification{}, translate(err, "通知", "get notification")
	}
	return row.toDomain(), nil
}

// MarkAllRead marks every unread notification of the user read.
func (db *DB) MarkAllRead(ctx context.Context, userID int64, at time.Time) (int, error) {
	res := db.conn(ctx).Model(&notificationRow{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", at.UTC())
	if res.Error != nil {
		return 0, translate(res.Error, "通知", "mark all read")
	}
	return int(res.RowsAffected), nil
}

// MarkEmailed records that the notification went out by email.
func (db *DB) MarkEmailed(ctx context.Context, id int64, at time.Time) error {
	if err := db.conn(ctx).Model(&notificationRow{}).Where("id = ?", id).Update("emailed_at", at.UTC()).Error; err != nil {
		return translate(err, "通知", "mark emailed")
	}
	return nil
}

// SetEmail sets a user's address for email reminders.
func (db *DB) SetEmail(ctx context.Context, userID int64, email string) error {
	res := db.conn(ctx).Table("users").Where("id = ?", userID).Update("email", email)
	if res.Error != nil {
		return translate(res.Error, "用户", "set email")
	}
	if res.RowsAffected == 0 {
		return domain.Errorf(domain.ENOTFOUND, "用户不存在。")
	}
	return nil
}

// GetEmail reads a user's address for email reminders.
func (db *DB) GetEmail(ctx context.Context, userID int64) (string, error) {
	var emails []string
	if err := db.conn(ctx).Table("users").Where("id = ?", userID).Pluck("email", &emails).Error; err != nil {
		return "", translate(err, "用户", "get email")
	}
	if len(emails) == 0 {
		return "", domain.Errorf(domain.ENOTFOUND, "用户不存在。")
	}
	return emails[0], nil
}

// Audience resolves an audience to distinct active users in one query.
func (db *DB) Audience(ctx context.Context, a domain.Audience) ([]domain.Recipient, error) {
	var parts []string
	var args []any
	if len(a.Members) > 0 {
		parts = append(parts, "u.org_id IN ?")
		args = append(args, a.Members)
	}
	if len(a.Users) > 0 {
		parts = append(parts, "u.id IN ?")
		args = append(args, a.Users)
	}
	if len(a.Inspectors) > 0 {
		parts = append(parts, "EXISTS (SELECT 1 FROM case_inspectors ci WHERE ci.user_id = u.id AND ci.case_id IN ?)")
		args = append(args, a.Inspectors)
	}
	for _, h := range a.Holders {
		parts = append(parts, "EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id AND g.role = ? AND g.org_id = ?)")
		args = append(args, string(h.Role), h.OrgID)
	}
	for _, c := range a.Covering {
		// The grant's path is a prefix of the object's: compared in Go's terms by the database.
		parts = append(parts, "EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id AND g.role = ? AND SUBSTR(?, 1, LENGTH(g.path)) = g.path)")
		args = append(args, string(c.Role), string(c.Path))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID    int64
		Name  string
		Email string
	}
	err := db.conn(ctx).Table("users AS u").Select("u.id, u.name, u.email").
		Where("u.active AND ("+strings.Join(parts, " OR ")+")", args...).Order("u.id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "用户", "resolve audience")
	}
	out := make([]domain.Recipient, len(rows))
	for i, r := range rows {
		out[i] = domain.Recipient{UserID: r.ID, Name: r.Name, Email: r.Email}
	}
	return out, nil
}

// OverdueFindings lists findings to rectify past due in cases being rectified or verified.
func (db *DB) OverdueFindings(ctx context.Context, today domain.Date) ([]domain.OverdueFinding, error) {
	var rows []struct {
		CaseID          int64
		Number          string
		CaseTitle       string
		CaseStatus      string
		OwnerOrgID      int64
		TargetOrgID     int64
		RecheckFailures int
		FindingID       int64
		Title           string
		Severity        string
		Status          string
		DueOn           string
	}
	err := db.conn(ctx).Raw(`SELECT c.id AS case_id, c.number, c.title AS case_title, c.status AS case_status, c.owner_org_id,
			c.target_org_id, c.recheck_failures, f.id AS finding_id, f.title, f.severity, f.status, f.due_on
		FROM findings f JOIN cases c ON c.id = f.case_id
		WHERE f.status IN ('open', 'failed') AND f.due_on <> '' AND f.due_on < ? AND c.status IN ('rectifying', 'verifying')
		ORDER BY f.due_on, f.id`, string(today)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "问题", "list overdue findings")
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.OwnerOrgID, r.TargetOrgID)
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]domain.OverdueFinding, len(rows))
	for i, r := range rows {
		out[i] = domain.OverdueFinding{CaseID: r.CaseID, CaseNumber: r.Number, CaseTitle: r.CaseTitle, CaseStatus: domain.Status(r.CaseStatus),
			OwnerOrg: orgs[r.OwnerOrgID], TargetOrg: orgs[r.TargetOrgID], RecheckFailures: r.RecheckFailures, FindingID: r.FindingID,
			Title: r.Title, Severity: domain.Severity(r.Severity), Status: domain.FindingStatus(r.Status), DueOn: domain.Date(r.DueOn)}
	}
	return out, nil
}

// LateRechecks lists the cases awaiting recheck whose rectification was submitted before the given
// time. The case row does not keep the submission time; the audit log, append-only, does. The latest
// submission counts (a case sent back and submitted again); it is found here rather than with MAX(at),
// which SQLite would hand back as text.
func (db *DB) LateRechecks(ctx context.Context, submittedBefore time.Time) ([]domain.LateRecheck, error) {
	var rows []struct {
		ID          int64
		Number      string
		Title       string
		OwnerOrgID  int64
		TargetOrgID int64
		At          time.Time
	}
	err := db.conn(ctx).Raw(`SELECT c.id, c.number, c.title, c.owner_org_id, c.target_org_id, e.at
		FROM cases c JOIN audit_events e ON e.object_id = c.id AND e.object_type = 'case' AND e.action = 'case.submit_rectification'
		WHERE c.status = 'verifying'
		ORDER BY c.id, e.id`).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "案件", "list late rechecks")
	}
	latest := map[int64]int{}
	var order []int64
	for i, r := range rows {
		if _, ok := latest[r.ID]; !ok {
			order = append(order, r.ID)
		}
		latest[r.ID] = i
	}
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.OwnerOrgID, r.TargetOrgID)
	}
	orgs, err := db.accOrgs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	var out []domain.LateRecheck
	for _, id := range order {
		r := rows[latest[id]]
		if !r.At.Before(submittedBefore) {
			continue
		}
		out = append(out, domain.LateRecheck{CaseID: r.ID, CaseNumber: r.Number, CaseTitle: r.Title, OwnerOrg: orgs[r.OwnerOrgID],
			TargetOrg: orgs[r.TargetOrgID], SubmittedAt: r.At.UTC()})
	}
	return out, nil
}

// SentBackCases lists active cases that recheck sent back at least minFailures times.
func (db *DB) SentBackCases(ctx context.Context, minFailures int) ([]int64, error) {
	var ids []int64
	err := db.conn(ctx).Table("cases").Where("status IN ('rectifying', 'verifying') AND recheck_failures >= ?", minFailures).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, translate(err, "案件", "list sent-back cases")
	}
	slices.Sort(ids)
	return ids, nil
}

var _ domain.NotificationRepo = (*DB)(nil)
