// Package sheet reads and writes the spreadsheets people exchange with dudao about monitoring: the
// observation import (CSV or XLSX, told apart by content, not by name) and its template. It only
// reads cells into rows with their line numbers; what a row means is domain.CheckObservationRows'.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2" // v2.11.1
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"dudao/domain"
)

// Column is one column of the observation import: a Chinese and an English name, either of which a
// header cell may carry ("指标代码", "indicator_code", or both as "指标代码/indicator_code").
type Column struct {
	Key      string // the English name
	Zh       string
	Required bool
}

// Header is the text a template writes for the column.
func (c Column) Header() string { return c.Zh + "/" + c.Key }

// Columns are the import's columns in template order. Other columns (an indicator name kept for the
// reader's sake) are ignored.
var Columns = []Column{
	{Key: "indicator_code", Zh: "指标代码", Required: true},
	{Key: "org_code", Zh: "单位代码", Required: true},
	{Key: "year", Zh: "年份", Required: true},
	{Key: "value", Zh: "数值", Required: true},
	{Key: "note", Zh: "备注"},
}

// MaxRows bounds one import (a city's year is a few thousand rows; a region's, split by city).
const MaxRows = 100000

// Comment marks a row that is not data: a row whose first cell starts with it is skipped, in CSV and
// XLSX alike. The template's example row is one.
const Comment = "#"

func fileError(format string, args ...any) error {
	return domain.FieldError("导入文件有误。", map[string]string{"file": fmt.Sprintf(format, args...)})
}

// ParseObservations reads an observation import: XLSX (its first sheet that has the header; the
// cells as Excel shows them, so "97.5%" stays a percentage) or CSV (UTF-8 with or without a BOM,
// UTF-16 with a BOM as Excel's "Unicode text", or GB18030/GBK as Excel on Chinese Windows saves
// CSV; comma, tab or semicolon separated). The header is the first row that is not empty or a
// comment. Returns the data rows with their line (CSV) or row (XLSX) numbers, empty rows and comment
// rows left out. name is only for messages. A file that cannot be read is a domain EINVALID error
// on the field "file".
func ParseObservations(r io.Reader, name string) ([]domain.ObservationRow, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("sheet: read %s: %w", name, err)
	}
	switch {
	case len(bytes.TrimSpace(b)) == 0:
		return nil, fileError("文件%s是空的。", name)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return parseXLSX(b, name)
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fileError("不支持旧版Excel文件（.xls），请在Excel中另存为.xlsx或CSV后再导入。")
	}
	text, err := decodeText(b)
	if err != nil {
		return nil, fileError("文件%s不是CSV或XLSX文件，或其文字编码无法识别（请使用UTF-8或GB18030）。", name)
	}
	return parseCSV(text, name)
}

// decodeText turns the bytes of a text file into UTF-8.
func decodeText(b []byte) (string, error) {
	var s string
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		s = string(b[3:])
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		u, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return "", err
		}
		s = string(u)
	case utf8.Valid(b):
		s = string(b)
	default:
		// Not UTF-8: GB18030 (a superset of GBK and GB2312) is what Chinese Windows writes.
		g, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil || !utf8.Valid(g) {
			return "", errors.New("not GB18030")
		}
		s = string(g)
	}
	if strings.ContainsRune(s, 0) || strings.ContainsRune(s, utf8.RuneError) {
		return "", errors.New("binary")
	}
	return s, nil
}

// delimiter guesses the separator from the first line that is not a comment: the most frequent of
// comma, tab and semicolon, comma on a tie.
func delimiter(s string) rune {
	for line := range strings.Lines(s) {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, Comment) {
			continue
		}
		best, n := ',', strings.Count(line, ",")
		for _, d := range []rune{'\t', ';'} {
			if c := strings.Count(line, string(d)); c > n {
				best, n = d, c
			}
		}
		return best
	}
	return ','
}

func parseCSV(text, name string) ([]domain.ObservationRow, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = delimiter(text)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var h *header
	var rows []domain.ObservationRow
	skipped := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fileError("%s第%d行CSV格式有误（引号不配对或多余）。", name, pe.Line)
			}
			return nil, fmt.Errorf("sheet: read csv %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if h == nil {
			if h, err = readHeader(rec, name, line); err != nil {
				return nil, err
			}
			if skipped++; h == nil && skipped == headerSearch {
				break
			}
			continue
		}
		if len(rows) == MaxRows {
			return nil, fileError("%s超过%d行，请分批导入。", name, MaxRows)
		}
		rows = append(rows, h.row(rec, line))
	}
	if h == nil {
		return nil, fileError("%s没有表头行。%s", name, headerHint())
	}
	return rows, nil
}

