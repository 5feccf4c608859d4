package export

import (
	_ "embed"
)

// embeddedFont is Noto Sans SC Regular (SIL Open Font License 1.1) cut down to GB2312, ASCII, CJK and
// full-width punctuation and every character of the project's own text, so that PDFs need no font on
// the server. font/README.md says how it was made and how to make it again.
//
//go:embed font/NotoSansSC-Regular-subset.ttf
var embeddedFont []byte

// fontOrEmbedded is the font a document is printed with: the one given (the operator's --font), or the
// embedded one when none is given (nil).
func fontOrEmbedded(font []byte) []byte {
	if font == nil {
		return embeddedFont
	}
	return font
}
