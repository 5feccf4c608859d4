package web

// The forms of the admin pages, which have no API twin. The case and accountability forms bind into
// the API's own request types (bind.go).

type orgForm struct {
	Parent string `form:"parent" label:"上级机构" validate:"required,max=300"`
	Code   string `form:"code" label:"机构代码" validate:"required,max=32"`
	Name   string `form:"name" label:"机构名称" validate:"required,max=100"`
	Kind   string `form:"kind" label:"机构类型" validate:"required,oneof=region city district school office"`
	// FullName is what its office signs documents with (issue 12).
	FullName string `form:"full_name" label:"公文署名" validate:"max=200"`
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
