package web

import (
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/domain"
)

// One request type per write serves the API (JSON, bindJSON) and the forms of the UI (bindForm): its
// fields carry both a json and a form tag and the validator tags that check their shape. A form sends
// text, so bindForm converts each value to its field's type, and a value that does not convert is a
// Chinese message beside its field, never a 400.

// formDecoder is a request whose form is more than its fields (a value per finding, say): it reads what
// bindForm cannot and reports the values it refuses, keyed by form field.
type formDecoder interface {
	decodeForm(v url.Values) map[string]string
}

// bindForm binds the posted form into dto (a pointer to a request struct) and validates it; it returns
// the raw values too, to show them again with the messages when something is refused.
func bindForm(c echo.Context, dto any) (url.Values, error) {
	values, err := c.FormParams()
	if err != nil {
		return nil, domain.Errorf(domain.EBADREQUEST, "请求格式不正确。")
	}
	bad := decodeValues(values, dto)
	if d, ok := dto.(formDecoder); ok {
		for k, v := range d.decodeForm(values) {
			bad[k] = v
		}
	}
	verr := c.Validate(dto)
	if len(bad) == 0 {
		return values, verr
	}
	if de, ok := verr.(*domain.Error); ok {
		for k, v := range de.Fields {
			if _, seen := bad[k]; !seen {
				bad[k] = v
			}
		}
	}
	return values, domain.FieldError("提交的内容有误，请按提示修改。", bad)
}

// decodeValues sets each field of dto that has a form tag from values, converting text to the
// field's type; it returns a message per value that does not convert. An empty value leaves the zero
// value (nil for pointers), which the validator then judges.
func decodeValues(values url.Values, dto any) map[string]string {
	bad := map[string]string{}
	v := reflect.ValueOf(dto).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("form"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		raw := values[name]
		if msg := setField(v.Field(i), raw); msg != "" {
			bad[name] = msg
		}
	}
	return bad
}

// setField converts raw (the values sent for one field) into fv; a message when it cannot.
func setField(fv reflect.Value, raw []string) string {
	first := ""
	if len(raw) > 0 {
		first = strings.TrimSpace(raw[0])
	}
	if fv.Kind() == reflect.Slice {
		elems := reflect.MakeSlice(fv.Type(), 0, len(raw))
		for _, r := range raw {
			if strings.TrimSpace(r) == "" {
				continue
			}
			e := reflect.New(fv.Type().Elem()).Elem()
			if msg := setScalar(e, strings.TrimSpace(r)); msg != "" {
				return msg
			}
			elems = reflect.Append(elems, e)
		}
		if elems.Len() > 0 { // none sent stays nil: "required", as for JSON without the field
			fv.Set(elems)
		} else {
			fv.SetZero()
		}
		return ""
	}
	if fv.Kind() == reflect.Pointer {
		if first == "" {
			fv.SetZero()
			return ""
		}
		e := reflect.New(fv.Type().Elem())
		if msg := setScalar(e.Elem(), first); msg != "" {
			return msg
		}
		fv.Set(e)
		return ""
	}
	if fv.Kind() == reflect.String {
		if len(raw) > 0 {
			fv.SetString(raw[0]) // text keeps what the user typed; the domain trims
		}
		return ""
	}
	if first == "" {
		fv.SetZero()
		return ""
	}
	return setScalar(fv, first)
}

func setScalar(fv reflect.Value, s string) string {
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "应为整数。"
		}
		fv.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return "应为数字。"
		}
		fv.SetFloat(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return "应为“是”或“否”。"
		}
		fv.SetBool(b)
	default:
		return "无法识别的值。"
	}
	return ""
}
