package blob

import (
	"archive/zip"
	"bytes"
	"compress/lzw"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/gabriel-vasile/mimetype"

	"dudao/domain"
)

const cap20MB = 20 << 20

func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "evidence")
	s, err := New(dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, dir
}

// storedFiles lists every regular file under dir, temporary ones included.
func storedFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	if files := storedFiles(t, dir); len(files) != 0 {
		t.Errorf("store not empty after a refused upload: %v", files)
	}
}

func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err %v), want %q", got, err, code)
	}
}

func hexSHA(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Fixtures, built here so that no binary files live in the repository.

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		for y := range 3 {
			img.Set(x, y, color.RGBA{uint8(60 * x), uint8(80 * y), 200, 255})
		}
	}
	return img
}

func pngBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, testImage()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gifBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, testImage(), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpBytes is a RIFF/WEBP container holding a lossless 1x1 image chunk.
func webpBytes() []byte {
	vp8l := []byte{0x2f, 0x00, 0x00, 0x00, 0x00, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	var b bytes.Buffer
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(4+8+len(vp8l)))
	b.WriteString("WEBPVP8L")
	binary.Write(&b, binary.LittleEndian, uint32(len(vp8l)))
	b.Write(vp8l)
	return b.Bytes()
}

// isoBMFF is an ISO base media file (MP4, MOV, 3GP, HEIF): an ftyp box with the given
// brands, then an empty mdat box.
func isoBMFF(major string, compatible ...string) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(16+4*len(compatible)))
	b.WriteString("ftyp" + major)
	binary.Write(&b, binary.BigEndian, uint32(0x200))
	for _, c := range compatible {
		b.WriteString(c)
	}
	binary.Write(&b, binary.BigEndian, uint32(8))
	b.WriteString("mdat")
	return b.Bytes()
}

// pdfBytes is a one-page PDF with a correct cross-reference table.
func pdfBytes() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

type part struct {
	name, body string
	stored     bool // not compressed
}

func zipBytes(t testing.TB, parts ...part) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		method := zip.Deflate
		if p.stored {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const (
	xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	ctNS    = `http://schemas.openxmlformats.org/package/2006/content-types`
	relNS   = `http://schemas.openxmlformats.org/package/2006/relationships`
	docRel  = `http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument`
)

func contentTypes(overrides ...string) string {
	return xmlHead + `<Types xmlns="` + ctNS + `">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		strings.Join(overrides, "") + `</Types>`
}

func rootRels(target string) string {
	return xmlHead + `<Relationships xmlns="` + relNS + `"><Relationship Id="rId1" Type="` + docRel +
		`" Target="` + target + `"/></Relationships>`
}

const docxMain = xmlHead + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:body><w:p><w:r><w:t>整改报告</w:t></w:r></w:p></w:body></w:document>`

func docxBytes(t testing.TB) []byte {
	return zipBytes(t,
		part{name: "[Content_Types].xml", body: contentTypes(`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>`)},
		part{name: "_rels/.rels", body: rootRels("word/document.xml")},
		part{name: "word/document.xml", body: docxMain},
	)
}

func xlsxBytes(t testing.TB) []byte {
	return zipBytes(t,
		part{name: "[Content_Types].xml", body: contentTypes(
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`,
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)},
		part{name: "_rels/.rels", body: rootRels("xl/workbook.xml")},
		part{name: "xl/workbook.xml", body: xmlHead + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		part{name: "xl/_rels/workbook.xml.rels", body: xmlHead + `<Relationships xmlns="` + relNS + `"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		part{name: "xl/worksheets/sheet1.xml", body: xmlHead + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>达标</t></is></c></row></sheetData></worksheet>`},
	)
}

func pptxBytes(t *testing.T) []byte {
	return zipBytes(t,
		part{name: "[Content_Types].xml", body: contentTypes(`<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/>`)},
		part{name: "_rels/.rels", body: rootRels("ppt/presentation.xml")},
		part{name: "ppt/presentation.xml", body: xmlHead + `<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`},
	)
}

