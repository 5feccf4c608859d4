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
}
