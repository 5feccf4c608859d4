package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dudao/app"
	"dudao/domain"
	"dudao/storage"
)

// genVersion names the generator's output: bump it when the rows it writes change, so that a kept
// dataset of an older generator is made anew.
const genVersion = 1

// seed fixes the dataset: the same seed, scale and date give the same rows.
const seed = 20260301

// batchCases is how many cases one load transaction carries.
const batchCases = 10_000

// dataset is where a province is kept between runs and the copy a run works on (a run changes what it
// measures: transitions, sessions), so that the kept one is measured again as it was made.
type dataset struct {
	engine   string // "sqlite" or "postgres"
	pristine string // DSN of the kept province
	run      string // DSN of the run's copy
	tmp      string // a folder removed at the end ("" for none)
	admin    string // PostgreSQL: the DSN the harness creates databases through
	pgKept   string // PostgreSQL: the kept database's name
	pgRun    string // PostgreSQL: the run's database's name
}

// scaleKey spells a scale for file and database names: 0.01 → "0p01".
func scaleKey(scale float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(scale, 'f', -1, 64), ".", "p")
}

func datasetKey(scale float64, asOf time.Time) string {
	return fmt.Sprintf("province_%s_%s_m%d_g%d", scaleKey(scale), asOf.In(domain.CST).Format("20060102"), storage.LatestVersion(), genVersion)
}

