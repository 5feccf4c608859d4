package domain

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The documents of a case are paperwork as the supervision office issues it: the 督导通知 before the
// visit (R7, R20), the 初步督导意见 the target reads and may object to (R8), the 督导意见书 (R9) and, for
// a 专项/综合 case, the 督导报告 to the same-level government copied to the next-higher office (R11).
// A document is fixed when it is issued: the step that issues it writes its content here, the app
// renders it once (HTML, and PDF for what is printed and sent) and storage keeps those bytes with
// their sha256, which the step's audit event carries. Later changes to the case never alter it; a
// correction is a new document linked to the one it corrects.

// DocKind is what a document of a case is.
type DocKind string

const (
	DocNotice      DocKind = "notice"      // 督导通知
	DocPreliminary DocKind = "preliminary" // 初步督导意见
	DocOpinion     DocKind = "opinion"     // 督导意见书
	DocReport      DocKind = "report"      // 督导报告
)

// Label is the Chinese name of k.
func (k DocKind) Label() string {
	switch k {
	case DocNotice:
		return "督导通知"
	case DocPreliminary:
		return "初步督导意见"
	case DocOpinion:
		return "督导意见书"
	case DocReport:
		return "督导报告"
	}
	return string(k)
}

// Printed reports whether documents of kind k are printed and sent on paper, and so kept as PDF too;
// the preliminary opinion is read on the case page.
func (k DocKind) Printed() bool { return k != DocPreliminary }

// numberWord is the word a document's 文号 adds to the case's: 乌督学通〔2026〕12号 for its notice; the
// 意见书 carries the case's own number.
func (k DocKind) numberWord() string {
	switch k {
	case DocNotice:
		return "通"
	case DocPreliminary:
		return "初"
	case DocReport:
		return "报"
	}
	return ""
}

// CaseDocument is one document of a case as issued.
type CaseDocument struct {
	ID         int64
	CaseID     int64
	Kind       DocKind
	Number     string // 文号
	Title      string
	IssuedBy   int64
	IssuedAt   time.Time
	CorrectsID *int64 // the document this one corrects
	Reason     string // a correction's reason
	SHA256     string // of the PDF, or of the HTML when the kind is not printed

	// Content is what the document says; set when it is issued (and by GetCaseDocument), not on a
	// loaded case.
	Content *DocContent
	// The stored renderings, set by the app when it is issued and by GetCaseDocument.
	HTML string
	PDF  []byte
}

// Canonical is the content as stored: JSON, from which the renderings were made.
func (d CaseDocument) Canonical() ([]byte, error) {
	if d.Content == nil {
		return nil, fmt.Errorf("domain: document %d has no content", d.ID)
	}
	return json.Marshal(d.Content)
}

// DocContent is what a document says, laid out as official paperwork is (公文): the issuing office, the
// title, the 文号, whom it is addressed to, opening paragraphs, a table of facts, numbered sections,
// the 抄送, the office that signs it, who signed and the date. Renderings (HTML, PDF) print it as it is.
type DocContent struct {
	Issuer     string       `json:"issuer"`
	Title      string       `json:"title"`
	Number     string       `json:"number"`
	Addressee  string       `json:"addressee"`
	Lead       []string     `json:"lead"`
	Facts      []DocFact    `json:"facts"`
	Sections   []DocSection `json:"sections"`
	CopyTo     []string     `json:"copy_to"`
	Signer     string       `json:"signer"`
	SignedBy   string       `json:"signed_by"`
	Date       string       `json:"date"`
	Correction string       `json:"correction,omitempty"`
}

// DocFact is one label and its value.
type DocFact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// DocSection is one numbered section: its paragraphs and numbered items.
type DocSection struct {
	Heading    string    `json:"heading"`
	Paragraphs []string  `json:"paragraphs"`
	Items      []DocItem `json:"items"`
}

// DocItem is one numbered item of a section (a problem and what is required of it).
type DocItem struct {
	Title string    `json:"title"`
	Lines []DocFact `json:"lines"`
}