// bigHeadDocx puts the word/ parts past the sniffer's window, as Word does for documents
// with many parts: only the central directory can tell it from a plain zip.
func bigHeadDocx(t *testing.T) []byte {
	var overrides []string
	for i := range 120 {
		overrides = append(overrides, fmt.Sprintf(`<Override PartName="/word/media/image%d.png" ContentType="image/png"/>`, i))
	}
	return zipBytes(t,
		part{name: "[Content_Types].xml", body: contentTypes(overrides...), stored: true},
		part{name: "_rels/.rels", body: rootRels("word/document.xml"), stored: true},
		part{name: "word/document.xml", body: docxMain},
	)
}

// oleBytes is an empty but well-formed compound file (the container of .doc, .xls, .ppt and
// WPS files) whose root storage carries clsid: header, one FAT sector, one directory sector.
func oleBytes(clsid [16]byte) []byte {
	const (
		freeSect   = 0xFFFFFFFF
		endOfChain = 0xFFFFFFFE
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	b := make([]byte, 3*512)
	le := binary.LittleEndian
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(b[24:], 0x003E) // minor version
	le.PutUint16(b[26:], 0x0003) // major version 3: 512-byte sectors
	le.PutUint16(b[28:], 0xFFFE) // byte order
	le.PutUint16(b[30:], 9)      // sector size 2^9
	le.PutUint16(b[32:], 6)      // mini sector size 2^6
	le.PutUint32(b[44:], 1)      // FAT sectors
	le.PutUint32(b[48:], 1)      // first directory sector
	le.PutUint32(b[56:], 4096)   // mini stream cutoff
	le.PutUint32(b[60:], endOfChain)
	le.PutUint32(b[68:], endOfChain)
	le.PutUint32(b[76:], 0) // DIFAT[0]: the FAT is sector 0
	for off := 80; off < 512; off += 4 {
		le.PutUint32(b[off:], freeSect)
	}
	fat := b[512:1024]
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	for off := 8; off < 512; off += 4 {
		le.PutUint32(fat[off:], freeSect)
	}
	dir := b[1024:1536]
	for i := range 4 {
		e := dir[i*128 : (i+1)*128]
		le.PutUint32(e[68:], noStream)
		le.PutUint32(e[72:], noStream)
		le.PutUint32(e[76:], noStream)
	}
	root := dir[:128]
	name := utf16.Encode([]rune("Root Entry"))
	for i, c := range name {
		le.PutUint16(root[2*i:], c)
	}
	le.PutUint16(root[64:], uint16(2*(len(name)+1)))
	root[66] = 5 // root storage
	root[67] = 1 // black
	copy(root[80:96], clsid[:])
	le.PutUint32(root[116:], endOfChain)
	return b
}

// Root storage class ids: {00020906-…} Word.Document.8, {00020820-…} Excel.Sheet.8,
// {64818D10-…} PowerPoint.Show.8, in their on-disk byte order.
var (
	clsidWord  = [16]byte{0x06, 0x09, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	clsidExcel = [16]byte{0x20, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}
	clsidPPT   = [16]byte{0x10, 0x8D, 0x81, 0x64, 0x9B, 0x4F, 0xCF, 0x11, 0x86, 0xEA, 0x00, 0xAA, 0x00, 0xB9, 0x29, 0xE8}
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{1, 2, 3})
	_, _ = r.Read(b)
	return b
}

// generator produces size bytes lazily (head first, then filler) and counts what it gave.
type generator struct {
	head     []byte
	size     int64
	produced int64
}

func (g *generator) Read(p []byte) (int, error) {
	left := g.size - g.produced
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	for i := range p {
		off := g.produced + int64(i)
		if off < int64(len(g.head)) {
			p[i] = g.head[off]
		} else {
			p[i] = byte(off * 7)
		}
	}
	g.produced += int64(len(p))
	return len(p), nil
}

func TestPutAcceptedTypesRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"jpeg", jpegBytes(t), "image/jpeg"},
		{"png", pngBytes(t), "image/png"},
		{"gif", gifBytes(t), "image/gif"},
		{"webp", webpBytes(), "image/webp"},
		{"heic", isoBMFF("heic", "mif1", "heic"), "image/heic"},
		{"heif", isoBMFF("mif1", "mif1"), "image/heif"},
		{"pdf", pdfBytes(), "application/pdf"},
		{"doc", oleBytes(clsidWord), "application/msword"},
		{"xls", oleBytes(clsidExcel), "application/vnd.ms-excel"},
		{"ppt", oleBytes(clsidPPT), "application/vnd.ms-powerpoint"},
		{"wps ole", oleBytes([16]byte{}), "application/x-ole-storage"},
		{"docx", docxBytes(t), typeDocx},
		{"xlsx", xlsxBytes(t), typeXlsx},
		{"pptx", pptxBytes(t), typePptx},
		{"docx past sniff window", bigHeadDocx(t), typeDocx},
		{"mp4", isoBMFF("isom", "isom", "iso2", "avc1", "mp41"), "video/mp4"},
		{"quicktime", isoBMFF("qt  ", "qt  "), "video/quicktime"},
		{"3gp", isoBMFF("3gp4", "isom", "3gp4"), "video/3gpp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newStore(t)
			info, err := s.Put(t.Context(), bytes.NewReader(tt.data), cap20MB)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			want := BlobInfo{SHA256: hexSHA(tt.data), Size: int64(len(tt.data)), ContentType: tt.want}
			if info != want {
				t.Fatalf("Put = %+v, want %+v", info, want)
			}

			p := filepath.Join(dir, want.SHA256[0:2], want.SHA256[2:4], want.SHA256)
			if got, err := s.Path(want.SHA256); err != nil || got != p {
				t.Errorf("Path = %q, %v; want %q", got, err, p)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("stored file: %v", err)
			}
			if perm := fi.Mode().Perm(); perm != 0o640 {
				t.Errorf("file permission %o, want 640", perm)
			}
			di, err := os.Stat(filepath.Dir(p))
			if err != nil {
				t.Fatal(err)
			}
			if perm := di.Mode().Perm(); perm&^0o750 != 0 {
				t.Errorf("directory permission %o, want at most 750", perm)
			}
			if files := storedFiles(t, dir); len(files) != 1 {
				t.Errorf("files in store = %v, want only the blob", files)
			}
			if !s.Exists(want.SHA256) {
				t.Error("Exists = false after Put")
			}

			rc, err := s.Open(t.Context(), want.SHA256)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.data) {
				t.Error("opened bytes differ from the uploaded ones")
			}
			if _, err := rc.Seek(0, io.SeekStart); err != nil {
				t.Errorf("Seek: %v", err)
			}
		})
	}
}

