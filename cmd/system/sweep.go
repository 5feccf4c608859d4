package system

import (
	"context"
	"time"
)

// SweepReport says what a sweep of the evidence store removed.
type SweepReport struct {
	Temps, Orphans int   // files removed
	Bytes          int64 // their size
}

// SweepEvidence removes what crashes left in the evidence store (issue 13): temporary files of
// uploads that never finished, and blobs no row refers to (promoted by a transaction that never
// committed), both only when last written more than grace ago. An upload in flight writes its
// temporary file continuously and renews its blob's time when it promotes it, so a grace longer than
// an upload and its transaction take (serve uses an hour) never takes one, on this node or on another
// sharing the folder. Blob times are the file system's, so the wall clock is used, not the app's.
func (s *System) SweepEvidence(ctx context.Context, grace time.Duration) (SweepReport, error) {
	var rep SweepReport
	before := time.Now().Add(-grace)
	temps, err := s.Blobs.SweepTemps(ctx, before)
	for _, f := range temps {
		rep.Temps++
		rep.Bytes += f.Size
	}
	if err != nil {
		return rep, err
	}
	// Read after before was fixed: a blob promoted since has a later time and is spared.
	refs, err := s.DB.ReferencedBlobs(ctx)
	if err != nil {
		return rep, err
	}
	orphans, err := s.Blobs.RemoveOrphans(ctx, refs, before)
	for _, f := range orphans {
		rep.Orphans++
		rep.Bytes += f.Size
	}
	return rep, err
}
