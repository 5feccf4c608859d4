package storage

import "testing"

// TestMigrationsAreComplete keeps the list honest: versions run 1, 2, 3… in list order without gaps
// (a merge renumbers a branch's step rather than leave a hole), and no step is empty (an empty step
// would be recorded as applied and its schema never created).
func TestMigrationsAreComplete(t *testing.T) {
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("migration %d has version %d, want %d", i, m.version, i+1)
		}
		if len(splitSQL(m.sql)) == 0 {
			t.Errorf("migration %03d %q has no SQL", m.version, m.name)
		}
	}
}