// The docx fixture above only tests the central-directory fallback if the sniffer alone
// would call it a plain zip.
func TestBigHeadDocxDefeatsHeadSniffing(t *testing.T) {
	if got := mimetype.Detect(bigHeadDocx(t)).String(); got != typeZip {
		t.Fatalf("head sniffing says %q; the fixture no longer reaches past the window", got)
	}
}

func TestPutRefusesUnsupportedTypes(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"random binary", randomBytes(64 << 10)},
		{"text posing as png", []byte("‰PNG\r\n\nIHDR this is a text file called photo.png\n")},
		{"plain text", []byte("整改已完成。\n")},
		{"html", []byte(`<!DOCTYPE html><html><body><script>alert(1)</script></body></html>`)},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"zip", zipBytes(t, part{name: "notes.txt", body: "hello"})},
		{"zip with word part but no content types", zipBytes(t, part{name: "word/document.xml", body: docxMain})},
		{"truncated docx", docxBytes(t)[:200]},
		{"elf", append([]byte("\x7fELF\x02\x01\x01\x00"), randomBytes(120)...)},
		{"windows exe", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), randomBytes(120)...)},
		{"m4a audio", isoBMFF("M4A ", "M4A ", "mp42")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newStore(t)
			_, err := s.Put(t.Context(), bytes.NewReader(tt.data), cap20MB)
			assertCode(t, err, domain.EUNSUPPORTED)
			if msg := domain.ErrorMessage(err); !strings.HasPrefix(msg, "不支持的文件类型：") {
				t.Errorf("message %q", msg)
			}
			assertEmpty(t, dir)
			if s.Exists(hexSHA(tt.data)) {
				t.Error("refused file is stored")
			}
		})
	}
}

