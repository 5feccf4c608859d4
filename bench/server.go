package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"dudao/app"
	"dudao/cmd/system"
)

// servers are dudao, built as cmd builds it, and the floor, each on a loopback port of its own.
type servers struct {
	App, Floor string // base URLs
	// rss reads the serving process's peak and current resident set (bytes).
	rss  func() (peak, now int64, err error)
	note string // what the RSS figure includes
	stop func() error
}

// startServers builds dudao on dsn and the floor beside it, in this process.
func startServers(ctx context.Context, dsn, evidence string) (*servers, error) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sys, err := system.Open(ctx, system.Settings{DSN: dsn, EvidenceDir: evidence, App: app.Options{}, Log: log})
	if err != nil {
		return nil, err
	}
	fl, fh, err := newFloor(dsn)
	if err != nil {
		_ = sys.Close()
		return nil, err
	}
	appLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	floorLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	appSrv := &http.Server{Handler: sys.Web, ReadHeaderTimeout: 10 * time.Second}
	floorSrv := &http.Server{Handler: fh, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = appSrv.Serve(appLn) }()
	go func() { _ = floorSrv.Serve(floorLn) }()
	return &servers{
		App:   "http://" + appLn.Addr().String(),
		Floor: "http://" + floorLn.Addr().String(),
		rss:   func() (int64, int64, error) { return readRSS("/proc/self/status") },
		note:  "in-process: includes the dataset generator and the load generator",
		stop: func() error {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = appSrv.Shutdown(sctx)
			_ = floorSrv.Shutdown(sctx)
			fl.close()
			return sys.Close()
		},
	}, nil
}

// childAddrs is the line a serving child prints once it listens.
type childAddrs struct {
	App   string `json:"app"`
	Floor string `json:"floor"`
}

// serveChild is the "serve" mode: start the servers, print their addresses, and serve until stdin
// closes (the harness ended, however it ended), a signal, or maxLife.
func serveChild(args []string) error {
	var dsn, evidence string
	maxLife := 2 * time.Hour
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-dsn":
			dsn = args[i+1]
		case "-evidence":
			evidence = args[i+1]
		case "-max-life":
			d, err := time.ParseDuration(args[i+1])
			if err != nil {
				return err
			}
			maxLife = d
		}
	}
	ctx := context.Background()
	system.LimitMemory() // as dudao serve does
	s, err := startServers(ctx, dsn, evidence)
	if err != nil {
		return err
	}
	defer s.stop()
	b, _ := json.Marshal(childAddrs{App: s.App, Floor: s.Floor})
	fmt.Println(string(b))
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(maxLife):
	}
	return nil
}

// startChild runs the servers in a fresh process of this program, so that its resident set is the
// server's alone; it ends when the harness closes its stdin.
func startChild(ctx context.Context, dsn, evidence string, maxLife time.Duration) (*servers, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "serve", "-dsn", dsn, "-evidence", evidence, "-max-life", maxLife.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop := func() error {
		_ = stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			return errors.New("server process did not stop; killed")
		}
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case line <- sc.Text():
			default:
			}
		}
	}()
	var addrs childAddrs
	select {
	case l := <-line:
		if err := json.Unmarshal([]byte(l), &addrs); err != nil {
			_ = stop()
			return nil, fmt.Errorf("server process said %q", l)
		}
	case <-time.After(10 * time.Minute): // migrating an old dataset can take a while
		_ = stop()
		return nil, errors.New("server process did not start")
	case <-ctx.Done():
		_ = stop()
		return nil, ctx.Err()
	}
	status := "/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status"
	return &servers{App: addrs.App, Floor: addrs.Floor, stop: stop, note: "server process (dudao and the floor)",
		rss: func() (int64, int64, error) { return readRSS(status) }}, nil
}

// readRSS reads VmHWM (the peak resident set) and VmRSS from a /proc status file.
func readRSS(path string) (peak, now int64, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) < 1 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			peak = n << 10
		case "VmRSS":
			now = n << 10
		}
	}
	if peak == 0 {
		return 0, 0, fmt.Errorf("no VmHWM in %s", path)
	}
	return peak, now, nil
}
