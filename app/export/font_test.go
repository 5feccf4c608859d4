package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The embedded font stays small enough to carry in the binary.
func TestEmbeddedFontSize(t *testing.T) {
	if n := len(embeddedFont); n == 0 || n > 5<<20 {
		t.Errorf("embedded font is %d bytes, want 1 byte to 5 MB", n)
	}
}

// Every character the project itself writes — Go string literals, templates, policies, demo data —
// has a glyph in the embedded font; a missing one would print as an empty box. When this fails after
// new text was added, rebuild the font as font/README.md says.
func TestEmbeddedFontCoversProjectText(t *testing.T) {
	have, err := cmapRunes(embeddedFont)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "教育督导意见书〔〕《》「」、。，；：？！（）—…·□　０１ＡＢ" {
		if !have[r] {
			t.Errorf("the embedded font lacks %q (U+%04X)", r, r)
		}
	}
	if n := len(have); n < 7445 { // GB2312 alone has 7,445 characters
		t.Errorf("the embedded font maps %d characters, want GB2312 and more", n)
	}

	root := filepath.Join("..", "..")
	used := map[rune][]string{} // rune → files it occurs in
	note := func(s, file string) {
		for i, r := range s {
			if _, n := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && n == 1 {
				continue // a byte escape such as "\xff", not text
			}
			if r > 0xFFFF || !unicode.IsGraphic(r) { // clean() replaces or drops these before printing
				continue
			}
			if !have[r] && len(used[r]) < 3 && !slices.Contains(used[r], file) {
				used[r] = append(used[r], file)
			}
		}
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && path != root || rel == filepath.Join("templates", "static") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"): // tests hold encodings and bad input, never printed
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, lit := range stringLiterals(src) {
				note(lit, rel)
			}
		case strings.HasPrefix(rel, "templates"+string(filepath.Separator)) && strings.HasSuffix(path, ".html"),
			strings.HasPrefix(rel, "policies"+string(filepath.Separator)) && !strings.HasSuffix(path, ".go"),
			strings.HasPrefix(rel, filepath.Join("app", "demo")+string(filepath.Separator)) && strings.HasSuffix(path, ".json"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			note(string(b), rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for r, files := range used {
		missing = append(missing, fmt.Sprintf("%q (U+%04X) in %s", r, r, strings.Join(files, ", ")))
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("the embedded font has no glyph for %s; rebuild it (app/export/font/README.md)", m)
	}
}

// stringLiterals are the values of the string and character literals of a Go source file.
func stringLiterals(src []byte) []string {
	fset := token.NewFileSet()
	var s scanner.Scanner
	s.Init(fset.AddFile("", fset.Base(), len(src)), src, nil, 0)
	var out []string
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.STRING || tok == token.CHAR {
			if v, err := strconv.Unquote(lit); err == nil {
				out = append(out, v)
			}
		}
	}
}

// The operator's --font is used when given (DUDAO_TEST_FONT names one for this test).
func TestPDFWithGivenFont(t *testing.T) {
	path := os.Getenv("DUDAO_TEST_FONT")
	if path == "" {
		t.Skip("PDF with a system font skipped: set DUDAO_TEST_FONT to a single-file TrueType font with Chinese glyphs")
	}
	font, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := AccountabilityPDF(sampleReport(), font)
	if err != nil {
		t.Fatal(err)
	}
	if flat := squeeze(pdfText(t, b)); !strings.Contains(flat, "教育督导问责情况报告") || !strings.Contains(flat, "海勃湾区第一小学") {
		t.Errorf("PDF with %s lacks its text:\n%s", path, flat)
	}
}

// cmapRunes reads the characters a TrueType font maps to a glyph other than .notdef, from its
// Windows Unicode BMP cmap (platform 3, encoding 1, format 4), the one the PDF library reads too.
func cmapRunes(font []byte) (map[rune]bool, error) {
	be := binary.BigEndian
	short := errors.New("font too short")
	if len(font) < 12 {
		return nil, short
	}
	var cmap []byte
	for i, n := 0, int(be.Uint16(font[4:])); i < n; i++ {
		rec := font[12+16*i:]
		if len(rec) < 16 {
			return nil, short
		}
		if string(rec[:4]) == "cmap" {
			off, size := int(be.Uint32(rec[8:])), int(be.Uint32(rec[12:]))
			if off+size > len(font) {
				return nil, short
			}
			cmap = font[off : off+size]
		}
	}
	if len(cmap) < 4 {
		return nil, errors.New("no cmap table")
	}
	for i, n := 0, int(be.Uint16(cmap[2:])); i < n; i++ {
		rec := cmap[4+8*i:]
		if len(rec) < 8 {
			return nil, short
		}
		sub := cmap[be.Uint32(rec[4:]):]
		if be.Uint16(rec) != 3 || be.Uint16(rec[2:]) != 1 || be.Uint16(sub) != 4 {
			continue
		}
		segs := int(be.Uint16(sub[6:])) / 2
		ends, starts, deltas, ranges := sub[14:], sub[16+2*segs:], sub[16+4*segs:], sub[16+6*segs:]
		out := map[rune]bool{}
		for s := 0; s < segs; s++ {
			start, end := int(be.Uint16(starts[2*s:])), int(be.Uint16(ends[2*s:]))
			delta, ro := int(be.Uint16(deltas[2*s:])), int(be.Uint16(ranges[2*s:]))
			for c := start; c <= end && c != 0xFFFF; c++ {
				g := (c + delta) & 0xFFFF
				if ro != 0 {
					at := 16 + 6*segs + 2*s + ro + 2*(c-start)
					if g = int(be.Uint16(sub[at:])); g != 0 {
						g = (g + delta) & 0xFFFF
					}
				}
				if g != 0 {
					out[rune(c)] = true
				}
			}
		}
		return out, nil
	}
	return nil, errors.New("no Windows Unicode BMP cmap (3, 1, format 4)")
}
