// Command dudao runs the education supervision system (督导) and its maintenance tasks.
//
//	dudao serve [--addr 127.0.0.1:8080] [--db DSN] [--data DIR] [--demo]
//	dudao migrate
//	dudao seed demo
//	dudao user add --username U --name N --org PATH [--password P]
//	dudao user passwd --username U [--password P]
//	dudao user grant --username U --role ROLE --org PATH
//	dudao user revoke --username U --role ROLE --org PATH
//	dudao user disable|enable --username U
//	dudao audit verify [--expect ID:HASH]
//	dudao audit checkpoint
//	dudao draw verify ID
//	dudao tick
//	dudao sweep [--sweep-grace 1h]
//	dudao backup FILE
//	dudao restore [--force] FILE
//	dudao import observations [--as USER] FILE.xlsx|FILE.csv
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system"
	"dudao/domain"
	"dudao/storage"
	"dudao/storage/anchor"
)

const usage = `dudao — 乌海市教育督导管理系统

用法:
  dudao serve [--addr 127.0.0.1:8080] [--db DSN] [--data DIR] [--demo]   启动服务
  dudao migrate                                                        升级数据库结构
  dudao seed demo                                                      载入演示数据
  dudao user add --username U --name N --org PATH [--password P]       新建用户
  dudao user passwd --username U [--password P]                        重设密码
  dudao user grant --username U --role ROLE --org PATH                 授予角色
  dudao user revoke --username U --role ROLE --org PATH                撤销角色
  dudao user disable|enable --username U                               停用（立即结束其全部登录）或启用用户
  dudao audit verify [--expect ID:HASH]                                校验审计日志哈希链及其签名检查点
  dudao audit checkpoint                                               立即签署并打印审计日志检查点（可打印存档）
  dudao draw verify ID                                                 按公开的输入重算并核验一次随机抽取
  dudao tick                                                           执行一次督办检查（逾期提醒、问责建议）
  dudao sweep [--sweep-grace 1h]                                       清理佐证材料目录中崩溃遗留的临时文件和无记录文件
  dudao backup FILE                                                    在线备份 SQLite 数据库及其佐证材料到一个文件
  dudao restore [--force] FILE                                         从备份恢复（先停止服务），并校验审计日志
  dudao import observations [--as USER] FILE.xlsx|FILE.csv             导入监测数据（逐行校验，全部合格才导入）

每个参数都可用环境变量设置，如 --db 对应 DUDAO_DB。运行 "dudao serve -h" 查看全部参数。
`

// errHelp ends a command that only printed its flags.
var errHelp = errors.New("help requested")

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, errHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "错误:", domain.ErrorMessage(err))
		var de *domain.Error
		if errors.As(err, &de) && len(de.Fields) > 0 {
			for k, v := range de.Fields {
				fmt.Fprintf(os.Stderr, "  %s: %s\n", k, v)
			}
		}
		if domain.ErrorCode(err) == domain.EINTERNAL { // the cause, for whoever fixes it
			detail := err
			if de != nil && de.Err != nil {
				detail = de.Err
			}
			fmt.Fprintln(os.Stderr, "详情:", detail)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout)
	case "seed":
		if len(rest) == 0 || rest[0] != "demo" {
			return domain.Errorf(domain.EINVALID, "用法: dudao seed demo")
		}
		return cmdSeedDemo(ctx, rest[1:], stdout)
	case "user":
		if len(rest) == 0 {
			return domain.Errorf(domain.EINVALID, "用法: dudao user add|passwd|grant|revoke|disable|enable …")
		}
		return cmdUser(ctx, rest[0], rest[1:], stdin, stdout)
	case "tick":
		return cmdTick(ctx, rest, stdout, stderr)
	case "import": // monitoring (import.go)
		if len(rest) == 0 || rest[0] != "observations" {
			return domain.Errorf(domain.EINVALID, "用法: dudao import observations [--as USER] FILE.xlsx|FILE.csv")
		}
		return cmdImportObservations(ctx, rest[1:], stdout, stderr)
	case "sweep":
		return cmdSweep(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" && rest[0] != "checkpoint" {
			return domain.Errorf(domain.EINVALID, "用法: dudao audit verify|checkpoint")
		}
		if rest[0] == "checkpoint" {
			return cmdAuditCheckpoint(ctx, rest[1:], stdout)
		}
		return cmdAuditVerify(ctx, rest[1:], stdout)
	case "draw": // 双随机 draws (issue 10)
		if len(rest) == 0 || rest[0] != "verify" {
			return domain.Errorf(domain.EINVALID, "用法: dudao draw verify ID")
		}
		return cmdDrawVerify(ctx, rest[1:], stdout, stderr)
	}
	return domain.Errorf(domain.EINVALID, "未知命令 %q。运行 dudao help 查看用法。", cmd)
}

