package storage

import (
	"context"
	"time"

	"dudao/domain"
)

// What the registry's rules read of the cases: an inspector's open cases (a draw's load), the targets
// inspected lately (a draw's filter) and the routine visits (coverage).

// OpenCaseLoads counts, per user, the cases naming them whose 意见书 is not issued yet and that are not
// cancelled.
func (db *DB) OpenCaseLoads(ctx context.Context, userIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	ids := uniqueIDs(userIDs)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		UserID int64
		N      int
	}
	err := db.conn(ctx).Table("case_inspectors ci").Joins("JOIN cases c ON c.id = ci.case_id").
		Select("ci.user_id, COUNT(*) AS n").
		Where("ci.user_id IN ? AND c.status IN ?", ids, []string{string(domain.StatusPlanned), string(domain.StatusInspecting),
			string(domain.StatusFeedback), string(domain.StatusReview)}).
		Group("ci.user_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "案件", "count open cases per inspector")
	}
	for _, r := range rows {
		out[r.UserID] = r.N
	}
	return out, nil
}

// InspectedSince lists the orgs lying at paths that are the target of a case of type t, other than a
// routine visit and not cancelled, opened on or after since. By path, so that the index
// cases_target_path (target_path, created_at) serves it.
func (db *DB) InspectedSince(ctx context.Context, paths []domain.Jurisdiction, t domain.CaseType, since time.Time) ([]int64, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	ps := make([]string, len(paths))
	for k, p := range paths {
		ps[k] = string(p)
	}
	var out []int64
	err := db.conn(ctx).Table("cases").Distinct("target_org_id").
		Where("target_path IN ? AND created_at >= ? AND type = ? AND kind <> ? AND status <> ?",
			ps, since.UTC(), string(t), string(domain.KindRoutine), string(domain.StatusCancelled)).
		Pluck("target_org_id", &out).Error
	if err != nil {
		return nil, translate(err, "案件", "find inspected targets")
	}
	return out, nil
}

// RoutineVisits are the days routine cases started at the schools under scopes from from to to, both
// included (days in CST); cancelled cases are no visits. The index cases_kind_started serves it.
func (db *DB) RoutineVisits(ctx context.Context, scopes []domain.Jurisdiction, from, to domain.Date) ([]domain.Visit, error) {
	w, args := db.scopeWhere("target_path", scopes)
	var rows []struct {
		TargetOrgID int64
		StartedAt   time.Time
	}
	err := db.conn(ctx).Table("cases").Select("target_org_id, started_at").
		Where("kind = ? AND started_at >= ? AND started_at < ? AND status <> ?", string(domain.KindRoutine),
			from.Time().UTC(), to.AddDays(1).Time().UTC(), string(domain.StatusCancelled)).
		Where(w, args...).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "案件", "list routine visits")
	}
	out := make([]domain.Visit, len(rows))
	for k, r := range rows {
		out[k] = domain.Visit{SchoolID: r.TargetOrgID, On: domain.DateOf(r.StartedAt)}
	}
	return out, nil
}

var _ domain.RegistryRepo = (*DB)(nil)