// openDataset finds or makes the province for cfg and copies it for the run.
func openDataset(ctx context.Context, cfg config, log io.Writer) (*dataset, error) {
	p := newProvince(cfg.scale, cfg.asOf)
	key := datasetKey(cfg.scale, cfg.asOf)
	if strings.HasPrefix(cfg.db, "postgres://") || strings.HasPrefix(cfg.db, "postgresql://") {
		return openPostgresDataset(ctx, cfg, p, key, log)
	}
	d := &dataset{engine: "sqlite"}
	dir := cfg.data
	if dir == "" {
		t, err := os.MkdirTemp("", "dudao-bench-")
		if err != nil {
			return nil, err
		}
		dir, d.tmp = t, t
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	d.pristine = filepath.Join(dir, key+".db")
	d.run = filepath.Join(dir, "run.db")
	_, err := os.Stat(d.pristine)
	if cfg.regen || errors.Is(err, os.ErrNotExist) {
		removeStaleParts(d.pristine)
		tmp := fmt.Sprintf("%s.part%d", d.pristine, os.Getpid()) // of this run alone, should two run at once
		removeSQLite(d.pristine)
		if err := generate(ctx, tmp, p, log); err != nil {
			removeSQLite(tmp)
			return d, err
		}
		if err := os.Rename(tmp, d.pristine); err != nil {
			return d, err
		}
	} else if err != nil {
		return d, err
	} else {
		fmt.Fprintf(log, "dataset: reusing %s\n", d.pristine)
	}
	removeSQLite(d.run)
	start := time.Now()
	if err := copyFile(d.pristine, d.run); err != nil {
		return d, err
	}
	if fi, err := os.Stat(d.run); err == nil {
		fmt.Fprintf(log, "dataset: copied for the run (%d MB) in %s\n", fi.Size()>>20, time.Since(start).Round(time.Millisecond))
	}
	return d, nil
}

// close removes the run's copy (and the folder the harness made).
func (d *dataset) close(ctx context.Context) error {
	if d == nil {
		return nil
	}
	var err error
	switch d.engine {
	case "sqlite":
		removeSQLite(d.run)
	case "postgres":
		err = pgExec(ctx, d.admin, "DROP DATABASE IF EXISTS "+d.pgRun+" WITH (FORCE)")
	}
	if d.tmp != "" {
		_ = os.RemoveAll(d.tmp)
	}
	return err
}

// removeStaleParts removes what runs that died while generating the same dataset left behind
// (name.part<pid>, with its WAL), leaving those of runs still going.
func removeStaleParts(pristine string) {
	parts, _ := filepath.Glob(pristine + ".part*")
	for _, p := range parts {
		pid := strings.TrimPrefix(p, pristine+".part")
		pid, _, _ = strings.Cut(pid, "-")
		if _, err := os.Stat("/proc/" + pid); err != nil {
			_ = os.Remove(p)
		}
	}
}

func removeSQLite(path string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		_ = os.Remove(path + s)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// openPostgresDataset keeps the province as a database of its own on the server of cfg.db and gives
// the run a copy made with CREATE DATABASE … TEMPLATE.
func openPostgresDataset(ctx context.Context, cfg config, p *province, key string, log io.Writer) (*dataset, error) {
	u, err := url.Parse(cfg.db)
	if err != nil {
		return nil, fmt.Errorf("--db: %w", err)
	}
	d := &dataset{engine: "postgres", admin: cfg.db, pgKept: "dudao_bench_" + key, pgRun: "dudao_bench_run"}
	dsnOf := func(name string) string {
		v := *u
		v.Path = "/" + name
		return v.String()
	}
	d.pristine, d.run = dsnOf(d.pgKept), dsnOf(d.pgRun)
	exists, err := pgDatabaseExists(ctx, cfg.db, d.pgKept)
	if err != nil {
		return nil, err
	}
	if cfg.regen || !exists {
		part := d.pgKept + "_part"
		for _, q := range []string{"DROP DATABASE IF EXISTS " + part + " WITH (FORCE)", "DROP DATABASE IF EXISTS " + d.pgKept + " WITH (FORCE)",
			"CREATE DATABASE " + part} {
			if err := pgExec(ctx, cfg.db, q); err != nil {
				return nil, err
			}
		}
		if err := generate(ctx, dsnOf(part), p, log); err != nil {
			return d, err
		}
		if err := pgExec(ctx, cfg.db, "ALTER DATABASE "+part+" RENAME TO "+d.pgKept); err != nil {
			return d, err
		}
	} else {
		fmt.Fprintf(log, "dataset: reusing database %s\n", d.pgKept)
	}
	start := time.Now()
	strategy, err := pgFileCopy(ctx, cfg.db)
	if err != nil {
		return d, err
	}
	for _, q := range []string{"DROP DATABASE IF EXISTS " + d.pgRun + " WITH (FORCE)", "CREATE DATABASE " + d.pgRun + " TEMPLATE " + d.pgKept + strategy} {
		if err := pgExec(ctx, cfg.db, q); err != nil {
			return d, err
		}
	}
	fmt.Fprintf(log, "dataset: copied for the run in %s\n", time.Since(start).Round(time.Millisecond))
	return d, nil
}

// pgFileCopy is the clause that makes CREATE DATABASE copy the template's files (PostgreSQL 15 and
// later). The default there writes every page of the copy to the WAL: 5 GB for the province, which the
// server then checkpointed while the first measurements ran — the first page measured, on a copy just
// made, was the lowest ratio of every run.
func pgFileCopy(ctx context.Context, dsn string) (string, error) {
	g, err := openGorm(dsn)
	if err != nil {
		return "", err
	}
	defer closeGorm(g)
	var v int
	if err := g.WithContext(ctx).Raw("SELECT current_setting('server_version_num')::int").Scan(&v).Error; err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	if v >= 150000 {
		return " STRATEGY = FILE_COPY", nil
	}
	return "", nil
}

// generate writes the province into the empty database dsn through the storage bulk path, a
// transaction per batch of cases, with a progress bar on log.
func generate(ctx context.Context, dsn string, p *province, log io.Writer) error {
	db, err := storage.Open(dsn)
	if err != nil {
		return err
	}
	if err := loadProvince(ctx, db, p, log); err != nil {
		db.Close()
		return err
	}
	// Closed before ANALYZE, so that SQLite's WAL folds into the file and the file alone is the data.
	if err := db.Close(); err != nil {
		return err
	}
	// Statistics for the planner, as an operator runs after a bulk load.
	t := time.Now()
	if err := analyze(ctx, dsn); err != nil {
		return err
	}
	fmt.Fprintf(log, "dataset: ANALYZE in %s\n", time.Since(t).Round(time.Millisecond))
	return nil
}

func loadProvince(ctx context.Context, db *storage.DB, p *province, log io.Writer) error {
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	start := time.Now()
	// One argon2id hash for everyone: hashing each user's would take minutes.
	hash, err := app.HashPassword(benchPassword)
	if err != nil {
		return err
	}
	g := &writer{db: db, p: p, at: p.asOf.Add(-365 * 24 * time.Hour).UTC()}
	if err := db.WithinTx(ctx, func(ctx context.Context) error { return g.people(ctx, hash) }); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, uint64(p.casesPerYear())))
	counters := map[counterKey]int{}
	bar := newProgress(log, "cases", p.totalCases())
	for y := p.firstYear(); y < p.firstYear()+years; y++ {
		cs := p.yearCases(rng, y, counters)
		for len(cs) > 0 {
			n := min(batchCases, len(cs))
			if err := db.WithinTx(ctx, func(ctx context.Context) error { return g.cases(ctx, cs[:n]) }); err != nil {
				return err
			}
			cs = cs[n:]
			bar.add(n)
		}
	}
	bar.done()
	err = db.WithinTx(ctx, func(ctx context.Context) error {
		if err := g.counters(ctx, counters); err != nil {
			return err
		}
		return g.decisions(ctx, rng)
	})
	if err != nil {
		return err
	}
	if err := db.ResetSequences(ctx, "orgs", "users", "grants", "cases", "findings", "measures", "objections", "rechecks",
		"audit_events", "accountabilities", "incentives"); err != nil {
		return err
	}
	if err := db.WithinTx(ctx, db.RebuildDerived); err != nil {
		return err
	}
	fmt.Fprintf(log, "dataset: %d orgs, %d users, %d cases, %d findings, %d measures, %d rechecks, %d objections, %d audit events, %d 问责, %d 激励 in %s\n",
		len(p.orgs), len(p.users), g.nCases, g.nFindings, g.nMeasures, g.nRechecks, g.nObjections, g.nAudit, g.nAcc, g.nInc,
		time.Since(start).Round(time.Second))
	return nil
}

