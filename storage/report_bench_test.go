package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"dudao/domain"
	"dudao/storage/storagetest"
)

// BenchmarkAccountabilityReport measures a region-wide year of the accountability report on a
// province-scale dataset (SPEC §6: 1 region, 12 cities, 103 districts, 5,000 schools, 1,500 inspectors,
// 10 years ≈ 500k cases and 2M findings; the budget is 500 ms). Building the dataset takes a while, so
// it only runs when asked for: go test ./storage -run '^$' -bench ReportAccountability -benchtime 5x
// (add DUDAO_TEST_PG for PostgreSQL).
//
// DUDAO_BENCH_REPORT_DB names a migrated SQLite file to measure instead (a copy of the harness's
// province dataset, say), read as it is: no data is added.
func BenchmarkReportAccountability(b *testing.B) {
	if path := os.Getenv("DUDAO_BENCH_REPORT_DB"); path != "" {
		db, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		q := domain.ReportQuery{Scope: "nm/", From: "2025-01-01", To: "2025-12-31", Today: "2026-12-01"}
		for _, way := range []struct {
			name string
			ctx  context.Context
		}{{"kept", context.Background()}, {"findings", context.WithValue(context.Background(), fromFindingsKey{}, true)}} {
			b.Run(way.name, func(b *testing.B) {
				for b.Loop() {
					if r, err := db.AccountabilityFigures(way.ctx, q); err != nil {
						b.Fatal(err)
					} else if r.Totals.CasesIssued == 0 {
						b.Fatal("empty report")
					}
				}
			})
		}
		return
	}
	for _, d := range rptBenchDBs(b) {
		b.Run(d.name, func(b *testing.B) {
			if d.db == nil {
				b.Skip(d.skip)
			}
			rptBenchData(b, d.db, 10, 50_000)
			q := domain.ReportQuery{Scope: "nm/", From: "2025-01-01", To: "2025-12-31", Today: "2026-03-01"}
			b.ResetTimer()
			for b.Loop() {
				r, err := d.db.AccountabilityFigures(context.Background(), q)
				if err != nil {
					b.Fatal(err)
				}
				if r.Totals.CasesIssued == 0 {
					b.Fatal("empty report")
				}
			}
		})
	}
}

// rptBenchDBs is a migrated SQLite file in b.TempDir() and, when DUDAO_TEST_PG is set, a migrated
// PostgreSQL database of its own, dropped at the end.
func rptBenchDBs(b *testing.B) []testDB {
	ctx := context.Background()
	db, err := Open(b.TempDir() + "/bench.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	out := []testDB{{name: "sqlite", db: db}}
	pg := testDB{name: "postgres", skip: "PostgreSQL benchmark skipped: set " + storagetest.PGEnv}
	if dsn := os.Getenv(storagetest.PGEnv); dsn != "" {
		admin, err := Open(dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { admin.Close() })
		name := fmt.Sprintf("dudao_bench_%d", time.Now().UnixNano())
		if err := admin.gorm.Exec("CREATE DATABASE " + name).Error; err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { admin.gorm.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })
		u, err := url.Parse(dsn)
		if err != nil {
			b.Fatal(err)
		}
		u.Path = "/" + name
		if pg.db, err = Open(u.String()); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { pg.db.Close() })
	}
	out = append(out, pg)
	for _, d := range out {
		if d.db != nil {
			if _, err := d.db.Migrate(ctx); err != nil {
				b.Fatalf("%s: migrate: %v", d.name, err)
			}
		}
	}
	return out
}

