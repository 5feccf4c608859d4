// Package blob keeps evidence files (photos, scans, Office documents, short videos) outside the
// database, content-addressed by sha256: an upload is streamed to a temporary file while it is
// hashed and measured, its type is sniffed from its bytes (never from its name), and only then is
// it moved to dir/ab/cd/<sha256>. The database keeps the metadata and the hash (SPEC §2.2).
package blob

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	_ "image/jpeg" // header check
	_ "image/png"  // header check
	"io"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gabriel-vasile/mimetype"

	"dudao/domain"
)

const (
	dirPerm  = 0o750
	filePerm = 0o640

	// sniffLen is how much of the head of an upload the type is judged on; it matches
	// mimetype's own read limit, so nothing is read that the sniffer would ignore.
	sniffLen = 4096

	typeZip  = "application/zip"
	typeDocx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typeXlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	typePptx = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
)

// accepted lists the sniffed types kept as evidence: what phones and office PCs produce.
// Everything else — text, HTML, SVG, plain archives, executables — is refused, so that
// nothing a browser would run can be uploaded and served back.
var accepted = map[string]bool{
	"image/jpeg": true,
	"image/png":  true,
	"image/gif":  true,
	"image/webp": true,
	"image/heic": true,
	"image/heif": true,

	"application/pdf":               true,
	"application/msword":            true,
	"application/vnd.ms-excel":      true,
	"application/vnd.ms-powerpoint": true,
	// Kingsoft WPS files (.wps/.et/.dps), common in Chinese offices, are OLE compound files
	// that the sniffer cannot narrow down further.
	"application/x-ole-storage": true,
	typeDocx:                    true,
	typeXlsx:                    true,
	typePptx:                    true,

	"video/mp4":       true,
	"video/quicktime": true,
	"video/3gpp":      true,
}

// Store is a directory of content-addressed files. It keeps no state besides the directory,
// so several app nodes may share one.
type Store struct {
	dir string
	tmp string
}

var _ domain.BlobStore = (*Store)(nil)

// BlobInfo is domain.BlobInfo, named here so that callers of this package read naturally.
type BlobInfo = domain.BlobInfo

// New opens the store rooted at dir, creating dir and dir/tmp if needed. Temporary files
// live inside dir so that the final rename never crosses a filesystem.
func New(dir string) (*Store, error) {
	tmp := filepath.Join(dir, "tmp")
	if err := os.MkdirAll(tmp, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", tmp, err)
	}
	return &Store{dir: dir, tmp: tmp}, nil
}

