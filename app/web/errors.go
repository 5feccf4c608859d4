package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/domain"
)

// statusOf is the one map from error code to HTTP status.
var statusOf = map[string]int{
	domain.EBADREQUEST:      http.StatusBadRequest,
	domain.EUNAUTHENTICATED: http.StatusUnauthorized,
	domain.EFORBIDDEN:       http.StatusForbidden,
	domain.ENOTFOUND:        http.StatusNotFound,
	domain.ECONFLICT:        http.StatusConflict,
	domain.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	domain.EUNSUPPORTED:     http.StatusUnsupportedMediaType,
	domain.EINVALID:         http.StatusUnprocessableEntity,
	domain.ETOOMANY:         http.StatusTooManyRequests,
	domain.EINTERNAL:        http.StatusInternalServerError,
}

// fromEcho turns echo's own errors (unknown route, wrong method, body limit) into domain errors.
func fromEcho(he *echo.HTTPError) *domain.Error {
	switch he.Code {
	case http.StatusNotFound:
		return domain.Errorf(domain.ENOTFOUND, "页面或资源不存在。")
	case http.StatusMethodNotAllowed:
		return &domain.Error{Code: domain.ENOTFOUND, Message: "不支持该请求方法。"}
	case http.StatusRequestEntityTooLarge:
		return domain.Errorf(domain.ETOOLARGE, "请求体过大。")
	case http.StatusUnauthorized:
		return domain.Errorf(domain.EUNAUTHENTICATED, "请先登录。")
	case http.StatusForbidden:
		return domain.Errorf(domain.EFORBIDDEN, "请求无效或已过期，请刷新页面后重试。")
	case http.StatusBadRequest:
		return domain.Errorf(domain.EBADREQUEST, "请求格式不正确。")
	case http.StatusUnsupportedMediaType:
		return domain.Errorf(domain.EUNSUPPORTED, "不支持的内容类型。")
	case http.StatusTooManyRequests:
		return domain.Errorf(domain.ETOOMANY, "请求过于频繁，请稍后再试。")
	}
	return &domain.Error{Code: domain.EINTERNAL, Message: "服务器内部错误，请稍后重试。"}
}

// errorBody is the JSON shape of every API error (SPEC §4.1).
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// errorHandler answers every error: JSON under /api, an HTML page elsewhere. Internal errors are
// logged with their chain and shown to the user only as a request id.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var de *domain.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
	case errors.As(err, &he):
		de = fromEcho(he)
	default:
		de = &domain.Error{Code: domain.EINTERNAL, Message: "服务器内部错误，请稍后重试。"}
	}
	status, ok := statusOf[de.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "request_id", rid, "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		de = &domain.Error{Code: domain.EINTERNAL, Message: "服务器内部错误，请稍后重试。（请求编号 " + rid + "）"}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if wantsJSON(c) {
		body := errorBody{Error: errorDetail{Code: de.Code, Message: de.Message, Fields: de.Fields}}
		if status >= 500 {
			body.Error.RequestID = rid
		}
		_ = c.JSON(status, body)
		return
	}
	if status == http.StatusUnauthorized {
		to := "/login"
		if c.Request().Method == http.MethodGet {
			to += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
		}
		_ = c.Redirect(http.StatusSeeOther, to)
		return
	}
	if err := s.render(c, status, errorPage{Base: s.base(c, errorTitle(status)), Status: status, Message: de.Message}); err != nil {
		s.log.Error("render error page", "err", err)
		_ = c.String(status, de.Message)
	}
}

func wantsJSON(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, "/api/") || strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "application/json") && !strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/html")
}

func errorTitle(status int) string {
	switch status {
	case http.StatusForbidden:
		return "无权访问"
	case http.StatusNotFound:
		return "页面不存在"
	case http.StatusTooManyRequests:
		return "操作过于频繁"
	}
	if status >= 500 {
		return "系统出错了"
	}
	return "请求有误"
}
