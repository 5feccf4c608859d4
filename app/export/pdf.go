package export

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf" // v0.9.0: loads a single TrueType file and embeds the subset used

	"dudao/domain"
)

const fontFamily = "cjk"

// doc is a PDF under construction with the Chinese font loaded and numbered pages.
type doc struct {
	*fpdf.Fpdf
	lineH float64
}

// newDoc starts a PDF on A4 (orientation "P" or "L") whose every page carries footer (may be "") and
// "第 n 页 / 共 m 页". font is the bytes of a single-file TrueType font with Chinese glyphs, or nil for
// the embedded font.
func newDoc(orientation string, font []byte, footer string) (d *doc, err error) {
	font = fontOrEmbedded(font)
	// fpdf reads single TrueType files only; a collection (.ttc) or a CFF-flavoured OpenType font would
	// fail later, and some failures only print, so check the signature first.
	if len(font) < 12 || !(bytes.Equal(font[:4], []byte{0, 1, 0, 0}) || string(font[:4]) == "true") {
		return nil, fmt.Errorf("%w: not a single TrueType font file", ErrBadFont)
	}
	// fpdf panics on some malformed fonts instead of returning an error.
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("%w: %v", ErrBadFont, r)
		}
	}()
	p := fpdf.New(orientation, "mm", "A4", "")
	p.SetMargins(15, 15, 15)
	p.SetAutoPageBreak(true, 18)
	p.AddUTF8FontFromBytes(fontFamily, "", font)
	p.SetFont(fontFamily, "", 10) // fails ("undefined font") when the font was not taken
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFont, err)
	}
	p.AliasNbPages("{nb}")
	d = &doc{Fpdf: p, lineH: 5.5}
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(fontFamily, "", 8)
		p.SetTextColor(110, 110, 110)
		if footer != "" {
			p.CellFormat(0, 5, clean(footer), "", 0, "L", false, 0, "")
			p.SetX(15) // the page number goes on the same line, at the right
		}
		p.CellFormat(0, 5, fmt.Sprintf("第 %d 页 / 共 {nb} 页", p.PageNo()), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	p.SetCreator("dudao", true)
	return d, nil
}

// bytes finishes the document.
func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		return nil, fmt.Errorf("export: write pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// clean keeps text printable with the font: the font tables cover the Basic Multilingual Plane only,
// and control characters would print as boxes.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r > 0xFFFF:
			return '□'
		case unicode.IsControl(r) && r != '\n':
			return -1
		}
		return r
	}, s)
}

// wrap breaks s into lines no wider than w at the current font size. Chinese text has no spaces, so
// it breaks between any two characters, preferring a space when the line holds one.
func (d *doc) wrap(s string, w float64) []string {
	var lines []string
	for _, para := range strings.Split(clean(s), "\n") {
		runes := []rune(para)
		if len(runes) == 0 {
			lines = append(lines, "")
			continue
		}
		start := 0
		for start < len(runes) {
			end := start
			lastSpace := -1
			for end < len(runes) {
				if d.GetStringWidth(string(runes[start:end+1])) > w && end > start {
					break
				}
				if runes[end] == ' ' {
					lastSpace = end
				}
				end++
			}
			if end < len(runes) && lastSpace > start && runes[end] != ' ' && isLatin(runes[end]) {
				end = lastSpace + 1 // do not cut a latin word or a number in two
			}
			if end < len(runes) && end-start > 1 && strings.ContainsRune(noLineStart, runes[end]) {
				end-- // 避头: closing punctuation never starts a line, so it takes the character before it along
			}
			lines = append(lines, strings.TrimRight(string(runes[start:end]), " "))
			start = end
			for start < len(runes) && runes[start] == ' ' {
				start++
			}
		}
	}
	return lines
}

// noLineStart are the punctuation marks a Chinese line must not start with.
const noLineStart = "，。、；：？！）》」』”’】〕…—,.;:?!)"

