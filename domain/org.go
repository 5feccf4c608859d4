package domain

import (
	"regexp"
	"strings"
)

// OrgKind says what an organisation is.
type OrgKind string

const (
	OrgRegion   OrgKind = "region"   // 自治区/省
	OrgCity     OrgKind = "city"     // 市
	OrgDistrict OrgKind = "district" // 区/县
	OrgSchool   OrgKind = "school"   // 学校/幼儿园
	OrgOffice   OrgKind = "office"   // 其他机构（第三方监测机构等）
)

// Label is the Chinese name of the kind.
func (k OrgKind) Label() string {
	switch k {
	case OrgRegion:
		return "自治区"
	case OrgCity:
		return "市"
	case OrgDistrict:
		return "区"
	case OrgSchool:
		return "学校"
	case OrgOffice:
		return "机构"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	switch k {
	case OrgRegion, OrgCity, OrgDistrict, OrgSchool, OrgOffice:
		return true
	}
	return false
}

// Jurisdiction is a materialised path such as "wuhai/hbw/s012/": each segment an org code, ending in "/".
// A jurisdiction covers itself and every path below it.
type Jurisdiction string

// Covers reports whether j includes other (itself or a descendant).
func (j Jurisdiction) Covers(other Jurisdiction) bool {
	return j != "" && strings.HasPrefix(string(other), string(j))
}

// Parent returns the jurisdiction one level up, or "" at the root.
func (j Jurisdiction) Parent() Jurisdiction {
	s := strings.TrimSuffix(string(j), "/")
	i := strings.LastIndex(s, "/")
	if i < 0 {
		return ""
	}
	return Jurisdiction(s[:i+1])
}

// Depth is the number of segments: "wuhai/" is 1.
func (j Jurisdiction) Depth() int { return strings.Count(string(j), "/") }

// Child returns the path of a child org with the given code.
func (j Jurisdiction) Child(code string) Jurisdiction { return j + Jurisdiction(code) + "/" }

var orgCodeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ValidOrgCode reports whether code may be a path segment.
func ValidOrgCode(code string) bool { return orgCodeRe.MatchString(code) }

// Org is a node of the organisation tree: the city, a district, a school, an office.
type Org struct {
	ID       int64
	Code     string
	Name     string
	Kind     OrgKind
	ParentID *int64
	Path     Jurisdiction
	// FullName is the name the office signs documents with (乌海市人民政府教育督导委员会办公室); "" takes
	// the default of OfficeName. Issue 12: the 督导意见书 names its issuing office in full.
	FullName string
}

// OfficeName is the full name of the supervision office an org stands for on paper: FullName when
// set, else for a region, city or district '<name>人民政府教育督导委员会办公室' (the office of the
// government's 教育督导委员会, which issues the 意见书, R9), and the org's own name for anything else.
func (o Org) OfficeName() string {
	if o.FullName != "" {
		return o.FullName
	}
	switch o.Kind {
	case OrgRegion, OrgCity, OrgDistrict:
		return o.Name + "人民政府教育督导委员会办公室"
	}
	return o.Name
}

// Government is the people's government of a region, city or district org, to which its office
// reports (R11: the 督导报告 goes to the same-level government); "" for other orgs.
func (o Org) Government() string {
	switch o.Kind {
	case OrgRegion, OrgCity, OrgDistrict:
		return o.Name + "人民政府"
	}
	return ""
}

// NewOrg checks an org's fields and derives its path from its parent's.
func NewOrg(code, name string, kind OrgKind, parent *Org) (Org, error) {
	fields := map[string]string{}
	if !ValidOrgCode(code) {
		fields["code"] = "机构代码须为1至32位小写字母、数字、下划线或连字符。"
	}
	if strings.TrimSpace(name) == "" || len([]rune(name)) > 100 {
		fields["name"] = "机构名称为必填项，且不超过100个字。"
	}
	if !kind.Valid() {
		fields["kind"] = "机构类型无效。"
	}
	if len(fields) > 0 {
		return Org{}, FieldError("机构信息有误。", fields)
	}
	o := Org{Code: code, Name: strings.TrimSpace(name), Kind: kind}
	if parent == nil {
		o.Path = Jurisdiction(code + "/")
	} else {
		pid := parent.ID
		o.ParentID = &pid
		o.Path = parent.Path.Child(code)
	}
	return o, nil
}
