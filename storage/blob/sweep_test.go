package blob

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// putAged stores data and dates its blob age ago.
func putAged(t *testing.T, s *Store, data []byte, age time.Duration) string {
	t.Helper()
	info, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := s.Path(info.SHA256)
	old := time.Now().Add(-age)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	return info.SHA256
}

// tempAged writes a temporary file as an upload would, dated age ago.
func tempAged(t *testing.T, s *Store, name string, age time.Duration) {
	t.Helper()
	p := filepath.Join(s.tmp, name)
	if err := os.WriteFile(p, []byte("partial upload"), 0o640); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-age)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
}

func names(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func TestBlobsAndTempsListWhatIsThere(t *testing.T) {
	s, dir := newStore(t)
	a := putAged(t, s, pngBytes(t), 0)
	b := putAged(t, s, pdfBytes(), 0)
	tempAged(t, s, "put-123", 0)
	// Not blobs: a stray file at the top, a badly named one in a fan-out folder, a blob-named one
	// in the wrong folder.
	for _, p := range []string{filepath.Join(dir, "README"), filepath.Join(dir, a[0:2], a[2:4], "notes.txt"),
		filepath.Join(dir, a[0:2], b)} {
		if err := os.WriteFile(p, []byte("x"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	blobs, err := s.Blobs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(blobs), sorted(a, b); !slices.Equal(got, want) {
		t.Errorf("Blobs = %v, want %v", got, want)
	}
	for _, f := range blobs {
		if f.Name == b && f.Size != int64(len(pdfBytes())) {
			t.Errorf("size of %s = %d", b, f.Size)
		}
	}
	temps, err := s.Temps(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := names(temps); !slices.Equal(got, []string{"put-123"}) {
		t.Errorf("Temps = %v", got)
	}
}

// A temporary file a crash left is removed once old; one an upload is still writing stays.
func TestSweepTempsRemovesOnlyOldOnes(t *testing.T) {
	s, _ := newStore(t)
	tempAged(t, s, "put-crashed", 3*time.Hour)
	tempAged(t, s, "put-writing", time.Second)
	removed, err := s.SweepTemps(t.Context(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(removed); !slices.Equal(got, []string{"put-crashed"}) {
		t.Errorf("removed %v, want the crashed upload only", got)
	}
	temps, _ := s.Temps(t.Context())
	if got := names(temps); !slices.Equal(got, []string{"put-writing"}) {
		t.Errorf("left %v, want the upload in progress", got)
	}
}

// A blob no record refers to is removed once old; a referenced one, and a recent one whose record
// may not be committed yet, stay.
func TestRemoveOrphans(t *testing.T) {
	s, _ := newStore(t)
	kept := putAged(t, s, pngBytes(t), 48*time.Hour)
	orphan := putAged(t, s, pdfBytes(), 48*time.Hour)
	recent := putAged(t, s, gifBytes(t), time.Minute)
	before := time.Now().Add(-24 * time.Hour)
	referenced := map[string]bool{kept: true}

	orphans, err := s.Orphans(t.Context(), referenced, before)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(orphans); !slices.Equal(got, []string{orphan}) {
		t.Errorf("Orphans = %v, want %v", got, orphan)
	}
	if !s.Exists(orphan) {
		t.Fatal("Orphans removed something")
	}
	removed, err := s.RemoveOrphans(t.Context(), referenced, before)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(removed); !slices.Equal(got, []string{orphan}) {
		t.Errorf("RemoveOrphans = %v, want %v", got, orphan)
	}
	if s.Exists(orphan) || !s.Exists(kept) || !s.Exists(recent) {
		t.Errorf("after the sweep: orphan %t, referenced %t, recent %t; want false, true, true",
			s.Exists(orphan), s.Exists(kept), s.Exists(recent))
	}
}

// A caller that failed to read its references must not empty the store.
func TestRemoveOrphansWithoutReferencesRemovesNothing(t *testing.T) {
	s, _ := newStore(t)
	sum := putAged(t, s, pngBytes(t), 48*time.Hour)
	if _, err := s.RemoveOrphans(t.Context(), nil, time.Now()); err == nil {
		t.Error("RemoveOrphans with no set of references succeeded")
	}
	if !s.Exists(sum) {
		t.Error("the blob was removed")
	}
}

// Uploading an old orphan's bytes again (a user attaching the same photo) makes it recent, so the
// sweep spares it while the new record is being written.
func TestPutAgainRenewsAnOrphan(t *testing.T) {
	s, _ := newStore(t)
	sum := putAged(t, s, pngBytes(t), 48*time.Hour)
	if _, err := s.Put(t.Context(), bytes.NewReader(pngBytes(t)), cap20MB); err != nil {
		t.Fatal(err)
	}
	removed, err := s.RemoveOrphans(t.Context(), map[string]bool{}, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 0 || !s.Exists(sum) {
		t.Errorf("the blob uploaded again was swept: %v", names(removed))
	}
}
