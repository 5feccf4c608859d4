package storage

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"dudao/domain"
)

// The case list at province scale. A case is visible under a jurisdiction when its target lies there
// (its owner always lies above its target, so the owner adds nothing), and lists are newest first.
// case_scopes holds one row per case and per jurisdiction on its target's path (乌海市, 海勃湾区, the
// school), so that "the cases under S, newest first, after this one" is one index range
// (scope_path = S, ordered by created_at, case_id) whatever the number of cases outside it: the plan
// is SEARCH case_scopes USING COVERING INDEX case_scopes_list (scope_path=? AND …), with no SCAN and
// no temporary B-tree. case_counts keeps how many cases each jurisdiction holds in each status,
// updated in the transaction that changes a case, so a total is read, not counted.
var migrationCaseScopes = migration{7, "case scopes and kept counts", `
CREATE TABLE case_scopes (
	scope_path VARCHAR(512) {{bytes}} NOT NULL,
	case_id BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	status VARCHAR(16) NOT NULL,
	created_at {{ts}} NOT NULL,
	PRIMARY KEY (scope_path, case_id)
);
` + caseScopeIndexes[0] + `;
` + caseScopeIndexes[1] + `;
` + caseScopeIndexes[2] + `;
CREATE INDEX findings_case_due ON findings(case_id, status, due_on);
CREATE TABLE case_counts (
	scope_path VARCHAR(512) {{bytes}} NOT NULL,
	status VARCHAR(16) NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (scope_path, status)
);
INSERT INTO case_scopes (scope_path, case_id, status, created_at)
	SELECT o.path, c.id, c.status, c.created_at FROM cases c JOIN orgs o ON substr(c.target_path, 1, length(o.path)) = o.path;
INSERT INTO case_counts (scope_path, status, n)
	SELECT scope_path, status, COUNT(*) FROM case_scopes GROUP BY scope_path, status
`}

// caseScopeIndexes are case_scopes' secondary indexes, dropped and made again around a rebuild.
var caseScopeIndexes = []string{
	"CREATE INDEX case_scopes_list ON case_scopes(scope_path, created_at, case_id)",
	"CREATE INDEX case_scopes_status ON case_scopes(scope_path, status, created_at, case_id)",
	"CREATE INDEX case_scopes_case ON case_scopes(case_id)",
}

// ancestors are the jurisdictions on path, root first: "a/b/c/" → "a/", "a/b/", "a/b/c/".
func ancestors(path domain.Jurisdiction) []string {
	var out []string
	p := string(path)
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i+1])
		}
	}
	return out
}

// addCaseScopes records a new case under every jurisdiction of its target's path and counts it.
func (db *DB) addCaseScopes(ctx context.Context, c *domain.Case) error {
	conn := db.conn(ctx)
	scopes := ancestors(c.TargetOrg.Path)
	rows := make([]map[string]any, len(scopes))
	for i, s := range scopes {
		rows[i] = map[string]any{"scope_path": s, "case_id": c.ID, "status": string(c.Status), "created_at": c.CreatedAt.UTC()}
	}
	if err := conn.Table("case_scopes").Create(rows).Error; err != nil {
		return translate(err, "案件", "add case scopes")
	}
	return db.countCase(ctx, scopes, "", c.Status)
}

// moveCaseStatus moves a case from one status to another in its scopes and counts.
func (db *DB) moveCaseStatus(ctx context.Context, c *domain.Case, from domain.Status) error {
	if from == c.Status {
		return nil
	}
	if err := db.conn(ctx).Table("case_scopes").Where("case_id = ?", c.ID).Update("status", string(c.Status)).Error; err != nil {
		return translate(err, "案件", "move case scopes")
	}
	return db.countCase(ctx, ancestors(c.TargetOrg.Path), from, c.Status)
}

// countCase takes a case out of status from ("" for a new case) and into status to, in every scope,
// in the transaction's pending counts (kept.go).
func (db *DB) countCase(ctx context.Context, scopes []string, from, to domain.Status) error {
	ds := make(map[caseCountKey]int, 2*len(scopes))
	for _, s := range scopes {
		if from != "" {
			ds[caseCountKey{s, string(from)}]--
		}
		ds[caseCountKey{s, string(to)}]++
	}
	return db.addCaseCounts(ctx, ds)
}