// A binary that borrows an image's magic bytes is refused by the header check, not only by the sniffer.
func TestPutRefusesForgedImageHeaders(t *testing.T) {
	for name, magic := range map[string]string{
		"png":  "\x89PNG\r\n\x1a\n",
		"jpeg": "\xff\xd8\xff\xe0",
		"gif":  "GIF89a",
	} {
		t.Run(name, func(t *testing.T) {
			s, dir := newStore(t)
			data := append([]byte(magic), randomBytes(8<<10)...)
			_, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB)
			assertCode(t, err, domain.EUNSUPPORTED)
			assertEmpty(t, dir)
		})
	}
}

func TestPutTooLargeStopsReading(t *testing.T) {
	s, dir := newStore(t)
	g := &generator{head: jpegBytes(t), size: 25 << 20}
	_, err := s.Put(t.Context(), g, cap20MB)
	assertCode(t, err, domain.ETOOLARGE)
	if msg, want := domain.ErrorMessage(err), "文件超过大小上限（20 MB）。"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
	if g.produced > cap20MB+1 {
		t.Errorf("read %d bytes of a %d-byte cap", g.produced, cap20MB)
	}
	assertEmpty(t, dir)
}

func TestPutSizeBoundary(t *testing.T) {
	head := pngBytes(t)
	tests := []struct {
		name      string
		size, cap int64
		wantCode  string
	}{
		{"exactly the cap", 6000, 6000, ""},
		{"one byte over", 6001, 6000, domain.ETOOLARGE},
		{"cap inside the sniff window", 6000, 100, domain.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newStore(t)
			g := &generator{head: head, size: tt.size}
			info, err := s.Put(t.Context(), g, tt.cap)
			assertCode(t, err, tt.wantCode)
			if g.produced > tt.cap+1 {
				t.Errorf("read %d bytes with a cap of %d", g.produced, tt.cap)
			}
			if tt.wantCode != "" {
				assertEmpty(t, dir)
				return
			}
			if info.Size != tt.size || info.ContentType != "image/png" {
				t.Errorf("Put = %+v", info)
			}
		})
	}
}

func TestPutTooLargeMessageSaysTheCap(t *testing.T) {
	s, _ := newStore(t)
	_, err := s.Put(t.Context(), &generator{head: jpegBytes(t), size: 6 << 20}, 5<<20)
	if msg, want := domain.ErrorMessage(err), "文件超过大小上限（5 MB）。"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
}

func TestPutEmpty(t *testing.T) {
	s, dir := newStore(t)
	_, err := s.Put(t.Context(), bytes.NewReader(nil), cap20MB)
	assertCode(t, err, domain.EINVALID)
	assertEmpty(t, dir)
}

func TestPutDuplicateIsIdempotent(t *testing.T) {
	s, dir := newStore(t)
	data := pdfBytes()
	first, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB)
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB)
	if err != nil {
		t.Fatalf("second Put: %v", err)
	}
	if first != second {
		t.Errorf("second Put = %+v, first %+v", second, first)
	}
	files := storedFiles(t, dir)
	if len(files) != 1 || filepath.Base(files[0]) != first.SHA256 {
		t.Errorf("files in store = %v, want the one blob", files)
	}
}