// env is what every command opens: config and the system built on it (database migrated).
type env struct {
	cfg Config
	sys *system.System
	db  *storage.DB
	app *app.App
	log *slog.Logger
}

func (e *env) Close() { _ = e.sys.Close() }

func parse(name string, args []string, extra func(fs *flag.FlagSet)) (Config, *flag.FlagSet, error) {
	var cfg Config
	fs := flag.NewFlagSet("dudao "+name, flag.ContinueOnError)
	envErrs := bindFlags(fs, &cfg)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, fs, errHelp
		}
		return cfg, fs, domain.Errorf(domain.EINVALID, "参数有误：%v", err)
	}
	if len(envErrs) > 0 {
		return cfg, fs, domain.Errorf(domain.EINVALID, "%s。", strings.Join(envErrs, "；"))
	}
	return cfg, fs, cfg.validate()
}

func open(ctx context.Context, cfg Config, stderr io.Writer) (*env, error) {
	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if cfg.LogFormat == "json" {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	log := slog.New(handler)
	if err := checkDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	if err := checkDatabase(ctx, cfg.dbDSN()); err != nil {
		return nil, err
	}
	sys, err := system.Open(ctx, cfg.settings(log))
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, sys: sys, db: sys.DB, app: sys.App, log: log}, nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("serve", args, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "dudao 配置:", cfg)
	system.LimitMemory()
	// The address is bound first: a busy port is reported before anything is opened or loaded, and
	// "已启动" is printed only once the server really listens (on the port the system chose, for :0).
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	if cfg.Demo {
		if err := loadDemo(ctx, e, stdout); err != nil {
			return err
		}
	}
	srv := e.sys.Web
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Headers must arrive within 10s; a body within --body-timeout plus its length at 32 KiB/s (set per
	// request by the web layer); ReadTimeout only backs that up, above the longest upload it allows.
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ReadTimeout: cfg.BodyTimeout + time.Duration(cfg.maxUploadBytes()+4<<20)*time.Second/(32<<10) + time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "dudao 已启动: http://%s\n", displayAddr(ln.Addr().String()))
	go housekeeping(ctx, e)
	go e.app.CheckpointEvery(ctx, cfg.CheckpointEvery, func(err error) { e.log.Warn("audit checkpoint", "err", err) })
	go schedule(ctx, e)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "正在停止服务…")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if cfg.CheckpointEvery > 0 { // the final head, anchored
		if _, _, err := e.app.CheckpointAudit(sctx); err != nil {
			e.log.Warn("audit checkpoint", "err", err)
		}
	}
	fmt.Fprintln(stdout, "服务已停止。")
	return nil
}

