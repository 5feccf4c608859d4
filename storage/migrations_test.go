package storage

import "testing"

// TestMigrationsAreComplete keeps the list honest: versions are unique and rise along the list, and no
// step is empty (an empty step would be recorded as applied and its schema never created). Versions are
// handed out per feature, so a branch may hold 9 before 7 and 8 are merged: a gap is allowed.
func TestMigrationsAreComplete(t *testing.T) {
	for i, m := range migrations {
		if m.version < 1 || i > 0 && m.version <= migrations[i-1].version {
			t.Errorf("migration %d has version %d, want more than the one before it", i, m.version)
		}
		if len(splitSQL(m.sql)) == 0 {
			t.Errorf("migration %03d %q has no SQL", m.version, m.name)
		}
	}
}