// failingReader gives a valid head, then fails as a dropped connection would.
type failingReader struct {
	g    *generator
	fail int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.g.produced >= f.fail {
		return 0, io.ErrUnexpectedEOF
	}
	return f.g.Read(p)
}

func TestPutReadFailureLeavesNothing(t *testing.T) {
	s, dir := newStore(t)
	r := &failingReader{g: &generator{head: jpegBytes(t), size: 1 << 20}, fail: 100 << 10}
	_, err := s.Put(t.Context(), r, cap20MB)
	assertCode(t, err, domain.EBADREQUEST)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("cause lost: %v", err)
	}
	assertEmpty(t, dir)
}

// cancelingReader cancels the request once it has given some bytes.
type cancelingReader struct {
	g      *generator
	after  int64
	cancel context.CancelFunc
}

func (c *cancelingReader) Read(p []byte) (int, error) {
	if c.g.produced >= c.after {
		c.cancel()
	}
	return c.g.Read(p)
}

func TestPutCanceledLeavesNothing(t *testing.T) {
	s, dir := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r := &cancelingReader{g: &generator{head: jpegBytes(t), size: 1 << 20}, after: 64 << 10, cancel: cancel}
	_, err := s.Put(ctx, r, cap20MB)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want context.Canceled", err)
	}
	if r.g.produced >= r.g.size {
		t.Error("Put read the whole upload after the request was canceled")
	}
	assertEmpty(t, dir)
}

func TestBadSHAIsNotFound(t *testing.T) {
	s, dir := newStore(t)
	info, err := s.Put(t.Context(), bytes.NewReader(pngBytes(t)), cap20MB)
	if err != nil {
		t.Fatal(err)
	}
	// A file one level above the store, which a path escape would reach.
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		"",
		"../../etc/passwd",
		"../secret",
		strings.ToUpper(info.SHA256),
		info.SHA256[:63],
		info.SHA256 + "0",
		info.SHA256[:60] + "/../",
		info.SHA256[:63] + "g",
	}
	for _, sum := range bad {
		t.Run(sum, func(t *testing.T) {
			// Refused by its shape, before any path is built from it.
			if p, err := s.Path(sum); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("Path = %q, %v; want ENOTFOUND", p, err)
			}
			rc, err := s.Open(t.Context(), sum)
			if rc != nil {
				rc.Close()
			}
			assertCode(t, err, domain.ENOTFOUND)
			if msg := domain.ErrorMessage(err); msg != "文件不存在。" {
				t.Errorf("message %q", msg)
			}
			if s.Exists(sum) {
				t.Error("Exists = true")
			}
		})
	}
	unknown := strings.Repeat("0", 64) // well-formed but not stored
	_, err = s.Open(t.Context(), unknown)
	assertCode(t, err, domain.ENOTFOUND)
	if s.Exists(unknown) {
		t.Error("Exists of an unknown sha = true")
	}
	if err := s.Remove("../secret"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Remove of a bad sha: %v", err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "secret")); err != nil {
		t.Errorf("file outside the store was touched: %v", err)
	}
}

func TestRemove(t *testing.T) {
	s, _ := newStore(t)
	info, err := s.Put(t.Context(), bytes.NewReader(gifBytes(t)), cap20MB)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(info.SHA256); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if s.Exists(info.SHA256) {
		t.Error("Exists after Remove")
	}
	_, err = s.Open(t.Context(), info.SHA256)
	assertCode(t, err, domain.ENOTFOUND)
	if err := s.Remove(info.SHA256); err != nil {
		t.Errorf("second Remove: %v", err)
	}
}

func TestNewCreatesDirectories(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "evidence")
	if _, err := New(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "tmp"))
	if err != nil || !fi.IsDir() {
		t.Fatalf("tmp dir: %v", err)
	}
	if perm := fi.Mode().Perm(); perm&^0o750 != 0 {
		t.Errorf("tmp permission %o, want at most 750", perm)
	}
}

