// Package blob keeps evidence files (photos, scans, Office documents, short videos) outside the
// database, content-addressed by sha256: an upload is streamed to a temporary file while it is
// hashed and measured, its type is sniffed from its bytes (never from its name), and only then is
// it moved to dir/ab/cd/<sha256>. The database keeps the metadata and the hash (SPEC §2.2).
package blob

import (
	"archive/zip"
	"bufio"
	"compress/lzw"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // header check
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
	"sync"
	"time"

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

// Store is a directory of content-addressed files. It keeps no state besides the directory and
// the uploads in flight in this process, so several app nodes may share one.
type Store struct {
	dir string
	tmp string

	locks  [64]sync.Mutex // Promote and Finish, by sha256
	mu     sync.Mutex     // guards claims
	claims map[string]int // uploads promoted in this process whose transaction has not ended
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
// its directory entry are on disk. It is Stage, Promote and Finish in one, for callers that
// record nothing about the file (tests, tools); uploads recorded in a database stage first.
func (s *Store) Put(ctx context.Context, r io.Reader, maxBytes int64) (BlobInfo, error) {
	st, err := s.stage(ctx, r, maxBytes)
	if err != nil {
		return BlobInfo{}, err
	}
	err = st.Promote()
	if ferr := st.Finish(err == nil, nil); err == nil {
		err = ferr
	}
	if err != nil {
		return BlobInfo{}, err
	}
	return st.info, nil
}

// Stage reads r (at most maxBytes+1 bytes) into a temporary file while hashing it, sniffs and
// checks its type as Put does, and flushes it to disk. No stored name changes: the upload becomes
// a blob only when Promote is called, inside the transaction that records it, and Finish says how
// that transaction ended. On error nothing is left behind.
func (s *Store) Stage(ctx context.Context, r io.Reader, maxBytes int64) (domain.StagedBlob, error) {
	st, err := s.stage(ctx, r, maxBytes)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Store) stage(ctx context.Context, r io.Reader, maxBytes int64) (*Staged, error) {
	if maxBytes <= 0 || maxBytes == math.MaxInt64 {
		return nil, fmt.Errorf("blob: put: invalid size cap %d", maxBytes)
	}
	src := &source{ctx: ctx, r: r}
	// One byte past the cap tells "exactly the cap" from "too large" without reading on.
	lim := &io.LimitedReader{R: src, N: maxBytes + 1}

	// Judge the head before anything touches the disk.
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lim, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, readError(err, maxBytes)
	}
	head = head[:n]
	if n == 0 {
		return nil, domain.Errorf(domain.EINVALID, "文件为空。")
	}
	if int64(n) > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	ctype := mediaType(mimetype.Detect(head))
	// Office Open XML files are zips; the sniffer sees only the first entries, so any zip
	// is let through here and judged by its central directory once it is all on disk.
	zipped := ctype == typeZip || ctype == typeDocx || ctype == typeXlsx || ctype == typePptx
	if !zipped && !accepted[ctype] {
		return nil, unsupported(ctype)
	}

	tmp, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return nil, fmt.Errorf("blob: create temp: %w", err)
	}
	kept := false
	defer func() {
		if !kept {
			_ = tmp.Close() // may already be closed; the file is discarded either way
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(filePerm); err != nil {
		return nil, fmt.Errorf("blob: chmod temp: %w", err)
	}

	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head); err != nil {
		return nil, fmt.Errorf("blob: write temp: %w", err)
	}
	rest, err := io.Copy(w, lim)
	if err != nil {
		if src.err != nil {
			return nil, readError(src.err, maxBytes)
		}
		return nil, fmt.Errorf("blob: write temp: %w", err)
	}
	size := int64(n) + rest
	if size > maxBytes {
		return nil, tooLarge(maxBytes)
	}
	if zipped {
		if ctype = officeZipType(tmp, size); ctype == "" {
			return nil, unsupported(typeZip)
		}
	}
	if err := checkImage(tmp, ctype); err != nil {
		return nil, err
	}
	// Flush the bytes before a rename publishes the name: after a crash the name either
	// is absent or points at the whole file.
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("blob: sync temp: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("blob: close temp: %w", err)
	}
	kept = true
	sum := hex.EncodeToString(h.Sum(nil))
	return &Staged{s: s, tmp: tmp.Name(), info: BlobInfo{SHA256: sum, Size: size, ContentType: ctype}}, nil
}

// Staged is an upload on its way into the store (issue 13): staged in a temporary file, promoted
// under its sha256 just before the transaction recording it commits, and finished once that
// transaction has ended — so that a refused or failed request leaves nothing behind, and what a crash
// leaves (a temporary file, or a promoted blob whose row never committed) is old and unreferenced for
// the sweeper.
type Staged struct {
	s        *Store
	tmp      string // the temporary file, "" once it became the blob
	info     BlobInfo
	promoted bool
	created  bool      // Promote put this upload's file in place: the blob was not stored before
	mtime    time.Time // the blob's time right after Promote
	finished bool
}

var _ domain.StagedBlob = (*Staged)(nil)

// Info is the staged file's sha256, size and sniffed type.
func (st *Staged) Info() BlobInfo { return st.info }

// Promote stores the staged file under its sha256, durably (the file was flushed when staged; the
// directory entry is flushed here). When the blob is stored already, its time is renewed instead, so
// that a sweep of orphans, which spares recent blobs, spares it until the caller's row is committed.
func (st *Staged) Promote() error {
	if st.promoted || st.finished {
		return errors.New("blob: promote: already promoted or finished")
	}
	sum := st.info.SHA256
	unlock := st.s.lock(sum)
	defer unlock()
	dir, err := st.s.mkdirs(sum[0:2], sum[2:4])
	if err != nil {
		return err
	}
	final := filepath.Join(dir, sum)
	if fi, err := os.Lstat(final); err == nil && fi.Mode().IsRegular() {
		now := time.Now()
		if err := os.Chtimes(final, now, now); err != nil {
			return fmt.Errorf("blob: touch %s: %w", sum, err)
		}
	} else {
		if err := os.Rename(st.tmp, final); err != nil {
			return fmt.Errorf("blob: store %s: %w", sum, err)
		}
		st.tmp, st.created = "", true
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	fi, err := os.Lstat(final)
	if err != nil {
		return fmt.Errorf("blob: stat %s: %w", sum, err)
	}
	st.promoted, st.mtime = true, fi.ModTime()
	st.s.claim(sum, 1)
	return nil
}

// Finish ends the upload once the transaction that recorded it has ended: it removes the temporary
// file and, when the record was not committed, the promoted blob too — unless the blob was stored
// before this upload, or another upload has promoted it since (here or, by its time, on another node
// sharing the folder), or referenced says the database refers to it (or cannot say: nil, or an error).
// Whatever it keeps that nothing refers to, the sweeper removes later.
func (st *Staged) Finish(committed bool, referenced func() (bool, error)) error {
	if st.finished {
		return nil
	}
	st.finished = true
	if st.tmp != "" {
		if err := os.Remove(st.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob: remove temp: %w", err)
		}
		st.tmp = ""
	}
	if !st.promoted {
		return nil
	}
	sum := st.info.SHA256
	unlock := st.s.lock(sum)
	defer unlock()
	others := st.s.claim(sum, -1)
	if committed || !st.created || others > 0 {
		return nil
	}
	final, _ := st.s.Path(sum)
	fi, err := os.Lstat(final)
	if err != nil || !fi.ModTime().Equal(st.mtime) {
		return nil // gone, or promoted again since
	}
	if referenced == nil {
		return nil
	}
	if ref, err := referenced(); err != nil || ref {
		return err
	}
	if err := os.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob: remove unrecorded %s: %w", sum, err)
	}
	return syncDir(filepath.Dir(final))
}

// lock serialises Promote and Finish on one sha256 within this process.
func (s *Store) lock(sum string) func() {
	b, _ := hex.DecodeString(sum[:2])
	m := &s.locks[b[0]%byte(len(s.locks))]
	m.Lock()
	return m.Unlock
}

// claim adds d to the promoted-but-unfinished uploads of sum and returns how many remain.
func (s *Store) claim(sum string, d int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claims == nil {
		s.claims = map[string]int{}
	}
	n := s.claims[sum] + d
	if n <= 0 {
		delete(s.claims, sum)
		return 0
	}
	s.claims[sum] = n
	return n
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

// Limits on an image's declared size. A decoder allocates width×height pixels before it reads any
// pixel, so a small file can declare a huge picture (a 2.9 MB GIF of 65535×65535 costs 4 GB to
// decode). The caps are read from the header before any pixel is decoded. 120 megapixels lets in the
// largest phone photos (108 MP, 12000×9000); no side may pass 20,000 pixels.
const (
	maxImageSide   = 20_000
	maxImagePixels = 120_000_000
)

// checkImage parses the header of the formats the standard library knows (PNG, JPEG, GIF), so that a
// binary that only borrows an image's magic bytes is refused (EUNSUPPORTED), and refuses a picture
// larger than the caps (ETOOLARGE). No pixel is decoded before the caps are checked. A GIF's header is
// any two sizes after the magic, so a GIF's blocks are walked up to its first frame, and then, within
// the caps, that frame's compressed data is decoded into nothing: time in proportion to the capped
// pixel count, a fixed amount of memory. Other types pass: the server never decodes them.
func checkImage(f *os.File, ctype string) error {
	switch ctype {
	case "image/png", "image/jpeg", "image/gif":
	default:
		return nil
	}
	var cfg image.Config
	err := fromStart(f, func(r *bufio.Reader) (err error) {
		cfg, _, err = image.DecodeConfig(r)
		return err
	})
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return forgedImage()
	}
	if ctype == "image/gif" {
		if err := fromStart(f, func(r *bufio.Reader) error { return gifFirstFrame(r, false) }); err != nil {
			return forgedImage()
		}
	}
	if cfg.Width > maxImageSide || cfg.Height > maxImageSide || cfg.Width*cfg.Height > maxImagePixels {
		return domain.Errorf(domain.ETOOLARGE, "图片尺寸过大（%d×%d像素）：每边不超过%d像素、总计不超过%s像素。请缩小后再上传。",
			cfg.Width, cfg.Height, maxImageSide, pixelsCN(maxImagePixels))
	}
	if ctype == "image/gif" {
		if err := fromStart(f, func(r *bufio.Reader) error { return gifFirstFrame(r, true) }); err != nil {
			return forgedImage()
		}
	}
	return nil
}

// fromStart runs read on f from its first byte.
func fromStart(f *os.File, read func(*bufio.Reader) error) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return read(bufio.NewReader(f))
}

