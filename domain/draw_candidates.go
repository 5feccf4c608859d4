package domain

// DrawTargetFits says whether an org of kind k may be a candidate target of a draw creating cases of
// type t: what NewDraw accepts and NewCase will open. The app filters the 检查对象名录库 with it.
func DrawTargetFits(t CaseType, k OrgKind) bool { return t.Valid() && drawTargetFits(t, k) }
