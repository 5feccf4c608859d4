package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"dudao/domain"
)

// Targets of SPEC §6 and issue 9.
var (
	listTarget   = target{p99: 25 * time.Millisecond, ratio: 0.5}
	scopeTarget  = target{p99: 25 * time.Millisecond}
	searchTarget = target{p99: 100 * time.Millisecond}
	caseTarget   = target{p99: 15 * time.Millisecond}
	reportTarget = target{p99: 500 * time.Millisecond}
	writeTarget  = target{rps: 500}
	rssTarget    = target{bytes: 300 << 20}
)

// suite is one run's measurements against one server.
type suite struct {
	cfg config
	srv *servers
	hc  *http.Client
	p   *province
	rep *report
}

// listPage is what the harness reads of a list answer.
type listPage struct {
	Items []struct {
		ID        int64 `json:"id"`
		TargetOrg struct {
			Kind string `json:"kind"`
			Code string `json:"code"`
			Path string `json:"path"`
		} `json:"target_org"`
	} `json:"items"`
	Total *int   `json:"total"`
	Next  string `json:"next"`
}

func (l listPage) ids() []string {
	out := make([]string, len(l.Items))
	for i, it := range l.Items {
		out[i] = strconv.FormatInt(it.ID, 10)
	}
	return out
}

func (l listPage) answer() string {
	if l.Total == nil {
		return fmt.Sprintf("%d rows, no total", len(l.Items))
	}
	return fmt.Sprintf("%d of %s", len(l.Items), thousands(*l.Total))
}

func measure(ctx context.Context, cfg config, srv *servers, ds *dataset, log io.Writer) (*report, error) {
	s := &suite{cfg: cfg, srv: srv, p: newProvince(cfg.scale, cfg.asOf),
		hc: newClient(cfg.clients, max(60*time.Second, 2*cfg.duration))}
	s.rep = newReport(cfg, ds, srv, log)
	s.rep.timeout = s.hc.Timeout
	if err := s.rep.count(ctx, ds.run); err != nil {
		return s.rep, err
	}
	region, err := s.apiLogin(ctx, userRegionDirector)
	if err != nil {
		return s.rep, err
	}
	var first listPage
	if err := s.getJSON(ctx, region, "/api/v1/cases?per_page=50", &first); err != nil {
		return s.rep, err
	}
	if len(first.Items) == 0 {
		return s.rep, errors.New("the region's case list is empty")
	}
	// The school of the newest school case, its district and their people.
	school := s.p.schools[0]
	for _, it := range first.Items {
		if it.TargetOrg.Kind == string(domain.OrgSchool) {
			for _, sch := range s.p.schools {
				if sch.path == it.TargetOrg.Path {
					school = sch
				}
			}
			break
		}
	}
	dist := school.dist
	user := func(id int64) string { return s.p.users[id-1].username }

	if cfg.wants("list") {
		distTok, err := s.apiLogin(ctx, user(dist.director))
		if err != nil {
			return s.rep, err
		}
		schoolTok, err := s.apiLogin(ctx, user(school.school))
		if err != nil {
			return s.rep, err
		}
		deep, deepName, err := s.deepPage(ctx, region, first)
		if err != nil {
			return s.rep, err
		}
		for _, l := range []struct {
			name, as, tok, query string
			tgt                  target
		}{
			{"case list, region, first page", "region director", region, "per_page=50", listTarget},
			{"case list, region, " + deepName, "region director", region, deep, listTarget},
			{"case list, region, status=rectifying", "region director", region, "per_page=50&status=rectifying", listTarget},
			{"case list, region, text search", "region director", region, "per_page=50&q=" + url.QueryEscape(searchTopic), searchTarget},
			{"case list, district, first page", "district director", distTok, "per_page=50", scopeTarget},
			{"case list, school, first page", "school", schoolTok, "per_page=50", scopeTarget},
		} {
			if err := s.list(ctx, l.name, l.as, l.tok, l.query, l.tgt); err != nil {
				return s.rep, err
			}
		}
	}
	if cfg.wants("case") {
		if err := s.casePage(ctx, region, first.ids()); err != nil {
			return s.rep, err
		}
	}
	if cfg.wants("home") {
		for _, h := range []struct{ role, username string }{
			{"region director", userRegionDirector},
			{"supervisor", user(dist.supervisors[0])},
			{"district office", user(dist.office)},
			{"school", user(school.school)},
			{"auditor", userAuditor},
		} {
			if err := s.home(ctx, h.role, h.username); err != nil {
				return s.rep, err
			}
		}
	}
	if cfg.wants("report") {
		if err := s.report(ctx, region); err != nil {
			return s.rep, err
		}
	}
	if cfg.wants("write") {
		if err := s.writes(ctx, first.ids()); err != nil {
			return s.rep, err
		}
	}
	peak, now, err := srv.rss()
	if err != nil {
		return s.rep, err
	}
	s.rep.add(row{name: "peak RSS", as: srv.note, answer: fmt.Sprintf("now %d MB", now>>20), rss: peak, tgt: rssTarget})
	return s.rep, ctx.Err()
}

