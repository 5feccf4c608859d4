package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// runWrk measures one fixed GET with wrk (--wrk PATH), to compare with figures taken by wrk
// elsewhere: the same connections, duration and headers; wrk has no warm-up and sends the one request
// again and again (the case page then reads one case).
func runWrk(ctx context.Context, wrk string, clients int, d time.Duration, req *http.Request) result {
	args := []string{"-t", strconv.Itoa(min(2, clients)), "-c", strconv.Itoa(clients), "-d", fmt.Sprintf("%ds", max(1, int(d.Seconds()+0.5))),
		"--latency", "--timeout", "30s"}
	for k, vs := range req.Header {
		for _, v := range vs {
			args = append(args, "-H", k+": "+v)
		}
	}
	args = append(args, req.URL.String())
	out, err := exec.CommandContext(ctx, wrk, args...).CombinedOutput()
	if err != nil {
		return result{errs: 1, firstErr: fmt.Sprintf("wrk: %v: %s", err, clip(out))}
	}
	return parseWrk(out)
}

// parseWrk reads wrk's summary: requests, duration, non-2xx answers and the 50% and 99% latencies.
func parseWrk(out []byte) result {
	var r result
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "50%":
			r.p50, _ = time.ParseDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99, _ = time.ParseDuration(f[1])
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			r.n, _ = strconv.Atoi(f[0])
			r.elapsed, _ = time.ParseDuration(strings.TrimSuffix(f[3], ","))
		case len(f) >= 5 && f[0] == "Non-2xx":
			r.errs, _ = strconv.Atoi(f[4])
			r.firstErr = "wrk: non-2xx or 3xx answers"
		case len(f) >= 2 && f[0] == "Socket" && strings.HasPrefix(f[1], "errors"): // connect 0, read 0, write 0, timeout 12
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.Atoi(strings.TrimSuffix(f[i+1], ","))
				if f[i] == "timeout" {
					r.timeouts += n
				} else if n > 0 {
					r.errs += n
					r.firstErr = "wrk: " + strings.TrimSpace(sc.Text())
				}
			}
		}
	}
	r.n -= r.errs
	if r.n <= 0 && r.firstErr == "" {
		r.firstErr = "wrk: no requests: " + clip(out)
	}
	return r
}
