package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dudao/app"
)

// TestBrowserLayout signs in as each demo role and opens its home and every page of its navigation on
// a phone (375×812) and a desktop (1440×900), in a headless Chromium (when DUDAO_TEST_BROWSER names
// one). On every page it asserts:
//
//   - nothing scrolls sideways: the document is no wider than the window, and no box of the page
//     (a wide table in a scrolling wrapper) hides part of itself to the side;
//   - every navigation item and every control is visible, or reachable by a visible control: the
//     summary of the closed <details> it sits in, or the button whose aria-controls names the
//     collapsed container it sits in (the phone's menu button); after opening the menu every item is
//     on screen; a menu button need not show where its items are shown. A visible control lies within
//     the window and is not cut off by a scrolling box;
//   - every tap target is at least 44 px tall. Tap targets are: buttons, selects, text areas, inputs
//     (a checkbox or radio by the label it sits in or that names it), summaries, the navigation's
//     links, and links used as buttons or as whole rows (a.btn, a.more, a.stat, a.work-link, a.card-link,
//     the pager's links, a[role=button]). Links inside running text are not (WCAG 2.5.8 exempts them),
//     nor are elements of a rendered document (.paper) or of the closed image viewer. A row of the
//     case list (a.card-link) is measured as its row: the whole card is the link;
//   - a card list's rows are links as a whole: points at their corners and centre lie on the link;
//   - on a phone, bar charts run their categories (unit names) down the side, ≥ 18 px each.
//
// Each page is checked as it opens and again with its folded panels (<details>) open, so the forms
// in them count. Besides the home and the navigation's pages it opens the first case of the case
// list, the first case in rectification and its rectification form (file inputs, check boxes), and
// the first monitoring report.
//
// With DUDAO_SCREENSHOTS set (1 for docs/screenshots, or a folder) it writes each role's home at both
// sizes as role-<user>-phone.png and role-<user>-desktop.png, at device scale 1.
func TestBrowserLayout(t *testing.T) {
	root := brStart(t)
	e := newEnv(t, app.Options{})
	shots := brShotDir(t)
	roles := []string{"admin", "city.director", "hbw.director", "city.supervisor", "hbw.office", "school.hbw1", "monitor", "auditor"}
	sizes := []brSize{{"phone", 375, 812, true}, {"desktop", 1440, 900, false}}
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			s := brLogin(t, root, e.srv.URL, role)
			for _, size := range sizes {
				s.viewport(size)
				s.open("/")
				nav := s.navLinks()
				if len(nav) < 2 {
					t.Fatalf("%s (%s): the navigation has %d items", role, size.name, len(nav))
				}
				s.checkLayout(size)
				if shots != "" {
					s.capture(filepath.Join(shots, "role-"+role+"-"+size.name+".png"))
				}
				for _, href := range nav {
					if href == "/" {
						continue
					}
					s.open(href)
					s.checkLayout(size)
				}
				// A case of the list: its page has the forms (files, check boxes) a phone must serve.
				if slices.Contains(nav, "/cases") {
					s.open("/cases")
					rows := s.eval(`String(document.querySelectorAll("#case-results tbody tr").length) + "/" + document.querySelectorAll("#case-results tbody tr a.card-link").length`)
					if a, b, _ := strings.Cut(rows, "/"); a != b {
						t.Errorf("%s (%s): %s rows of the case list are cards with a link (a.card-link)", role, size.name, rows)
					}
					s.follow("#case-results a.card-link", size)
					// A case in rectification: the school's form with its photo and file inputs.
					s.open("/cases?status=rectifying")
					if s.follow("#case-results a.card-link", size) {
						s.follow(`main a[href$="/rectification"]`, size)
					}
				}
				// A monitoring report: its bar chart of the units.
				if slices.Contains(nav, "/monitoring") {
					s.open("/monitoring")
					s.follow("main .report-links a", size)
				}
			}
		})
	}
}