func isLatin(r rune) bool { return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// heading prints a section heading, starting a new page when fewer than minBelow mm would be left under it.
func (d *doc) heading(s string, size float64, minBelow float64) {
	_, pageH := d.GetPageSize()
	_, _, _, bottom := d.GetMargins()
	if d.GetY()+8+minBelow > pageH-bottom {
		d.AddPage()
	}
	d.SetFont(fontFamily, "", size)
	d.Ln(2)
	d.CellFormat(0, 8, clean(s), "", 1, "L", false, 0, "")
	d.SetFont(fontFamily, "", 9)
}

// paragraph prints wrapped text across the page.
func (d *doc) paragraph(s string, size float64) {
	d.SetFont(fontFamily, "", size)
	d.printLines(d.wrap(s, d.contentWidth()), size*0.55, "L")
}

// printLines prints pre-wrapped lines one under the other.
func (d *doc) printLines(lines []string, h float64, align string) {
	for _, l := range lines {
		d.CellFormat(0, h, l, "", 1, align, false, 0, "")
	}
}

func (d *doc) contentWidth() float64 {
	w, _ := d.GetPageSize()
	l, _, r, _ := d.GetMargins()
	return w - l - r
}

// table prints sec as a bordered table across the page: header row shaded and repeated on every page,
// cells wrapped, numbers right-aligned, an optional total row in bold shading.
func (d *doc) table(sec section) {
	d.SetFont(fontFamily, "", 9)
	width := d.contentWidth()
	var sum float64
	for _, c := range sec.columns {
		sum += c.width
	}
	widths := make([]float64, len(sec.columns))
	for i, c := range sec.columns {
		widths[i] = width * c.width / sum
	}
	header := make([]cell, len(sec.columns))
	for i, c := range sec.columns {
		header[i] = txt(c.header)
	}
	d.row(header, widths, true, nil)
	if len(sec.rows) == 0 {
		d.CellFormat(width, d.lineH+1, "（无）", "1", 1, "C", false, 0, "")
		return
	}
	for _, r := range sec.rows {
		d.row(r, widths, false, header)
	}
	if sec.total != nil {
		t := append([]cell{}, sec.total...)
		t[0] = txt("合计")
		d.row(t, widths, true, header)
	}
}

// row prints one table row; when it does not fit on the page, it starts a new page and repeats header.
func (d *doc) row(cells []cell, widths []float64, shaded bool, header []cell) {
	lines := make([][]string, len(cells))
	n := 1
	for i, c := range cells {
		lines[i] = d.wrap(c.String(), widths[i]-2)
		n = max(n, len(lines[i]))
	}
	h := float64(n)*d.lineH + 1
	_, pageH := d.GetPageSize()
	_, _, _, bottom := d.GetMargins()
	if d.GetY()+h > pageH-bottom {
		d.AddPage()
		if header != nil {
			d.row(header, widths, true, nil)
		}
	}
	x0, y0 := d.GetXY()
	if shaded {
		d.SetFillColor(230, 233, 238)
	}
	x := x0
	for i, c := range cells {
		style := "D"
		if shaded {
			style = "FD"
		}
		d.Rect(x, y0, widths[i], h, style)
		align := "L"
		if c.kind != cellText || shaded {
			align = "C"
		}
		if c.kind == cellInt || c.kind == cellRate {
			align = "R"
			if shaded {
				align = "C"
			}
		}
		for j, l := range lines[i] {
			d.SetXY(x+1, y0+0.5+float64(j)*d.lineH)
			d.CellFormat(widths[i]-2, d.lineH, l, "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	d.SetXY(x0, y0+h)
}

// AccountabilityPDF prints the accountability report: title, scope and period, a table per section,
// the rules the figures follow, page numbers. font is a single-file TrueType font, or nil for the
// embedded one.
func AccountabilityPDF(r domain.AccountabilityReport, font []byte) ([]byte, error) {
	title := "教育督导问责情况报告"
	d, err := newDoc("L", font, title+" · "+r.Scope.Name+" · "+string(r.From)+" 至 "+string(r.To))
	if err != nil {
		return nil, err
	}
	d.SetTitle(title, true)
	d.AddPage()
	d.SetFont(fontFamily, "", 18)
	d.CellFormat(0, 12, title, "", 1, "C", false, 0, "")
	d.SetFont(fontFamily, "", 10)
	d.CellFormat(0, 6, clean(fmt.Sprintf("统计范围：%s（含所辖单位）    统计期间：%s 至 %s    统计日期：%s",
		r.Scope.Name, r.From, r.To, r.Today)), "", 1, "C", false, 0, "")
	d.Ln(2)
	for _, sec := range accountabilitySections(r) {
		d.heading(sec.title, 12, 20)
		d.table(sec)
	}
	d.heading("说明", 12, 20)
	for i, n := range append(ReportDefinitions(), r.Notes...) {
		d.paragraph(fmt.Sprintf("%d. %s", i+1, n), 9)
	}
	return d.bytes()
}

// ReportDefinitions says in Chinese how each figure of the accountability report is counted.
func ReportDefinitions() []string {
	return []string{
		"签发案件：统计期间内签发督导意见书的案件；问题数按严重程度统计这些案件的问题，不含因申辩成立而撤回的问题。",
		"到期问题：整改期限在统计期间内且不晚于统计日期的问题（复查未通过的问题以新的整改期限为准）；按期整改：其中复查通过且复查日期不晚于整改期限的问题；按期整改率 = 按期整改 ÷ 到期问题。",
		"逾期未改：截至统计日期仍待整改或复查未通过、已过整改期限的问题（不限签发时间）；最长逾期天数为其中最早到期问题的逾期天数。",
		"复查未通过：统计期间内复查未通过的问题数。",
		"问责、激励：统计期间内作出决定（含已公开）的问责和激励。",
		fmt.Sprintf("反复出现的问题：同一被督导单位、同一问题类别在两个及以上年度出现（回溯统计期间起始年度前%d年），且统计期间内签发的案件中再次出现。", domain.RecurringLookbackYears),
		fmt.Sprintf("督学履职：督导次数为统计期间内开始督导的所派案件（不含已撤销）；督导开始后%d日内签发意见书的为按期签发；应报报告为已签发或已满%d日的督导。", domain.ReportOnTimeDays, domain.ReportOnTimeDays),
	}
}

// OpinionInput is what the 督导意见书 prints besides the case itself.
type OpinionInput struct {
	Case       *domain.Case
	Inspectors []string // names of the inspection team
	IssuedBy   string   // name of the director (or, on the spot, the inspector) who issued it
}

// chineseDate prints a date as 2026年3月5日.
func chineseDate(d domain.Date) string {
	t := d.Time()
	if t.IsZero() {
		return string(d)
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// OpinionPDF prints the 督导意见书 of an issued case: number, title, owner and target, inspectors,
// dates, the findings with severity, category and due date, the issue date and the issuing office's
// signature line. font is a single-file TrueType font, or nil for the embedded one.
func OpinionPDF(in OpinionInput, font []byte) ([]byte, error) {
	c := in.Case
	if c.IssuedAt == nil {
		return nil, fmt.Errorf("export: case %d has not been issued", c.ID)
	}
	d, err := newDoc("P", font, c.Number+" 教育督导意见书")
	if err != nil {
		return nil, err
	}
	d.SetTitle("教育督导意见书 "+c.Number, true)
	d.AddPage()
	d.SetFont(fontFamily, "", 14)
	d.CellFormat(0, 8, clean(c.OwnerOrg.Name), "", 1, "C", false, 0, "")
	d.SetFont(fontFamily, "", 22)
	d.SetTextColor(170, 20, 20)
	d.CellFormat(0, 14, "教育督导意见书", "", 1, "C", false, 0, "")
	d.SetTextColor(0, 0, 0)
	d.SetFont(fontFamily, "", 11)
	d.CellFormat(0, 7, clean(c.Number), "", 1, "C", false, 0, "")
	d.SetDrawColor(170, 20, 20)
	d.SetLineWidth(0.6)
	y := d.GetY() + 1
	d.Line(15, y, 15+d.contentWidth(), y)
	d.SetLineWidth(0.2)
	d.SetDrawColor(0, 0, 0)
	d.Ln(5)

	d.SetFont(fontFamily, "", 11)
	d.CellFormat(0, 7, clean(c.TargetOrg.Name+"："), "", 1, "L", false, 0, "")
	intro := fmt.Sprintf("根据工作安排，%s于%s对你单位开展了%s（%s），现将督导意见反馈如下。",
		c.OwnerOrg.Name, chineseDate(dateOr(c.StartedAt, c.PlannedOn)), c.Kind.Label(), c.Title)
	d.paragraph("    "+intro, 11)
	d.Ln(2)

	facts := section{columns: []column{{"项目", 1, 0}, {"内容", 3, 0}}}
	add := func(k, v string) {
		if strings.TrimSpace(v) != "" {
			facts.rows = append(facts.rows, []cell{txt(k), txt(v)})
		}
	}
	add("意见书编号", c.Number)
	add("督导事项", c.Title)
	add("督导类型", c.Type.Label()+" · "+c.Kind.Label())
	add("督导单位", c.OwnerOrg.Name)
	add("被督导单位", c.TargetOrg.Name)
	add("督导组成员", strings.Join(in.Inspectors, "、"))
	if c.PlannedOn != "" {
		add("计划日期", chineseDate(c.PlannedOn))
	}
	if c.StartedAt != nil {
		add("实施督导", chineseDate(domain.DateOf(*c.StartedAt)))
	}
	if c.PreliminaryAt != nil {
		add("初步意见反馈", chineseDate(domain.DateOf(*c.PreliminaryAt)))
	}
	add("签发日期", chineseDate(domain.DateOf(*c.IssuedAt)))
	d.factTable(facts)

	d.heading("一、发现的问题及整改期限", 12, 20)
	findings := section{columns: []column{{"序号", 0.6, 0}, {"问题", 5, 0}, {"类别", 1.3, 0}, {"严重程度", 1.2, 0}, {"整改期限", 1.6, 0}}}
	n := 0
	for _, f := range c.Findings {
		if f.Status == domain.FindingWithdrawn {
			continue
		}
		n++
		text := f.Title
		if s := strings.TrimSpace(f.Description); s != "" {
			text += "：" + s
		}
		findings.rows = append(findings.rows, []cell{num(n), txt(text), txt(f.Category), txt(f.Severity.Label()), txt(string(f.DueOn))})
	}
	if n == 0 {
		d.paragraph("    本次督导未发现需要整改的问题。", 11)
	} else {
		d.table(findings)
	}

	d.heading("二、整改要求", 12, 20)
	if n == 0 {
		d.paragraph("    请你单位继续保持规范办学，巩固督导成果。", 11)
	} else {
		d.paragraph("    请你单位对照上述问题逐项制定整改措施，明确责任人和完成时限，在整改期限内完成整改，"+
			"并通过督导系统提交整改报告及佐证材料；逾期未整改或整改不到位的，将依据《教育督导问责办法》予以问责。", 11)
	}

	d.Ln(14)
	half := d.contentWidth() / 2
	d.SetFont(fontFamily, "", 11)
	for _, l := range []string{
		"签发单位（盖章）：" + c.OwnerOrg.Name,
		"签发人：" + in.IssuedBy + "　　　　签字：________________",
		"签发日期：" + chineseDate(domain.DateOf(*c.IssuedAt)),
	} {
		d.SetX(15 + half - 20)
		d.CellFormat(half+20, 8, clean(l), "", 1, "L", false, 0, "")
	}
	return d.bytes()
}

// dateOr is the civil date of t, or fallback when t is nil.
func dateOr(t *time.Time, fallback domain.Date) domain.Date {
	if t == nil {
		return fallback
	}
	return domain.DateOf(*t)
}

// factTable prints a two-column table of labels and values without a header.
func (d *doc) factTable(sec section) {
	d.SetFont(fontFamily, "", 10)
	width := d.contentWidth()
	widths := []float64{width * 0.25, width * 0.75}
	for _, r := range sec.rows {
		r[0] = txt(r[0].text)
		d.row(r, widths, false, nil)
	}
}
