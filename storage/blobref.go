package storage

import (
	"context"
	"fmt"

	"dudao/domain"
)

// BlobReferenced reports whether any row refers to the stored file sha.
func (db *DB) BlobReferenced(ctx context.Context, sha string) (bool, error) {
	var ids []int64
	if err := db.conn(ctx).Model(&evidenceRow{}).Where("sha256 = ?", sha).Limit(1).Pluck("id", &ids).Error; err != nil {
		return false, fmt.Errorf("storage: blob referenced: %w", err)
	}
	return len(ids) > 0, nil
}

// ReferencedBlobs is the set of every sha256 the database refers to: the evidence table, today the
// only one. The sweeper reads it after fixing its cutoff, so that a blob promoted since is spared by
// its time.
func (db *DB) ReferencedBlobs(ctx context.Context) (map[string]bool, error) {
	var shas []string
	if err := db.conn(ctx).Model(&evidenceRow{}).Distinct("sha256").Pluck("sha256", &shas).Error; err != nil {
		return nil, fmt.Errorf("storage: referenced blobs: %w", err)
	}
	out := make(map[string]bool, len(shas))
	for _, s := range shas {
		out[s] = true
	}
	return out, nil
}

var _ domain.BlobReferences = (*DB)(nil)
