package anchor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dudao/domain"
)

func head(id int64) domain.AuditHead {
	return domain.AuditHead{ID: id, Hash: strings.Repeat(string("0123456789abcdef"[id%16]), 64)}
}

func TestAppendReadRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "anchor")
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := l.Last(ctx); err != nil || found {
		t.Fatalf("Last on an empty log: %v %v", found, err)
	}
	at := time.Date(2026, 3, 2, 1, 0, 0, 123456789, time.UTC)
	for i := int64(1); i <= 3; i++ {
		c, err := l.Append(ctx, domain.Checkpoint{Kind: domain.CheckpointHead, At: at.Add(time.Duration(i) * time.Minute), Head: head(i * 10)})
		if err != nil || c.Seq != int(i) {
			t.Fatalf("Append %d: seq %d, %v", i, c.Seq, err)
		}
	}
	// A checkpoint dated before the last one is dated like it: times never go backwards.
	c, err := l.Append(ctx, domain.Checkpoint{Kind: domain.CheckpointRestore, At: at, Head: head(20)})
	if err != nil || !c.At.Equal(at.Add(3*time.Minute).Truncate(time.Millisecond)) {
		t.Fatalf("backdated append: %+v %v", c, err)
	}
	all, err := l.Checkpoints(ctx)
	if err != nil || len(all) != 4 || all[1].Head != head(20) || all[3].Kind != domain.CheckpointRestore {
		t.Fatalf("Checkpoints = %+v, %v", all, err)
	}
	last, found, err := l.Last(ctx)
	if err != nil || !found || last != all[3] {
		t.Fatalf("Last = %+v %v %v", last, found, err)
	}
	// Reopening uses the same key; a copy of the log is read with anchor.pub alone.
	l2, err := Open(dir)
	if err != nil || l2.Fingerprint() != l.Fingerprint() {
		t.Fatalf("reopen: %v, fingerprint %s vs %s", err, l2.Fingerprint(), l.Fingerprint())
	}
	pub, err := PublicKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Read(filepath.Join(dir, logFile), pub); err != nil || len(got) != 4 {
		t.Fatalf("Read with anchor.pub: %d, %v", len(got), err)
	}
	if st, _ := os.Stat(filepath.Join(dir, keyFile)); st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
}

// TestTamperingIsFound: a changed hash, a deleted line, a line signed with another key and a cut
// line are each refused, naming the line.
func TestTamperingIsFound(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*Log, string, []string) {
		dir := filepath.Join(t.TempDir(), "anchor")
		l, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := int64(1); i <= 3; i++ {
			if _, err := l.Append(ctx, domain.Checkpoint{Kind: domain.CheckpointHead, At: time.Now(), Head: head(i)}); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, logFile)
		b, _ := os.ReadFile(p)
		return l, p, strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	write := func(t *testing.T, p string, lines []string) {
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, change := range map[string]func(l *Log, lines []string) []string{
		"hash changed": func(_ *Log, ls []string) []string {
			ls[1] = strings.Replace(ls[1], "hash=2222", "hash=3333", 1)
			return ls
		},
		"line deleted": func(_ *Log, ls []string) []string { return append(ls[:1], ls[2:]...) },
		"other key": func(_ *Log, ls []string) []string {
			other, _ := Open(filepath.Join(t.TempDir(), "other"))
			ls[2] = other.Line(domain.Checkpoint{Seq: 3, Kind: domain.CheckpointHead, At: time.Now().UTC(), Head: head(9)})
			return ls
		},
		"line cut": func(_ *Log, ls []string) []string {
			ls[2] = ls[2][:len(ls[2])/2]
			return ls
		},
	} {
		t.Run(name, func(t *testing.T) {
			l, p, lines := setup(t)
			write(t, p, change(l, lines))
			_, err := l.Checkpoints(ctx)
			if domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(domain.ErrorMessage(err), "行") {
				t.Fatalf("Checkpoints after %s: %v", name, err)
			}
		})
	}
}

// TestConcurrentAppends: two processes' worth of Logs on one folder never give two lines one number.
func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "anchor")
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := a
			if i%2 == 1 {
				l = b
			}
			if _, err := l.Append(ctx, domain.Checkpoint{Kind: domain.CheckpointHead, At: time.Now(), Head: head(int64(i))}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	all, err := a.Checkpoints(ctx)
	if err != nil || len(all) != 40 {
		t.Fatalf("%d checkpoints, %v; want 40 numbered 1..40", len(all), err)
	}
}
