package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// AuditEvent is one link of the append-only, hash-chained audit log (SPEC §2.2):
// who did what to which object, when, with digests of the object before and after.
type AuditEvent struct {
	ID         int64
	At         time.Time
	ActorID    int64 // 0 for the system (scheduler, command line)
	ActorName  string
	Action     string
	ObjectType string
	ObjectID   int64
	ObjectPath Jurisdiction // the jurisdiction the object lies in, for scoped reads
	Before     string       // sha256 of the object's canonical JSON before, "" when created
	After      string       // sha256 after, "" when deleted
	Detail     string       // a short human-readable note (comment, reason)
	RequestID  string
	PrevHash   string
	Hash       string
}

// Canonical is the event's fixed serialisation that the hash covers: every field but ID and Hash,
// in a fixed order, times in UTC with nanoseconds.
func (e AuditEvent) Canonical() string {
	var b strings.Builder
	for _, s := range []string{
		e.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(e.ActorID, 10),
		e.ActorName,
		e.Action,
		e.ObjectType,
		strconv.FormatInt(e.ObjectID, 10),
		string(e.ObjectPath),
		e.Before,
		e.After,
		e.Detail,
		e.RequestID,
	} {
		b.WriteString(strconv.Quote(s))
		b.WriteByte('\n')
	}
	return b.String()
}

// ComputeHash returns sha256(prev_hash ‖ canonical event) in hex.
func (e AuditEvent) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte(e.Canonical()))
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets PrevHash and Hash, chaining e after prev.
func (e *AuditEvent) Seal(prevHash string) {
	e.PrevHash = prevHash
	e.Hash = e.ComputeHash()
}

// Digest is the sha256 of v's JSON, for the Before/After fields.
func Digest(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// AuditFilter selects events for reading.
type AuditFilter struct {
	Scopes     []Jurisdiction // nil means everything (callers must pass the actor's scopes)
	ObjectType string
	ObjectID   int64
	Page       int
	PerPage    int
	// The audit page's filters (AuditLog.Page): events at or after From and before To (zero: open),
	// by the actor named ActorName, older than Before (keyset: 0 is the newest).
	From, To  time.Time
	ActorName string
	Before    int64
}

// AuditObjectTypes name the kinds of object the audit log records, for the audit page's filter.
var AuditObjectTypes = []struct{ Type, Label string }{
	{"case", "督导案件"}, {"accountability", "问责"}, {"incentive", "激励"}, {"review_request", "复查复核申请"},
	{"inspector", "督学"}, {"assignment", "责任督学挂牌"}, {"plan", "督导计划"}, {"draw", "双随机抽取"},
	{"framework", "评估指标体系"}, {"observation", "监测数据"}, {"monitoring", "评估监测"}, {"task", "督办事项"},
	{"user", "用户"}, {"org", "机构"},
}

// AuditObjectLabel names an object type in Chinese (the type itself when unknown).
func AuditObjectLabel(t string) string {
	for _, o := range AuditObjectTypes {
		if o.Type == t {
			return o.Label
		}
	}
	return t
}

// AuditActionLabel says an audit event's action in Chinese: the label of the step it records (each
// kind of record names its steps' labels), or the account events'; an unknown one as recorded.
func AuditActionLabel(action string) string {
	op := Op(action)
	for _, a := range Actions {
		if a.Op() == op {
			return a.Label()
		}
	}
	for _, m := range []map[Op]Permission{accPermissions, incPermissions, asgPermissions, proposalPermissions, caseEdits,
		drawPermissions, frameworkPermissions, obsPermissions, inspPermissions, planPermissions, taskPermissions} {
		if p, ok := m[op]; ok && p.Label != "" {
			return p.Label
		}
	}
	if l, ok := accountActions[action]; ok {
		return l
	}
	return action
}

var accountActions = map[string]string{
	"auth.login": "登录", "auth.logout": "退出登录", "user.disable": "停用用户", "user.enable": "启用用户",
	"user.passwd": "修改密码", "user.grant": "授权", "user.revoke": "撤销授权", "user.email": "设置邮箱",
	"org.create": "新建机构", "scheduler.remind": "系统提醒",
}