// rebuildCaseScopes recomputes case_scopes and case_counts from the cases (after a bulk load).
func (db *DB) rebuildCaseScopes(ctx context.Context) error {
	// Each case's jurisdictions are its target path's ancestors, as addCaseScopes writes them; a join
	// of cases to orgs on a path prefix would compare every case with every org.
	err := db.withoutIndexes(ctx, caseScopeIndexes, func() error {
		for _, q := range []string{"DELETE FROM case_counts", "DELETE FROM case_scopes"} {
			if err := db.conn(ctx).Exec(q).Error; err != nil {
				return err
			}
		}
		type row struct {
			ID         int64
			TargetPath string
			Status     string
			CreatedAt  time.Time
		}
		return db.viaLoadTable(ctx, "case_scopes", []string{"scope_path", "case_id", "status", "created_at"}, "scope_path, case_id",
			func(load func(rows [][]any) error) error {
				return eachCaseBatch(ctx, db, "id, target_path, status, created_at", func(batch []row) (int64, error) {
					var rows [][]any
					for _, c := range batch {
						for _, s := range ancestors(domain.Jurisdiction(c.TargetPath)) {
							rows = append(rows, []any{s, c.ID, c.Status, c.CreatedAt.UTC()})
						}
					}
					return batch[len(batch)-1].ID, load(rows)
				})
			},
			"INSERT INTO case_counts (scope_path, status, n) SELECT scope_path, status, COUNT(*) FROM case_scopes_load GROUP BY scope_path, status")
	})
	if err != nil {
		return fmt.Errorf("storage: rebuild case scopes: %w", err)
	}
	return nil
}

// ListCap is where a list's total stops counting: past it a total reads "ListCap or more" (the caller
// says "1,000+"), so no request counts a whole province.
const ListCap = 1000

// SearchCap is where a text search's total stops counting. Counting a match means reading its title,
// so a search that counted to ListCap read up to a thousand titles per request beside the fifty it
// shows — two thirds of its time at the province (≈ 8 ms of ≈ 12). One who searches narrows the term
// rather than paging through hundreds, so a search says "200+" past 200.
const SearchCap = 200

// caseCursor is the position of the last case of a page: its creation time and id.
type caseCursor struct {
	at time.Time
	id int64
}

func (c caseCursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at.UnixNano(), 36) + "." + strconv.FormatInt(c.id, 36)))
}

func parseCaseCursor(s string) (caseCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	at, id, ok := strings.Cut(string(b), ".")
	if err != nil || !ok {
		return caseCursor{}, domain.FieldError("查询条件有误。", map[string]string{"cursor": "翻页标记无效，请从第一页重新浏览。"})
	}
	ns, err1 := strconv.ParseInt(at, 36, 64)
	n, err2 := strconv.ParseInt(id, 36, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return caseCursor{}, domain.FieldError("查询条件有误。", map[string]string{"cursor": "翻页标记无效，请从第一页重新浏览。"})
	}
	return caseCursor{at: time.Unix(0, ns).UTC(), id: n}, nil
}

