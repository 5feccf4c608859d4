package sheet

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"dudao/domain"
)

// FuzzParseObservations: any file, CSV in any encoding or a damaged workbook, gives rows or a Chinese
// EINVALID on the field "file", never a panic, and its reading allocates a bounded amount of memory
// (the unzip limits keep a zip bomb out). Issue 13; CI runs it for a bounded time.
func FuzzParseObservations(f *testing.F) {
	csv := "指标代码,单位代码,年份,数值,备注\r\ncompulsory_retention_rate,hbw,2023,96.5,区统计年报\r\n# 注释\r\n,,,,\r\n"
	f.Add([]byte(csv))
	f.Add([]byte("\uFEFF" + strings.ReplaceAll(csv, ",", "\t")))
	if gb, err := simplifiedchinese.GB18030.NewEncoder().String(csv); err == nil {
		f.Add([]byte(gb))
	}
	f.Add([]byte{0xFF, 0xFE, '1', 0, ',', 0})
	var tpl bytes.Buffer
	if err := ObservationTemplate(&tpl, []domain.Indicator{{Code: "compulsory_retention_rate", NameZh: "九年义务教育巩固率", Category: "义务教育", Unit: "%"}}); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes())
	wb := excelize.NewFile()
	_ = wb.SetSheetRow("Sheet1", "A1", &[]any{"指标代码", "单位代码", "年份", "数值"})
	_ = wb.SetSheetRow("Sheet1", "A2", &[]any{"compulsory_retention_rate", "wd", 2024, 0.975})
	var b bytes.Buffer
	if err := wb.Write(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, err := ParseObservations(bytes.NewReader(in), "fuzz.xlsx")
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 512<<20 {
			t.Fatalf("reading %d bytes allocated %d MB", len(in), d>>20)
		}
		if err != nil {
			var de *domain.Error
			if !asDomain(err, &de) || de.Code != domain.EINVALID || de.Fields["file"] == "" {
				t.Fatalf("error %v, want EINVALID on the field file", err)
			}
			return
		}
		for _, r := range rows {
			if r.Line < 1 {
				t.Fatalf("row without a line number: %+v", r)
			}
		}
	})
}

func asDomain(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*de = e
	return ok
}
