package domain

import "strings"

// DrawTargetFits says whether an org of kind k may be a candidate target of a draw creating cases of
// type t: what NewDraw accepts and NewCase will open. The app filters the 检查对象名录库 with it.
func DrawTargetFits(t CaseType, k OrgKind) bool { return t.Valid() && drawTargetFits(t, k) }

// DrawTargetCode is the key of a target at path in a draw run by the office at owner (docs/draw.md
// §4.1): the path below the owner's without its final "/", "" when path is not strictly below it.
func DrawTargetCode(owner, path Jurisdiction) string {
	rest, ok := strings.CutPrefix(string(path), string(owner))
	if !ok || rest == "" {
		return ""
	}
	return strings.TrimSuffix(rest, "/")
}
