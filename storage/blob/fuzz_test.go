package blob

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"testing"

	"dudao/domain"
)

// FuzzPut: any upload is stored (a type accepted, a picture within the caps) or refused with a code
// the user can act on — empty, too large, unsupported, unreadable — never a panic; a refusal leaves
// no file, and reading any upload allocates a bounded amount of memory (image bombs are refused from
// their header). Issue 13; CI runs it for a bounded time.
func FuzzPut(f *testing.F) {
	f.Add(pngBytes(f))
	f.Add(jpegBytes(f))
	f.Add(gifBytes(f))
	f.Add(webpBytes())
	f.Add(pdfBytes())
	f.Add(docxBytes(f))
	f.Add(isoBMFF("heic", "mif1"))
	f.Add(gifBomb(f, 65535, 65535, 65535, 65535))
	f.Add(pngSized(f, 100000, 100000))
	f.Add([]byte("<html><script>alert(1)</script></html>"))
	// On a memory file system when there is one: the store flushes every file, which on a disk would
	// leave the fuzzer waiting for it.
	dir := f.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if d, err := os.MkdirTemp("/dev/shm", "dudao-fuzz-"); err == nil {
			dir = d
			f.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	s, err := New(dir)
	if err != nil {
		f.Fatal(err)
	}
	const cap = 1 << 20
	f.Fuzz(func(t *testing.T, in []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		info, err := s.Put(context.Background(), bytes.NewReader(in), cap)
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20 {
			t.Fatalf("an upload of %d bytes allocated %d MB", len(in), d>>20)
		}
		if temps, _ := os.ReadDir(s.tmp); len(temps) != 0 {
			t.Fatalf("%d temporary files left", len(temps))
		}
		if err != nil {
			switch domain.ErrorCode(err) {
			case domain.EINVALID, domain.ETOOLARGE, domain.EUNSUPPORTED:
			default:
				t.Fatalf("Put: %v, want a refusal the user can act on", err)
			}
			return
		}
		if !accepted[info.ContentType] || info.Size != int64(len(in)) || !s.Exists(info.SHA256) {
			t.Fatalf("stored %+v for %d bytes", info, len(in))
		}
		if err := s.Remove(info.SHA256); err != nil {
			t.Fatal(err)
		}
	})
}
