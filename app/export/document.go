package export

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"dudao/domain"
)

// A document of a case (督导通知, 初步督导意见, 督导意见书, 督导报告; issue 12) is rendered once, when it
// is issued, as HTML for the case page and as PDF for print, both from its content alone; the app
// stores the bytes, so what was issued is what is served ever after.

// DocumentHTML renders a document's content as an HTML fragment for the case page: classes only, no
// style or script, so that it lives under the site's strict content security policy.
func DocumentHTML(d domain.DocContent) (string, error) {
	var b bytes.Buffer
	if err := documentTemplate.Execute(&b, d); err != nil {
		return "", fmt.Errorf("export: document html: %w", err)
	}
	return b.String(), nil
}

var documentTemplate = template.Must(template.New("doc").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`<article class="paper">
<header class="paper-head">
<p class="paper-issuer">{{.Issuer}}</p>
<h2 class="paper-title">{{.Title}}</h2>
<p class="paper-number">{{.Number}}</p>
</header>
{{with .Correction}}<p class="paper-correction">{{.}}</p>{{end}}
{{with .Addressee}}<p class="paper-to">{{.}}：</p>{{end}}
{{range .Lead}}<p class="paper-p">{{.}}</p>{{end}}
{{if .Facts}}<table class="paper-facts"><tbody>{{range .Facts}}<tr><th scope="row">{{.Label}}</th><td>{{.Value}}</td></tr>{{end}}</tbody></table>{{end}}
{{range .Sections}}<section class="paper-section">
<h3>{{.Heading}}</h3>
{{range .Paragraphs}}<p class="paper-p">{{.}}</p>{{end}}
{{if .Items}}<ol class="paper-items">{{range .Items}}<li><p class="paper-item-title">{{.Title}}</p>{{if .Lines}}<dl>{{range .Lines}}<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}</dl>{{end}}</li>{{end}}</ol>{{end}}
</section>{{end}}
<footer class="paper-sign">
<p>签发单位（盖章）：{{.Signer}}</p>
{{with .SignedBy}}<p>签发人：{{.}}</p>{{end}}
<p>{{.Date}}</p>
</footer>
{{if .CopyTo}}<p class="paper-cc">抄送：{{range $i, $c := .CopyTo}}{{if $i}}，{{end}}{{$c}}{{end}}。</p>{{end}}
</article>`))

// DocumentPDF prints a document's content on A4 as official paperwork is laid out: the issuing office
// and the title in red above the 文号 and a red rule, the addressee, the text, numbered sections and
// items, the signature block and the 抄送 line. issued stamps the file's creation date, so that the same
// content prints the same bytes. font is a single-file TrueType font, or nil for the embedded one.
func DocumentPDF(d domain.DocContent, issued time.Time, font []byte) ([]byte, error) {
	p, err := newDoc("P", font, d.Number+" "+d.Title)
	if err != nil {
		return nil, err
	}
	p.SetTitle(d.Title+" "+d.Number, true)
	p.SetCreationDate(issued.UTC())
	p.SetModificationDate(issued.UTC())
	p.AddPage()
	p.SetFont(fontFamily, "", 14)
	p.SetTextColor(170, 20, 20)
	p.printLines(p.wrap(d.Issuer, p.contentWidth()), 8, "C")
	p.SetFont(fontFamily, "", 22)
	p.CellFormat(0, 14, clean(d.Title), "", 1, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetFont(fontFamily, "", 11)
	p.CellFormat(0, 7, clean(d.Number), "", 1, "C", false, 0, "")
	p.SetDrawColor(170, 20, 20)
	p.SetLineWidth(0.6)
	y := p.GetY() + 1
	p.Line(15, y, 15+p.contentWidth(), y)
	p.SetLineWidth(0.2)
	p.SetDrawColor(0, 0, 0)
	p.Ln(5)
	if d.Correction != "" {
		p.SetTextColor(170, 20, 20)
		p.paragraph(d.Correction, 10)
		p.SetTextColor(0, 0, 0)
		p.Ln(2)
	}
	if d.Addressee != "" {
		p.SetFont(fontFamily, "", 11)
		p.CellFormat(0, 7, clean(d.Addressee+"："), "", 1, "L", false, 0, "")
	}
	for _, l := range d.Lead {
		p.paragraph("    "+l, 11)
	}
	if len(d.Facts) > 0 {
		p.Ln(2)
		facts := section{columns: []column{{"项目", 1, 0}, {"内容", 3, 0}}}
		for _, f := range d.Facts {
			facts.rows = append(facts.rows, []cell{txt(f.Label), txt(f.Value)})
		}
		p.factTable(facts)
	}
	for _, s := range d.Sections {
		p.heading(s.Heading, 12, 20)
		for _, para := range s.Paragraphs {
			p.paragraph("    "+para, 11)
		}
		for i, it := range s.Items {
			p.Ln(1)
			p.paragraph(fmt.Sprintf("（%d）%s", i+1, it.Title), 11)
			for _, l := range it.Lines {
				p.paragraph("        "+l.Label+"："+l.Value, 10)
			}
		}
	}
	p.Ln(12)
	half := p.contentWidth() / 2
	p.SetFont(fontFamily, "", 11)
	lines := []string{"签发单位（盖章）：" + d.Signer}
	if d.SignedBy != "" {
		lines = append(lines, "签发人："+d.SignedBy)
	}
	lines = append(lines, d.Date)
	for _, l := range lines {
		for _, w := range p.wrap(l, half+20) {
			p.SetX(15 + half - 20)
			p.CellFormat(half+20, 7, w, "", 1, "L", false, 0, "")
		}
	}
	if len(d.CopyTo) > 0 {
		p.Ln(6)
		y := p.GetY()
		p.Line(15, y, 15+p.contentWidth(), y)
		p.Ln(1)
		p.paragraph("抄送："+strings.Join(d.CopyTo, "，")+"。", 10)
	}
	return p.bytes()
}