// foldScopes drops repeated scopes and those another one covers: each case is then found under one
// scope only.
func foldScopes(scopes []domain.Jurisdiction) []domain.Jurisdiction {
	var out []domain.Jurisdiction
	for i, s := range scopes {
		keep := true
		for j, t := range scopes {
			if i != j && t.Covers(s) && (t != s || j < i) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// caseIDsPage reads the ids of one page of the filter's cases, newest first, from the scopes' index
// ranges: per scope at most per+1 ids after the cursor, merged. It returns the page's ids and the
// cursor of the next page ("" when none).
func (db *DB) caseIDsPage(ctx context.Context, f domain.CaseFilter, walks []walk, per int, after *caseCursor, offset int) ([]int64, string, error) {
	type hit struct {
		CaseID    int64
		CreatedAt time.Time
	}
	var hits []hit
	for _, w := range walks {
		for _, sf := range db.statusParts(f) {
			q := db.caseScopeQuery(db.conn(ctx), w, sf)
			k := w.key()
			if after != nil {
				// A row value, so that the cursor bounds the index range instead of filtering it.
				q = q.Where("("+k+".created_at, "+k+".case_id) < (?, ?)", after.at, after.id)
			}
			var part []hit
			if err := q.Select(k + ".case_id AS case_id, " + k + ".created_at AS created_at").
				Order(k + ".created_at DESC, " + k + ".case_id DESC").Limit(offset + per + 1).Scan(&part).Error; err != nil {
				return nil, "", translate(err, "案件", "list case ids")
			}
			hits = append(hits, part...)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if !hits[i].CreatedAt.Equal(hits[j].CreatedAt) {
			return hits[i].CreatedAt.After(hits[j].CreatedAt)
		}
		return hits[i].CaseID > hits[j].CaseID
	})
	if offset >= len(hits) {
		return nil, "", nil
	}
	hits = hits[offset:]
	next := ""
	if len(hits) > per {
		hits = hits[:per]
		last := hits[len(hits)-1]
		next = caseCursor{at: last.CreatedAt, id: last.CaseID}.String()
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.CaseID
	}
	return ids, next, nil
}

// statusParts, on PostgreSQL, splits a filter on several statuses (the overdue filter's two
// included) into one per status, whose pages caseIDsPage reads apart and merges. pgx prepares every
// statement, and PostgreSQL's generic plan for "status IN (…)" ordered by creation reads every case of
// those statuses through case_scopes_status and sorts them (the region's overdue list at the province:
// 23,000 cases read and a finding probed for each, 258 ms), while one status is read backwards along
// the index until the page is full (0.3 ms; 13 ms for a status that holds few overdue cases, read to
// its end). SQLite plans "IN" as a walk of the scope's cases newest first with the statuses as a
// filter (TestCaseListPlans), which meets the page sooner: on its home pages the split measured slower.
func (db *DB) statusParts(f domain.CaseFilter) []domain.CaseFilter {
	if db.dialect != Postgres {
		return []domain.CaseFilter{f}
	}
	return statusParts(f)
}

// statusParts splits f into one filter per status it names (each once), or returns f alone.
func statusParts(f domain.CaseFilter) []domain.CaseFilter {
	var statuses []domain.Status
	if f.Status != "" {
		statuses = append(statuses, f.Status)
	}
	for _, st := range f.Statuses {
		if !slices.Contains(statuses, st) {
			statuses = append(statuses, st)
		}
	}
	if len(statuses) == 0 && f.Overdue {
		statuses = []domain.Status{domain.StatusRectifying, domain.StatusVerifying}
	}
	if len(statuses) < 2 {
		return []domain.CaseFilter{f}
	}
	out := make([]domain.CaseFilter, len(statuses))
	for i, st := range statuses {
		out[i] = f
		out[i].Status, out[i].Statuses = st, nil
	}
	return out
}

// migrationPendingObjections indexes the objections awaiting a ruling. The director's "objections to
// rule on" list (cases in feedback or review with a pending objection) walked the scope's cases and
// looked for a pending objection in each: at the province a region holds thousands of cases in
// feedback or review and a handful with a pending objection, ≈ 160 ms a home page. The list now starts
// from the pending objections (bounded by what awaits a ruling, not by the scope) and looks each case
// up in the scope: CO-ROUTINE p (SEARCH op USING COVERING INDEX objections_pending (status=?)), SCAN p,
// SEARCH cs USING INDEX sqlite_autoindex_case_scopes_1 (scope_path=? AND case_id=?), then a temporary
// B-tree sorts those few cases newest first (≈ 0.1 ms).
var migrationPendingObjections = migration{15, "objections by status", `
CREATE INDEX objections_pending ON objections(status, case_id)
`}

// caseScopeQuery is the filter's cases under one scope, on case_scopes (aliased cs); conditions on
// the case itself join it. The index serves the scope, the status and the creation range; the other
// conditions are checked on the rows the index walk meets, newest first, until the page is full.
// A walk on a bigram reads case_grams (aliased k) in its order and looks each case up in the scope
// (case_scopes' primary key): CROSS JOIN keeps SQLite from reordering the two.
// The cases with a pending objection are read the other way round, from the objections awaiting a
// ruling (see migrationPendingObjections).
func (db *DB) caseScopeQuery(conn *gorm.DB, w walk, f domain.CaseFilter) *gorm.DB {
	var q *gorm.DB
	pendingDrives := false
	switch {
	case w.gram != "" && db.dialect == Postgres:
		// PostgreSQL does not keep the written join order: it merged the bigram's range with the
		// scope's whole range (at the region, every case). The subquery with OFFSET 0 is not pulled
		// up, so each case of the bigram's range is looked up in its scope by primary key instead.
		q = conn.Table(`case_grams AS k CROSS JOIN LATERAL (SELECT s.case_id, s.status FROM case_scopes s
			WHERE s.scope_path = ? AND s.case_id = k.case_id OFFSET 0) AS cs`, w.scope).Where("k.gram = ?", w.gram)
	case w.gram != "":
		q = conn.Table("case_grams AS k CROSS JOIN case_scopes AS cs").Where("k.gram = ?", w.gram).
			Where("cs.scope_path = ? AND cs.case_id = k.case_id", w.scope)
	case f.PendingObjections:
		q = conn.Table("(SELECT DISTINCT op.case_id FROM objections op WHERE op.status = 'pending') AS p CROSS JOIN case_scopes AS cs").
			Where("cs.scope_path = ? AND cs.case_id = p.case_id", w.scope)
		pendingDrives = true
	default:
		q = conn.Table("case_scopes AS cs").Where("cs.scope_path = ?", w.scope)
	}
	k := w.key()
	var statuses []string
	if f.Status != "" {
		statuses = append(statuses, string(f.Status))
	}
	for _, st := range f.Statuses {
		statuses = append(statuses, string(st))
	}
	switch len(statuses) {
	case 0:
	case 1:
		q = q.Where("cs.status = ?", statuses[0])
	default:
		q = q.Where("cs.status IN ?", statuses)
	}
	if f.Overdue {
		q = q.Where("cs.status IN ('rectifying', 'verifying')").
			Where("EXISTS (SELECT 1 FROM findings fo WHERE fo.case_id = cs.case_id AND fo.status IN ('open', 'failed') AND fo.due_on <> '' AND fo.due_on < ?)", string(f.Today))
	}
	if f.From != "" {
		q = q.Where(k+".created_at >= ?", f.From.Time().UTC())
	}
	if f.To != "" {
		q = q.Where(k+".created_at < ?", f.To.AddDays(1).Time().UTC())
	}
	if f.InspectorID != 0 {
		q = q.Where("EXISTS (SELECT 1 FROM case_inspectors ci WHERE ci.case_id = cs.case_id AND ci.user_id = ?)", f.InspectorID)
	}
	if f.PendingObjections && !pendingDrives {
		q = q.Where("EXISTS (SELECT 1 FROM objections op WHERE op.case_id = cs.case_id AND op.status = 'pending')")
	}
	if len(f.AllTypesIn) > 0 { // outside these scopes, 评估监测 cases only
		q = q.Where("(EXISTS (SELECT 1 FROM case_scopes ca WHERE ca.case_id = cs.case_id AND ca.scope_path IN ?) OR "+
			"EXISTS (SELECT 1 FROM cases cm WHERE cm.id = cs.case_id AND cm.type = ?))", pathStrings(f.AllTypesIn), string(domain.CaseMonitoring))
	}
	if f.Type != "" || f.Kind != "" || f.TargetOrgID != 0 || strings.TrimSpace(f.Q) != "" {
		q = q.Joins("JOIN cases c ON c.id = cs.case_id")
		if f.Type != "" {
			q = q.Where("c.type = ?", string(f.Type))
		}
		if f.Kind != "" {
			q = q.Where("c.kind = ?", string(f.Kind))
		}
		if f.TargetOrgID != 0 {
			q = q.Where("c.target_org_id = ?", f.TargetOrgID)
		}
		if q2 := strings.TrimSpace(f.Q); q2 != "" {
			like := "%" + escapeLike(q2) + "%"
			q = q.Where(`(c.title LIKE ? ESCAPE '\' OR c.number LIKE ? ESCAPE '\')`, like, like)
		}
	}
	return q
}

// caseTotal is the filter's total: read from the kept counts when only scope and status filter,
// else counted up to ListCap (a text search up to SearchCap). exact is false when the count stopped at the cap.
func (db *DB) caseTotal(ctx context.Context, f domain.CaseFilter, walks []walk) (total int, exact bool, err error) {
	scopes := foldScopes(f.Scopes)
	plain := !f.Overdue && f.From == "" && f.To == "" && f.InspectorID == 0 && !f.PendingObjections && len(f.AllTypesIn) == 0 &&
		f.Type == "" && f.Kind == "" && f.TargetOrgID == 0 && strings.TrimSpace(f.Q) == ""
	if plain {
		if err := db.writeKept(ctx); err != nil {
			return 0, false, err
		}
		q := db.conn(ctx).Table("case_counts").Where("scope_path IN ?", pathStrings(scopes))
		var statuses []string
		if f.Status != "" {
			statuses = append(statuses, string(f.Status))
		}
		for _, st := range f.Statuses {
			statuses = append(statuses, string(st))
		}
		if len(statuses) > 0 {
			q = q.Where("status IN ?", statuses)
		}
		var n *int64
		if err := q.Select("SUM(n)").Scan(&n).Error; err != nil {
			return 0, false, translate(err, "案件", "read case counts")
		}
		if n == nil {
			return 0, true, nil
		}
		return int(*n), true, nil
	}
	limit := ListCap
	if strings.TrimSpace(f.Q) != "" {
		limit = SearchCap
	}
	for _, w := range walks {
		var n int64
		sub := db.caseScopeQuery(db.conn(ctx), w, f).Select("1").Limit(limit + 1 - total)
		if err := db.conn(ctx).Table("(?) AS capped", sub).Count(&n).Error; err != nil {
			return 0, false, translate(err, "案件", "count cases")
		}
		total += int(n)
		if total > limit {
			return limit, false, nil
		}
	}
	return total, true, nil
}

func pathStrings(ps []domain.Jurisdiction) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func containsPath(list []domain.Jurisdiction, p domain.Jurisdiction) bool {
	for _, x := range list {
		if x == p {
			return true
		}
	}
	return false
}