// Paper is what a case's documents print that the case does not hold: its people's names and the
// supervision office above its owner.
type Paper struct {
	Names        map[int64]string
	HigherOffice string
}

func (p Paper) name(id int64) string {
	if n := p.Names[id]; n != "" {
		return n
	}
	if id == 0 {
		return ""
	}
	return fmt.Sprintf("用户#%d", id)
}

// ChineseDate prints a date as 2026年3月5日.
func ChineseDate(d Date) string {
	t := d.Time()
	if t.IsZero() {
		return string(d)
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

func chineseDay(t time.Time) string { return ChineseDate(DateOf(t)) }

// documentNumber is the 文号 of the case's document of kind k: the case's number with the kind's word
// after the type word (乌督学通〔2026〕12号); a correction adds （更正n）.
func (c *Case) documentNumber(k DocKind, corrections int) string {
	n := c.Number
	if w := k.numberWord(); w != "" {
		n = FormatCaseNumber(c.OwnerOrg, c.Type, c.Year, c.Seq)
		if i := strings.Index(n, "〔"); i > 0 {
			n = n[:i] + w + n[i:]
		}
	}
	if corrections > 0 {
		n += fmt.Sprintf("（更正%d）", corrections)
	}
	return n
}

// addDocument adds a document issued now, with its number and title; the app renders it before the
// case is saved.
func (c *Case) addDocument(by Actor, now time.Time, k DocKind, content DocContent, corrects *int64, reason string) *CaseDocument {
	corrections := 0
	if corrects != nil {
		for _, d := range c.Documents {
			if d.Kind == k && d.CorrectsID != nil {
				corrections++
			}
		}
		corrections++
	}
	d := CaseDocument{CaseID: c.ID, Kind: k, Number: c.documentNumber(k, corrections), Title: content.Title, IssuedBy: by.UserID,
		IssuedAt: now, CorrectsID: corrects, Reason: reason}
	content.Number = d.Number
	d.Content = &content
	c.Documents = append(c.Documents, d)
	return &c.Documents[len(c.Documents)-1]
}

// latestDocument is the case's newest document of kind k (a correction replaces what it corrects).
func (c *Case) latestDocument(k DocKind) *CaseDocument {
	for i := len(c.Documents) - 1; i >= 0; i-- {
		if c.Documents[i].Kind == k {
			return &c.Documents[i]
		}
	}
	return nil
}

// LatestDocument is the case's newest document of kind k, or nil.
func (c *Case) LatestDocument(k DocKind) *CaseDocument { return c.latestDocument(k) }

// Document returns the case's document with the given id, or nil.
func (c *Case) Document(id int64) *CaseDocument {
	for i := range c.Documents {
		if c.Documents[i].ID == id {
			return &c.Documents[i]
		}
	}
	return nil
}

// teamNames names the inspection team.
func (c *Case) teamNames(p Paper) string {
	var names []string
	for _, id := range c.InspectorIDs {
		names = append(names, p.name(id))
	}
	return strings.Join(names, "、")
}

// visitDay is the day the visit began, or the day planned.
func (c *Case) visitDay() Date {
	if c.StartedAt != nil {
		return DateOf(*c.StartedAt)
	}
	return c.PlannedOn
}

// howVisited says how the visit was announced: the notice and its day, or 四不两直 and why.
func (c *Case) howVisited() string {
	switch {
	case c.Unannounced:
		return "“四不两直”暗访，未提前通知（" + c.UnannouncedReason + "）"
	case c.NoticeSentAt != nil:
		return "于" + chineseDay(*c.NoticeSentAt) + "书面通知"
	}
	return ""
}

// The documents' texts cite no rule numbers (those are this system's, not the law's): R7 and R20 for the
// notice, R8 for the preliminary opinion, R9, R10, R15 and R16 for the 意见书, R11 for the 督导报告.

func (c *Case) noticeContent(by Actor, now time.Time, in NoticeInput, p Paper) DocContent {
	office := c.OwnerOrg.OfficeName()
	d := DocContent{Issuer: office, Title: "教育督导通知", Addressee: c.TargetOrg.Name,
		Lead: []string{fmt.Sprintf("根据工作安排，%s定于%s对你单位开展%s（%s）。现将有关事项通知如下。",
			office, ChineseDate(in.VisitOn), c.Kind.Label(), c.Title)},
		Signer: office, SignedBy: p.name(by.UserID), Date: chineseDay(now)}
	d.Sections = []DocSection{
		{Heading: "一、督导时间", Paragraphs: []string{ChineseDate(in.VisitOn) + "起。"}},
		{Heading: "二、督导组成员", Paragraphs: []string{c.teamNames(p) + "。"}},
		{Heading: "三、督导内容", Paragraphs: []string{in.Scope}},
	}
	docs := in.Documents
	if docs == "" {
		docs = "请按督导内容准备相关制度、台账和资料，督导期间备查。"
	}
	d.Sections = append(d.Sections, DocSection{Heading: "四、需准备的材料", Paragraphs: []string{docs}})
	if in.SelfEvaluationDue != "" {
		d.Sections = append(d.Sections, DocSection{Heading: "五、自评要求", Paragraphs: []string{fmt.Sprintf(
			"请你单位对照督导内容开展自查自评，并于%s前通过教育督导系统提交自评报告。", ChineseDate(in.SelfEvaluationDue))}})
	}
	return d
}

// findingLines describes a finding in a document: what was found, and when with requirements its
// 整改要求和建议 and deadline.
func findingLines(f Finding, requirements bool) []DocFact {
	var lines []DocFact
	if s := strings.TrimSpace(f.Description); s != "" {
		lines = append(lines, DocFact{"问题描述", s})
	}
	lines = append(lines, DocFact{"问题类别", f.Category}, DocFact{"严重程度", f.Severity.Label()})
	if requirements {
		req := f.Requirement
		if req == "" {
			req = "针对问题查找原因，制定整改措施，明确责任人和完成时限，按期整改到位。"
		}
		lines = append(lines, DocFact{"整改要求和建议", req})
		if f.DueOn != "" {
			lines = append(lines, DocFact{"整改期限", ChineseDate(f.DueOn) + "前"})
		}
	}
	return lines
}

func (c *Case) preliminaryContent(now time.Time, p Paper) DocContent {
	office := c.OwnerOrg.OfficeName()
	last := DateOf(c.ObjectionDeadline.Add(-time.Nanosecond))
	d := DocContent{Issuer: office, Title: "初步督导意见", Addressee: c.TargetOrg.Name,
		Lead: []string{fmt.Sprintf("%s督导组于%s对你单位开展了%s（%s），现将初步督导意见反馈如下。如有异议，可于%s（含）前通过教育督导系统提出申辩，并可附证明材料；无异议的，请予确认。",
			office, ChineseDate(c.visitDay()), c.Kind.Label(), c.Title, ChineseDate(last))},
		Signer: office + "督导组", SignedBy: c.teamNames(p), Date: chineseDay(now)}
	if c.PreliminaryOpinion != "" {
		d.Sections = append(d.Sections, DocSection{Heading: "一、督导组意见", Paragraphs: []string{c.PreliminaryOpinion}})
	}
	s := DocSection{Heading: "二、发现的问题"}
	if c.PreliminaryOpinion == "" {
		s.Heading = "一、发现的问题"
	}
	for _, f := range c.Findings {
		if f.Status != FindingWithdrawn {
			s.Items = append(s.Items, DocItem{Title: f.Title, Lines: findingLines(f, false)})
		}
	}
	if len(s.Items) == 0 {
		s.Paragraphs = []string{"本次督导未发现需要整改的问题。"}
	}
	d.Sections = append(d.Sections, s)
	return d
}

// correction is what a corrected 意见书 says of the one it corrects.
type correction struct {
	of     CaseDocument
	reason string
	at     time.Time
}

// standing counts the findings an 意见书 lists: not withdrawn, by severity.
func (c *Case) standing() (n int, by map[Severity]int) {
	by = map[Severity]int{}
	for _, f := range c.Findings {
		if f.Status != FindingWithdrawn {
			n++
			by[f.Severity]++
		}
	}
	return n, by
}

func (c *Case) evaluationText() string {
	if c.Evaluation != "" {
		return c.Evaluation
	}
	n, by := c.standing()
	if n == 0 {
		return "本次督导未发现需要整改的问题，请继续保持规范办学。"
	}
	return fmt.Sprintf("本次督导共发现问题%d个（重大%d个、较重%d个、一般%d个），详见下列问题清单。", n, by[SeverityCritical], by[SeverityMajor], by[SeverityMinor])
}

// objectionRulings says how each objection was ruled on (R9: the 意见书 is issued after weighing them).
func (c *Case) objectionRulings() []string {
	if len(c.Objections) == 0 {
		if c.Acknowledged {
			return []string{"你单位已确认初步督导意见，未提出申辩。"}
		}
		return []string{"你单位在申辩期内未提出申辩。"}
	}
	var out []string
	for i, o := range c.Objections {
		about := "初步督导意见整体"
		if o.FindingID != nil {
			if f := c.Finding(*o.FindingID); f != nil {
				about = "问题「" + f.Title + "」"
			}
		}
		ruling := o.Status.Label()
		switch o.Status {
		case ObjectionUpheld:
			ruling = "申辩成立"
			if o.FindingID != nil {
				ruling += "，该问题予以撤回"
			}
		case ObjectionRejected:
			ruling = "申辩不成立"
		}
		if o.Reason != "" {
			ruling += "。理由：" + o.Reason
		}
		out = append(out, fmt.Sprintf("%d. 针对%s的申辩：%s 裁定：%s。", i+1, about, strings.TrimRight(o.Text, "。")+"。", strings.TrimRight(ruling, "。")))
	}
	return out
}

func (c *Case) opinionContent(r Rules, p Paper, corr *correction) DocContent {
	office := c.OwnerOrg.OfficeName()
	issued := *c.IssuedAt
	d := DocContent{Issuer: office, Title: "教育督导意见书", Addressee: c.TargetOrg.Name, CopyTo: c.CopyTo,
		Signer: office, SignedBy: p.name(c.IssuedBy), Date: chineseDay(issued)}
	d.Lead = []string{fmt.Sprintf("根据工作安排，%s于%s对你单位开展了%s（%s）。经听取汇报、查阅资料、实地查看，并听取你单位的申辩意见，现提出督导意见如下。",
		office, ChineseDate(c.visitDay()), c.Kind.Label(), c.Title)}
	d.Facts = []DocFact{{"督导事项", c.Title}, {"督导类型", c.Type.Label() + " · " + c.Kind.Label()}, {"被督导单位", c.TargetOrg.Name},
		{"督导组成员", c.teamNames(p)}}
	if v := c.visitDay(); v != "" {
		d.Facts = append(d.Facts, DocFact{"实施督导", ChineseDate(v)})
	}
	if h := c.howVisited(); h != "" {
		d.Facts = append(d.Facts, DocFact{"督导方式", h})
	}
	if c.PreliminaryAt != nil {
		d.Facts = append(d.Facts, DocFact{"初步意见反馈", chineseDay(*c.PreliminaryAt)})
	}
	d.Facts = append(d.Facts, DocFact{"签发日期", chineseDay(issued)})

	problems := DocSection{Heading: "二、存在的问题及整改要求和建议"}
	for _, f := range c.Findings {
		if f.Status != FindingWithdrawn {
			problems.Items = append(problems.Items, DocItem{Title: f.Title, Lines: findingLines(f, true)})
		}
	}
	if len(problems.Items) == 0 {
		problems.Paragraphs = []string{"本次督导未发现需要整改的问题。"}
	}
	demands := DocSection{Heading: "四、整改要求"}
	if len(problems.Items) > 0 {
		demands.Paragraphs = append(demands.Paragraphs, "请你单位对照上述问题逐项制定整改措施，明确责任人和完成时限，在整改期限内完成整改，"+
			"并通过教育督导系统书面报告整改情况、提交佐证材料；逾期未整改或整改不到位的，将依据《教育督导问责办法》予以问责。")
	}
	demands.Paragraphs = append(demands.Paragraphs, fmt.Sprintf("你单位对本意见书有异议的，可于%s前向%s申请复查。",
		ChineseDate(r.ReviewApplyBy(issued)), office))
	d.Sections = []DocSection{
		{Heading: "一、总体评价", Paragraphs: []string{c.evaluationText()}},
		problems,
		{Heading: "三、申辩意见的采纳情况", Paragraphs: c.objectionRulings()},
		demands,
	}
	if corr != nil {
		d.Title = "教育督导意见书（更正）"
		d.Date = chineseDay(corr.at)
		d.Correction = fmt.Sprintf("本文件更正%s（%s签发），自本文件签发之日起以本文件为准。更正事由：%s", corr.of.Number, chineseDay(corr.of.IssuedAt), corr.reason)
	}
	return d
}

func (c *Case) reportContent(r Rules, p Paper) DocContent {
	office := c.OwnerOrg.OfficeName()
	issued := *c.IssuedAt
	gov := c.OwnerOrg.Government()
	if gov == "" {
		gov = c.OwnerOrg.Name
	}
	higher := p.HigherOffice
	if higher == "" {
		higher = r.HigherOffice
	}
	d := DocContent{Issuer: office, Title: "教育督导报告", Addressee: gov, Signer: office, SignedBy: p.name(c.IssuedBy), Date: chineseDay(issued)}
	if higher != "" {
		d.CopyTo = []string{higher}
	}
	d.Lead = []string{fmt.Sprintf("%s于%s对%s开展了%s（%s），现将督导情况报告如下。", office, ChineseDate(c.visitDay()), c.TargetOrg.Name, c.Kind.Label(), c.Title)}
	work := fmt.Sprintf("督导组由%s组成", c.teamNames(p))
	if h := c.howVisited(); h != "" {
		work += "，" + h
	}
	work += "。督导组通过听取汇报、查阅资料、实地查看、个别访谈等方式开展督导，形成初步督导意见后反馈被督导单位并听取其申辩。"
	n, by := c.standing()
	problems := DocSection{Heading: "三、发现的主要问题", Paragraphs: []string{fmt.Sprintf("共发现问题%d个，其中重大%d个、较重%d个、一般%d个。", n, by[SeverityCritical], by[SeverityMajor], by[SeverityMinor])}}
	for _, f := range c.Findings {
		if f.Status == FindingWithdrawn {
			continue
		}
		lines := []DocFact{{"严重程度", f.Severity.Label()}}
		if f.DueOn != "" {
			lines = append(lines, DocFact{"整改期限", ChineseDate(f.DueOn) + "前"})
		}
		problems.Items = append(problems.Items, DocItem{Title: f.Title, Lines: lines})
	}
	d.Sections = []DocSection{
		{Heading: "一、督导工作开展情况", Paragraphs: []string{work}},
		{Heading: "二、总体评价", Paragraphs: []string{c.evaluationText()}},
		problems,
		{Heading: "四、申辩及采纳情况", Paragraphs: c.objectionRulings()},
		{Heading: "五、整改要求", Paragraphs: []string{fmt.Sprintf("已向%s签发《教育督导意见书》（%s），责成其限期整改并书面报告整改情况，本单位将对整改情况进行复查核实。本报告按规定向社会公布。",
			c.TargetOrg.Name, c.Number)}},
	}
	return d
}
