//go:build !unix

package anchor

import "os"

// lockFile does nothing where there is no flock: one process appends at a time there.
func lockFile(*os.File) error { return nil }
