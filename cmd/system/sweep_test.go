package system_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dudao/cmd/system/systemtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	systemtest.Cleanup()
	os.Exit(code)
}

// TestSweepEvidence: the sweeper removes old temporary files and old blobs no row names, and spares
// young ones (an upload may be in flight) and every blob a row names, however old.
func TestSweepEvidence(t *testing.T) {
	systemtest.Engines(t, systemtest.Options{Demo: true}, func(t *testing.T, e *systemtest.Env) {
		ctx := context.Background()
		old := time.Now().Add(-2 * time.Hour)
		age := func(p string) {
			t.Helper()
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		recorded := map[string]bool{}
		rows, err := e.Raw.Query("SELECT DISTINCT sha256 FROM evidence")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			recorded[s] = true
			p, _ := e.Sys.Blobs.Path(s)
			age(p)
		}
		rows.Close()
		if len(recorded) == 0 {
			t.Fatal("the demo holds no evidence")
		}
		put := func(seed byte) string {
			t.Helper()
			img := image.NewGray(image.Rect(0, 0, 2, 2))
			img.Pix[0] = seed
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				t.Fatal(err)
			}
			info, err := e.Sys.Blobs.Put(ctx, &b, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			return info.SHA256
		}
		oldOrphan, youngOrphan := put(1), put(2)
		p, _ := e.Sys.Blobs.Path(oldOrphan)
		age(p)
		oldTemp := filepath.Join(e.EvidenceDir, "tmp", "put-crashed")
		youngTemp := filepath.Join(e.EvidenceDir, "tmp", "put-in-flight")
		for _, f := range []string{oldTemp, youngTemp} {
			if err := os.WriteFile(f, []byte("partial"), 0o640); err != nil {
				t.Fatal(err)
			}
		}
		age(oldTemp)

		rep, err := e.Sys.SweepEvidence(ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Temps != 1 || rep.Orphans != 1 {
			t.Errorf("swept %+v, want one temporary file and one orphan", rep)
		}
		if e.Sys.Blobs.Exists(oldOrphan) || !e.Sys.Blobs.Exists(youngOrphan) {
			t.Error("the sweep took the young orphan or left the old one")
		}
		for s := range recorded {
			if !e.Sys.Blobs.Exists(s) {
				t.Errorf("the sweep took recorded blob %s", s)
			}
		}
		if _, err := os.Stat(oldTemp); !errors.Is(err, fs.ErrNotExist) {
			t.Error("the old temporary file stays")
		}
		if _, err := os.Stat(youngTemp); err != nil {
			t.Error("the sweep took a temporary file in flight")
		}
	})
}
