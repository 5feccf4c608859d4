package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"dudao/domain"
)

// A document prints every part of its content, in HTML and in PDF with the embedded font, and the
// same content issued at the same time prints the same bytes.
func TestDocumentRenderings(t *testing.T) {
	d := domain.DocContent{Issuer: "乌海市人民政府教育督导委员会办公室", Title: "教育督导意见书", Number: "乌督学〔2026〕7号",
		Addressee: "海勃湾区第一小学", Lead: []string{"根据工作安排，现提出督导意见如下。"},
		Facts: []domain.DocFact{{Label: "督导事项", Value: "校园安全专项督导"}},
		Sections: []domain.DocSection{{Heading: "一、总体评价", Paragraphs: []string{"学校安全工作总体规范<script>。"}},
			{Heading: "二、存在的问题及整改要求和建议", Items: []domain.DocItem{{Title: "消防通道堆放杂物",
				Lines: []domain.DocFact{{Label: "整改要求和建议", Value: "立即清理。"}, {Label: "整改期限", Value: "2026年3月9日前"}}}}}},
		CopyTo: []string{"海勃湾区教育局", "乌海市教育局"}, Signer: "乌海市人民政府教育督导委员会办公室", SignedBy: "张主任", Date: "2026年3月2日",
		Correction: "本文件更正乌督学〔2026〕6号。"}
	html, err := DocumentHTML(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"乌督学〔2026〕7号", "海勃湾区第一小学：", "&lt;script&gt;", "立即清理。", "抄送：海勃湾区教育局，乌海市教育局。", "签发人：张主任", "本文件更正"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "style=") {
		t.Error("the HTML carries markup of its own or inline style")
	}
	issued := time.Date(2026, 3, 2, 10, 0, 0, 0, domain.CST)
	a, err := DocumentPDF(d, issued, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DocumentPDF(d, issued, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same document printed twice differs")
	}
	flat := squeeze(pdfText(t, a))
	for _, want := range []string{"乌海市人民政府教育督导委员会办公室", "教育督导意见书", "乌督学〔2026〕7号", "海勃湾区第一小学：", "一、总体评价",
		"（1）消防通道堆放杂物", "整改要求和建议：立即清理。", "整改期限：2026年3月9日前", "抄送：海勃湾区教育局，乌海市教育局。",
		"签发单位（盖章）：乌海市人民政府教育督导委员会办公室", "签发人：张主任", "2026年3月2日", "本文件更正乌督学〔2026〕6号。"} {
		if !strings.Contains(flat, squeeze(want)) {
			t.Errorf("PDF lacks %q:\n%s", want, flat)
		}
	}
}