// Put streams r into the store, reading at most maxBytes+1 bytes, and returns the file's
// sha256, size and sniffed type. Empty is EINVALID, over maxBytes is ETOOLARGE, a type not
// accepted is EUNSUPPORTED; on any error nothing is left behind. Storing bytes that are
// already stored succeeds and returns the same BlobInfo. When Put returns nil the file and
// its directory entry are on disk.
func (s *Store) Put(ctx context.Context, r io.Reader, maxBytes int64) (BlobInfo, error) {
	if maxBytes <= 0 || maxBytes == math.MaxInt64 {
		return BlobInfo{}, fmt.Errorf("blob: put: invalid size cap %d", maxBytes)
	}
	src := &source{ctx: ctx, r: r}
	// One byte past the cap tells "exactly the cap" from "too large" without reading on.
	lim := &io.LimitedReader{R: src, N: maxBytes + 1}

	// Judge the head before anything touches the disk.
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lim, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return BlobInfo{}, readError(err, maxBytes)
	}
	head = head[:n]
	if n == 0 {
		return BlobInfo{}, domain.Errorf(domain.EINVALID, "文件为空。")
	}
	if int64(n) > maxBytes {
		return BlobInfo{}, tooLarge(maxBytes)
	}
	ctype := mediaType(mimetype.Detect(head))
	// Office Open XML files are zips; the sniffer sees only the first entries, so any zip
	// is let through here and judged by its central directory once it is all on disk.
	zipped := ctype == typeZip || ctype == typeDocx || ctype == typeXlsx || ctype == typePptx
	if !zipped && !accepted[ctype] {
		return BlobInfo{}, unsupported(ctype)
	}

	tmp, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return BlobInfo{}, fmt.Errorf("blob: create temp: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close() // may already be closed; the file is discarded either way
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(filePerm); err != nil {
		return BlobInfo{}, fmt.Errorf("blob: chmod temp: %w", err)
	}

	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head); err != nil {
		return BlobInfo{}, fmt.Errorf("blob: write temp: %w", err)
	}
	rest, err := io.Copy(w, lim)
	if err != nil {
		if src.err != nil {
			return BlobInfo{}, readError(src.err, maxBytes)
		}
		return BlobInfo{}, fmt.Errorf("blob: write temp: %w", err)
	}
	size := int64(n) + rest
	if size > maxBytes {
		return BlobInfo{}, tooLarge(maxBytes)
	}
	if zipped {
		if ctype = officeZipType(tmp, size); ctype == "" {
			return BlobInfo{}, unsupported(typeZip)
		}
	}
	if !imageHeaderOK(tmp, ctype) {
		return BlobInfo{}, domain.Errorf(domain.EUNSUPPORTED, "文件内容与图片格式不符（文件头已损坏或被伪造）。请上传图片、PDF、Office文档或短视频。")
	}
	// Flush the bytes before the rename publishes the name: after a crash the name either
	// is absent or points at the whole file.
	if err := tmp.Sync(); err != nil {
		return BlobInfo{}, fmt.Errorf("blob: sync temp: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return BlobInfo{}, fmt.Errorf("blob: close temp: %w", err)
	}

	sum := hex.EncodeToString(h.Sum(nil))
	info := BlobInfo{SHA256: sum, Size: size, ContentType: ctype}
	dir, err := s.mkdirs(sum[0:2], sum[2:4])
	if err != nil {
		return BlobInfo{}, err
	}
	final := filepath.Join(dir, sum)
	if fi, err := os.Lstat(final); err == nil && fi.Mode().IsRegular() {
		// Already stored (by an earlier upload, maybe still finishing on another node): make
		// sure its entry is durable too, and let the deferred cleanup drop our copy.
		if err := syncDir(dir); err != nil {
			return BlobInfo{}, err
		}
		return info, nil
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return BlobInfo{}, fmt.Errorf("blob: store %s: %w", sum, err)
	}
	committed = true
	if err := syncDir(dir); err != nil {
		return BlobInfo{}, err
	}
	return info, nil
}

// Open returns the stored file with the given sha256 (64 lowercase hex digits). A malformed
// or unknown sha256 is ENOTFOUND; the name is checked before the filesystem is touched.
func (s *Store) Open(_ context.Context, sum string) (io.ReadSeekCloser, error) {
	p, err := s.Path(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", sum, err)
	}
	return f, nil
}

// Path returns where the file with the given sha256 lives (whether or not it is there),
// or ENOTFOUND when sum is not 64 lowercase hex digits.
func (s *Store) Path(sum string) (string, error) {
	if !validSHA256(sum) {
		return "", notFound()
	}
	return filepath.Join(s.dir, sum[0:2], sum[2:4], sum), nil
}

// Exists reports whether a file with the given sha256 is stored.
func (s *Store) Exists(sum string) bool {
	p, err := s.Path(sum)
	if err != nil {
		return false
	}
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Remove deletes the file with the given sha256; removing an absent file is not an error.
// Evidence is never removed in normal operation (it may be shared by several cases); this
// is for tests and for cleaning up after a failed transaction.
func (s *Store) Remove(sum string) error {
	p, err := s.Path(sum)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: remove %s: %w", sum, err)
	}
	return nil
}

