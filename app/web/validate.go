package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/locales/zh"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	zhtrans "github.com/go-playground/validator/v10/translations/zh"
	"github.com/labstack/echo/v4"

	"dudao/domain"
)

// Validator checks DTOs with validator/v10 and reports each broken field in Chinese, keyed by its
// json (or form) name and labelled by its `label` tag.
type Validator struct {
	v     *validator.Validate
	trans ut.Translator
}

// NewValidator builds the validator with the zh translations.
func NewValidator() (*Validator, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	z := zh.New()
	trans, _ := ut.New(z, z).GetTranslator("zh")
	if err := zhtrans.RegisterDefaultTranslations(v, trans); err != nil {
		return nil, fmt.Errorf("web: zh translations: %w", err)
	}
	// The field name in messages is the Chinese label; the key in Fields is the json name.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if l := f.Tag.Get("label"); l != "" {
			return l
		}
		return jsonName(f)
	})
	return &Validator{v: v, trans: trans}, nil
}

func jsonName(f reflect.StructField) string {
	for _, tag := range []string{"json", "form"} {
		if n := strings.Split(f.Tag.Get(tag), ",")[0]; n != "" && n != "-" {
			return n
		}
	}
	return f.Name
}

// Validate implements echo.Validator.
func (cv *Validator) Validate(i any) error {
	err := cv.v.Struct(i)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return fmt.Errorf("web: validate: %w", err)
	}
	t := reflect.TypeOf(i)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	fields := map[string]string{}
	for _, fe := range ves {
		key := fe.Field()
		if sf, ok := t.FieldByName(fe.StructField()); ok {
			key = jsonName(sf)
		}
		if _, seen := fields[key]; !seen {
			fields[key] = fe.Translate(cv.trans)
		}
	}
	return domain.FieldError("提交的内容有误，请按提示修改。", fields)
}

// bindJSON decodes the JSON body into dto and validates it. A body that is not JSON is 400; a value of
// the wrong type is 422 naming the field.
func bindJSON(c echo.Context, dto any) error {
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(dto); err != nil {
		var te *json.UnmarshalTypeError
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		switch {
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return domain.Errorf(domain.EBADREQUEST, "请求体应为JSON对象。")
			}
			return domain.FieldError("提交的内容有误，请按提示修改。", map[string]string{field: "类型不正确。"})
		case errors.Is(err, io.EOF):
			return domain.Errorf(domain.EBADREQUEST, "请求体为空，应为JSON对象。")
		case errors.As(err, &mbe), errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
			return domain.Errorf(domain.ETOOLARGE, "请求体过大。")
		default:
			return domain.Errorf(domain.EBADREQUEST, "请求体不是有效的JSON。")
		}
	}
	if dec.More() {
		return domain.Errorf(domain.EBADREQUEST, "请求体不是有效的JSON。")
	}
	return c.Validate(dto)
}