// housekeeping runs at start and hourly: it removes expired sessions and old login failures, and
// sweeps the evidence store of what a crash left (temporary files and unrecorded blobs older than
// --sweep-grace, so that uploads in flight on any node are spared).
func housekeeping(ctx context.Context, e *env) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := e.db.DeleteExpiredSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			e.log.Warn("sweep sessions", "err", err)
		}
		if err := e.app.ForgetOldLoginFailures(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("sweep login failures", "err", err)
		}
		rep, err := e.sys.SweepEvidence(ctx, e.cfg.SweepGrace)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("sweep evidence", "err", err)
		}
		if rep.Temps > 0 || rep.Orphans > 0 {
			e.log.Info("sweep evidence", "temporary_files", rep.Temps, "unrecorded_blobs", rep.Orphans, "bytes", rep.Bytes)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// schedule runs a scheduler pass every cfg.TickEvery (never when it is not positive) until ctx ends,
// which is when the server stops.
func schedule(ctx context.Context, e *env) {
	if e.cfg.TickEvery <= 0 {
		return
	}
	t := time.NewTicker(e.cfg.TickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rep, err := e.app.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Warn("scheduler", "err", err)
		}
		if rep.Reminders > 0 || rep.Proposals > 0 || rep.EmailFailures > 0 {
			e.log.Info("scheduler", "reminders", rep.Reminders, "proposals", rep.Proposals, "emails", rep.Emails, "email_failures", rep.EmailFailures)
		}
	}
}

func cmdTick(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("tick", args, nil)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	rep, err := e.app.Tick(ctx)
	fmt.Fprintln(stdout, rep)
	return err
}

// cmdSweep sweeps the evidence store once, as serve does hourly. With the server stopped,
// --sweep-grace 0 removes everything a crash left.
func cmdSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := parse("sweep", args, nil)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	rep, err := e.sys.SweepEvidence(ctx, cfg.SweepGrace)
	fmt.Fprintf(stdout, "已清理临时文件 %d 个、无记录的文件 %d 个，共 %d 字节。\n", rep.Temps, rep.Orphans, rep.Bytes)
	return err
}

// displayAddr is the address to open in a browser: a listener on every interface is reached on loopback.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func loadDemo(ctx context.Context, e *env, stdout io.Writer) error {
	s, err := demo.Load(ctx, e.app)
	if err != nil {
		return err
	}
	if s.Loaded {
		fmt.Fprintf(stdout, "已载入演示数据：%d 个机构，%d 个用户，%d 个督导案件。\n", s.Orgs, len(s.Users), s.Cases)
	} else {
		fmt.Fprintln(stdout, "演示数据已存在，未重复载入。")
	}
	fmt.Fprintf(stdout, "演示账号（密码均为 %s，仅限演示）：\n", demo.Password)
	rows := [][]string{{"用户名", "角色", "单位"}}
	for _, u := range s.Users {
		rows = append(rows, []string{u.Username, u.Role.Label(), u.OrgName})
	}
	writeTable(stdout, "  ", rows)
	return nil
}

func cmdMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := parse("migrate", args, nil)
	if err != nil {
		return err
	}
	db, err := storage.Open(cfg.dbDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	for _, a := range applied {
		fmt.Fprintln(stdout, "已执行迁移", a)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "数据库结构为最新版本（%d）。\n", storage.LatestVersion())
	return nil
}

func cmdSeedDemo(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := parse("seed demo", args, nil)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer e.Close()
	return loadDemo(ctx, e, stdout)
}