// apiLogin signs username in over the API and returns the bearer token.
func (s *suite) apiLogin(ctx context.Context, username string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": username, "password": benchPassword})
	req, _ := http.NewRequest(http.MethodPost, s.srv.App+"/api/v1/auth/login", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	status, body, err := do(ctx, s.hc, req)
	if err != nil {
		return "", err
	}
	var out struct {
		Token string `json:"token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || out.Token == "" {
		return "", fmt.Errorf("login %s: %d %s", username, status, clip(body))
	}
	return out.Token, nil
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// webLogin signs username in through the login form (CSRF cookie and field) and returns the cookies
// a browser would send with every page.
func (s *suite) webLogin(ctx context.Context, username string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, s.srv.App+"/login", nil)
	res, err := s.hc.Do(req.WithContext(ctx))
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("no CSRF field on /login: %d %s", res.StatusCode, clip(page))
	}
	cookies := map[string]string{}
	for _, c := range res.Cookies() {
		cookies[c.Name] = c.Value
	}
	form := url.Values{"_csrf": {string(m[1])}, "username": {username}, "password": {benchPassword}}
	req, _ = http.NewRequest(http.MethodPost, s.srv.App+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err = s.hc.Do(req.WithContext(ctx))
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, c := range res.Cookies() {
		cookies[c.Name] = c.Value
	}
	if res.StatusCode != http.StatusSeeOther || cookies["dudao_session"] == "" {
		return "", fmt.Errorf("web login %s: %d %s", username, res.StatusCode, clip(body))
	}
	var parts []string
	for k, v := range cookies {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "; "), nil
}

func (s *suite) get(path, token string) *http.Request {
	req, _ := http.NewRequest(http.MethodGet, s.srv.App+path, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

func (s *suite) getJSON(ctx context.Context, token, path string, v any) error {
	status, body, err := do(ctx, s.hc, s.get(path, token))
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, status, clip(body))
	}
	return json.Unmarshal(body, v)
}

// deepPage is the query of a page far down the region's list: by the list's keyset cursor when it
// answers one ("next"), else by page number, three quarters of the way down and at most page 200.
func (s *suite) deepPage(ctx context.Context, token string, first listPage) (query, name string, err error) {
	pages := 1
	if first.Total != nil {
		pages = (*first.Total + 49) / 50
	}
	n := max(1, min(200, pages*3/4))
	if first.Next == "" {
		return "per_page=50&page=" + strconv.Itoa(n), fmt.Sprintf("page %d", n), nil
	}
	cur := first.Next
	for i := 2; i < n && cur != ""; i++ {
		var p listPage
		if err := s.getJSON(ctx, token, "/api/v1/cases?per_page=50&cursor="+url.QueryEscape(cur), &p); err != nil {
			return "", "", err
		}
		if p.Next == "" {
			n = i
			break
		}
		cur = p.Next
	}
	return "per_page=50&cursor=" + url.QueryEscape(cur), fmt.Sprintf("page %d by cursor", n), nil
}

// list measures one list query and its floor: the same page's rows read by id.
func (s *suite) list(ctx context.Context, name, as, token, query string, tgt target) error {
	path := "/api/v1/cases?" + query
	var page listPage
	if err := s.getJSON(ctx, token, path, &page); err != nil {
		return err
	}
	r := s.run(ctx, s.cfg.clients, func(int, int) (*http.Request, bool) { return s.get(path, token), true })
	floorURL := s.srv.Floor + "/floor/cases?ids=" + strings.Join(page.ids(), ",")
	f := s.run(ctx, s.cfg.clients, func(int, int) (*http.Request, bool) {
		req, _ := http.NewRequest(http.MethodGet, floorURL, nil)
		return req, true
	})
	s.rep.add(row{group: "list", name: name, as: as, answer: page.answer(), app: r, floor: &f, floorKind: "rows by id", tgt: tgt})
	return nil
}

// casePage measures GET /api/v1/cases/{id} over the region's newest cases, and its floor: each case
// and its findings read by id.
func (s *suite) casePage(ctx context.Context, token string, ids []string) error {
	pick := func(c, i int) string { return ids[(c*7+i)%len(ids)] }
	r := s.run(ctx, s.cfg.clients, func(c, i int) (*http.Request, bool) { return s.get("/api/v1/cases/"+pick(c, i), token), true })
	f := s.run(ctx, s.cfg.clients, func(c, i int) (*http.Request, bool) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.Floor+"/floor/cases/"+pick(c, i), nil)
		return req, true
	})
	s.rep.add(row{group: "case", name: "case page", as: "region director", answer: fmt.Sprintf("%d cases in turn", len(ids)),
		app: r, floor: &f, floorKind: "case + findings by id", tgt: caseTarget})
	return nil
}

// keep stores body on the floor under name, to be served from memory.
func (s *suite) keep(ctx context.Context, name, contentType string, body []byte) error {
	req, _ := http.NewRequest(http.MethodPut, s.srv.Floor+"/floor/bytes/"+name, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	status, b, err := do(ctx, s.hc, req)
	if err == nil && status != http.StatusNoContent {
		err = fmt.Errorf("floor: %d %s", status, clip(b))
	}
	return err
}

func (s *suite) bytesFloor(ctx context.Context, name string, clients int) result {
	return s.run(ctx, clients, func(int, int) (*http.Request, bool) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.Floor+"/floor/bytes/"+name, nil)
		return req, true
	})
}

// home measures a role's home page (GET / with a web session), and its floor: the same page's bytes.
func (s *suite) home(ctx context.Context, role, username string) error {
	cookie, err := s.webLogin(ctx, username)
	if err != nil {
		return err
	}
	mk := func(int, int) (*http.Request, bool) {
		req, _ := http.NewRequest(http.MethodGet, s.srv.App+"/", nil)
		req.Header.Set("Cookie", cookie)
		return req, true
	}
	req, _ := mk(0, 0)
	status, body, err := do(ctx, s.hc, req)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("home page of %s: %d %s", username, status, clip(body))
	}
	name := "home-" + strings.ReplaceAll(role, " ", "-")
	if err := s.keep(ctx, name, "text/html; charset=UTF-8", body); err != nil {
		return err
	}
	r := s.run(ctx, s.cfg.clients, mk)
	f := s.bytesFloor(ctx, name, s.cfg.clients)
	s.rep.add(row{group: "home", name: "home page", as: role + " (" + username + ")", answer: fmt.Sprintf("%d kB HTML", len(body)>>10),
		app: r, floor: &f, floorKind: "same bytes", tgt: target{}})
	return nil
}

// report measures the region's accountability report for the year before asOf's, and its floor: the
// same answer's bytes.
func (s *suite) report(ctx context.Context, token string) error {
	y := s.cfg.asOf.In(domain.CST).Year() - 1
	path := fmt.Sprintf("/api/v1/reports/accountability?from=%d-01-01&to=%d-12-31", y, y)
	status, body, err := do(ctx, s.hc, s.get(path, token))
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, status, clip(body))
	}
	if err := s.keep(ctx, "report", "application/json", body); err != nil {
		return err
	}
	n := s.cfg.reportClients
	r := s.run(ctx, n, func(int, int) (*http.Request, bool) { return s.get(path, token), true })
	f := s.bytesFloor(ctx, "report", n)
	s.rep.add(row{group: "report", name: fmt.Sprintf("accountability report %d", y), as: fmt.Sprintf("region director, %d client(s)", n),
		answer: fmt.Sprintf("%d kB JSON", len(body)>>10), app: r, floor: &f, floorKind: "same bytes", tgt: reportTarget})
	return nil
}

// writes measures audited writes under concurrency: each client is a district supervisor who opens a
// case on a school of the district, starts it and sends the preliminary opinion, again and again;
// every step is one transaction with its audit event. The floor is one bare transaction that touches
// a case and appends a chained audit event.
func (s *suite) writes(ctx context.Context, ids []string) error {
	type worker struct {
		token  string
		self   int64
		target int64
		caseID int64
		step   int
	}
	workers := make([]*worker, s.cfg.clients)
	for i := range workers {
		d := s.p.districts[i%len(s.p.districts)]
		u := d.supervisors[(i/len(s.p.districts))%len(d.supervisors)]
		tok, err := s.apiLogin(ctx, s.p.users[u-1].username)
		if err != nil {
			return err
		}
		var school *org
		for _, sch := range s.p.schools {
			if sch.dist == d {
				school = sch
				break
			}
		}
		workers[i] = &worker{token: tok, self: u, target: school.id}
	}
	var transitions atomic.Int64
	post := func(w *worker, path string, body any) *http.Request {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, s.srv.App+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.token)
		return req
	}
	l := load{clients: s.cfg.clients, duration: s.cfg.duration, warmup: s.cfg.warmup}
	l.next = func(c, i int) (*http.Request, bool) {
		w := workers[c] // only client c's goroutine touches its worker
		step, id := w.step, w.caseID
		switch step {
		case 1:
			return post(w, fmt.Sprintf("/api/v1/cases/%d/actions/start", id), map[string]any{}), true
		case 2:
			return post(w, fmt.Sprintf("/api/v1/cases/%d/actions/submit_preliminary", id), map[string]any{}), true
		}
		return post(w, "/api/v1/cases", map[string]any{"type": "school", "kind": "random", "target_org_id": w.target,
			"title": fmt.Sprintf("基准测试专项督导%d-%d", c, i), "inspector_ids": []int64{w.self}}), true
	}
	// check follows each worker along its case; it runs in the worker's goroutine right after the answer.
	l.check = func(c int, status int, body []byte) error {
		w := workers[c]
		if status != http.StatusOK && status != http.StatusCreated {
			step := w.step
			w.step = 0
			return fmt.Errorf("step %d: %d %s", step, status, clip(body))
		}
		if w.step == 0 {
			var out struct {
				ID int64 `json:"id"`
			}
			if err := json.Unmarshal(body, &out); err != nil || out.ID == 0 {
				return fmt.Errorf("open: %s", clip(body))
			}
			w.caseID, w.step = out.ID, 1
			return nil
		}
		transitions.Add(1)
		w.step = (w.step + 1) % 3
		return nil
	}
	r := run(ctx, s.hc, l)
	f := s.run(ctx, s.cfg.clients, func(c, i int) (*http.Request, bool) {
		// a case of its own, as each writer has: no client waits on another's row lock
		req, _ := http.NewRequest(http.MethodPost, s.srv.Floor+"/floor/write/"+ids[c%len(ids)], nil)
		return req, true
	})
	tps := 0.0
	if r.elapsed > 0 {
		tps = float64(transitions.Load()) / r.elapsed.Seconds()
	}
	s.rep.add(row{group: "write", name: "audited writes (open, start, submit_preliminary)", as: fmt.Sprintf("%d supervisors", len(workers)),
		answer: fmt.Sprintf("%.0f transitions/s of them", tps), app: r, floor: &f, floorKind: "bare update + chained audit insert", tgt: writeTarget, rate: &tps})
	return nil
}

// run measures one load for the suite's duration, with wrk when --wrk says so.
func (s *suite) run(ctx context.Context, clients int, next func(c, i int) (*http.Request, bool)) result {
	if s.cfg.wrk != "" {
		req, _ := next(0, 0)
		return runWrk(ctx, s.cfg.wrk, clients, s.cfg.duration, req)
	}
	return run(ctx, s.hc, load{clients: clients, duration: s.cfg.duration, warmup: s.cfg.warmup, next: next})
}
