// Package domain is the language of education supervision: organisations and their jurisdictions,
// users and grants, cases and their rules. It imports the standard library only.
package domain

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status (app/web/errors.go).
const (
	EINVALID         = "invalid"          // 422: a field or a rule is broken
	EBADREQUEST      = "bad_request"      // 400: the body cannot be read
	ENOTFOUND        = "not_found"        // 404: missing or out of scope
	ECONFLICT        = "conflict"         // 409: wrong state or stale version
	EFORBIDDEN       = "forbidden"        // 403: visible but not allowed
	EUNAUTHENTICATED = "unauthenticated"  // 401
	ETOOMANY         = "too_many"         // 429
	ETOOLARGE        = "too_large"        // 413
	EUNSUPPORTED     = "unsupported_type" // 415
	EINTERNAL        = "internal"         // 500
)

// Error is an error a user can act on: a code, a Chinese message and, for invalid input,
// a message per field. Operators get the wrapped chain through Unwrap.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a user-facing error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError builds an EINVALID error naming each bad field.
func FieldError(message string, fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: message, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EINTERNAL
}

// ErrorMessage returns the user message of err, or a generic one for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "服务器内部错误，请稍后重试。"
}
