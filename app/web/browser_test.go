package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dudao/app"
	"dudao/app/demo"
)

// The browser test drives the real router in a headless Chromium, clicking the whole life of a case as
// the people involved would. It runs when DUDAO_TEST_BROWSER names a Chromium binary (CI sets it);
// with DUDAO_SCREENSHOTS=1 it also writes the screenshots under docs/screenshots.

const (
	brBrowserEnv    = "DUDAO_TEST_BROWSER"
	brScreenshotEnv = "DUDAO_SCREENSHOTS"
)

// brSession is one person's browser tab, with cookies of its own.
type brSession struct {
	t    *testing.T
	ctx  context.Context
	base string
	who  string
}

// brStart starts Chromium and returns a context that owns it.
func brStart(t *testing.T) context.Context {
	t.Helper()
	exe := os.Getenv(brBrowserEnv)
	if exe == "" {
		t.Skip("browser test skipped: set " + brBrowserEnv + " to a Chromium binary")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN"),
		chromedp.Env("LANG=C.UTF-8"), // UTF-8 file names whatever locales are installed
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	return root
}

// brLogin opens a fresh browser context (no shared cookies) and signs in through the form.
func brLogin(t *testing.T, root context.Context, base, username string) *brSession {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelT)
	s := &brSession{t: t, ctx: ctx, base: base, who: username}
	s.do(chromedp.EmulateViewport(1440, 900), chromedp.Navigate(base+"/login"))
	s.do(chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), demo.Password))
	s.submit(`form[action="/login"] button[type=submit]`)
	s.want("退出")
	return s
}

func (s *brSession) do(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v", s.who, err)
	}
}

// submit clicks a button that sends a form (or a link) and waits for the next page.
func (s *brSession) submit(css string) {
	s.t.Helper()
	sel := chromedp.CSS(css)
	resp, err := chromedp.RunResponse(s.ctx, chromedp.ScrollIntoView(sel), chromedp.Click(sel))
	if err != nil {
		s.t.Fatalf("%s: click %s: %v\n%s", s.who, css, err, s.text())
	}
	if resp.Status >= 400 {
		s.t.Fatalf("%s: click %s: status %d\n%s", s.who, css, resp.Status, s.text())
	}
}

func (s *brSession) open(path string) {
	s.t.Helper()
	resp, err := chromedp.Run(s.ctx, chromedp.NavigateResponse(s.base+path))
	if err != nil {
		s.t.Fatalf("%s: open %s: %v", s.who, path, err)
	}
	if resp.Status >= 400 {
		s.t.Fatalf("%s: open %s: status %d\n%s", s.who, path, resp.Status, s.text())
	}
}

func (s *brSession) eval(js string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		s.t.Fatalf("%s: evaluate %s: %v", s.who, js, err)
	}
	return v
}

// text is what the page says, as a person reads it.
func (s *brSession) text() string {
	v, _ := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return v
}

// want fails unless the page says every one of texts.
func (s *brSession) want(texts ...string) {
	s.t.Helper()
	page := s.text()
	for _, x := range texts {
		if !strings.Contains(page, x) {
			s.t.Fatalf("%s at %s: page lacks %q:\n%s", s.who, s.eval(`location.pathname`), x, page)
		}
	}
}

// wantStatus checks the status badge of the case page.
func (s *brSession) wantStatus(label string) {
	s.t.Helper()
	if got := s.eval(`document.querySelector(".case-head .badge").innerText`); got != label {
		s.t.Fatalf("%s: case status %q, want %q", s.who, got, label)
	}
}

// wantFlash checks the message the last action left.
func (s *brSession) wantFlash(prefix string) {
	s.t.Helper()
	got := s.eval(`(document.getElementById("flash") || {innerText: ""}).innerText`)
	if !strings.HasPrefix(got, prefix) {
		s.t.Fatalf("%s: flash %q, want %q…\n%s", s.who, got, prefix, s.text())
	}
}

