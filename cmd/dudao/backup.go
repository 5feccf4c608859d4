package main

// dudao backup FILE and dudao restore FILE (issue 13): a consistent online copy of the built-in SQLite
// database with the evidence files it names, in one tar file, and its restore into an empty data
// folder, after which the audit chain is verified and the restore recorded in the anchor log.

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"dudao/domain"
	"dudao/storage"
	"dudao/storage/blob"
)

const backupFormat = "dudao-backup v1"

// backupManifest describes a backup; it is the archive's first entry.
type backupManifest struct {
	Format        string           `json:"format"`
	CreatedAt     time.Time        `json:"created_at"`
	SchemaVersion int              `json:"schema_version"`
	AuditHead     domain.AuditHead `json:"audit_head"`
	Evidence      int              `json:"evidence_files"`
	EvidenceBytes int64            `json:"evidence_bytes"`
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := parse("backup", args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return domain.Errorf(domain.EINVALID, "用法: dudao backup 文件名.tar")
	}
	out := fs.Arg(0)
	if _, err := os.Stat(out); err == nil {
		return domain.Errorf(domain.EINVALID, "%s 已存在，请换一个文件名。", out)
	}
	e, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	work, err := os.MkdirTemp(filepath.Dir(out), ".dudao-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(work)

	// The snapshot first: the evidence it names was stored before its rows committed and is never
	// removed while a row names it, so copying the files afterwards gives a consistent pair.
	snap := filepath.Join(work, "dudao.db")
	if err := e.db.Snapshot(ctx, snap); err != nil {
		return err
	}
	sdb, err := storage.Open(snap)
	if err != nil {
		return err
	}
	m := backupManifest{Format: backupFormat, CreatedAt: time.Now().UTC()}
	refs, err := sdb.ReferencedBlobs(ctx)
	if err == nil {
		m.AuditHead, err = sdb.Head(ctx)
	}
	if err == nil {
		m.SchemaVersion, err = sdb.SchemaVersion(ctx)
	}
	if cerr := sdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} { // opening the snapshot may leave these; it is closed now
		_ = os.Remove(snap + suffix)
	}

	partial := out + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(partial)
		}
	}()
	tw := tar.NewWriter(f)
	shas := make([]string, 0, len(refs))
	for s := range refs {
		shas = append(shas, s)
	}
	for _, s := range shas {
		p, err := e.sys.Blobs.Path(s)
		if err != nil {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("backup: evidence file %s named by the database is missing: %w", s, err)
		}
		m.Evidence++
		m.EvidenceBytes += st.Size()
	}
	mj, _ := json.MarshalIndent(m, "", "  ")
	if err := tarBytes(tw, "MANIFEST.json", mj); err != nil {
		return err
	}
	if err := tarFile(tw, "dudao.db", snap, ""); err != nil {
		return err
	}
	for _, s := range shas {
		p, _ := e.sys.Blobs.Path(s)
		if err := tarFile(tw, path.Join("evidence", s[0:2], s[2:4], s), p, s); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(partial, out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ok = true
	fmt.Fprintf(stdout, "已备份到 %s：数据库结构版本 %d，审计日志最新事件 #%d，佐证材料 %d 个（%d 字节）。\n",
		out, m.SchemaVersion, m.AuditHead.ID, m.Evidence, m.EvidenceBytes)
	return nil
}

func tarBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err := tw.Write(b)
	return err
}