func cmdUser(ctx context.Context, sub string, args []string, stdin io.Reader, stdout io.Writer) error {
	var username, name, org, password, role string
	cfg, _, err := parse("user "+sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "用户名")
		fs.StringVar(&name, "name", "", "姓名")
		fs.StringVar(&org, "org", "", "机构路径，如 wuhai/hbw/")
		fs.StringVar(&password, "password", "", "密码（省略时从标准输入读一行）")
		fs.StringVar(&role, "role", "", "角色：admin director supervisor district_office school monitor auditor")
	})
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer e.Close()
	readPassword := func() error {
		if password != "" {
			return nil
		}
		fmt.Fprint(stdout, "密码: ")
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return domain.Errorf(domain.EINVALID, "未读到密码。")
		}
		password = strings.TrimRight(line, "\r\n")
		return nil
	}
	switch sub {
	case "add":
		if err := readPassword(); err != nil {
			return err
		}
		u, err := e.app.CreateUser(ctx, app.System, app.UserInput{Username: username, Name: name, Password: password, OrgPath: domain.Jurisdiction(org)})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已新建用户 %s（编号 %d）。\n", u.Username, u.ID)
	case "passwd":
		if err := readPassword(); err != nil {
			return err
		}
		if err := e.app.SetPassword(ctx, app.System, username, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已重设用户 %s 的密码，其全部登录会话和令牌已失效。\n", username)
	case "grant":
		g, err := e.app.GrantRole(ctx, app.System, username, domain.Role(role), domain.Jurisdiction(org))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已授予 %s 角色「%s」，范围 %s。\n", username, g.Role.Label(), g.Path)
	case "revoke":
		if err := e.app.RevokeRole(ctx, app.System, username, domain.Role(role), domain.Jurisdiction(org)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "已撤销 %s 的角色「%s」，范围 %s。\n", username, domain.Role(role).Label(), app.NormalizePath(org))
	case "disable", "enable":
		id, err := e.app.UserID(ctx, app.System, username)
		if err != nil {
			return err
		}
		if sub == "disable" {
			if err := e.app.DisableUser(ctx, app.System, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "已停用用户 %s，其全部登录会话和令牌已失效。\n", username)
		} else {
			if err := e.app.EnableUser(ctx, app.System, id); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "已启用用户 %s。\n", username)
		}
	default:
		return domain.Errorf(domain.EINVALID, "未知子命令 %q：应为 add、passwd、grant、revoke、disable 或 enable。", sub)
	}
	return nil
}

// openExisting opens the system on a database that must exist already (verify and checkpoint change
// nothing in it, so they do not create one).
func openExisting(ctx context.Context, cfg Config) (*env, error) {
	db, err := storage.Open(cfg.dbDSN())
	if err != nil {
		return nil, err
	}
	v, err := db.SchemaVersion(ctx)
	_ = db.Close()
	if err != nil || v == 0 {
		return nil, domain.Errorf(domain.EINVALID, "数据库 %s 尚未初始化，请检查 --data/--db，或先运行 dudao migrate。", maskDSN(cfg.dbDSN()))
	}
	return open(ctx, cfg, io.Discard)
}

func cmdAuditVerify(ctx context.Context, args []string, stdout io.Writer) error {
	var expect string
	cfg, _, err := parse("audit verify", args, func(fs *flag.FlagSet) {
		fs.StringVar(&expect, "expect", "", "a checkpoint kept elsewhere (printout, log server) to compare too, as ID:HASH")
	})
	if err != nil {
		return err
	}
	var want *domain.AuditHead
	if expect != "" {
		id, hash, ok := strings.Cut(expect, ":")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil || n <= 0 || len(hash) != 64 {
			return domain.Errorf(domain.EINVALID, "--expect 应为 事件编号:哈希，如 3456:9f86d0…（64位十六进制）。")
		}
		want = &domain.AuditHead{ID: n, Hash: strings.ToLower(hash)}
	}
	e, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	v, err := e.app.VerifyAudit(ctx, want)
	if err != nil {
		return err
	}
	if v.BrokenID != 0 {
		return domain.Errorf(domain.ECONFLICT, "审计日志校验失败：事件 #%d 被篡改（%s）。", v.BrokenID, v.Reason)
	}
	fmt.Fprintf(stdout, "审计日志哈希链完整：最新事件 #%d。\n", v.Head.ID)
	if v.Anchored {
		fmt.Fprintf(stdout, "签名检查点 %d 个（%s），已核对 %d 个", v.Checkpoints, cfg.anchorDir(), v.Compared)
		if v.Superseded > 0 {
			fmt.Fprintf(stdout, "；另有 %d 个记录于备份之后、已被恢复操作取代", v.Superseded)
		}
		fmt.Fprintln(stdout, "。")
	}
	if len(v.Problems) > 0 {
		return domain.Errorf(domain.ECONFLICT, "审计日志与签名检查点不符：%s", strings.Join(v.Problems, "；"))
	}
	if v.Anchored && v.LastCheckpoint != nil && v.LastCheckpoint.Head.ID < v.Head.ID {
		fmt.Fprintf(stdout, "注意：检查点 #%d 之后的 %d 个事件尚未被检查点覆盖。\n", v.LastCheckpoint.Seq, v.Head.ID-v.LastCheckpoint.Head.ID)
	}
	return nil
}

