// Package templates holds the HTML templates and static assets of the web UI, embedded in the binary
// so that no page needs another origin (government intranets have no internet).
package templates

import "embed"

// FS holds the page templates by area (layouts, auth, home, errors, …) and static/.
//
//go:embed layouts partials auth home errors cases admin reports accountability notifications static
//go:embed registry
//go:embed frameworks monitoring tasks
//go:embed audit
var FS embed.FS
