package storage

import "testing"

// TestMigrationsAreComplete keeps the list honest: versions start at 1 and rise in list order (a
// feature branch carries the number it was given, so it may skip a number another branch holds until
// both are merged; what matters is that they apply in order and LatestVersion is the last), and no step
// is empty (an empty step would be recorded as applied and its schema never created).
func TestMigrationsAreComplete(t *testing.T) {
	for i, m := range migrations {
		if i == 0 && m.version != 1 {
			t.Errorf("the first migration has version %d, want 1", m.version)
		}
		if i > 0 && m.version <= migrations[i-1].version {
			t.Errorf("migration %d has version %d, not above the one before it (%d)", i, m.version, migrations[i-1].version)
		}
		if len(splitSQL(m.sql)) == 0 {
			t.Errorf("migration %03d %q has no SQL", m.version, m.name)
		}
	}
}
