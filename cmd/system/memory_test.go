package system

import (
	"runtime/debug"
	"testing"
)

// TestLimitMemory: a serving process gets the soft memory limit, unless its operator set GOMEMLIMIT.
func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	t.Setenv("GOMEMLIMIT", "")
	LimitMemory()
	if got := debug.SetMemoryLimit(-1); got != ServerMemoryLimit {
		t.Errorf("limit %d, want %d", got, ServerMemoryLimit)
	}

	debug.SetMemoryLimit(before)
	t.Setenv("GOMEMLIMIT", "1GiB")
	LimitMemory()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("with GOMEMLIMIT set the limit became %d; the operator's %d should stay", got, before)
	}
}