// cmdDrawVerify replays a draw from what it published (docs/draw.md): the commitment from its frozen
// snapshot, the witnesses' values, the seed and the result, and the commitments announced in the
// audit log. It prints the verdict in Chinese and fails (exit 1) when anything differs.
func cmdDrawVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var idArg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		idArg, args = args[0], args[1:]
	}
	cfg, fs, err := parse("draw verify", args, nil)
	if err != nil {
		return err
	}
	if idArg == "" && fs.NArg() > 0 {
		idArg = fs.Arg(0)
	}
	id, perr := strconv.ParseInt(idArg, 10, 64)
	if perr != nil || id <= 0 {
		return domain.Errorf(domain.EINVALID, "用法: dudao draw verify ID（ID 为随机抽取的编号，正整数）")
	}
	db, err := storage.Open(cfg.dbDSN())
	if err != nil {
		return err
	}
	v, verr := db.SchemaVersion(ctx)
	_ = db.Close()
	if verr != nil || v == 0 {
		return domain.Errorf(domain.EINVALID, "数据库 %s 尚未初始化，请检查 --data/--db，或先运行 dudao migrate。", maskDSN(cfg.dbDSN()))
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	res, err := e.app.VerifyDraw(ctx, app.System, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "随机抽取 #%d（%s）\n快照承诺值：%s\n", res.DrawID, res.Status.Label(), res.Commitment)
	if res.Seed != "" {
		fmt.Fprintf(stdout, "种子：%s\n", res.Seed)
	}
	if !res.OK {
		return domain.Errorf(domain.ECONFLICT, "%s", res.Message)
	}
	fmt.Fprintln(stdout, res.Message)
	return nil
}

// cmdAuditCheckpoint signs a checkpoint of the head now and prints it in a form to keep on paper or
// send to someone outside: whoever holds it can later run dudao audit verify --expect ID:HASH.
func cmdAuditCheckpoint(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, _, err := parse("audit checkpoint", args, nil)
	if err != nil {
		return err
	}
	e, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	cp, written, err := e.app.CheckpointAudit(ctx)
	if err != nil {
		return err
	}
	l, err := anchor.Open(cfg.anchorDir())
	if err != nil {
		return err
	}
	state := "新签署"
	if !written {
		state = "最新事件未变，沿用"
	}
	fmt.Fprintf(stdout, "乌海市教育督导管理系统 审计日志检查点（%s）\n", state)
	fmt.Fprintf(stdout, "  序号：#%d\n  时间：%s\n  最新事件：#%d\n  哈希：%s\n  签名公钥指纹：%s\n",
		cp.Seq, cp.At.In(domain.CST).Format("2006-01-02 15:04:05 MST"), cp.Head.ID, groups(cp.Head.Hash), l.Fingerprint())
	fmt.Fprintf(stdout, "  核对命令：dudao audit verify --expect %d:%s\n", cp.Head.ID, cp.Head.Hash)
	fmt.Fprintf(stdout, "  签名行：%s\n", l.Line(cp))
	return nil
}

// groups writes a hex string in groups of eight, to read aloud or copy from paper.
func groups(h string) string {
	var parts []string
	for i := 0; i < len(h); i += 8 {
		parts = append(parts, h[i:min(i+8, len(h))])
	}
	return strings.Join(parts, " ")
}
