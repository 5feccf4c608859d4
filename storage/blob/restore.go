package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Restore stores the bytes of r under sum as they are, for dudao restore: the file was judged when it
// was uploaded, perhaps under other limits, and a backup must come back whole. The bytes must hash to
// sum (EINVALID otherwise, nothing stored); a file already stored is left as it is.
func (s *Store) Restore(ctx context.Context, r io.Reader, sum string) error {
	if _, err := s.Path(sum); err != nil {
		return err
	}
	if s.Exists(sum) {
		_, err := io.Copy(io.Discard, r)
		return err
	}
	tmp, err := os.CreateTemp(s.tmp, "restore-*")
	if err != nil {
		return fmt.Errorf("blob: create temp: %w", err)
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), &source{ctx: ctx, r: r}); err != nil {
		return fmt.Errorf("blob: restore %s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("blob: restore %s: the bytes hash to %s", sum, got)
	}
	if err := tmp.Chmod(filePerm); err != nil {
		return fmt.Errorf("blob: chmod temp: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("blob: sync temp: %w", err)
	}
	dir, err := s.mkdirs(sum[0:2], sum[2:4])
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, sum)); err != nil {
		return fmt.Errorf("blob: store %s: %w", sum, err)
	}
	return syncDir(dir)
}
