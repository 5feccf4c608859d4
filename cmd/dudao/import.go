package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"dudao/app"
	"dudao/domain"
)

// cmdImportObservations imports monitoring data from an XLSX or CSV file: every row is checked, and
// either all of them land in one transaction (progress on stderr, a summary on stdout) or none do and
// each bad row is listed on stderr with its line and reasons (exit 1). The data is entered in the name
// of --as (a user, whose scope limits the orgs the file may name), or of the system.
func cmdImportObservations(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var as string
	cfg, fs, err := parse("import observations", args, func(fs *flag.FlagSet) {
		fs.StringVar(&as, "as", "", "以该用户的名义导入（省略时以系统名义，可填报所有单位）")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return domain.Errorf(domain.EINVALID, "用法: dudao import observations [--as USER] FILE.xlsx|FILE.csv（参数须写在文件名之前）")
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return domain.Errorf(domain.EINVALID, "文件 %s 不存在。", path)
		}
		return domain.Errorf(domain.EINVALID, "无法读取文件 %s：%v", path, err)
	}
	defer f.Close()
	e, err := open(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer e.Close()
	actor := app.System
	if as != "" {
		if actor, err = e.app.ActorFor(ctx, as); err != nil {
			return domain.Errorf(domain.EINVALID, "用户 %s 不存在或已停用。", as)
		}
	}
	name := filepath.Base(path)
	fmt.Fprintf(stderr, "正在读取并逐行校验 %s …\n", name)
	res, err := e.app.ImportObservations(ctx, actor, name, f, func(done, total int) {
		fmt.Fprintf(stderr, "已写入 %d/%d 行\n", done, total)
	})
	if err != nil {
		if len(res.Bad) == 0 {
			return err
		}
		fmt.Fprintf(stderr, "以下 %d 行不合格：\n", len(res.Bad))
		for _, b := range res.Bad {
			fmt.Fprintf(stderr, "  第%d行：%s\n", b.Line, strings.Join(b.Reasons, ""))
		}
		return domain.Errorf(domain.EINVALID, "%s", domain.ErrorMessage(err)) // the rows are listed above, in order
	}
	fmt.Fprintf(stdout, "已导入 %s：共 %d 行，新增 %d 行，更正 %d 行，与已有数值相同 %d 行；提出评估监测立案建议 %d 件；用时 %.1f 秒。\n",
		res.File, res.Rows, res.Created, res.Corrected, res.Unchanged, res.Proposals, res.Took.Seconds())
	return nil
}