// tarFile adds the file at p as name; when sum is set, the bytes must hash to it.
func tarFile(tw *tar.Writer, name, p, sum string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tw, h), f); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	if sum != "" && hex.EncodeToString(h.Sum(nil)) != sum {
		return fmt.Errorf("backup: evidence file %s does not hash to its name", sum)
	}
	return nil
}

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var force bool
	cfg, fset, err := parse("restore", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "replace an existing database (it is kept beside as dudao.db.before-restore-TIME)")
	})
	if err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return domain.Errorf(domain.EINVALID, "用法: dudao restore [--force] 备份文件.tar（先停止服务）")
	}
	if strings.HasPrefix(cfg.dbDSN(), "postgres://") || strings.HasPrefix(cfg.dbDSN(), "postgresql://") {
		return domain.Errorf(domain.EINVALID, "dudao restore 只恢复内置的 SQLite 数据库；PostgreSQL 请用 pg_restore（见 docs/operations.md）。")
	}
	in, err := os.Open(fset.Arg(0))
	if err != nil {
		return domain.Errorf(domain.EINVALID, "无法打开备份文件：%v", err)
	}
	defer in.Close()
	dbPath := cfg.dbDSN()
	if st, err := os.Stat(dbPath); err == nil && st.Size() > 0 {
		if !force {
			return domain.Errorf(domain.EINVALID, "%s 已有数据库。恢复会替换它：请先停止服务，确认后加 --force（原库改名保留）。", dbPath)
		}
		aside := dbPath + ".before-restore-" + time.Now().Format("20060102-150405")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dbPath+suffix, aside+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("restore: keep the old database: %w", err)
			}
		}
		fmt.Fprintf(stdout, "原数据库已改名为 %s。\n", aside)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	store, err := blob.New(filepath.Join(cfg.DataDir, "evidence"))
	if err != nil {
		return err
	}
	var m backupManifest
	files := 0
	tr := tar.NewReader(in)
	tmpDB := dbPath + ".restoring"
	defer os.Remove(tmpDB)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return domain.Errorf(domain.EINVALID, "备份文件已损坏：%v", err)
		}
		switch name := h.Name; {
		case name == "MANIFEST.json":
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil || m.Format != backupFormat {
				return domain.Errorf(domain.EINVALID, "不是 dudao 的备份文件（MANIFEST 无效）。")
			}
		case name == "dudao.db":
			if err := writeFileFrom(tmpDB, tr); err != nil {
				return err
			}
		case strings.HasPrefix(name, "evidence/"):
			sum := path.Base(name)
			if name != path.Join("evidence", sum[:min(2, len(sum))], sum[min(2, len(sum)):min(4, len(sum))], sum) {
				return domain.Errorf(domain.EINVALID, "备份文件中有无效的条目 %q。", name)
			}
			if err := store.Restore(ctx, tr, sum); err != nil {
				return domain.Errorf(domain.EINVALID, "备份中的佐证材料 %s 无法恢复（%v）：备份文件已损坏或被改动。", sum, err)
			}
			files++
		default:
			return domain.Errorf(domain.EINVALID, "备份文件中有无效的条目 %q。", name)
		}
	}
	if m.Format == "" {
		return domain.Errorf(domain.EINVALID, "不是 dudao 的备份文件（缺少 MANIFEST）。")
	}
	if files != m.Evidence {
		return domain.Errorf(domain.EINVALID, "备份应含佐证材料 %d 个，实有 %d 个：备份文件不完整。", m.Evidence, files)
	}
	if err := os.Rename(tmpDB, dbPath); err != nil {
		return domain.Errorf(domain.EINVALID, "备份中没有数据库（%v）。", err)
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	head, err := e.db.Head(ctx)
	if err != nil {
		return err
	}
	if head != m.AuditHead {
		return domain.Errorf(domain.ECONFLICT, "恢复后的审计日志最新事件 #%d 与备份记录的 #%d 不符。", head.ID, m.AuditHead.ID)
	}
	if _, err := e.app.MarkRestore(ctx); err != nil {
		return err
	}
	v, err := e.app.VerifyAudit(ctx, &m.AuditHead)
	if err != nil {
		return err
	}
	if !v.OK() {
		return domain.Errorf(domain.ECONFLICT, "恢复后审计日志校验失败：%s %s", v.Reason, strings.Join(v.Problems, "；"))
	}
	fmt.Fprintf(stdout, "已从备份（%s）恢复：审计日志最新事件 #%d，哈希链完整；佐证材料 %d 个。恢复已记入审计检查点。\n",
		m.CreatedAt.In(domain.CST).Format("2006-01-02 15:04:05"), head.ID, files)
	return nil
}

// writeFileFrom writes r to path, durably.
func writeFileFrom(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("restore: %w", err)
	}
	return f.Close()
}
