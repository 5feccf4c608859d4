package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dudao/cmd/system/systemtest"
)

// TestBrowserMonitoring drives the monitoring pages, the ledger and the phone checklist in a headless
// Chromium (when DUDAO_TEST_BROWSER names one): the charts are drawn by the static scripts under the
// strict CSP, an import goes through the page's htmx upload and answers its result in place, and a
// 责任督学 scores the eight standing matters on a phone-sized screen and turns a failed one into a
// finding. With DUDAO_SCREENSHOTS=1 the screenshots go to docs/screenshots.
func TestBrowserMonitoring(t *testing.T) {
	root := brStart(t)
	e := wrapEnv(systemtest.New(t, caseOptions))
	e.clock.SetTick(time.Millisecond)
	shots := t.TempDir()
	if os.Getenv(brScreenshotEnv) == "1" {
		shots = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	base := e.srv.URL

	// The monitor's home: what lags behind the plan and what to enter next.
	mon := brLogin(t, root, base, "monitor")
	mon.want("滞后于规划进度的指标", "待填报（2025年数据）")
	mon.shoot(shots, "monitor-home", "")
	mon.open("/monitoring")
	mon.want("乌海市2025年指标达成情况", "九年义务教育巩固率")
	if mon.eval(`String(!!document.querySelector(".chart canvas"))`) != "true" {
		t.Fatalf("the attainment chart was not drawn")
	}
	mon.shoot(shots, "monitoring", "")
	mon.open("/monitoring/report?kind=midterm")
	mon.want("中期评估报告", "约束性指标进展")
	if mon.eval(`String(!!document.querySelector("#chart-status canvas") && !!document.querySelector("#chart-series canvas"))`) != "true" {
		t.Fatalf("the report's charts were not drawn:\n%s", mon.text())
	}
	mon.shoot(shots, "monitoring-report", "#chart-series")

	// An import through the page: htmx posts the file and puts the result in place.
	csv := filepath.Join(t.TempDir(), "学校数据.csv")
	if err := os.WriteFile(csv, []byte("指标代码,单位代码,年份,数值\ncompulsory_retention_rate,hbw/s003,2024,96.1\nstudent_fitness_pass_rate,hbw/s003,2024,93\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mon.open("/monitoring/import")
	mon.do(chromedp.SetUploadFiles(chromedp.ID("imp-file"), []string{csv}), chromedp.Click(chromedp.CSS(`form.import-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-result h2`)))
	mon.want("导入完成", "新增 2 行", "提出评估监测立案建议 1 件")
	if mon.eval(`location.pathname`) != "/monitoring/import" {
		t.Errorf("the upload left the page")
	}
	mon.shoot(shots, "monitoring-import", "#import-result")

	// The ledger, as the city's director.
	dir := brLogin(t, root, base, "city.director")
	dir.open("/tasks?overdue=true")
	dir.want("督办台账", "已逾期")
	dir.shoot(shots, "ledger", "")

	// A 责任督学's routine visit, scored on a phone.
	sup := brLogin(t, root, base, "hbw.supervisor")
	sup.open("/cases/new")
	target := sup.eval(`(function(){ var s = document.getElementById("target_org_id"); for (var i = 0; i < s.options.length; i++) {
		if (s.options[i].text.indexOf("海勃湾区第三幼儿园（示例）") >= 0) { return s.options[i].value; } } return ""; })()`)
	sup.do(chromedp.SetValue(chromedp.ID("kind"), "routine"), chromedp.SetValue(chromedp.ID("target_org_id"), target),
		chromedp.SendKeys(chromedp.ID("title"), "责任督学经常性督导（3月）"))
	sup.submit(`form[action="/cases"] button[type=submit]`)
	sup.submit(`button[data-action="start"]`)
	sup.do(chromedp.WaitVisible(chromedp.CSS(`#checklist a.btn`)))
	sup.want("评估打分", "开始评估打分")
	sup.do(chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile))
	sup.submit(`#checklist a.btn`)
	for i, v := range []string{"9", "8", "8", "7", "9", "4", "8", "9"} {
		sup.do(chromedp.SendKeys(chromedp.ID("score-"+string(rune('1'+i))), v))
	}
	sup.do(chromedp.Click(chromedp.ID("fail-6")), chromedp.SendKeys(chromedp.ID("note-6"), "东侧围墙护栏松动，上下学时段无人值守。"))
	sup.shoot(shots, "checklist", "#item-6")
	sup.submit(`form.score-form button[type=submit]`)
	sup.wantFlash("评分已保存：77.5分（合格）") // 12.5 × (9+8+8+7+9+4+8+9) / 10
	sup.want("不合格项目", "校园及周边安全与交通安全")
	sup.submit(`form[action$="/checklist/items/6/finding"] button`)
	sup.wantFlash("已形成问题「校园及周边安全与交通安全」（较重）")
	caseHref := sup.eval(`document.querySelector(".crumbs a[href^='/cases/']:last-of-type").getAttribute("href")`)
	sup.open(caseHref)
	if !strings.Contains(sup.text(), "校园及周边安全与交通安全") {
		t.Errorf("the finding is not on the case page")
	}
}
