package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/text/width"

	"dudao/domain"
	"dudao/storage"
)

// What can stop dudao from starting, told in Chinese with the fix: the address to listen on, the data
// folder and the database. Each is an error with the message for the operator and the cause (printed
// as 详情 by main).

// startupError is a start-up failure: what went wrong and what to do, over the cause.
func startupError(cause error, format string, args ...any) error {
	return &domain.Error{Code: domain.EINTERNAL, Message: fmt.Sprintf(format, args...), Err: cause}
}

// listen binds addr (":0" or "host:0" lets the system choose a free port; the server says which).
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, startupError(err, "无法在 %s 上启动服务：该地址已被占用（可能已有一个 dudao 在运行）。请先停止占用它的程序，或用 --addr 换一个端口，如 --addr %s。",
			addr, otherPort(addr))
	case errors.Is(err, syscall.EACCES):
		return nil, startupError(err, "无权在 %s 上启动服务：1024 以下的端口需要管理员权限。请用 --addr 换一个 1024 以上的端口，如 --addr %s。",
			addr, otherPort(addr))
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, startupError(err, "无法在 %s 上启动服务：本机没有这个地址。请用 --addr 指定本机的地址，如 --addr 127.0.0.1:8080（仅本机访问）或 --addr 0.0.0.0:8080（所有网卡）。", addr)
	}
	return nil, startupError(err, "无法在 %s 上启动服务：请检查 --addr，格式为 主机:端口，如 --addr 127.0.0.1:8080。", addr)
}

// otherPort is addr with the next port, to suggest; 127.0.0.1:8081 when addr does not parse.
func otherPort(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	if err != nil || perr != nil || n <= 0 || n >= 65535 {
		return "127.0.0.1:8081"
	}
	if n < 1024 {
		n = 8080
	} else {
		n++
	}
	return net.JoinHostPort(host, strconv.Itoa(n))
}

// checkDataDir makes sure the data folder (evidence, audit checkpoints, the SQLite file by default)
// exists and can be written, by writing a file in it.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return startupError(err, "无法创建数据目录 %s。请检查该路径及其上级目录的权限（它不能是一个文件），或用 --data 指定一个可写的目录。", dir)
	}
	f, err := os.CreateTemp(dir, ".dudao-write-check-*")
	if err != nil {
		return startupError(err, "数据目录 %s 不可写。请检查该目录的权限（运行 dudao 的用户须能写入），或用 --data 指定一个可写的目录。", dir)
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}

// checkDatabase opens the database once and asks it to answer, so that a wrong --db is told as such.
func checkDatabase(ctx context.Context, dsn string) error {
	db, err := storage.Open(dsn)
	if err == nil {
		err = db.Ping(ctx)
		_ = db.Close()
	}
	if err == nil {
		return nil
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return startupError(err, "无法连接数据库 %s。请确认 PostgreSQL 正在运行，并检查 --db（DUDAO_DB）中的主机、端口、用户名、密码和数据库名，如 postgres://dudao:密码@127.0.0.1:5432/dudao?sslmode=disable。",
			maskDSN(dsn))
	}
	return startupError(err, "无法打开数据库文件 %s。请检查该文件及其目录可读写，或用 --db 指定另一个文件（PostgreSQL 以 postgres:// 开头）。",
		filepath.Clean(strings.TrimPrefix(dsn, "sqlite://")))
}

// displayWidth is how many terminal columns s takes: Chinese (East Asian wide and fullwidth)
// characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// writeTable prints rows as columns aligned by display width, each line after indent; the last
// column is not padded.
func writeTable(w io.Writer, indent string, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