// pixelsCN writes a pixel count the Chinese way: 5000万, 1.2亿.
func pixelsCN(n int) string {
	if n >= 100_000_000 {
		return strconv.FormatFloat(float64(n)/1e8, 'f', -1, 64) + "亿"
	}
	return strconv.FormatFloat(float64(n)/1e4, 'f', -1, 64) + "万"
}

func forgedImage() *domain.Error {
	return domain.Errorf(domain.EUNSUPPORTED, "文件内容与图片格式不符（文件头已损坏或被伪造）。请上传图片、PDF、Office文档或短视频。")
}

// gifFirstFrame walks a GIF as image/gif's Decode does — header, colour tables, extensions, up to the
// first frame, which must lie within the screen — without storing pixels. With pixels, the frame's
// LZW data must give exactly its width×height pixels, which are counted; without, its sub-blocks are
// only skipped. Unlike Decode it does not check pixel values against the palette.
func gifFirstFrame(r *bufio.Reader, pixels bool) error {
	var hdr [13]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	if v := string(hdr[:6]); v != "GIF87a" && v != "GIF89a" {
		return errors.New("gif: bad version")
	}
	screenW, screenH := int(binary.LittleEndian.Uint16(hdr[6:])), int(binary.LittleEndian.Uint16(hdr[8:]))
	global := hdr[10]&0x80 != 0
	if global {
		if _, err := r.Discard(colorTableLen(hdr[10])); err != nil {
			return err
		}
	}
	for {
		c, err := r.ReadByte()
		if err != nil {
			return err
		}
		switch c {
		case 0x21: // extension: a label, then data sub-blocks
			if _, err := r.ReadByte(); err != nil {
				return err
			}
			if err := skipSubBlocks(r); err != nil {
				return err
			}
		case 0x2C: // image descriptor
			var d [9]byte
			if _, err := io.ReadFull(r, d[:]); err != nil {
				return err
			}
			left, top := int(binary.LittleEndian.Uint16(d[0:])), int(binary.LittleEndian.Uint16(d[2:]))
			w, h := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			if left+w > screenW || top+h > screenH {
				return errors.New("gif: frame bounds larger than image bounds")
			}
			if d[8]&0x80 != 0 {
				if _, err := r.Discard(colorTableLen(d[8])); err != nil {
					return err
				}
			} else if !global {
				return errors.New("gif: no color table")
			}
			litWidth, err := r.ReadByte()
			if err != nil {
				return err
			}
			if litWidth < 2 || litWidth > 8 {
				return errors.New("gif: pixel size out of range")
			}
			if !pixels {
				return skipSubBlocks(r)
			}
			lz := lzw.NewReader(&subBlocks{r: r}, lzw.LSB, int(litWidth))
			defer lz.Close()
			if n, err := io.CopyN(io.Discard, lz, int64(w)*int64(h)); n != int64(w)*int64(h) {
				return fmt.Errorf("gif: %d of %d pixels: %v", n, w*h, err)
			}
			// Like image/gif: the stream ends here, with or without its end code.
			var one [1]byte
			if n, err := lz.Read(one[:]); n != 0 || (err != io.EOF && err != io.ErrUnexpectedEOF) {
				return errors.New("gif: too much image data")
			}
			return nil
		case 0x3B: // trailer before any frame
			return errors.New("gif: missing image data")
		default:
			return fmt.Errorf("gif: unknown block type 0x%02x", c)
		}
	}
}

// colorTableLen is the size in bytes of the colour table that a GIF's packed field announces.
func colorTableLen(fields byte) int { return 3 << (1 + fields&0x07) }

func skipSubBlocks(r *bufio.Reader) error {
	for {
		n, err := r.ReadByte()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if _, err := r.Discard(int(n)); err != nil {
			return err
		}
	}
}

// subBlocks reads the data of a GIF's sub-blocks (a length byte, then as many bytes) as one stream,
// ending at the empty sub-block.
type subBlocks struct {
	r    *bufio.Reader
	left int
	done bool
}

func (b *subBlocks) Read(p []byte) (int, error) {
	for b.left == 0 {
		if b.done {
			return 0, io.EOF
		}
		n, err := b.r.ReadByte()
		if err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		if n == 0 {
			b.done = true
			return 0, io.EOF
		}
		b.left = int(n)
	}
	n, err := b.r.Read(p[:min(len(p), b.left)])
	b.left -= n
	if err != nil && n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	return n, nil
}
