package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a bar with the rate and the time left: redrawn in place on a terminal, a line every
// few seconds otherwise (CI logs).
type progress struct {
	w          io.Writer
	what       string
	total, n   int
	start, out time.Time
	tty        bool
}

func newProgress(w io.Writer, what string, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil {
			tty = fi.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progress{w: w, what: what, total: total, start: time.Now(), tty: tty}
}

func (p *progress) add(n int) {
	p.n += n
	now := time.Now()
	if !p.tty && now.Sub(p.out) < 5*time.Second && p.n < p.total {
		return
	}
	p.out = now
	el := now.Sub(p.start).Seconds()
	rate := float64(p.n) / max(el, 1e-9)
	eta := time.Duration(float64(p.total-p.n)/max(rate, 1e-9)) * time.Second
	const width = 30
	filled := width * p.n / max(p.total, 1)
	line := fmt.Sprintf("[%s%s] %3d%% %s/%s %s, %s/s, ETA %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		100*p.n/max(p.total, 1), thousands(p.n), thousands(p.total), p.what, thousands(int(rate)), eta.Round(time.Second))
	if p.tty {
		fmt.Fprintf(p.w, "\r%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