// shoot saves the page at phone and desktop sizes as docs/screenshots/<name>-phone.png and -desktop.png
// when DUDAO_SCREENSHOTS=1, else into a temporary folder (the capture is still exercised). scrollTo
// names an element to bring to the top first, "" for the top of the page.
func (s *brSession) shoot(dir, name, scrollTo string) {
	s.t.Helper()
	for _, size := range []struct {
		suffix        string
		width, height int64
		mobile        bool
	}{{"phone", 375, 812, true}, {"desktop", 1440, 900, false}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
		if size.mobile {
			opts = []chromedp.EmulateViewportOption{chromedp.EmulateScale(2), chromedp.EmulateMobile}
		}
		s.do(chromedp.EmulateViewport(size.width, size.height, opts...))
		js := `window.scrollTo(0, 0); window.dispatchEvent(new Event("resize")); ""`
		if scrollTo != "" {
			js = `(function(){ window.dispatchEvent(new Event("resize")); var el = document.querySelector(` + jsString(scrollTo) +
				`); var nav = document.getElementById("mainnav"); var off = nav ? nav.offsetHeight : 0;
				if (el) { window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - off - 8); } return ""; })()`
		}
		s.eval(js)
		s.do(chromedp.Sleep(500 * time.Millisecond))
		png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			s.t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+size.suffix+".png"), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
	s.do(chromedp.EmulateViewport(1440, 900))
	s.eval(`window.scrollTo(0, 0); ""`)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// brPhoto writes a small real PNG, standing in for a phone photo of the rectified site.
func brPhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 160; x++ {
			img.Set(x, y, color.RGBA{uint8(40 + x/2), uint8(120 + y/2), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "整改后照片.png")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrowserCasePath clicks a case from opening to closing: the supervisor opens and inspects, the
// school acknowledges, the director issues, the school rectifies with a photo, a second supervisor
// rechecks.
func TestBrowserCasePath(t *testing.T) {
	root := brStart(t)
	e := newEnv(t, app.Options{})
	// Evidence counts for rectification only when uploaded after the issue, so the clock must move.
	e.clock.SetTick(time.Millisecond)
	shots := t.TempDir()
	if os.Getenv(brScreenshotEnv) == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	base := e.srv.URL
	const title = "浏览器测试：校园食堂与消防安全专项督导"
	const finding = "食堂后厨灭火器过期未更换"

	// The supervisor's home page: work lists, counts and a chart drawn by the static script.
	sup := brLogin(t, root, base, "city.supervisor")
	sup.want("您好，市督学 王敏", "我负责的督导", "待复查的整改", "案件状态分布")
	if sup.eval(`String(!!document.querySelector(".chart canvas"))`) != "true" {
		t.Fatalf("the status chart was not drawn:\n%s", sup.text())
	}
	if sup.eval(`typeof htmx`) != "object" {
		t.Fatal("htmx did not load")
	}
	sup.shoot(shots, "home", "")

	// Open a case on 海勃湾区第一小学（示例）.
	sup.open("/cases/new")
	target := sup.eval(`(function(){ var s = document.getElementById("target_org_id"); for (var i = 0; i < s.options.length; i++) {
		if (s.options[i].text.indexOf("海勃湾区第一小学（示例）") >= 0) { return s.options[i].value; } } return ""; })()`)
	if target == "" {
		t.Fatal("海勃湾区第一小学（示例） is not among the targets")
	}
	sup.do(chromedp.SetValue(chromedp.ID("target_org_id"), target), chromedp.SendKeys(chromedp.ID("title"), title))
	// A 专项 case has a team of three (R7) and, without a notice 30 days ahead, is a 四不两直 visit (R47).
	if n := sup.eval(`String([].filter.call(document.querySelectorAll('input[name="inspector_ids"]'), function(c) {
		var l = document.querySelector('label[for="' + c.id + '"]');
		if (l && (l.textContent.indexOf("赵芳") >= 0 || l.textContent.indexOf("刘洋") >= 0)) { c.checked = true; return true; }
		return false; }).length)`); n != "2" {
		t.Fatalf("%s more inspectors ticked, want 2", n)
	}
	sup.do(chromedp.Click(chromedp.ID("unannounced")), chromedp.SendKeys(chromedp.ID("unannounced_reason"), "食品安全举报线索，需现场核实。"))
	sup.submit(`form[action="/cases"] button[type=submit]`)
	sup.wantFlash("已新建督导案件")
	sup.wantStatus("计划中")
	sup.want(title, "海勃湾区第一小学（示例）", "市督学 王敏")
	casePath := sup.eval(`location.pathname`)

	// Start, record a finding, send the preliminary opinion.
	sup.submit(`button[data-action="start"]`)
	sup.wantFlash("已开始督导")
	sup.wantStatus("督导中")
	sup.do(chromedp.SendKeys(chromedp.ID("finding-title"), finding),
		chromedp.SetValue(chromedp.ID("finding-severity"), "major"),
		chromedp.SetValue(chromedp.ID("finding-category"), "校园安全"),
		chromedp.SendKeys(chromedp.ID("finding-description"), "后厨2具干粉灭火器压力不足，已过检验期。"))
	sup.submit(`#add-finding button[type=submit]`)
	sup.wantFlash("已记录问题「" + finding + "」")
	sup.want(finding, "较重", "校园安全")
	sup.submit(`button[data-action="submit_preliminary"]`)
	sup.wantFlash("初步督导意见已反馈被督导单位")
	sup.wantStatus("初步意见反馈")

	// The school sees the opinion on its home page and acknowledges it.
	school := brLogin(t, root, base, "school.hbw1")
	school.want("待确认的初步督导意见", title)
	school.submit(`a.work-link[href="` + casePath + `"]`)
	school.wantStatus("初步意见反馈")
	school.want("提出申辩", finding)
	school.submit(`button[data-action="acknowledge"]`)
	school.wantFlash("已确认初步督导意见")

	// The supervisor submits the report for review.
	sup.open(casePath)
	sup.submit(`button[data-action="submit_for_review"]`)
	sup.wantFlash("已提交审核")
	sup.wantStatus("待审核签发")

	// The director finds it among the reports to review and issues it.
	dir := brLogin(t, root, base, "city.director")
	dir.want("待审核签发的报告", title)
	dir.submit(`a.work-link[href="` + casePath + `"]`)
	dir.submit(`button[data-action="issue"]`)
	dir.wantFlash("督导意见书已签发，案件进入整改")
	dir.wantStatus("整改中")
	dir.want("签发督导意见书", "办理过程")
	dir.shoot(shots, "case", "")

	// The case list filters in place (htmx) and keeps the filter in the address.
	dir.open("/cases")
	got, err := chromedp.Run(dir.ctx, chromedp.Evaluate[string](`new Promise(function (done) {
		document.body.addEventListener("htmx:afterSettle", function () {
			done(document.getElementById("case-results").innerText + "|" + location.search);
		}, {once: true});
		var s = document.getElementById("f-status");
		s.value = "rectifying";
		s.dispatchEvent(new Event("change", {bubbles: true}));
	})`, chromedp.EvalAwaitPromise))
	if err != nil || !strings.Contains(got, title) || strings.Contains(got, "已办结") || !strings.HasSuffix(got, "|?status=rectifying") {
		t.Fatalf("filtering the case list in place: %q %v", got, err)
	}

	// The school enters a measure and a photo, then submits its rectification.
	school.open("/")
	school.want("待整改的问题", finding)
	school.open(casePath)
	school.submit(`a[href="` + casePath + `/rectification"]`)
	school.want("整改填报", finding, "尚无整改措施")
	fid := strings.TrimPrefix(school.eval(`document.querySelector("section.finding.rect").id`), "finding-")
	school.do(chromedp.SendKeys(chromedp.ID("m-desc-"+fid), "更换后厨全部灭火器，建立每月检查台账。"),
		chromedp.SendKeys(chromedp.ID("m-person-"+fid), "刘副校长"))
	school.submit(`form[action="` + casePath + `/findings/` + fid + `/measures"] button[type=submit]`)
	school.wantFlash("已添加整改措施")
	school.do(chromedp.SetUploadFiles(chromedp.CSS("#evidence-"+fid+"-photo"), []string{brPhoto(t)}),
		chromedp.SendKeys(chromedp.ID("evidence-"+fid+"-note"), "新灭火器已上墙"))
	school.submit(`#finding-` + fid + ` form.upload button[type=submit]`)
	school.wantFlash("已上传 1 个佐证材料")
	school.want("更换后厨全部灭火器", "刘副校长", "新灭火器已上墙", "可以提交整改报告")
	// The thumbnail is the uploaded photo, fetched through the session (it loads lazily, so bring it into view).
	width, err := chromedp.Run(school.ctx, chromedp.Evaluate[string](`new Promise(function (done) {
		var img = document.querySelector("#finding-`+fid+` a.thumb img");
		img.scrollIntoView();
		if (img.complete && img.naturalWidth) { done(String(img.naturalWidth)); return; }
		img.addEventListener("load", function () { done(String(img.naturalWidth)); });
		img.addEventListener("error", function () { done("error"); });
	})`, chromedp.EvalAwaitPromise))
	if err != nil || width != "160" {
		t.Fatalf("the uploaded photo does not show as a thumbnail: %q %v", width, err)
	}
	school.shoot(shots, "rectification", "#rectify-intro")
	// The thumbnail opens the picture in the viewer; Escape closes it.
	school.do(chromedp.Click(chromedp.CSS("#finding-" + fid + " a.thumb")))
	if school.eval(`String(document.getElementById("viewer").open) + " " + document.querySelector(".viewer-img").getAttribute("src")`) !=
		"true "+casePath+"/evidence/"+school.eval(`document.querySelector("#finding-`+fid+` a.thumb").getAttribute("href").split("/").pop()`) {
		t.Fatal("the image viewer did not open on the photo")
	}
	school.do(chromedp.Click(chromedp.ID("viewer-close")))
	if school.eval(`String(document.getElementById("viewer").open)`) != "false" {
		t.Fatal("the image viewer did not close")
	}
	school.submit(`button[data-action="submit_rectification"]`)
	school.wantFlash("整改报告已提交，等待复查")
	school.wantStatus("待复查")

	// A second supervisor, who did not inspect, rechecks and closes the case.
	sup2 := brLogin(t, root, base, "city.supervisor2")
	sup2.want("待复查的整改", title)
	sup2.open(casePath)
	sup2.submit(`a[href="` + casePath + `/recheck"]`)
	sup2.want("复查结论", "更换后厨全部灭火器")
	sup2.do(chromedp.Click(chromedp.ID("pass-" + fid)))
	sup2.submit(`button[data-action="recheck"]`)
	sup2.wantFlash("复查完成，全部问题整改到位，案件已办结")
	sup2.wantStatus("已办结")
	sup2.want("复查通过")
}
