package domain

import "fmt"

// DrawnMessage tells the inspectors a completed draw sent to a target that they are its team, and
// which planned case is theirs (R64: 随机选派检查人员).
func DrawnMessage(d *Draw, a DrawAssignment, caseID int64) Message {
	id := caseID
	return Message{Kind: NotifyDrawn, Title: "您被随机抽取为督导组成员",
		Body: fmt.Sprintf("%s（随机抽取#%d）已完成：您被抽取为%s的督导组成员，案件已列入计划，请做好督导准备。", d.Title, d.ID, a.Target.Name),
		Link: fmt.Sprintf("/cases/%d", caseID), CaseID: &id, Key: fmt.Sprintf("draw:%d:%d", d.ID, a.Target.OrgID)}
}