// rptBenchData fills db with years of supervision: casesPerYear cases a year with four findings each,
// their rechecks, two inspectors per case, and decided 问责 and 激励.
func rptBenchData(b testing.TB, db *DB, years, casesPerYear int) {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	err := db.WithinTx(ctx, func(ctx context.Context) error {
		conn := db.conn(ctx)
		batch := func(table, cols string, rows [][]any) error {
			n := len(strings.Split(cols, ","))
			ph := "(" + strings.TrimSuffix(strings.Repeat("?,", n), ",") + ")"
			for i := 0; i < len(rows); i += 500 {
				part := rows[i:min(i+500, len(rows))]
				args := make([]any, 0, len(part)*n)
				vals := make([]string, len(part))
				for j, r := range part {
					vals[j] = ph
					args = append(args, r...)
				}
				if err := conn.Exec("INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(vals, ","), args...).Error; err != nil {
					return fmt.Errorf("%s: %w", table, err)
				}
			}
			return nil
		}
		now := time.Now().UTC()
		type org struct {
			id   int64
			path string
		}
		var rows [][]any
		id := int64(1)
		rows = append(rows, []any{id, "nm", "内蒙古自治区", "region", nil, "nm/", now})
		var districts, schools []org
		for c := 0; c < 12; c++ {
			id++
			city := org{id, fmt.Sprintf("nm/c%02d/", c)}
			rows = append(rows, []any{id, fmt.Sprintf("c%02d", c), fmt.Sprintf("第%d市", c+1), "city", int64(1), city.path, now})
			for d := 0; d < 9 && len(districts) < 103; d++ {
				if c < 7 && d == 8 {
					continue
				}
				id++
				dist := org{id, city.path + fmt.Sprintf("d%d/", d)}
				districts = append(districts, dist)
				rows = append(rows, []any{id, fmt.Sprintf("d%d", d), fmt.Sprintf("第%d市第%d区", c+1, d+1), "district", city.id, dist.path, now})
			}
		}
		for s := 0; s < 5000; s++ {
			dist := districts[s%len(districts)]
			id++
			sch := org{id, dist.path + fmt.Sprintf("s%04d/", s)}
			schools = append(schools, sch)
			rows = append(rows, []any{id, fmt.Sprintf("s%04d", s), fmt.Sprintf("第%d学校", s+1), "school", dist.id, sch.path, now})
		}
		if err := batch("orgs", "id, code, name, kind, parent_id, path, created_at", rows); err != nil {
			return err
		}
		rows = rows[:0]
		for u := 1; u <= 1500; u++ {
			rows = append(rows, []any{int64(u), fmt.Sprintf("insp%d", u), fmt.Sprintf("督学%d", u), districts[u%len(districts)].id, "x", true, now})
		}
		if err := batch("users", "id, username, name, org_id, password_hash, active, created_at", rows); err != nil {
			return err
		}
		categories := []string{"校园安全", "食品卫生", "招生收费", "课程教学", "师德师风", "经费保障", "办学条件", "其他"}
		severities := []string{"minor", "minor", "major", "critical"}
		var cases, insp, findings, rechecks, accs, incs [][]any
		caseID, findingID := int64(0), int64(0)
		firstYear := 2026 - years
		for y := firstYear; y < 2026; y++ {
			for i := range casesPerYear {
				caseID++
				target := schools[rng.IntN(len(schools))]
				if rng.IntN(20) == 0 {
					target = districts[rng.IntN(len(districts))]
				}
				started := time.Date(y, 1, 1, 9, 0, 0, 0, cst).AddDate(0, 0, rng.IntN(360)).UTC()
				var issued any
				status := "closed"
				issuedAt := started.AddDate(0, 0, 5+rng.IntN(50))
				if rng.IntN(20) == 0 {
					status = "inspecting"
				} else {
					issued = issuedAt
					if y == 2025 && rng.IntN(3) == 0 {
						status = "rectifying"
					}
				}
				cases = append(cases, []any{caseID, fmt.Sprintf("督〔%d〕%d号", y, i+1), y, i + 1, "school", "special", int64(2), "nm/c00/",
					target.id, target.path, "基准测试案件", status, 1, int64(1), started, started, issued, now})
				a, b2 := 1+rng.IntN(1500), 1+rng.IntN(1500)
				insp = append(insp, []any{caseID, int64(a)})
				if b2 != a {
					insp = append(insp, []any{caseID, int64(b2)})
				}
				if issued == nil {
					continue
				}
				// Findings end up passed, mostly at the first recheck; one in twenty failed a recheck first.
				// Only the last year keeps open and failed ones, plus a small backlog from earlier years.
				last := y == 2025 && status == "rectifying"
				for range 4 {
					findingID++
					due := domain.DateOf(issuedAt).AddDays(30)
					recheckAt := func(days int) time.Time { return due.Time().AddDate(0, 0, days).Add(10 * time.Hour).UTC() }
					st := "passed"
					switch r := rng.IntN(200); {
					case r < 10:
						st = "withdrawn"
					case r < 20:
						rechecks = append(rechecks, []any{caseID, findingID, 1, false, recheckAt(-3), int64(1)})
						if last {
							st = "failed"
						} else {
							rechecks = append(rechecks, []any{caseID, findingID, 2, true, recheckAt(20), int64(1)})
						}
					case r < 21 || last && r < 40:
						st = "open"
					default:
						rechecks = append(rechecks, []any{caseID, findingID, 1, true, recheckAt(rng.IntN(10) - 7), int64(1)})
					}
					findings = append(findings, []any{findingID, caseID, "问题", "", severities[rng.IntN(4)], categories[rng.IntN(8)], string(due), st})
				}
			}
			for i := 0; i < 2000; i++ {
				o := schools[rng.IntN(len(schools))]
				accs = append(accs, []any{"unit", o.id, o.path, "overdue", "decided", "约谈", time.Date(y, 1, 1, 0, 0, 0, 0, cst).AddDate(0, 0, rng.IntN(365)).UTC(), ""})
			}
			for i := 0; i < 1000; i++ {
				o := schools[rng.IntN(len(schools))]
				incs = append(incs, []any{o.id, o.path, "commendation", "decided", time.Date(y, 1, 1, 0, 0, 0, 0, cst).AddDate(0, 0, rng.IntN(365)).UTC()})
			}
		}
		for _, s := range []struct {
			table, cols string
			rows        [][]any
		}{
			{"cases", "id, number, year, seq, type, kind, owner_org_id, owner_path, target_org_id, target_path, title, status, version, created_by, created_at, started_at, issued_at, updated_at", cases},
			{"case_inspectors", "case_id, user_id", insp},
			{"findings", "id, case_id, title, description, severity, category, due_on, status", findings},
			{"rechecks", "case_id, finding_id, round, passed, at, by_user", rechecks},
			{"accountabilities", "target_type, target_org_id, target_path, trigger, status, form, decided_at, effective_on", accs},
			{"incentives", "target_org_id, target_path, kind, status, decided_at", incs},
		} {
			if err := batch(s.table, s.cols, s.rows); err != nil {
				return err
			}
		}
		b.Logf("dataset: %d cases, %d findings, %d rechecks", len(cases), len(findings), len(rechecks))
		// Plain rows, as a bulk load writes them: the facts kept for the report follow from them.
		return db.RebuildDerived(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.gorm.Exec("ANALYZE").Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("dataset built in %s", time.Since(start).Round(time.Second))
}
