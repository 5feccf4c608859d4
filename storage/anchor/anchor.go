// Package anchor keeps the signed checkpoints of the audit chain's head in a folder apart from the
// database (issue 13): an append-only text file, one line per checkpoint, each signed with an Ed25519
// key kept in the same folder and readable by the service only. Someone who can change the database
// cannot forge a line; the lines are short enough to print, mail or ship to a log server, which is
// where an anchor is strongest. Lines are flushed to disk before Append returns.
package anchor

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"dudao/domain"
)

const (
	keyFile  = "anchor.key"      // the Ed25519 seed, base64
	pubFile  = "anchor.pub"      // the public key, base64, for verifying elsewhere
	logFile  = "checkpoints.log" // the checkpoints, one per line
	magic    = "dudao-audit-anchor v1"
	maxLines = 10_000_000
)

// Log is the anchor folder.
type Log struct {
	dir  string
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	mu   sync.Mutex // appends of this process; the file is opened for append, so lines never interleave
}

var _ domain.AuditAnchor = (*Log)(nil)

// Open opens the anchor folder, creating it and its key on first use.
func Open(dir string) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("anchor: create %s: %w", dir, err)
	}
	kp := filepath.Join(dir, keyFile)
	b, err := os.ReadFile(kp)
	if errors.Is(err, fs.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, errors.New("anchor: no randomness")
		}
		if err := writeNew(kp, base64.StdEncoding.EncodeToString(seed)+"\n", 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if b, err = os.ReadFile(kp); err != nil { // another process may have won: read what is there
			return nil, fmt.Errorf("anchor: read key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("anchor: read key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("anchor: %s is not an Ed25519 seed", kp)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	l := &Log{dir: dir, priv: priv, pub: priv.Public().(ed25519.PublicKey)}
	pp := filepath.Join(dir, pubFile)
	if _, err := os.Stat(pp); errors.Is(err, fs.ErrNotExist) {
		if err := writeNew(pp, base64.StdEncoding.EncodeToString(l.pub)+"\n", 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return l, nil
}

// writeNew creates path with content, durably; it fails with fs.ErrExist when path exists.
func writeNew(path, content string, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("anchor: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("anchor: sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// Fingerprint names the signing key for people: SHA256 of the public key, in hex groups.
func (l *Log) Fingerprint() string { return Fingerprint(l.pub) }

// Fingerprint is the printed name of a public key.
func Fingerprint(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	h := hex.EncodeToString(s[:16])
	var parts []string
	for i := 0; i < len(h); i += 8 {
		parts = append(parts, h[i:i+8])
	}
	return strings.Join(parts, "-")
}

// Dir is the anchor folder.
func (l *Log) Dir() string { return l.dir }

// body is what a line's signature covers.
func body(c domain.Checkpoint) string {
	return fmt.Sprintf("%s seq=%d kind=%s at=%s id=%d hash=%s", magic, c.Seq, c.Kind, c.At.UTC().Format(time.RFC3339Nano), c.Head.ID, c.Head.Hash)
}

// Line is c as the log writes it, signature included.
func (l *Log) Line(c domain.Checkpoint) string {
	b := body(c)
	return b + " sig=" + base64.StdEncoding.EncodeToString(ed25519.Sign(l.priv, []byte(b)))
}

// Append assigns the next sequence number, signs c and appends it, flushed to disk. The file is
// locked while the last line is read and the new one written, so that a command run beside the
// server cannot give two lines one number.
func (l *Log) Append(_ context.Context, c domain.Checkpoint) (domain.Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	path := filepath.Join(l.dir, logFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return domain.Checkpoint{}, fmt.Errorf("anchor: open log: %w", err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return domain.Checkpoint{}, fmt.Errorf("anchor: lock log: %w", err)
	}
	last, empty, err := l.lastLine(f)
	if err != nil {
		return domain.Checkpoint{}, err
	}
	c.Seq = last.Seq + 1
	if !empty && last.At.After(c.At) {
		c.At = last.At // times never go backwards in the log
	}
	c.At = c.At.UTC().Truncate(time.Millisecond)
	if _, err := f.WriteString(l.Line(c) + "\n"); err != nil {
		return domain.Checkpoint{}, fmt.Errorf("anchor: append: %w", err)
	}
	if err := f.Sync(); err != nil {
		return domain.Checkpoint{}, fmt.Errorf("anchor: sync log: %w", err)
	}
	if empty {
		if err := syncDir(l.dir); err != nil {
			return domain.Checkpoint{}, err
		}
	}
	return c, nil
}

// Last is the newest checkpoint, its signature checked.
func (l *Log) Last(_ context.Context) (domain.Checkpoint, bool, error) {
	f, err := os.Open(filepath.Join(l.dir, logFile))
	if errors.Is(err, fs.ErrNotExist) {
		return domain.Checkpoint{}, false, nil
	}
	if err != nil {
		return domain.Checkpoint{}, false, fmt.Errorf("anchor: open log: %w", err)
	}
	defer f.Close()
	c, empty, err := l.lastLine(f)
	return c, !empty && err == nil, err
}

// lastLine reads and checks the last line of the log (empty when there is none).
func (l *Log) lastLine(f *os.File) (domain.Checkpoint, bool, error) {
	st, err := f.Stat()
	if err != nil {
		return domain.Checkpoint{}, false, fmt.Errorf("anchor: stat log: %w", err)
	}
	if st.Size() == 0 {
		return domain.Checkpoint{}, true, nil
	}
	off := max(st.Size()-4096, 0)
	buf := make([]byte, st.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil {
		return domain.Checkpoint{}, false, fmt.Errorf("anchor: read log: %w", err)
	}
	text := strings.TrimRight(string(buf), "\n")
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[i+1:]
	}
	c, err := parseLine(text, l.pub)
	if err != nil {
		return domain.Checkpoint{}, false, domain.Errorf(domain.ECONFLICT, "审计检查点文件的最后一行无效（%v）：检查点文件被改动过。", err)
	}
	return c, false, nil
}

// Checkpoints reads the log, checking every line's form, order and signature; the first bad line is
// an error that names it.
func (l *Log) Checkpoints(_ context.Context) ([]domain.Checkpoint, error) {
	return Read(filepath.Join(l.dir, logFile), l.pub)
}

// Read reads an anchor log at path with the public key pub (anchor.pub of its folder).
func Read(path string, pub ed25519.PublicKey) ([]domain.Checkpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("anchor: open log: %w", err)
	}
	defer f.Close()
	var out []domain.Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 4096)
	n := 0
	for sc.Scan() {
		n++
		if n > maxLines {
			return nil, fmt.Errorf("anchor: %s has more than %d lines", path, maxLines)
		}
		c, err := parseLine(sc.Text(), pub)
		if err != nil {
			return nil, domain.Errorf(domain.ECONFLICT, "审计检查点文件第%d行无效（%v）：检查点文件被改动过。", n, err)
		}
		if c.Seq != len(out)+1 {
			return nil, domain.Errorf(domain.ECONFLICT, "审计检查点文件第%d行的序号为%d，应为%d：有检查点被删除或插入。", n, c.Seq, len(out)+1)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, domain.Errorf(domain.ECONFLICT, "审计检查点文件第%d行之后无法读取（%v）。", n, err)
	}
	return out, nil
}

func parseLine(line string, pub ed25519.PublicKey) (domain.Checkpoint, error) {
	b, sig, ok := strings.Cut(line, " sig=")
	if !ok || !strings.HasPrefix(b, magic+" ") {
		return domain.Checkpoint{}, errors.New("格式不符")
	}
	s, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || !ed25519.Verify(pub, []byte(b), s) {
		return domain.Checkpoint{}, errors.New("签名不符")
	}
	var c domain.Checkpoint
	for _, kv := range strings.Fields(strings.TrimPrefix(b, magic+" ")) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "seq":
			c.Seq, err = strconv.Atoi(v)
		case "kind":
			c.Kind = v
		case "at":
			c.At, err = time.Parse(time.RFC3339Nano, v)
		case "id":
			c.Head.ID, err = strconv.ParseInt(v, 10, 64)
		case "hash":
			c.Head.Hash = v
		}
		if err != nil {
			return domain.Checkpoint{}, fmt.Errorf("%s 无效", k)
		}
	}
	if body(c) != b {
		return domain.Checkpoint{}, errors.New("格式不符")
	}
	return c, nil
}

// PublicKey reads the public key of an anchor folder (anchor.pub), for verifying a copy of its log.
func PublicKey(dir string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(filepath.Join(dir, pubFile))
	if err != nil {
		return nil, fmt.Errorf("anchor: read public key: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, errors.New("anchor: anchor.pub is not an Ed25519 public key")
	}
	return k, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("anchor: open dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("anchor: sync dir: %w", err)
	}
	return nil
}