// mkdirs creates dir/a/b/... one level at a time, syncing each parent whose listing gained
// a directory, so that the new path survives a crash along with the file.
func (s *Store) mkdirs(parts ...string) (string, error) {
	p := s.dir
	for _, part := range parts {
		next := filepath.Join(p, part)
		err := os.Mkdir(next, dirPerm)
		switch {
		case err == nil:
			if err := syncDir(p); err != nil {
				return "", err
			}
		case !errors.Is(err, fs.ErrExist):
			return "", fmt.Errorf("blob: create %s: %w", next, err)
		}
		p = next
	}
	return p, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("blob: open dir %s: %w", dir, err)
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return fmt.Errorf("blob: sync dir %s: %w", dir, err)
	}
	if err := d.Close(); err != nil {
		return fmt.Errorf("blob: close dir %s: %w", dir, err)
	}
	return nil
}

// source reads the upload, stopping when ctx is done, and remembers a read failure so
// that it can be told apart from a failure to write the temporary file.
type source struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (s *source) Read(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return 0, err
	}
	n, err := s.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = err
	}
	return n, err
}

// officeZipType returns the Office Open XML type of the zip in r, judged by the part names
// in its central directory, or "" if it is not a well-formed Word, Excel or PowerPoint file.
func officeZipType(r io.ReaderAt, size int64) string {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return ""
	}
	var contentTypes, word, sheet, slides bool
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			contentTypes = true
		case strings.HasPrefix(f.Name, "word/"):
			word = true
		case strings.HasPrefix(f.Name, "xl/"):
			sheet = true
		case strings.HasPrefix(f.Name, "ppt/"):
			slides = true
		}
	}
	switch {
	case !contentTypes:
		return ""
	case word:
		return typeDocx
	case sheet:
		return typeXlsx
	case slides:
		return typePptx
	}
	return ""
}

// mediaType is the sniffed type without parameters such as charset.
func mediaType(m *mimetype.MIME) string {
	t, _, _ := strings.Cut(m.String(), ";")
	return strings.TrimSpace(t)
}

func validSHA256(sum string) bool {
	if len(sum) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(sum); i++ {
		c := sum[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// readError turns a failure to read the upload into an error for the user; a cancelled
// request is passed on as it is, since nobody is left to read a message.
func readError(err error, maxBytes int64) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("blob: read upload: %w", err)
	}
	// The web layer may cap the whole request body too; hitting that cap is still "too large".
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		e := tooLarge(maxBytes)
		e.Err = err
		return e
	}
	return &domain.Error{Code: domain.EBADREQUEST, Message: "文件上传中断，请重新上传。", Err: err}
}

func tooLarge(maxBytes int64) *domain.Error {
	return domain.Errorf(domain.ETOOLARGE, "文件超过大小上限（%s MB）。", megabytes(maxBytes))
}

func unsupported(ctype string) *domain.Error {
	if ctype == "application/octet-stream" {
		ctype = "未知类型"
	}
	return domain.Errorf(domain.EUNSUPPORTED, "不支持的文件类型：%s。请上传图片、PDF、Office文档或短视频。", ctype)
}

func notFound() *domain.Error {
	return domain.Errorf(domain.ENOTFOUND, "文件不存在。")
}

// megabytes writes n bytes in MB (MiB, as upload limits are set): "20", or "0.5" when not whole.
func megabytes(n int64) string {
	const mb = 1 << 20
	if n%mb == 0 {
		return strconv.FormatInt(n/mb, 10)
	}
	return strconv.FormatFloat(float64(n)/mb, 'f', 1, 64)
}

// imageHeaderOK parses the header of the formats the standard library knows (PNG, JPEG, GIF), so a
// binary that only borrows an image's magic bytes is refused. Other types pass.
func imageHeaderOK(f *os.File, ctype string) bool {
	switch ctype {
	case "image/png", "image/jpeg", "image/gif":
	default:
		return true
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false
	}
	if ctype == "image/gif" {
		// A GIF's screen size is any two bytes after the magic; decoding the first frame proves more.
		_, err := gif.Decode(f)
		return err == nil
	}
	cfg, _, err := image.DecodeConfig(f)
	return err == nil && cfg.Width > 0 && cfg.Height > 0
}
