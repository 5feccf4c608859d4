package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// What a crash leaves behind (issue 13): a temporary file of an upload that never finished, and a
// stored blob whose database row was rolled back. A sweeper lists both and removes the old ones; the
// store itself cannot tell which blobs the database references, so the caller says.

// File is a file in the store: a blob (Name is its sha256) or a temporary file (Name is its base name).
type File struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// Blobs lists the stored blobs. Files that are not named by their sha256 in the right place are not
// blobs of this store and are left out.
func (s *Store) Blobs(ctx context.Context) ([]File, error) {
	var out []File
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p == s.tmp {
				return filepath.SkipDir
			}
			return nil
		}
		sum := d.Name()
		if !d.Type().IsRegular() || !validSHA256(sum) || p != filepath.Join(s.dir, sum[0:2], sum[2:4], sum) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) { // removed meanwhile
			return nil
		}
		if err != nil {
			return err
		}
		out = append(out, File{Name: sum, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("blob: list blobs: %w", err)
	}
	return out, nil
}

// Temps lists the temporary files: uploads in progress, or left by a crash.
func (s *Store) Temps(ctx context.Context) ([]File, error) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return nil, fmt.Errorf("blob: list temporary files: %w", err)
	}
	var out []File
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) { // the upload finished meanwhile
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("blob: list temporary files: %w", err)
		}
		out = append(out, File{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	return out, nil
}

// SweepTemps removes the temporary files last written before before and returns them. An upload in
// progress writes its file continuously, so a before well in the past (an hour, say) never takes one.
func (s *Store) SweepTemps(ctx context.Context, before time.Time) ([]File, error) {
	temps, err := s.Temps(ctx)
	if err != nil {
		return nil, err
	}
	var removed []File
	for _, f := range temps {
		if !f.ModTime.Before(before) {
			continue
		}
		if err := os.Remove(filepath.Join(s.tmp, f.Name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("blob: remove temporary file %s: %w", f.Name, err)
		}
		removed = append(removed, f)
	}
	return removed, nil
}

// Orphans lists the stored blobs that referenced does not hold and that were stored (or uploaded
// again) before before. referenced must be the set of every sha256 the database refers to, read
// after before: a blob stored since may belong to a transaction that has not committed yet.
func (s *Store) Orphans(ctx context.Context, referenced map[string]bool, before time.Time) ([]File, error) {
	if referenced == nil {
		return nil, errors.New("blob: orphans: no set of referenced blobs")
	}
	blobs, err := s.Blobs(ctx)
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range blobs {
		if !referenced[f.Name] && f.ModTime.Before(before) {
			out = append(out, f)
		}
	}
	return out, nil
}

// RemoveOrphans removes what Orphans lists and returns it. Each blob's time is looked at again just
// before it goes, so one uploaded again meanwhile (Put renews the time of a blob it finds stored) stays.
func (s *Store) RemoveOrphans(ctx context.Context, referenced map[string]bool, before time.Time) ([]File, error) {
	orphans, err := s.Orphans(ctx, referenced, before)
	if err != nil {
		return nil, err
	}
	var removed []File
	for _, f := range orphans {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		p, _ := s.Path(f.Name) // a name Blobs listed is a valid sha256
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("blob: remove orphan %s: %w", f.Name, err)
		}
		if !fi.ModTime().Before(before) {
			continue
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("blob: remove orphan %s: %w", f.Name, err)
		}
		removed = append(removed, f)
	}
	return removed, nil
}
