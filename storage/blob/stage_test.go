package blob

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"
)

// The staged upload of issue 13: Stage touches no stored name; Promote stores; Finish keeps what was
// committed and removes what was not, unless the blob was there before, another upload holds it, it
// was touched since, or the database refers to it.

func stageOf(t *testing.T, s *Store, data []byte) *Staged {
	t.Helper()
	st, err := s.stage(t.Context(), bytes.NewReader(data), cap20MB)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func never() (bool, error)  { return false, nil }
func always() (bool, error) { return true, nil }

func TestStageTouchesNoStoredName(t *testing.T) {
	s, dir := newStore(t)
	st := stageOf(t, s, pngBytes(t))
	if s.Exists(st.Info().SHA256) {
		t.Fatal("staging stored the blob")
	}
	if err := st.Finish(false, never); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, dir)
}

func TestFinishKeepsCommittedBlob(t *testing.T) {
	s, _ := newStore(t)
	st := stageOf(t, s, pngBytes(t))
	if err := st.Promote(); err != nil {
		t.Fatal(err)
	}
	if err := st.Finish(true, never); err != nil {
		t.Fatal(err)
	}
	if !s.Exists(st.Info().SHA256) {
		t.Fatal("a committed upload's blob is gone")
	}
	temps, _ := s.Temps(t.Context())
	if len(temps) != 0 {
		t.Errorf("%d temporary files left", len(temps))
	}
}

func TestFinishRemovesUncommittedBlob(t *testing.T) {
	s, dir := newStore(t)
	st := stageOf(t, s, pngBytes(t))
	if err := st.Promote(); err != nil {
		t.Fatal(err)
	}
	if err := st.Finish(false, never); err != nil {
		t.Fatal(err)
	}
	if s.Exists(st.Info().SHA256) {
		t.Fatal("an uncommitted upload's blob stays")
	}
	assertEmpty(t, dir)
}

func TestFinishKeepsWhatOthersHold(t *testing.T) {
	data := pngBytes(t)
	t.Run("stored before", func(t *testing.T) {
		s, _ := newStore(t)
		if _, err := s.Put(t.Context(), bytes.NewReader(data), cap20MB); err != nil {
			t.Fatal(err)
		}
		st := stageOf(t, s, data)
		if err := st.Promote(); err != nil {
			t.Fatal(err)
		}
		if err := st.Finish(false, never); err != nil || !s.Exists(st.Info().SHA256) {
			t.Fatalf("a blob stored before the upload went with its failure (%v)", err)
		}
	})
	t.Run("referenced", func(t *testing.T) {
		s, _ := newStore(t)
		st := stageOf(t, s, data)
		if err := st.Promote(); err != nil {
			t.Fatal(err)
		}
		if err := st.Finish(false, always); err != nil || !s.Exists(st.Info().SHA256) {
			t.Fatalf("a referenced blob went (%v)", err)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		s, _ := newStore(t)
		st := stageOf(t, s, data)
		if err := st.Promote(); err != nil {
			t.Fatal(err)
		}
		failing := func() (bool, error) { return false, errors.New("database down") }
		if err := st.Finish(false, failing); err == nil || !s.Exists(st.Info().SHA256) {
			t.Fatalf("a blob went when the database could not say (%v)", err)
		}
	})
	t.Run("another upload in flight", func(t *testing.T) {
		s, _ := newStore(t)
		a, b := stageOf(t, s, data), stageOf(t, s, data)
		if err := a.Promote(); err != nil {
			t.Fatal(err)
		}
		if err := b.Promote(); err != nil {
			t.Fatal(err)
		}
		if err := a.Finish(false, never); err != nil || !s.Exists(a.Info().SHA256) {
			t.Fatalf("a failed upload took the blob another upload promoted (%v)", err)
		}
		if err := b.Finish(true, never); err != nil || !s.Exists(b.Info().SHA256) {
			t.Fatalf("the committed upload lost its blob (%v)", err)
		}
	})
	t.Run("touched since (another node)", func(t *testing.T) {
		s, _ := newStore(t)
		st := stageOf(t, s, data)
		if err := st.Promote(); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Path(st.Info().SHA256)
		later := time.Now().Add(time.Second)
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
		if err := st.Finish(false, never); err != nil || !s.Exists(st.Info().SHA256) {
			t.Fatalf("a blob promoted again since went (%v)", err)
		}
	})
}

func TestPromoteTwiceRefused(t *testing.T) {
	s, _ := newStore(t)
	st := stageOf(t, s, pngBytes(t))
	if err := st.Promote(); err != nil {
		t.Fatal(err)
	}
	if err := st.Promote(); err == nil {
		t.Error("a second Promote succeeded")
	}
	_ = st.Finish(true, never)
	if err := st.Promote(); err == nil {
		t.Error("Promote after Finish succeeded")
	}
}

// TestRestoreKeepsBytesAsTheyAre: a backup's file comes back whole, judged by its hash only (it was
// judged by type when uploaded, perhaps under other limits); bytes that do not hash to the name are
// refused and leave nothing.
func TestRestoreKeepsBytesAsTheyAre(t *testing.T) {
	s, dir := newStore(t)
	data := []byte("a file type the store would not accept today")
	sum := hexSHA(data)
	if err := s.Restore(t.Context(), bytes.NewReader(data), sum); err != nil || !s.Exists(sum) {
		t.Fatalf("Restore: %v", err)
	}
	if err := s.Restore(t.Context(), bytes.NewReader(data), sum); err != nil {
		t.Fatalf("Restore of a stored file: %v", err)
	}
	other := hexSHA([]byte("other"))
	if err := s.Restore(t.Context(), bytes.NewReader(data), other); err == nil || s.Exists(other) {
		t.Fatalf("Restore under a wrong hash: %v", err)
	}
	if temps, _ := s.Temps(t.Context()); len(temps) != 0 {
		t.Errorf("%d temporary files left in %s", len(temps), dir)
	}
}