// gifBomb is a GIF of a few bytes whose screen is screenW×screenH and whose one frame, frameW×frameH,
// holds the LZW data of only 16 pixels: a decoder allocates the whole frame before reading them.
func gifBomb(t testing.TB, screenW, screenH, frameW, frameH uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("GIF89a")
	binary.Write(&b, binary.LittleEndian, [2]uint16{screenW, screenH})
	b.Write([]byte{0x80, 0, 0})             // a global colour table of 2 entries, background 0, no aspect
	b.Write([]byte{0, 0, 0, 255, 255, 255}) // black, white
	b.WriteByte(0x2C)
	binary.Write(&b, binary.LittleEndian, [4]uint16{0, 0, frameW, frameH})
	b.WriteByte(0) // no local colour table, not interlaced
	b.WriteByte(2) // LZW minimum code size
	var data bytes.Buffer
	w := lzw.NewWriter(&data, lzw.LSB, 2)
	w.Write(make([]byte, 16))
	w.Close()
	for d := data.Bytes(); len(d) > 0; d = d[min(len(d), 255):] {
		b.WriteByte(byte(min(len(d), 255)))
		b.Write(d[:min(len(d), 255)])
	}
	b.Write([]byte{0, 0x3B}) // end of the frame's data, trailer
	return b.Bytes()
}

// pngSized is a valid 1×1 PNG whose header (IHDR, with its checksum) claims w×h pixels.
func pngSized(t testing.TB, w, h uint32) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	if string(p[12:16]) != "IHDR" {
		t.Fatal("no IHDR where expected")
	}
	binary.BigEndian.PutUint32(p[16:], w)
	binary.BigEndian.PutUint32(p[20:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// jpegSized is a valid 8×8 JPEG whose frame header (SOF0) claims w×h pixels.
func jpegSized(t *testing.T, w, h uint16) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	i := bytes.Index(p, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 marker")
	}
	binary.BigEndian.PutUint16(p[i+5:], h)
	binary.BigEndian.PutUint16(p[i+7:], w)
	return p
}

// allocated is how many bytes of memory f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// An image that declares more pixels than the caps is refused from its header, before anything is
// decoded: a few bytes must not cost gigabytes of memory (issue 13).
func TestPutRefusesImageBombs(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"gif 65535×65535", gifBomb(t, 65535, 65535, 65535, 65535), domain.ETOOLARGE},
		{"gif frame larger than its screen", gifBomb(t, 16, 16, 65535, 65535), domain.EUNSUPPORTED},
		{"png 65535×65535", pngSized(t, 65535, 65535), domain.ETOOLARGE},
		{"png 1000000×1000000", pngSized(t, 1_000_000, 1_000_000), domain.ETOOLARGE},
		{"jpeg 65000×65000", jpegSized(t, 65000, 65000), domain.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, dir := newStore(t)
			var err error
			n := allocated(func() { _, err = s.Put(t.Context(), bytes.NewReader(tt.data), cap20MB) })
			if n > 64<<20 {
				t.Errorf("a %d-byte file allocated %d MB", len(tt.data), n>>20)
			}
			assertCode(t, err, tt.code)
			if tt.code == domain.ETOOLARGE && !strings.HasPrefix(domain.ErrorMessage(err), "图片尺寸过大") {
				t.Errorf("message %q", domain.ErrorMessage(err))
			}
			assertEmpty(t, dir)
		})
	}
}