type brSize struct {
	name          string
	width, height int64
	mobile        bool
}

// brShotDir is where screenshots go: DUDAO_SCREENSHOTS=1 means docs/screenshots, another value names
// a folder, unset means none ("").
func brShotDir(t *testing.T) string {
	t.Helper()
	v := os.Getenv(brScreenshotEnv)
	if v == "" {
		return ""
	}
	dir := v
	if v == "1" {
		dir = filepath.Join("..", "..", "docs", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// viewport sets the window's size at device scale 1 (touch and the mobile flag on a phone).
func (s *brSession) viewport(z brSize) {
	s.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if z.mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	s.do(chromedp.EmulateViewport(z.width, z.height, opts...))
}

// capture writes what the window shows now as a PNG.
func (s *brSession) capture(path string) {
	s.t.Helper()
	s.eval(`window.scrollTo(0, 0); window.dispatchEvent(new Event("resize")); ""`)
	s.do(chromedp.Sleep(400 * time.Millisecond))
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", path, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// follow opens the first link the selector finds on the page, if any, and checks the page it leads
// to; it reports whether there was one.
func (s *brSession) follow(css string, z brSize) bool {
	s.t.Helper()
	href := s.eval(`(document.querySelector(` + strconv.Quote(css) + `) || {href: ""}).href`)
	if href == "" {
		return false
	}
	s.open(strings.TrimPrefix(href, s.base))
	s.checkLayout(z)
	return true
}

// navLinks are the addresses of the navigation's items, in order.
func (s *brSession) navLinks() []string {
	s.t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s.eval(`JSON.stringify([].map.call(document.querySelectorAll("#mainnav a[href]"), function (a) { return a.getAttribute("href"); }))`)), &out); err != nil {
		s.t.Fatal(err)
	}
	return out
}

// brLayoutJS finds what TestBrowserLayout forbids on the page it runs in; see the test's comment for
// what counts as a control and as a tap target.
const brLayoutJS = `(function () {
  var W = window.innerWidth, out = { scroll: document.documentElement.scrollWidth - W, unreachable: [], offscreen: [], small: [] };
  function name(el) {
    var t = (el.innerText || el.value || el.getAttribute("aria-label") || el.getAttribute("name") || el.id || "").replace(/\s+/g, " ").trim();
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " «" + t.slice(0, 30) + "»";
  }
  function shown(el) {
    var r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  }
  // A control is reachable when it is shown, or when what hides it opens from a reachable control.
  function reachable(el, depth) {
    if (depth > 5) { return false; }
    if (shown(el)) { return true; }
    var from = el.tagName === "SUMMARY" ? el.parentElement && el.parentElement.parentElement : el.parentElement;
    var d = from && from.closest("details:not([open])");
    if (d) {
      var sum = d.querySelector(":scope > summary");
      return !!sum && sum !== el && reachable(sum, depth + 1);
    }
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.id) {
        var b = document.querySelector('[aria-controls="' + p.id + '"]');
        if (b && b !== el && reachable(b, depth + 1)) { return true; }
      }
    }
    return false;
  }
  // cut reports whether a shown element leaves the window or a box that clips it.
  function cut(el) {
    var r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > W + 1) { return true; }
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var ox = getComputedStyle(p).overflowX;
      if (ox !== "visible") {
        var pr = p.getBoundingClientRect();
        if (r.left < pr.left - 1 || r.right > pr.right + 1) { return true; }
      }
    }
    return false;
  }
  var controls = "#mainnav a, #mainnav button, main a.btn, main a.more, main a.stat, main a.work-link, main a.card-link, main .pager a, main a[role=button], " +
    "button, select, textarea, input:not([type=hidden]), summary";
  document.querySelectorAll(controls).forEach(function (el) {
    if (el.closest(".paper, dialog:not([open]), .skip")) { return; }
    // A menu button is not needed where what it opens is shown already (the phone's menu on a desktop).
    var ctl = el.getAttribute("aria-controls") && document.getElementById(el.getAttribute("aria-controls"));
    if (ctl && !shown(el) && shown(ctl)) { return; }
    if (!reachable(el, 0)) { out.unreachable.push(name(el)); return; }
    if (!shown(el)) { return; }
    if (cut(el)) { out.offscreen.push(name(el)); return; }
    var target = el.matches("a.card-link") ? el.closest("tr, li, .card") || el : el; // its row is the link (brCardsJS checks)
    if (el.type === "checkbox" || el.type === "radio") {
      target = el.closest("label") || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el;
      if (target !== el && el.parentElement && el.parentElement.contains(target) && el.parentElement.getBoundingClientRect().height > target.getBoundingClientRect().height) {
        target = el.parentElement; // a row of box and label, tappable as one
      }
    }
    var h = target.getBoundingClientRect().height;
    if (h < 43.5) { out.small.push(name(el) + " " + Math.round(h) + "px"); }
  });
  // A box of the page that scrolls sideways hides part of itself without a hint: a table must fold or fit.
  out.boxes = [];
  document.querySelectorAll("main *").forEach(function (el) {
    var ox = getComputedStyle(el).overflowX;
    if ((ox === "auto" || ox === "scroll") && el.scrollWidth > el.clientWidth + 1 && !el.closest(".paper")) {
      out.boxes.push(name(el).slice(0, 60) + " " + el.scrollWidth + ">" + el.clientWidth + "px");
    }
  });
  return JSON.stringify(out);
})()`

// checkLayout asserts the page's layout at size z (see TestBrowserLayout); on a phone it also opens
// the navigation's menu and checks every item is then on screen.
func (s *brSession) checkLayout(z brSize) {
	s.t.Helper()
	path := s.eval(`location.pathname + location.search`)
	where := s.who + " " + path + " (" + z.name + ")"
	s.t.Logf("checking %s", where)
	s.checkControls(where)
	// The forms folded in panels (<details>) are checked too, open.
	if s.eval(`(function () { var n = 0; document.querySelectorAll("main details:not([open])").forEach(function (d) { d.open = true; d.dataset.layoutOpened = "1"; n++; }); return String(n); })()`) != "0" {
		s.checkControls(where + " with its panels open")
		s.eval(`document.querySelectorAll("main details[data-layout-opened]").forEach(function (d) { d.open = false; delete d.dataset.layoutOpened; }); ""`)
	}
	if bad := s.eval(brCardsJS); bad != "" {
		s.t.Errorf("%s: rows of a card list that are not a link as a whole: %s", where, bad)
	}
	if !z.mobile {
		return
	}
	if bad := s.eval(brChartsJS); bad != "" {
		s.t.Errorf("%s: bar charts unreadable on a phone: %s", where, bad)
	}
	s.checkMenu(where)
}

// checkControls runs brLayoutJS on the page as it is now and reports what it finds.
func (s *brSession) checkControls(where string) {
	s.t.Helper()
	var r struct {
		Scroll      int      `json:"scroll"`
		Unreachable []string `json:"unreachable"`
		Offscreen   []string `json:"offscreen"`
		Small       []string `json:"small"`
		Boxes       []string `json:"boxes"`
	}
	if err := json.Unmarshal([]byte(s.eval(brLayoutJS)), &r); err != nil {
		s.t.Fatal(err)
	}
	if r.Scroll > 0 {
		s.t.Errorf("%s: the page scrolls sideways by %d px; widest: %s", where, r.Scroll, s.eval(brWidestJS))
	}
	if len(r.Boxes) > 0 {
		s.t.Errorf("%s: boxes that scroll sideways: %s", where, strings.Join(r.Boxes, "; "))
	}
	if len(r.Unreachable) > 0 {
		s.t.Errorf("%s: controls neither visible nor reachable: %s", where, strings.Join(r.Unreachable, "; "))
	}
	if len(r.Offscreen) > 0 {
		s.t.Errorf("%s: controls cut off: %s", where, strings.Join(r.Offscreen, "; "))
	}
	if len(r.Small) > 0 {
		s.t.Errorf("%s: tap targets under 44 px: %s", where, strings.Join(r.Small, "; "))
	}
}

// checkMenu opens the phone's navigation menu, if the page has one: the button opens it, every item
// is then on screen, and it closes again.
func (s *brSession) checkMenu(where string) {
	s.t.Helper()
	if s.eval(`String(!!document.querySelector("#mainnav [aria-controls]"))`) != "true" {
		return
	}
	got := s.eval(`(function () {
	  var b = document.querySelector("#mainnav [aria-controls]"); b.click();
	  var W = window.innerWidth, bad = [];
	  document.querySelectorAll("#mainnav a").forEach(function (a) {
	    var r = a.getBoundingClientRect();
	    if (r.width === 0 || r.height === 0 || r.left < -1 || r.right > W + 1 || r.top < 0 || r.bottom > window.innerHeight + 1) { bad.push(a.innerText); }
	  });
	  var open = b.getAttribute("aria-expanded"); b.click();
	  return open + "|" + bad.join("、");
	})()`)
	if got != "true|" {
		s.t.Errorf("%s: the opened menu: %q (want aria-expanded true and every item on screen)", where, got)
	}
}

// brCardsJS checks that a row of a card list whose link is its card (a.card-link, the case list) is a
// tap target as a whole: points near its corners and at its centre lie on the row's link. It names
// the rows where they do not.
const brCardsJS = `(function () {
  var bad = [];
  var rows = [].filter.call(document.querySelectorAll("main table.cards tbody tr"), function (row) { return !!row.querySelector("a.card-link"); });
  rows.slice(0, 5).forEach(function (row) {
    row.scrollIntoView({ block: "center" });
    var r = row.getBoundingClientRect();
    [[r.left + 6, r.top + 6], [r.right - 6, r.bottom - 6], [r.left + r.width / 2, r.top + r.height / 2]].forEach(function (p) {
      var el = document.elementFromPoint(p[0], p[1]), a = el && el.closest("a");
      if (!a || !row.contains(a)) { bad.push((row.innerText || "").replace(/\s+/g, " ").slice(0, 20) + " @" + Math.round(p[0]) + "," + Math.round(p[1]) + " → " + (el ? el.tagName.toLowerCase() : "nothing")); }
    });
  });
  window.scrollTo(0, 0);
  return bad.join("; ");
})()`

// brChartsJS checks the bar charts of a page as a phone shows them: the categories (units, whose
// names are long) run down the side as horizontal bars, each with at least 18 px, so that no label
// overlaps another. It names the charts that fail.
const brChartsJS = `(function () {
  if (typeof echarts === "undefined") { return ""; }
  var bad = [];
  document.querySelectorAll("main [_echarts_instance_]").forEach(function (el) {
    var c = echarts.getInstanceByDom(el);
    if (!c) { return; }
    var o = c.getOption();
    if (!(o.series || []).some(function (s) { return s.type === "bar"; })) { return; }
    var y = (o.yAxis || [])[0] || {}, n = (y.data || []).length, h = el.getBoundingClientRect().height;
    if (y.type !== "category") { bad.push("#" + el.id + " draws its categories along the x axis"); return; }
    if (n > 0 && h / n < 18) { bad.push("#" + el.id + " has " + n + " bars in " + Math.round(h) + " px"); }
  });
  return bad.join("; ");
})()`

// brWidestJS names the element that sticks out furthest to the right.
const brWidestJS = `(function () {
  var W = window.innerWidth, worst = null, max = W;
  document.querySelectorAll("body *").forEach(function (el) { var r = el.getBoundingClientRect(); if (r.right > max) { max = r.right; worst = el; } });
  return worst ? worst.tagName.toLowerCase() + "." + String(worst.className) + " right=" + Math.round(max) : "";
})()`
