package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// target is what SPEC §6 asks of a figure; zero fields ask nothing.
type target struct {
	p99   time.Duration // p99 at most
	ratio float64       // throughput at least this share of the floor's
	rps   float64       // throughput at least
	bytes int64         // peak RSS at most
}

func (t target) String() string {
	var parts []string
	if t.p99 > 0 {
		parts = append(parts, "p99 ≤ "+ms(t.p99))
	}
	if t.ratio > 0 {
		parts = append(parts, fmt.Sprintf("ratio ≥ %.2g", t.ratio))
	}
	if t.rps > 0 {
		parts = append(parts, fmt.Sprintf("≥ %.0f/s", t.rps))
	}
	if t.bytes > 0 {
		parts = append(parts, fmt.Sprintf("≤ %d MB", t.bytes>>20))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// row is one line of the table.
type row struct {
	group, name, as, answer string
	app                     result
	floor                   *result
	floorKind               string
	rss                     int64
	tgt                     target
	// rate, when set, is the throughput the target's rps is judged on instead of the requests':
	// the audited writes count transitions, not the requests that open the cases they move.
	rate *float64
}

func (r row) ratio() float64 {
	if r.floor == nil || r.floor.rps() == 0 {
		return 0
	}
	return r.app.rps() / r.floor.rps()
}

// failed: an answer came back wrong, or none came back at all (answers too slow for the client's
// timeout are a miss, not a failure).
func (r row) failed() bool {
	bad := func(x result) bool { return x.errs > 0 || x.n == 0 && x.timeouts == 0 }
	return r.rss == 0 && (bad(r.app) || r.floor != nil && bad(*r.floor))
}

// verdict is PASS or MISS against the target, "—" when there is none.
func (r row) verdict() string {
	t := r.tgt
	if t == (target{}) {
		return "—"
	}
	if r.failed() {
		return "ERROR"
	}
	ok := true
	if r.app.timeouts > 0 {
		ok = false
	}
	if t.p99 > 0 && r.app.pct(0.99) > t.p99 {
		ok = false
	}
	if t.ratio > 0 && r.ratio() < t.ratio {
		ok = false
	}
	rps := r.app.rps()
	if r.rate != nil {
		rps = *r.rate
	}
	if t.rps > 0 && rps < t.rps {
		ok = false
	}
	if t.bytes > 0 && r.rss > t.bytes {
		ok = false
	}
	if ok {
		return "PASS"
	}
	return "MISS"
}

// report is the run's table and what it ran on.
type report struct {
	cfg     config
	engine  string
	note    string
	counts  string
	rows    []row
	started time.Time
	timeout time.Duration // the clients'
	rss     func() (peak, now int64, err error)
	log     io.Writer // where each measurement is told as it ends
}

func newReport(cfg config, ds *dataset, srv *servers, log io.Writer) *report {
	return &report{cfg: cfg, engine: ds.engine, note: srv.note, started: time.Now(), rss: srv.rss, log: log}
}

// count reads the dataset's size from the run's copy before any load.
func (r *report) count(ctx context.Context, dsn string) error {
	g, err := openGorm(dsn)
	if err != nil {
		return err
	}
	defer closeGorm(g)
	var parts []string
	for _, t := range []struct{ table, label string }{{"cases", "cases"}, {"findings", "findings"}, {"audit_events", "audit events"},
		{"users", "users"}, {"orgs", "orgs"}} {
		var n int
		if err := g.WithContext(ctx).Raw("SELECT COUNT(*) FROM " + t.table).Scan(&n).Error; err != nil {
			return err
		}
		parts = append(parts, thousands(n)+" "+t.label)
	}
	r.counts = strings.Join(parts, ", ")
	return nil
}

func (r *report) add(x row) {
	r.rows = append(r.rows, x)
	status := x.verdict()
	if x.rss > 0 {
		fmt.Fprintf(r.log, "measured %s: %d MB [%s]\n", x.name, x.rss>>20, status)
		return
	}
	peak := ""
	if r.rss != nil {
		if p, _, err := r.rss(); err == nil {
			peak = fmt.Sprintf(", server's peak RSS so far %d MB", p>>20)
		}
	}
	fmt.Fprintf(r.log, "measured %s as %s: %s req/s p99 %s, floor %s req/s, ratio %.2g [%s]%s\n", x.name, x.as, rate(x.app.rps()),
		ms(x.app.pct(0.99)), rate(x.floor.rps()), x.ratio(), status, peak)
	if x.app.firstErr != "" {
		fmt.Fprintf(r.log, "  %d errors, first: %s\n", x.app.errs, x.app.firstErr)
	}
	if x.app.timeouts > 0 {
		fmt.Fprintf(r.log, "  %d requests gave up after %s\n", x.app.timeouts, r.timeout)
	}
	if x.floor != nil && x.floor.firstErr != "" {
		fmt.Fprintf(r.log, "  floor: %d errors, first: %s\n", x.floor.errs, x.floor.firstErr)
	}
}

func (r *report) failed() bool {
	for _, x := range r.rows {
		if x.failed() {
			return true
		}
	}
	return false
}

func (r *report) missed() bool {
	for _, x := range r.rows {
		if v := x.verdict(); v == "MISS" || v == "ERROR" {
			return true
		}
	}
	return false
}

func (r *report) write(w io.Writer) {
	c := r.cfg
	engine := "SQLite (WAL, one file)"
	if r.engine == "postgres" {
		engine = "PostgreSQL"
	}
	fmt.Fprintf(w, "## dudao benchmark, scale %g\n\n", c.scale)
	fmt.Fprintf(w, "- machine: %s, %d cores, %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(w, "- database: %s; %s\n", engine, r.counts)
	if c.wrk != "" {
		fmt.Fprintf(w, "- load: wrk -t%d -c%d -d%s --latency on loopback (report: %d connections; writes: the built-in closed loop); the floor measured right after, the same way\n",
			min(2, c.clients), c.clients, c.duration, c.reportClients)
	} else {
		fmt.Fprintf(w, "- load: %d clients (report: %d), closed loop on loopback, %s per measurement after %s of warm-up; the floor measured right after, the same way\n",
			c.clients, c.reportClients, c.duration, c.warmup)
	}
	fmt.Fprintf(w, "- run: %s, %s\n\n", r.started.UTC().Format(time.RFC3339), time.Since(r.started).Round(time.Second))
	fmt.Fprintln(w, "| measure | as | answer | req/s | p50 | p99 | floor | floor req/s | floor p50 | floor p99 | ratio | target | |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|---|--:|--:|--:|--:|---|---|")
	for _, x := range r.rows {
		if x.rss > 0 {
			fmt.Fprintf(w, "| %s | %s | %s | | | %d MB | | | | | | %s | %s |\n", x.name, x.as, x.answer, x.rss>>20, x.tgt, x.verdict())
			continue
		}
		errs := ""
		if x.app.errs > 0 {
			errs = fmt.Sprintf(" (%d errors)", x.app.errs)
		}
		if x.app.timeouts > 0 {
			errs += fmt.Sprintf(" (%d gave up after %s)", x.app.timeouts, r.timeout)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", x.name, x.as, x.answer,
			rate(x.app.rps()), errs, ms(x.app.pct(0.5)), ms(x.app.pct(0.99)), x.floorKind, rate(x.floor.rps()), ms(x.floor.pct(0.5)),
			ms(x.floor.pct(0.99)), strconv.FormatFloat(x.ratio(), 'g', 2, 64), x.tgt, x.verdict())
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "ratio = req/s ÷ floor req/s. Peak RSS: %s.\n", r.note)
}

// rate spells a throughput: whole numbers, tenths below ten.
func rate(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strconv.FormatFloat(x, 'f', 0, 64)
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return d.Round(100 * time.Millisecond).String()
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	return b.String()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
