package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// HeaderIdempotencyKey names the header a client sets so that a retried POST is done once.
const HeaderIdempotencyKey = "Idempotency-Key"

// idempotent makes a POST that carries an Idempotency-Key happen at most once per user and key
// (SPEC §4.1): the first request runs in one transaction with the keeping of its answer, a retry
// with the same method, path and body (even while the first is still running) gets that answer and
// writes nothing, and the same key with another request is 422. Without the header it does nothing.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(HeaderIdempotencyKey)
		a, ok := actorOf(c)
		if c.Request().Method != http.MethodPost || key == "" || !ok {
			return next(c)
		}
		fp, err := s.fingerprint(c)
		if err != nil {
			return err
		}
		orig := c.Response().Writer
		rep, replayed, err := s.app.Once(c.Request().Context(), a, key, fp, func(ctx context.Context) (app.Reply, error) {
			c.SetRequest(c.Request().WithContext(ctx))
			rec := httptest.NewRecorder()
			c.Response().Writer = rec
			err := next(c)
			c.Response().Writer = orig
			c.Response().Committed, c.Response().Status, c.Response().Size = false, http.StatusOK, 0
			if err != nil {
				return app.Reply{}, err
			}
			if rec.Code >= http.StatusInternalServerError {
				return app.Reply{}, errors.New("web: the request failed; its answer is not kept")
			}
			return app.Reply{Status: rec.Code, Location: rec.Header().Get(echo.HeaderLocation),
				ContentType: rec.Header().Get(echo.HeaderContentType), Body: rec.Body.Bytes()}, nil
		})
		c.Response().Writer = orig
		if err != nil {
			return err
		}
		h := c.Response().Header()
		if rep.Location != "" {
			h.Set(echo.HeaderLocation, rep.Location)
		}
		if replayed {
			h.Set("Idempotent-Replayed", "true")
		}
		if rep.Status == http.StatusSeeOther || rep.Status == http.StatusFound {
			return c.Redirect(rep.Status, rep.Location)
		}
		return c.Blob(rep.Status, rep.ContentType, rep.Body)
	}
}

// fingerprint is what the request is, hashed: its method, its path and its body. A multipart body is
// taken by its fields and files, not its bytes, so that a retry with another boundary is the same
// request; it is parsed here (under the upload cap) and the handler finds it parsed.
func (s *Server) fingerprint(c echo.Context) (string, error) {
	r := c.Request()
	h := sha256.New()
	io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt == echo.MIMEMultipartForm {
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.cfg.MaxUploadBytes+uploadOverhead)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return "", domain.Errorf(domain.ETOOLARGE, "文件超过大小上限（%d MB）。", s.cfg.MaxUploadBytes>>20)
			}
			return "", domain.Errorf(domain.EBADREQUEST, "上传内容应为 multipart/form-data，文件字段名为 file。")
		}
		form := r.MultipartForm
		for _, k := range sortedKeys(form.Value) {
			io.WriteString(h, "v "+k+"="+strings.Join(form.Value[k], "\x00")+"\n")
		}
		for _, k := range sortedKeys(form.File) {
			for _, fh := range form.File[k] {
				f, err := fh.Open()
				if err != nil {
					return "", domain.Errorf(domain.EBADREQUEST, "文件读取失败，请重新上传。")
				}
				fsum := sha256.New()
				_, err = io.Copy(fsum, f)
				f.Close()
				if err != nil {
					return "", domain.Errorf(domain.EBADREQUEST, "文件读取失败，请重新上传。")
				}
				io.WriteString(h, "f "+k+"="+sentFilename(fh)+" "+hex.EncodeToString(fsum.Sum(nil))+"\n")
			}
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &mbe) || errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
			return "", domain.Errorf(domain.ETOOLARGE, "请求体过大。")
		}
		return "", domain.Errorf(domain.EBADREQUEST, "请求体读取失败。")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
