package domain

import (
	"context"
	"time"
)

// Anchoring the audit chain (SPEC §2.2, issue 13). The hash chain shows that no event was altered or
// removed in the middle, but nothing in the database can show that the newest events were not cut
// off. A checkpoint is the head of the chain (the last event's id and hash) signed by the server and
// kept apart from the database; verifying the chain against the checkpoints finds events deleted
// from the end, and a chain rebuilt with new hashes. A restore from a backup is recorded as such, so
// that the checkpoints taken after the backup (whose events the restore took back) are not mistaken
// for a deletion, yet stay on record.

// AuditHead is the newest event of the chain: its id and hash (0 and "" for an empty chain).
type AuditHead struct {
	ID   int64
	Hash string
}

// Checkpoint kinds.
const (
	CheckpointHead    = "checkpoint" // the head at a moment
	CheckpointRestore = "restore"    // the head of a database just restored from a backup
)

// Checkpoint is one signed line of the anchor log.
type Checkpoint struct {
	Seq  int // 1, 2, 3 … in the log
	Kind string
	At   time.Time
	Head AuditHead
}

// AuditAnchor keeps checkpoints apart from the database, each signed when appended and checked when read.
type AuditAnchor interface {
	// Append signs c (its Seq is assigned) and writes it durably.
	Append(ctx context.Context, c Checkpoint) (Checkpoint, error)
	// Checkpoints reads every checkpoint, oldest first; a line whose signature does not verify is an error.
	Checkpoints(ctx context.Context) ([]Checkpoint, error)
	// Last is the newest checkpoint (found is false when there is none), without reading the rest.
	Last(ctx context.Context) (c Checkpoint, found bool, err error)
}

// AuditHeads reads what checkpoints are compared with.
type AuditHeads interface {
	Head(ctx context.Context) (AuditHead, error)
	// EventHash is the stored hash of event id; found is false when there is no such event.
	EventHash(ctx context.Context, id int64) (hash string, found bool, err error)
}