func parseXLSX(b []byte, name string) ([]domain.ObservationRow, error) {
	// The limits refuse a zip bomb: an import is a few megabytes unpacked.
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, fileError("无法读取Excel文件%s（文件已损坏、加密或不是.xlsx）。", name)
	}
	defer f.Close()
	var firstErr error
	for _, sheet := range f.GetSheetList() {
		rows, err := parseSheet(f, sheet, name)
		if err == nil {
			return rows, nil
		}
		var de *domain.Error
		if !errors.As(err, &de) {
			return nil, err
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fileError("%s没有工作表。", name)
	}
	return nil, firstErr
}

// headerSearch is how many rows that name no column (a title) may precede the header.
const headerSearch = 20

func parseSheet(f *excelize.File, sheet, name string) ([]domain.ObservationRow, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		// A damaged workbook: its list names a sheet whose part is missing or unreadable.
		return nil, fileError("%s的工作表「%s」无法读取，文件可能已损坏，请用 Excel 另存后重新上传。", name, sheet)
	}
	defer it.Close()
	var h *header
	var rows []domain.ObservationRow
	where := fmt.Sprintf("%s的工作表「%s」", name, sheet)
	skipped := 0
	for n := 1; it.Next(); n++ {
		// Cells as Excel shows them: a value formatted as 97.5% reads "97.5%", not 0.975.
		rec, err := it.Columns()
		if err != nil {
			return nil, fileError("%s第%d行无法读取。", where, n)
		}
		if blank(rec) || strings.HasPrefix(strings.TrimSpace(rec[0]), Comment) {
			continue
		}
		if h == nil {
			if h, err = readHeader(rec, where, n); err != nil {
				return nil, err
			}
			if skipped++; h == nil && skipped == headerSearch {
				break
			}
			continue
		}
		if len(rows) == MaxRows {
			return nil, fileError("%s超过%d行，请分批导入。", where, MaxRows)
		}
		rows = append(rows, h.row(rec, n))
	}
	if err := it.Error(); err != nil {
		return nil, fileError("%s无法读取（%v）。", where, err)
	}
	if h == nil {
		return nil, fileError("%s没有表头行。%s", where, headerHint())
	}
	return rows, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// header is where each column is: the index of indicator_code, org_code, year, value and note (-1:
// absent).
type header struct{ idx [5]int }

func headerHint() string {
	hs := make([]string, len(Columns))
	for i, c := range Columns {
		hs[i] = c.Header()
	}
	return "表头应为：" + strings.Join(hs, "、") + "（备注可省略）。"
}

// columnOf is the column a header cell names, or -1.
func columnOf(cell string) int {
	cell = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(cell, "\uFEFF")))
	tokens := strings.FieldsFunc(cell, func(r rune) bool {
		return r == '/' || r == '(' || r == ')' || r == '（' || r == '）' || r == '|' || r == ' ' || r == '\n' || r == '\t' || r == '　'
	})
	for _, t := range tokens {
		for i, c := range Columns {
			if t == c.Key || t == c.Zh {
				return i
			}
		}
	}
	return -1
}

// readHeader reads rec as the header: nil, nil when it names no column at all (a title row).
func readHeader(rec []string, where string, line int) (*header, error) {
	h := &header{idx: [5]int{-1, -1, -1, -1, -1}}
	known := 0
	for i, cell := range rec {
		c := columnOf(cell)
		if c < 0 {
			continue
		}
		if h.idx[c] >= 0 {
			return nil, fileError("%s第%d行（表头）中「%s」列出现了两次。", where, line, Columns[c].Zh)
		}
		h.idx[c] = i
		known++
	}
	if known == 0 {
		return nil, nil
	}
	var missing []string
	for i, c := range Columns {
		if c.Required && h.idx[i] < 0 {
			missing = append(missing, c.Header())
		}
	}
	if len(missing) > 0 {
		return nil, fileError("%s第%d行（表头）缺少必需的列：%s。%s", where, line, strings.Join(missing, "、"), headerHint())
	}
	return h, nil
}

func (h *header) row(rec []string, line int) domain.ObservationRow {
	cell := func(c int) string {
		if i := h.idx[c]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	return domain.ObservationRow{Line: line, IndicatorCode: cell(0), OrgCode: cell(1), Year: cell(2), Value: cell(3), Note: cell(4)}
}
