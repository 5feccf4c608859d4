package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// The forms of the web UI. Every field is a string, so that whatever a browser sends binds and a bad
// value comes back as a Chinese message beside its field, not as a 400; the named converters parse.

type openCaseForm struct {
	Type         string   `form:"type" label:"督导类型" validate:"required,oneof=government school monitoring"`
	Kind         string   `form:"kind" label:"督导方式" validate:"required,oneof=comprehensive special routine random followup"`
	TargetOrgID  string   `form:"target_org_id" label:"被督导对象" validate:"required,numeric"`
	Title        string   `form:"title" label:"案件标题" validate:"required,max=200"`
	InspectorIDs []string `form:"inspector_ids" label:"督学" validate:"required,min=1,max=20,dive,numeric"`
	PlannedOn    string   `form:"planned_on" label:"计划日期" validate:"omitempty,datetime=2006-01-02"`
}

func (f openCaseForm) toOpenCaseInput() app.OpenCaseInput {
	in := app.OpenCaseInput{Type: domain.CaseType(f.Type), Kind: domain.CaseKind(f.Kind), Title: f.Title, PlannedOn: domain.Date(f.PlannedOn)}
	in.TargetOrgID, _ = strconv.ParseInt(f.TargetOrgID, 10, 64)
	for _, s := range f.InspectorIDs {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.InspectorIDs = append(in.InspectorIDs, id)
		}
	}
	return in
}

type findingForm struct {
	Title       string `form:"title" label:"问题标题" validate:"required,max=200"`
	Description string `form:"description" label:"问题描述" validate:"max=2000"`
	Severity    string `form:"severity" label:"严重程度" validate:"required,oneof=minor major critical"`
	Category    string `form:"category" label:"问题类别" validate:"max=32"`
	ItemCode    string `form:"item_code" label:"指标代码" validate:"max=64"`
}

func (f findingForm) toDomainFinding() domain.FindingInput {
	return domain.FindingInput{Title: f.Title, Description: f.Description, Severity: domain.Severity(f.Severity), Category: f.Category, ItemCode: f.ItemCode}
}

type objectionForm struct {
	FindingID string `form:"finding_id" label:"申辩的问题" validate:"omitempty,numeric"`
	Text      string `form:"text" label:"申辩内容" validate:"required,max=2000"`
}

func (f objectionForm) findingID() *int64 {
	if f.FindingID == "" {
		return nil
	}
	id, err := strconv.ParseInt(f.FindingID, 10, 64)
	if err != nil {
		return nil
	}
	return &id
}

type rulingForm struct {
	Upheld string `form:"upheld" label:"裁定结果" validate:"required,oneof=true false"`
	Reason string `form:"reason" label:"理由" validate:"max=2000"`
}

type measureForm struct {
	Description       string `form:"description" label:"整改措施" validate:"required,max=2000"`
	ResponsiblePerson string `form:"responsible_person" label:"责任人" validate:"required,max=50"`
	ResponsibleUnit   string `form:"responsible_unit" label:"责任单位" validate:"max=100"`
	DueOn             string `form:"due_on" label:"完成期限" validate:"required,datetime=2006-01-02"`
}

func (f measureForm) toDomainMeasure() domain.MeasureInput {
	return domain.MeasureInput{Description: f.Description, ResponsiblePerson: f.ResponsiblePerson, ResponsibleUnit: f.ResponsibleUnit, DueOn: domain.Date(f.DueOn)}
}

type orgForm struct {
	Parent string `form:"parent" label:"上级机构" validate:"required,max=300"`
	Code   string `form:"code" label:"机构代码" validate:"required,max=32"`
	Name   string `form:"name" label:"机构名称" validate:"required,max=100"`
	Kind   string `form:"kind" label:"机构类型" validate:"required,oneof=region city district school office"`
}

type userForm struct {
	Username string `form:"username" label:"用户名" validate:"required,max=64"`
	Name     string `form:"name" label:"姓名" validate:"required,max=50"`
	Password string `form:"password" label:"初始密码" validate:"required,max=200"`
	Org      string `form:"org" label:"所属机构" validate:"required,max=300"`
}

type grantForm struct {
	Username string `form:"username" label:"用户" validate:"required,max=64"`
	Role     string `form:"role" label:"角色" validate:"required,oneof=admin director supervisor district_office school monitor auditor"`
	Org      string `form:"org" label:"授权范围" validate:"required,max=300"`
}

// bindForm binds the posted form into dto and validates it; it returns the raw values too, to show
// again with the messages when something is refused.
func bindForm(c echo.Context, dto any) (url.Values, error) {
	values, err := c.FormParams()
	if err != nil {
		return nil, domain.Errorf(domain.EBADREQUEST, "请求格式不正确。")
	}
	if err := c.Bind(dto); err != nil {
		return values, domain.FieldError("提交的内容有误，请按提示修改。", map[string]string{})
	}
	return values, c.Validate(dto)
}

// actInput reads a transition's parameters from its form: a comment, the version the page showed,
// the due dates (due_<finding id>) and the recheck's verdicts (result_<finding id> = pass or
// fail, with comment_<id> and new_due_<id>). Per-finding checks give messages beside each field; the
// domain checks again.
func actInput(act domain.Action, v url.Values, today domain.Date) (app.ActInput, map[string]string) {
	in := app.ActInput{Comment: strings.TrimSpace(v.Get("comment"))}
	bad := map[string]string{}
	if s := v.Get("version"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			in.Version = &n
		}
	}
	if (act == domain.ActReturn || act == domain.ActCancel) && in.Comment == "" {
		if act == domain.ActReturn {
			bad["comment"] = "请填写退回意见。"
		} else {
			bad["comment"] = "请填写撤销理由。"
		}
	}
	for key, vals := range v {
		id, ok := strings.CutPrefix(key, "due_")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		fid, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			continue
		}
		d := domain.Date(strings.TrimSpace(vals[0]))
		switch {
		case !d.Valid():
			bad[key] = "日期格式应为YYYY-MM-DD。"
		case d.Before(today):
			bad[key] = "整改期限不能早于今天。"
		}
		if in.DueDates == nil {
			in.DueDates = map[int64]domain.Date{}
		}
		in.DueDates[fid] = d
	}
	if act == domain.ActRecheck {
		for key, vals := range v {
			id, ok := strings.CutPrefix(key, "result_")
			if !ok || len(vals) == 0 {
				continue
			}
			fid, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				continue
			}
			r := domain.RecheckResult{FindingID: fid, Passed: vals[0] == "pass", Comment: strings.TrimSpace(v.Get("comment_" + id)),
				NewDueOn: domain.Date(strings.TrimSpace(v.Get("new_due_" + id)))}
			if vals[0] != "pass" && vals[0] != "fail" {
				bad[key] = "请选择复查结论。"
			}
			if vals[0] == "fail" {
				if r.Comment == "" {
					bad["comment_"+id] = "复查未通过，须说明理由。"
				}
				switch {
				case r.NewDueOn == "":
					bad["new_due_"+id] = "复查未通过，须给出新的整改期限。"
				case !r.NewDueOn.Valid():
					bad["new_due_"+id] = "日期格式应为YYYY-MM-DD。"
				case r.NewDueOn.Before(today):
					bad["new_due_"+id] = "新的整改期限不能早于今天。"
				}
			}
			in.Results = append(in.Results, r)
		}
	}
	return in, bad
}
