package domain

import "context"

// BlobReferences tells which stored files the database refers to (issue 13): whether a file promoted
// by an upload whose transaction failed may go, and which blobs the sweeper may remove. A table that
// comes to hold sha256 references to the evidence store must be read here too.
type BlobReferences interface {
	BlobReferenced(ctx context.Context, sha256 string) (bool, error)
	ReferencedBlobs(ctx context.Context) (map[string]bool, error)
}
