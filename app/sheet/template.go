package sheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2" // v2.11.1

	"dudao/domain"
)

// Sheet names of the template.
const (
	DataSheet    = "监测数据"
	CatalogSheet = "指标目录"
	HelpSheet    = "填写说明"
)

// templateRows is how far down the data sheet the template's drop-down lists and checks reach.
const templateRows = 10000

// ObservationTemplate writes the XLSX template of the observation import: the data sheet with the
// header and one example row (a comment row, which the import skips), a drop-down of indicator codes
// and a year check; a sheet listing the indicators (code, name, category, unit, attribute,
// direction, 2020 baseline, 2025 target); and a sheet of instructions. The import columns hold no
// dates, so the template has none.
func ObservationTemplate(w io.Writer, indicators []domain.Indicator) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeTemplate(f, indicators); err != nil {
		return fmt.Errorf("sheet: template: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("sheet: write template: %w", err)
	}
	return nil
}

func writeTemplate(f *excelize.File, indicators []domain.Indicator) error {
	if err := f.SetDocProps(&excelize.DocProperties{
		Creator:        "dudao",
		LastModifiedBy: "dudao",
		Title:          "评估监测数据导入模板",
		Subject:        "评估监测",
		Description:    "dudao 教育督导系统的监测数据导入模板：每行一个指标、一个单位、一个年份的数值。",
		Keywords:       "dudao,评估监测,导入模板",
		Category:       "dudao",
		Language:       "zh-CN",
	}); err != nil {
		return err
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "dudao", Company: "dudao"}); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E6E9EE"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	example, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes stay text (001 stays 001)
	if err != nil {
		return err
	}
	year, err := f.NewStyle(&excelize.Style{NumFmt: 1}) // "0"
	if err != nil {
		return err
	}

	// The data sheet.
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return err
	}
	for i, c := range Columns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(DataSheet, cell, c.Header()); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(DataSheet, "A1", "E1", head); err != nil {
		return err
	}
	for col, width := range map[string]float64{"A": 40, "B": 18, "C": 10, "D": 14, "E": 40} {
		if err := f.SetColWidth(DataSheet, col, col, width); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		col   string
		style int
	}{{"A", text}, {"B", text}, {"C", year}, {"E", text}} {
		if err := f.SetColStyle(DataSheet, c.col, c.style); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(DataSheet, "A1", "E1", head); err != nil { // the column styles overwrote it
		return err
	}
	ex := exampleIndicator(indicators)
	exValue := 0.0
	if v, ok := ex.BaselineValue(domain.BaselineYear); ok {
		exValue = v
	} else if ex.Target2025 != nil {
		exValue = *ex.Target2025
	}
	if err := f.SetSheetRow(DataSheet, "A2", &[]any{Comment + ex.Code, "hbw", domain.BaselineYear + 4, exValue,
		"示例行：以" + Comment + "开头的行不导入，请从下一行起填写"}); err != nil {
		return err
	}
	if err := f.SetCellStyle(DataSheet, "A2", "E2", example); err != nil {
		return err
	}
	if err := f.SetPanes(DataSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if len(indicators) > 0 {
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("A3:A%d", templateRows+2)
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$A$2:$A$%d", CatalogSheet, len(indicators)+1))
		dv.SetError(excelize.DataValidationErrorStyleStop, "指标代码有误", "请从下拉列表中选择，或参见「指标目录」工作表。")
		if err := f.AddDataValidation(DataSheet, dv); err != nil {
			return err
		}
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("C3:C%d", templateRows+2)
	if err := dv.SetRange(domain.ObservationMinYear, domain.ObservationMaxYear, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	dv.SetError(excelize.DataValidationErrorStyleStop, "年份有误", fmt.Sprintf("年份应为%d至%d之间的整数。", domain.ObservationMinYear, domain.ObservationMaxYear))
	if err := f.AddDataValidation(DataSheet, dv); err != nil {
		return err
	}

	// The catalog sheet.
	if _, err := f.NewSheet(CatalogSheet); err != nil {
		return err
	}
	cols := []string{"指标代码", "指标名称", "类别", "单位", "属性", "方向", "2020年基线", "2025年目标", "目标关系"}
	if err := f.SetSheetRow(CatalogSheet, "A1", &cols); err != nil {
		return err
	}
	if err := f.SetCellStyle(CatalogSheet, "A1", "I1", head); err != nil {
		return err
	}
	for n, ind := range indicators {
		row := []any{ind.Code, ind.NameZh, ind.Category, ind.Unit, string(ind.Attribute), ind.Direction.Label(), nil, nil, string(ind.TargetOp)}
		if v, ok := ind.BaselineValue(domain.BaselineYear); ok {
			row[6] = v
		}
		if ind.Target2025 != nil {
			row[7] = *ind.Target2025
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := f.SetSheetRow(CatalogSheet, cell, &row); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 44, "B": 48, "C": 14, "D": 10, "E": 8, "F": 10, "G": 12, "H": 12, "I": 10} {
		if err := f.SetColWidth(CatalogSheet, col, col, width); err != nil {
			return err
		}
	}
	if err := f.SetPanes(CatalogSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	// The instructions.
	if _, err := f.NewSheet(HelpSheet); err != nil {
		return err
	}
	help := []string{
		"填写说明",
		"1. 在「" + DataSheet + "」工作表中每行填写一个指标、一个单位、一个年份的数值；表头不要改动，列的顺序可以调整。",
		"2. 指标代码：见「" + CatalogSheet + "」工作表，可从下拉列表中选择。",
		"3. 单位代码：单位的代码，如 hbw；代码重名时写出上级代码，如 hbw/s001。只能填报本账号管辖范围内的单位。",
		fmt.Sprintf("4. 年份：%d至%d之间的整数。", domain.ObservationMinYear, domain.ObservationMaxYear),
		"5. 数值：按「" + CatalogSheet + "」所列单位填写数字；单位为%的填写百分数（如97.5或97.5%），不超过100；数值不能为负数。",
		"6. 同一指标、单位、年份在一个文件中只能出现一次；已有的数值将被新导入的数值更正。",
		"7. 以" + Comment + "开头的行不导入，可用作说明。文件中有任何一行不合格时整个文件不导入，系统会逐行列出原因，改正后重新导入即可。",
		"8. 也可以另存为CSV（UTF-8或GB18030编码）后导入。",
	}
	for n, line := range help {
		if err := f.SetCellStr(HelpSheet, fmt.Sprintf("A%d", n+1), line); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(HelpSheet, "A", "A", 120); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return nil
}

// exampleIndicator is the indicator the example row shows: the first binding one (the one the city
// is held to), else the first.
func exampleIndicator(indicators []domain.Indicator) domain.Indicator {
	for _, ind := range indicators {
		if ind.Binding() {
			return ind
		}
	}
	if len(indicators) > 0 {
		return indicators[0]
	}
	return domain.Indicator{Code: "indicator_code"}
}