// writer turns the province into rows, giving every id itself and chaining the audit events.
type writer struct {
	db *storage.DB
	p  *province
	at time.Time // when the people were registered

	caseID, findingID, measureID, recheckID, objectionID, auditID, accID, incID int64
	prevHash                                                                    string

	nCases, nFindings, nMeasures, nRechecks, nObjections, nAudit, nAcc, nInc int
}

func (g *writer) people(ctx context.Context, hash string) error {
	var orgs, users, grants [][]any
	for _, o := range g.p.orgs {
		var parent any
		if o.parent != 0 {
			parent = o.parent
		}
		orgs = append(orgs, []any{o.id, o.code, o.name, string(o.kind), parent, o.path, g.at})
	}
	for _, u := range g.p.users {
		users = append(users, []any{u.id, u.username, u.name, u.org.id, hash, true, g.at})
		grants = append(grants, []any{u.id, u.id, string(u.role), u.org.id, u.org.path, g.at})
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"orgs", []string{"id", "code", "name", "kind", "parent_id", "path", "created_at"}, orgs},
		{"users", []string{"id", "username", "name", "org_id", "password_hash", "active", "created_at"}, users},
		{"grants", []string{"id", "user_id", "role", "org_id", "path", "created_at"}, grants},
	} {
		if err := g.db.BulkInsert(ctx, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	return nil
}

var (
	caseCols = []string{"id", "number", "year", "seq", "type", "kind", "owner_org_id", "owner_path", "target_org_id", "target_path",
		"title", "planned_on", "status", "version", "created_by", "created_at", "started_at", "preliminary_at", "issued_at", "closed_at",
		"objection_deadline", "acknowledged", "review_submitted_by", "issued_by", "rectification_submitted_by", "recheck_failures",
		"cancel_reason", "return_comment", "updated_at"}
	findingCols   = []string{"id", "case_id", "title", "description", "severity", "category", "item_code", "due_on", "status"}
	measureCols   = []string{"id", "case_id", "finding_id", "description", "responsible_person", "responsible_unit", "due_on", "created_by", "created_at"}
	recheckCols   = []string{"id", "case_id", "finding_id", "round", "passed", "comment", "new_due_on", "by_user", "at"}
	objectionCols = []string{"id", "case_id", "finding_id", "text", "status", "reason", "filed_by", "filed_at", "ruled_by", "ruled_at"}
	auditCols     = []string{"id", "at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_path", "before_digest",
		"after_digest", "detail", "request_id", "prev_hash", "hash"}
)

func tptr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// cases writes one batch of cases with their parts and audit events.
func (g *writer) cases(ctx context.Context, batch []*genCase) error {
	var cases, insp, findings, measures, rechecks, objections, audit [][]any
	for _, c := range batch {
		g.caseID++
		c.id = g.caseID
		last := c.events[len(c.events)-1].at
		cases = append(cases, []any{c.id, c.number, c.year, c.seq, string(c.typ), string(c.kind), c.owner.id, c.owner.path,
			c.target.id, c.target.path, c.title, c.plannedOn, string(c.status), len(c.events), c.createdBy, c.created.UTC(),
			tptr(c.started), tptr(c.preliminary), tptr(c.issued), tptr(c.closed), tptr(c.objectionDeadline), c.acknowledged,
			c.reviewBy, c.issuedBy, c.rectifiedBy, c.recheckFailures, c.cancelReason, "", last.UTC()})
		for _, u := range c.inspectors {
			insp = append(insp, []any{c.id, u})
		}
		for i := range c.findings {
			f := &c.findings[i]
			g.findingID++
			f.id = g.findingID
			findings = append(findings, []any{f.id, c.id, f.title, f.description, f.severity, f.category, "", f.dueOn, string(f.status)})
			if f.measure {
				g.measureID++
				measures = append(measures, []any{g.measureID, c.id, f.id, "制定整改方案，明确责任人和完成时限，逐项整改到位。", "校长",
					c.target.name, f.dueOn, c.rectifiedBy, c.issued.Add(72 * time.Hour).UTC()})
			}
			for _, r := range f.rechecks {
				g.recheckID++
				comment := ""
				if !r.passed {
					comment = "整改不到位，需继续整改。"
				}
				rechecks = append(rechecks, []any{g.recheckID, c.id, f.id, r.round, r.passed, comment, r.newDue, r.by, r.at.UTC()})
			}
		}
		if o := c.objection; o != nil {
			g.objectionID++
			status, reason := string(domain.ObjectionPending), ""
			var ruledAt any
			if o.ruledBy != 0 {
				status, reason, ruledAt = string(domain.ObjectionRejected), "申辩理由不成立。", o.ruledAt.UTC()
				if o.upheld {
					status, reason = string(domain.ObjectionUpheld), "申辩理由成立，撤回该问题。"
				}
			}
			objections = append(objections, []any{g.objectionID, c.id, c.findings[o.findingIdx].id, o.text, status, reason, o.filedBy,
				o.filedAt.UTC(), o.ruledBy, ruledAt})
		}
		before := ""
		for v, e := range c.events {
			after := digestOf(c.id, v+1)
			audit = append(audit, g.seal(e, "case", c.id, c.target.path, before, after))
			before = after
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"cases", caseCols, cases},
		{"case_inspectors", []string{"case_id", "user_id"}, insp},
		{"findings", findingCols, findings},
		{"measures", measureCols, measures},
		{"rechecks", recheckCols, rechecks},
		{"objections", objectionCols, objections},
		{"audit_events", auditCols, audit},
	} {
		if err := g.db.BulkInsert(ctx, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	g.nCases += len(cases)
	g.nFindings += len(findings)
	g.nMeasures += len(measures)
	g.nRechecks += len(rechecks)
	g.nObjections += len(objections)
	g.nAudit += len(audit)
	return nil
}

// seal chains one audit event after the last one, as storage's Append would have.
func (g *writer) seal(e event, objType string, objID int64, path, before, after string) []any {
	g.auditID++
	ev := domain.AuditEvent{At: e.at.UTC().Truncate(time.Microsecond), ActorID: e.actor, ActorName: g.p.nameOf[e.actor],
		Action: e.action, ObjectType: objType, ObjectID: objID, ObjectPath: domain.Jurisdiction(path), Before: before, After: after,
		Detail: e.detail}
	ev.Seal(g.prevHash)
	g.prevHash = ev.Hash
	return []any{g.auditID, ev.At, ev.ActorID, ev.ActorName, ev.Action, ev.ObjectType, ev.ObjectID, string(ev.ObjectPath),
		ev.Before, ev.After, ev.Detail, ev.RequestID, ev.PrevHash, ev.Hash}
}

// digestOf stands for the digest of a record at a version: what the write path would have hashed.
func digestOf(id int64, version int) string {
	s := sha256.Sum256([]byte("case/" + strconv.FormatInt(id, 10) + "/" + strconv.Itoa(version)))
	return hex.EncodeToString(s[:])
}

// counters lets case numbering go on where the generated cases stop.
func (g *writer) counters(ctx context.Context, counters map[counterKey]int) error {
	rows := make([][]any, 0, len(counters))
	for k, n := range counters {
		rows = append(rows, []any{k.owner, string(k.typ), k.year, n})
	}
	return g.db.BulkInsert(ctx, "case_counters", []string{"owner_org_id", "type", "year", "last_seq"}, rows)
}

var triggers = []domain.Trigger{domain.TriggerPolicy, domain.TriggerDuty, domain.TriggerTask, domain.TriggerConduct,
	domain.TriggerQuality, domain.TriggerSafety}

// decisions writes the 问责 and 激励 decided each year (2,000 and 1,000 a year at full scale), with
// their audit events after the cases'.
func (g *writer) decisions(ctx context.Context, rng *rand.Rand) error {
	var accs, incs, audit [][]any
	perYear := func(n int) int { return max(1, int(float64(n)*g.p.scale+0.5)) }
	accCols := []string{"id", "target_type", "target_org_id", "target_path", "owner_org_id", "owner_path", "trigger", "cause", "facts",
		"status", "form", "proposed_by", "proposed_at", "decision_facts", "legal_basis", "decided_by", "decided_at", "effective_on",
		"published_by", "published_at", "version", "updated_at"}
	incCols := []string{"id", "target_org_id", "target_path", "owner_org_id", "owner_path", "kind", "reason", "status", "proposed_by",
		"proposed_at", "decision", "decided_by", "decided_at", "version", "updated_at"}
	for y := g.p.firstYear(); y < g.p.firstYear()+years; y++ {
		span := time.Date(y+1, 1, 1, 0, 0, 0, 0, domain.CST).Sub(time.Date(y, 1, 1, 0, 0, 0, 0, domain.CST))
		if y == g.p.asOf.In(domain.CST).Year() {
			span = g.p.asOf.Sub(time.Date(y, 1, 1, 0, 0, 0, 0, domain.CST)) - 40*24*time.Hour
		}
		day := func() time.Time {
			return time.Date(y, 1, 1, 9, 0, 0, 0, domain.CST).Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Microsecond).UTC()
		}
		for range perYear(2000) {
			g.accID++
			sch := g.p.schools[rng.IntN(len(g.p.schools))]
			city := sch.city
			proposer := city.supervisors[rng.IntN(len(city.supervisors))]
			proposed := day()
			decided := proposed.Add(time.Duration(10+rng.IntN(20)) * 24 * time.Hour)
			status, version := string(domain.AccDecided), 2
			var publishedBy, publishedAt any = int64(0), nil
			events := []event{{string(domain.OpPropose), proposer, proposed, ""}, {string(domain.AccDecide.Op()), city.director, decided, ""}}
			if rng.IntN(5) == 0 {
				status, version = string(domain.AccPublished), 3
				publishedBy, publishedAt = city.director, decided.Add(48*time.Hour)
				events = append(events, event{string(domain.AccPublish.Op()), city.director, decided.Add(48 * time.Hour), ""})
			}
			accs = append(accs, []any{g.accID, string(domain.TargetUnit), sch.id, sch.path, city.id, city.path,
				string(triggers[rng.IntN(len(triggers))]), string(domain.CauseOverdue), "整改逾期未完成。", status,
				domain.UnitForms[rng.IntN(len(domain.UnitForms))], proposer, proposed, "经调查核实，整改逾期属实。", "《教育督导问责办法》",
				city.director, decided, string(domain.DateOf(decided)), publishedBy, publishedAt, version, decided})
			before := ""
			for v, e := range events {
				after := digestOf(-g.accID, v+1)
				audit = append(audit, g.seal(e, "accountability", g.accID, sch.path, before, after))
				before = after
			}
		}
		for range perYear(1000) {
			g.incID++
			sch := g.p.schools[rng.IntN(len(g.p.schools))]
			city := sch.city
			proposer := city.supervisors[rng.IntN(len(city.supervisors))]
			proposed := day()
			decided := proposed.Add(time.Duration(5+rng.IntN(20)) * 24 * time.Hour)
			kind := domain.IncCommendation
			if rng.IntN(3) == 0 {
				kind = domain.IncResource
			}
			incs = append(incs, []any{g.incID, sch.id, sch.path, city.id, city.path, string(kind), "整改成效显著。", string(domain.IncDecided),
				proposer, proposed, "予以表彰。", city.director, decided, 2, decided})
			events := []event{{string(domain.OpProposeIncentive), proposer, proposed, ""}, {string(domain.IncDecide.Op()), city.director, decided, ""}}
			before := ""
			for v, e := range events {
				after := digestOf(-1_000_000-g.incID, v+1)
				audit = append(audit, g.seal(e, "incentive", g.incID, sch.path, before, after))
				before = after
			}
		}
	}
	g.nAcc, g.nInc, g.nAudit = len(accs), len(incs), g.nAudit+len(audit)
	if err := g.db.BulkInsert(ctx, "accountabilities", accCols, accs); err != nil {
		return err
	}
	if err := g.db.BulkInsert(ctx, "incentives", incCols, incs); err != nil {
		return err
	}
	return g.db.BulkInsert(ctx, "audit_events", auditCols, audit)
}
