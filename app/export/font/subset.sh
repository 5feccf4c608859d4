#!/usr/bin/env bash
# Rebuilds the embedded PDF font: chars.txt (the characters it must cover) and
# NotoSansSC-Regular-subset.ttf (Noto Sans SC Regular cut down to them). See README.md.
#
#   app/export/font/subset.sh path/to/NotoSansSC_400Regular.ttf
#
# Needs python3 with fontTools (Debian: python3-fonttools, which brings pyftsubset) and git.
set -euo pipefail
src=${1:?usage: subset.sh NotoSansSC_400Regular.ttf}
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)

# The character list: all of GB2312 (its 6,763 hanzi and its 682 symbols: punctuation, full-width
# forms, numerals, Greek, Cyrillic, kana, box drawing), printable ASCII and Latin-1, general
# punctuation, enclosed numerals, CJK symbols and punctuation, full-width forms, and every
# non-ASCII character in the project's Go files, templates, policies, calendars and demo data.
# Only characters the source font draws are listed, so the subset covers the whole list. Sorted by
# code point, 64 to a line, so that a change shows as a readable diff.
(cd "$root" && git ls-files -z -- '*.go' 'templates/*.html' 'policies/*' 'app/demo/*.json' \
  | xargs -0 cat) | python3 -c '
import sys, unicodedata
from fontTools.ttLib import TTFont
chars = set()
for row in range(0xA1, 0xF8):
    for col in range(0xA1, 0xFF):
        try:
            chars.update(bytes([row, col]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for lo, hi in [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x203B), (0x2460, 0x24FF),
               (0x3000, 0x303F), (0xFF01, 0xFF5E), (0xFFE0, 0xFFE6)]:
    chars.update(map(chr, range(lo, hi + 1)))
project = sys.stdin.buffer.read().decode("utf-8")
chars.update(c for c in project if 0x80 <= ord(c) <= 0xFFFF)
have = TTFont(sys.argv[1]).getBestCmap()
printable = lambda c: c.isprintable() or unicodedata.category(c) == "Zs"  # keeps U+3000
chars = sorted(c for c in chars if printable(c) and ord(c) in have)
for i in range(0, len(chars), 64):
    print("".join(chars[i:i + 64]))
' "$src" >"$here/chars.txt"

# Keep the outlines (glyf), horizontal metrics and the Unicode cmap; drop OpenType layout, vertical
# metrics, hinting and glyph names, which a PDF written left to right with fpdf does not use. Keep
# the name records that carry the copyright and the licence (OFL 1.1 asks for them).
python3 -m fontTools.subset "$src" \
  --text-file="$here/chars.txt" \
  --output-file="$here/NotoSansSC-Regular-subset.ttf" \
  --layout-features='' \
  --drop-tables+=BASE,GDEF,GSUB,GPOS,STAT,vhea,vmtx,gasp \
  --no-hinting \
  --no-glyph-names \
  --notdef-outline \
  --name-IDs=0,1,2,3,4,5,6,7,8,9,11,13,14 \
  --name-languages=0x409
ls -l "$here/NotoSansSC-Regular-subset.ttf"