// The caps: no side over 20,000 pixels, no more than 120 megapixels (a 108 MP phone photo passes).
func TestPutImageSizeCaps(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"108 MP photo", jpegSized(t, 12000, 9000), ""},
		{"120 MP, a side of 20000", pngSized(t, 20000, 6000), ""},
		{"a side of 20001", pngSized(t, 20001, 1), domain.ETOOLARGE},
		{"121 MP", pngSized(t, 11000, 11000), domain.ETOOLARGE},
		{"gif of 20000×4", gifBomb(t, 20000, 4, 4, 4), ""},
		{"gif of 1×20001", gifBomb(t, 1, 20001, 1, 16), domain.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newStore(t)
			_, err := s.Put(t.Context(), bytes.NewReader(tt.data), cap20MB)
			assertCode(t, err, tt.code)
		})
	}
	s, _ := newStore(t)
	_, err := s.Put(t.Context(), bytes.NewReader(pngSized(t, 20001, 1)), cap20MB)
	if msg, want := domain.ErrorMessage(err), "图片尺寸过大（20001×1像素）：每边不超过20000像素、总计不超过1.2亿像素。请缩小后再上传。"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}
}

// photo is a w×h picture with some texture, so that its compressed data is not trivial.
func photo(w, h int) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = uint8((i%w)/7+(i/w)/5) ^ uint8(r.IntN(4))
	}
	return img
}

// Real pictures pass the checks: a photo-sized JPEG, a large GIF whose every pixel is decoded,
// an interlaced one, and an animation whose frames have their own palettes.
func TestPutAcceptsRealImages(t *testing.T) {
	var jp, big, interlaced, anim bytes.Buffer
	if err := jpeg.Encode(&jp, photo(1600, 1200), &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&big, photo(1200, 900), nil); err != nil {
		t.Fatal(err)
	}
	// image/gif writes no interlaced GIF; flip the flag of a frame's descriptor, which only changes
	// the order of the rows.
	if err := gif.Encode(&interlaced, photo(64, 48), nil); err != nil {
		t.Fatal(err)
	}
	il := interlaced.Bytes()
	i := bytes.IndexByte(il[13+3*256:], 0x2C) + 13 + 3*256
	il[i+9] |= 0x40
	g := &gif.GIF{}
	for k := range 3 {
		f := photo(320, 240)
		f.Palette = palette.WebSafe[k*8 : k*8+64]
		for p := range f.Pix {
			f.Pix[p] %= 64
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10)
	}
	if err := gif.EncodeAll(&anim, g); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"jpeg 1600×1200": jp.Bytes(), "gif 1200×900": big.Bytes(),
		"interlaced gif": il, "animated gif": anim.Bytes()} {
		t.Run(name, func(t *testing.T) {
			if _, err := gif.Decode(bytes.NewReader(data)); strings.Contains(name, "gif") && err != nil {
				t.Fatalf("fixture: %v", err)
			}
			s, _ := newStore(t)
			info, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB)
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if !s.Exists(info.SHA256) || info.Size != int64(len(data)) {
				t.Errorf("Put = %+v", info)
			}
		})
	}
}

// A GIF whose frame data is cut short, or runs on past its pixels, is not a picture.
func TestPutRefusesBrokenGIFData(t *testing.T) {
	var b bytes.Buffer
	if err := gif.Encode(&b, photo(200, 150), nil); err != nil {
		t.Fatal(err)
	}
	whole := b.Bytes()
	// Too much data: the same frame data under a descriptor of half the height.
	half := bytes.Clone(whole)
	i := bytes.IndexByte(half[13+3*256:], 0x2C) + 13 + 3*256
	binary.LittleEndian.PutUint16(half[i+7:], 75)
	for name, data := range map[string][]byte{
		"cut in the frame data":      whole[:len(whole)/2],
		"frame data past its pixels": half,
		"no frame at all":            append(bytes.Clone(whole[:13+3*256]), 0x3B),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := gif.Decode(bytes.NewReader(data)); err == nil {
				t.Fatal("image/gif decodes the fixture")
			}
			s, dir := newStore(t)
			_, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB)
			assertCode(t, err, domain.EUNSUPPORTED)
			assertEmpty(t, dir)
		})
	}
}
