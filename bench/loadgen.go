package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// A closed-loop load generator: each of N clients sends a request, reads the whole answer, and sends
// the next, on its own kept-alive connection, until the duration (or the request budget) is spent.
// Every answer that comes back after the warm-up counts (one slower than the whole window too), its
// latency kept whole and sorted for the percentiles; no request starts after the window, and
// throughput is what came back divided by the time from the window's start to the last answer.

// load is one thing to measure.
type load struct {
	clients  int
	duration time.Duration
	warmup   time.Duration
	max      int // send at most this many requests, warm-up included (0: no budget)
	// next builds client c's i-th request; ok false means the client has nothing more to send.
	next func(c, i int) (req *http.Request, ok bool)
	// check judges client c's answer (warm-up ones too); nil accepts any 2xx.
	check func(c, status int, body []byte) error
}

// result is what a load measured.
type result struct {
	n, errs  int
	timeouts int // requests the client gave up on (its timeout)
	elapsed  time.Duration
	lat      []time.Duration // sorted
	firstErr string
	bytes    int64
	p50, p99 time.Duration // when only the percentiles are known (wrk)
}

func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		if p >= 0.99 {
			return r.p99
		}
		return r.p50
	}
	i := int(p*float64(len(r.lat))+0.5) - 1
	return r.lat[min(max(i, 0), len(r.lat)-1)]
}

// newClient is an HTTP client for loopback load: no proxy, no compression, a kept connection per
// client, and a timeout that bounds every request.
func newClient(clients int, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			MaxIdleConns:        clients + 8,
			MaxIdleConnsPerHost: clients + 8,
			DisableCompression:  true,
			IdleConnTimeout:     time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       timeout,
	}
}

func run(ctx context.Context, hc *http.Client, l load) result {
	start := time.Now()
	measureFrom := start.Add(l.warmup)
	stopAt := measureFrom.Add(l.duration)
	ctx, cancel := context.WithDeadline(ctx, stopAt.Add(hc.Timeout))
	defer cancel()
	var (
		mu   sync.Mutex
		out  result
		last time.Time
		wg   sync.WaitGroup
		// issued counts the requests sent, for the budget
		issued atomic.Int64
	)
	for c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			n, errs, timeouts, bytes := 0, 0, 0, int64(0)
			firstErr := ""
			var end time.Time
			for i := 0; ; i++ {
				t0 := time.Now()
				if !t0.Before(stopAt) || ctx.Err() != nil {
					break
				}
				if l.max > 0 && issued.Add(1) > int64(l.max) {
					break
				}
				req, ok := l.next(c, i)
				if !ok {
					break
				}
				status, body, err := do(ctx, hc, req)
				t1 := time.Now()
				if err == nil && l.check != nil {
					err = l.check(c, status, body)
				} else if err == nil && (status < 200 || status > 299) {
					err = fmt.Errorf("%s %s: %d %s", req.Method, req.URL.RequestURI(), status, clip(body))
				}
				if t1.Before(measureFrom) { // warm-up: answers that come back before the measured window
					continue
				}
				end = t1
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					timeouts++ // an answer too slow for the client: a miss, not a fault
					continue
				}
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				n++
				bytes += int64(len(body))
				lat = append(lat, t1.Sub(t0))
			}
			mu.Lock()
			out.n += n
			out.errs += errs
			out.timeouts += timeouts
			out.bytes += bytes
			out.lat = append(out.lat, lat...)
			if out.firstErr == "" {
				out.firstErr = firstErr
			}
			if end.After(last) {
				last = end
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if last.After(measureFrom) {
		out.elapsed = last.Sub(measureFrom)
	}
	slices.Sort(out.lat)
	return out
}

func do(ctx context.Context, hc *http.Client, req *http.Request) (int, []byte, error) {
	res, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
