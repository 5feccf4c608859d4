//go:build unix

package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// TestStartupErrors runs the real binary where it cannot start: each time it exits with status 1, never
// claims to have started, and says in Chinese what is wrong and which setting fixes it.
func TestStartupErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := dudaoBinary(t)
	check := func(t *testing.T, args []string, want []string, not []string) (string, string) {
		t.Helper()
		out, errOut, code := runCLI(t, bin, args...)
		if code != 1 {
			t.Errorf("exit code %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		if strings.Contains(out+errOut, "已启动") {
			t.Errorf("says it started:\n%s%s", out, errOut)
		}
		if strings.Contains(errOut, "服务器内部错误") {
			t.Errorf("stderr gives the generic message instead of the cause:\n%s", errOut)
		}
		for _, w := range want {
			if !strings.Contains(errOut, w) {
				t.Errorf("stderr lacks %q:\n%s", w, errOut)
			}
		}
		for _, n := range not {
			if strings.Contains(out+errOut, n) {
				t.Errorf("output shows %q:\n%s%s", n, out, errOut)
			}
		}
		return out, errOut
	}

	t.Run("busy port", func(t *testing.T) {
		// The test holds the port for the whole run: no other program can take it or free it.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addr := l.Addr().String()
		dir := t.TempDir()
		out, errOut := check(t, []string{"serve", "--addr", addr, "--data", dir, "--demo"},
			[]string{"错误: 无法在 " + addr + " 上启动服务", "已被占用", "dudao 在运行", "--addr", "详情:", "address already in use"}, nil)
		if !strings.Contains(out, "dudao 配置:") {
			t.Errorf("stdout lacks the resolved configuration:\n%s", out)
		}
		if !strings.HasPrefix(errOut, "错误:") {
			t.Errorf("stderr does not begin with the Chinese error:\n%s", errOut)
		}
		// The address is bound before anything else: no database was made, no demo loaded.
		if _, err := os.Stat(filepath.Join(dir, "dudao.db")); !os.IsNotExist(err) {
			t.Errorf("a database was created before the port was found busy (stat: %v)", err)
		}
		if strings.Contains(out, "演示") {
			t.Errorf("the demo was loaded before the port was found busy:\n%s", out)
		}
	})

	t.Run("data folder is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "data")
		if err := os.WriteFile(file, []byte("not a folder"), 0o600); err != nil {
			t.Fatal(err)
		}
		check(t, []string{"serve", "--addr", "127.0.0.1:0", "--data", file},
			[]string{"无法创建数据目录 " + file, "--data", "详情:"}, nil)
	})

	t.Run("database unreachable", func(t *testing.T) {
		// Port 1 of loopback: nothing listens there, so the connection is refused at once.
		dsn := "postgres://dudao:s3cret@127.0.0.1:1/dudao?sslmode=disable&connect_timeout=5"
		check(t, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--db", dsn},
			[]string{"无法连接数据库 postgres://dudao:xxxxx@127.0.0.1:1/dudao", "PostgreSQL 正在运行", "--db", "详情:"}, []string{"s3cret"})
	})
}

// TestDemoLoginsTableAligned: the demo logins are printed in columns that line up on a terminal,
// where a Chinese character takes two columns.
func TestDemoLoginsTableAligned(t *testing.T) {
	var b bytes.Buffer
	writeTable(&b, "  ", [][]string{
		{"用户名", "角色", "单位"},
		{"admin", "系统管理员", "乌海市"},
		{"hbw.office", "区教育局", "海勃湾区"},
		{"school.hn1", "学校", "乌海市二十三中幼儿园"},
	})
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), b.String())
	}
	// Every column starts at the same display column on every line (fields are parted by spaces; the
	// cells themselves hold none). termColumns counts as a terminal does, independently of displayWidth.
	termColumns := func(s string) int {
		n := 0
		for _, r := range s {
			n++
			if unicode.Is(unicode.Han, r) {
				n++
			}
		}
		return n
	}
	sep := regexp.MustCompile(`\S+`)
	var starts [][]int
	for _, l := range lines {
		var s []int
		for _, m := range sep.FindAllStringIndex(l, -1) {
			s = append(s, termColumns(l[:m[0]]))
		}
		starts = append(starts, s)
	}
	for i, s := range starts {
		if !slices.Equal(s, starts[0]) || len(s) != 3 {
			t.Errorf("line %d: columns start at display columns %v, want %v (3 columns):\n%s", i+1, s, starts[0], b.String())
		}
	}
	if w := displayWidth("系统管理员"); w != 10 {
		t.Errorf("display width of 系统管理员 = %d, want 10", w)
	}
	if w := displayWidth("hbw.office"); w != 10 {
		t.Errorf("display width of hbw.office = %d, want 10", w)
	}
}
