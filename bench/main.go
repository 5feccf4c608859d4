// Command bench is dudao's benchmark harness (SPEC §6, issue 9). It generates the province dataset
// (1 region, 12 cities, 103 districts, 5,000 schools, 1,500 inspectors, ten years ≈ 500k cases at
// --scale 1) through the storage bulk path, starts dudao as cmd builds it on a loopback port against
// that data, and measures with its own closed-loop load generator the case list (region, district and
// school scope; filtered by status and by text; first and deep page), the case page, each role's home
// page, the yearly accountability report, transitions with audit under concurrency and the server's
// peak RSS. Each figure is set beside its floor, measured in the same run: the same rows read and
// encoded by a bare Echo + GORM server on the same database. Every load is bounded in time and sent
// to loopback only.
//
//	go run ./bench --scale 0.01 --duration 2s           # ≈ 5k cases, in CI
//	go run ./bench --scale 1 --data ./benchdata          # the province, kept for the next run
//	go run ./bench --db postgres://…/postgres --scale 0.1
//
// It prints a Markdown table on stdout, with PASS or MISS against SPEC §6's targets; it exits 1 when
// something failed (and, with --strict, when a target is missed).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"dudao/domain"
)

// config is what a run is told.
type config struct {
	scale         float64
	data          string
	regen         bool
	db            string
	duration      time.Duration
	warmup        time.Duration
	clients       int
	reportClients int
	only          map[string]bool
	strict        bool
	inproc        bool
	genOnly       bool
	asOf          time.Time
	maxTime       time.Duration
	cpuProfile    string
	wrk           string
}

// groups are the names --only takes.
var groups = []string{"list", "case", "home", "report", "write"}

func (c config) wants(g string) bool { return len(c.only) == 0 || c.only[g] }

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	var only, asOf string
	fs.Float64Var(&c.scale, "scale", 0.01, "dataset size: 1 = the province (≈500k cases), 0.01 ≈ 5k cases")
	fs.StringVar(&c.data, "data", "", "folder keeping the generated SQLite dataset between runs (default: a temporary one)")
	fs.BoolVar(&c.regen, "regen", false, "generate the dataset even when a kept one exists")
	fs.StringVar(&c.db, "db", "", "postgres://… server to run on instead of SQLite (the harness creates its databases there)")
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "how long each endpoint (and each floor) is measured")
	fs.DurationVar(&c.warmup, "warmup", 0, "unmeasured load before each measurement (default: a tenth of --duration)")
	fs.IntVar(&c.clients, "clients", 16, "concurrent clients")
	fs.IntVar(&c.reportClients, "report-clients", 1, "concurrent clients for the yearly report (its target is one report's time)")
	fs.StringVar(&only, "only", "", "comma-separated subset of "+strings.Join(groups, ","))
	fs.BoolVar(&c.strict, "strict", false, "exit 1 when a target is missed")
	fs.BoolVar(&c.inproc, "inproc", false, "serve from this process instead of a child (RSS then includes the harness)")
	fs.BoolVar(&c.genOnly, "gen-only", false, "generate (or find) the dataset and stop")
	fs.StringVar(&asOf, "as-of", "2026-12-01", "the day the dataset's history stops (its last year is this date's)")
	fs.DurationVar(&c.maxTime, "max-time", time.Hour, "stop the whole run after this long")
	fs.StringVar(&c.wrk, "wrk", "", "measure the GET endpoints and their floors with this wrk binary instead (writes keep the built-in generator)")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write the harness's CPU profile (generation included) to this file")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.scale <= 0 || c.scale > 10 {
		return c, errors.New("--scale must be in (0, 10]")
	}
	if c.clients < 1 || c.reportClients < 1 {
		return c, errors.New("--clients and --report-clients must be at least 1")
	}
	if c.duration <= 0 {
		return c, errors.New("--duration must be positive")
	}
	if c.warmup == 0 {
		c.warmup = c.duration / 10
	}
	d, err := domain.ParseDate(asOf)
	if err != nil {
		return c, fmt.Errorf("--as-of: %w", err)
	}
	c.asOf = d.Time().Add(9 * time.Hour)
	if only != "" {
		c.only = map[string]bool{}
		for _, g := range strings.Split(only, ",") {
			g = strings.TrimSpace(g)
			known := false
			for _, x := range groups {
				known = known || x == g
			}
			if !known {
				return c, fmt.Errorf("--only: no group %q (have %s)", g, strings.Join(groups, ","))
			}
			c.only[g] = true
		}
	}
	if c.data != "" {
		abs, err := filepath.Abs(c.data)
		if err != nil {
			return c, err
		}
		c.data = abs
	}
	return c, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := serveChild(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench serve:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(cli(os.Args[1:]))
}

// cli runs the harness and says how it went: 0, 1 when something failed (or, with --strict, a
// target was missed), 2 for bad flags.
func cli(args []string) int {
	cfg, err := parseFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.maxTime)
	defer cancel()
	rep, err := harness(ctx, cfg, os.Stderr)
	if rep != nil {
		rep.write(os.Stdout)
	}
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	case rep != nil && rep.failed():
		fmt.Fprintln(os.Stderr, "bench: some measurements failed")
		return 1
	case cfg.strict && rep != nil && rep.missed():
		fmt.Fprintln(os.Stderr, "bench: targets missed (--strict)")
		return 1
	}
	return 0
}

// harness generates or finds the dataset, serves dudao and the floor on it, and measures.
func harness(ctx context.Context, cfg config, log io.Writer) (*report, error) {
	ds, err := openDataset(ctx, cfg, log)
	defer func() {
		if err := ds.close(context.Background()); err != nil {
			fmt.Fprintln(log, "bench: removing the run's copy:", err)
		}
	}()
	if err != nil {
		return nil, err
	}
	if cfg.genOnly {
		return nil, nil
	}
	evidence, err := os.MkdirTemp("", "dudao-bench-evidence-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(evidence)
	var srv *servers
	if cfg.inproc {
		srv, err = startServers(ctx, ds.run, evidence)
	} else {
		srv, err = startChild(ctx, ds.run, evidence, cfg.maxTime+time.Minute)
	}
	if err != nil {
		return nil, fmt.Errorf("start dudao: %w", err)
	}
	defer func() {
		if err := srv.stop(); err != nil {
			fmt.Fprintln(log, "bench: stopping the server:", err)
		}
	}()
	return measure(ctx, cfg, srv, ds, log)
}
