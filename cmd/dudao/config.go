package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dudao/app"
	"dudao/cmd/system"
	"dudao/domain"
)

// Config is every setting, parsed once here and passed down. Each flag has a DUDAO_* environment
// equivalent (DUDAO_ADDR for --addr, …); a flag on the command line wins over the environment.
type Config struct {
	Addr          string
	DB            string
	DataDir       string
	Demo          bool
	MaxUploadMB   int
	SecureCookies bool
	RulesFile     string
	CalendarPath  string
	TokenTTL      time.Duration
	LogFormat     string
	FontPath      string
	SMTP          string        // smtp://user:pass@host:port?from=addr; empty: no email
	TickEvery     time.Duration // how often serve's scheduler runs a pass

	// Issue 13: security and reliability.
	TrustedProxies  string        // comma-separated addresses or CIDRs of reverse proxies whose forwarding headers are believed
	BodyTimeout     time.Duration // least time a request body may take to arrive (more for long bodies)
	MetricsToken    string        // bearer token that may read /metrics remotely (secret)
	SweepGrace      time.Duration // the evidence sweeper leaves files younger than this
	AnchorDir       string        // where signed audit checkpoints are kept (default DATA/audit-anchor)
	CheckpointEvery time.Duration // how often serve signs a checkpoint of the audit chain's head
}

// anchorDir is where the audit checkpoints and their key live: apart from the database.
func (c Config) anchorDir() string {
	if c.AnchorDir != "" {
		return c.AnchorDir
	}
	return filepath.Join(c.DataDir, "audit-anchor")
}

// trustedProxies parses TrustedProxies: each entry an address (one host) or a CIDR.
func (c Config) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q 不是 IP 地址或网段", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func (c Config) dbDSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "dudao.db")
}

func (c Config) maxUploadBytes() int64 { return int64(c.MaxUploadMB) << 20 }

// settings are what the system is built from.
func (c Config) settings(log *slog.Logger) system.Settings {
	proxies, _ := c.trustedProxies() // validate refused a list that does not parse
	return system.Settings{
		DSN: c.dbDSN(), EvidenceDir: filepath.Join(c.DataDir, "evidence"), RulesFile: c.RulesFile, CalendarPath: c.CalendarPath,
		SMTP: c.SMTP, App: app.Options{APITokenTTL: c.TokenTTL, MaxUploadBytes: c.maxUploadBytes(), FontPath: c.FontPath},
		SecureCookies: c.SecureCookies, Registry: prometheus.NewRegistry(), Log: log,
		// issue 13
		TrustedProxies: proxies, BodyTimeout: c.BodyTimeout, MetricsToken: c.MetricsToken, AnchorDir: c.anchorDir(),
	}
}

// bindFlags registers the flags of cfg on fs with their environment fallbacks; environment values
// that do not parse are returned so the command can refuse them rather than guess.
func bindFlags(fs *flag.FlagSet, cfg *Config) envErrors {
	var errs envErrors
	str := func(p *string, name, def, usage string) { fs.StringVar(p, name, envOr(name, def), usage+envHint(name)) }
	str(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	str(&cfg.DB, "db", "", "database: a SQLite file path, or postgres://user:pass@host:port/db (default: dudao.db in the --data folder)")
	str(&cfg.DataDir, "data", "./data", "data folder: the SQLite database and uploaded evidence")
	str(&cfg.RulesFile, "rules", "", "rules JSON overriding the built-in clocks and thresholds")
	str(&cfg.CalendarPath, "calendar", "", "holiday/调休 calendar file or folder replacing the built-in one")
	str(&cfg.LogFormat, "log", "text", "log format: text or json")
	str(&cfg.FontPath, "font", "", "a single-file TrueType font with Chinese glyphs for PDF reports (default: the font built in, GB2312 characters)")
	str(&cfg.SMTP, "smtp", "", "SMTP server for email reminders, smtp://user:pass@host:587?from=dudao@example.org (empty: in-app only)")
	fs.DurationVar(&cfg.TickEvery, "tick-every", errs.duration("tick-every", 10*time.Minute), "how often the scheduler looks for overdue work"+envHint("tick-every"))
	fs.BoolVar(&cfg.Demo, "demo", errs.boolean("demo", false), "load the Wuhai demo data on an empty database and print the demo logins"+envHint("demo"))
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", errs.boolean("secure-cookies", false), "mark cookies Secure (serve over HTTPS)"+envHint("secure-cookies"))
	fs.IntVar(&cfg.MaxUploadMB, "max-upload-mb", errs.integer("max-upload-mb", 20), "largest evidence file in MB"+envHint("max-upload-mb"))
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", errs.duration("token-ttl", 12*time.Hour), "lifetime of API tokens"+envHint("token-ttl"))
	// issue 13
	str(&cfg.TrustedProxies, "trusted-proxies", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed (empty: none)")
	str(&cfg.MetricsToken, "metrics-token", "", "bearer token that may read /metrics from another host (empty: loopback scrapers only)")
	str(&cfg.AnchorDir, "anchor", "", "folder for the signed audit checkpoints and their key, apart from the database (default: audit-anchor in the --data folder)")
	fs.DurationVar(&cfg.BodyTimeout, "body-timeout", errs.duration("body-timeout", 30*time.Second), "least time a request body may take to arrive; longer bodies get more at 32 KiB/s"+envHint("body-timeout"))
	fs.DurationVar(&cfg.SweepGrace, "sweep-grace", errs.duration("sweep-grace", time.Hour), "the evidence sweeper leaves temporary and unreferenced files younger than this"+envHint("sweep-grace"))
	fs.DurationVar(&cfg.CheckpointEvery, "checkpoint-every", errs.duration("checkpoint-every", 5*time.Minute), "how often serve signs a checkpoint of the audit log's head (0: never)"+envHint("checkpoint-every"))
	return errs
}

// validate checks values that parse but make no sense.
func (c Config) validate() error {
	fields := map[string]string{}
	if c.MaxUploadMB < 1 || c.MaxUploadMB > 1024 {
		fields["max-upload-mb"] = "上传上限应在 1 到 1024 MB 之间。"
	}
	if c.TokenTTL < time.Minute {
		fields["token-ttl"] = "令牌有效期不能短于 1 分钟。"
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		fields["log"] = "日志格式应为 text 或 json。"
	}
	if _, err := c.trustedProxies(); err != nil {
		fields["trusted-proxies"] = "可信代理应为逗号分隔的 IP 地址或网段：" + err.Error() + "。"
	}
	if c.BodyTimeout < time.Second {
		fields["body-timeout"] = "请求体读取时限不能短于 1 秒。"
	}
	if c.SweepGrace < 0 || c.CheckpointEvery < 0 {
		fields["sweep-grace"] = "时长不能为负。"
	}
	if len(fields) > 0 {
		return domain.FieldError("配置有误。", fields)
	}
	return nil
}

func envName(flagName string) string {
	return "DUDAO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envHint(flagName string) string { return " [$" + envName(flagName) + "]" }

func envOr(name, def string) string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		return v
	}
	return def
}

// envErrors collects environment values that did not parse; parse reports them.
type envErrors []string

func (e *envErrors) bad(name, v string) {
	*e = append(*e, fmt.Sprintf("环境变量 %s 的值 %q 无效", envName(name), v))
}

func (e *envErrors) boolean(name string, def bool) bool {
	if v, ok := os.LookupEnv(envName(name)); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.bad(name, v)
			return def
		}
		return b
	}
	return def
}

func (e *envErrors) integer(name string, def int) int {
	if v, ok := os.LookupEnv(envName(name)); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.bad(name, v)
			return def
		}
		return n
	}
	return def
}

func (e *envErrors) duration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.bad(name, v)
			return def
		}
		return d
	}
	return def
}

// maskDSN hides a password in a database URL, in its user part or as a password= parameter.
// A URL that does not parse is hidden from "://" to the last "@", since its password may be what broke it.
func maskDSN(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		i := strings.Index(dsn, "://") + 3
		if j := strings.LastIndex(dsn, "@"); j > i {
			return dsn[:i] + "xxxxx" + dsn[j:]
		}
		return dsn[:i] + "xxxxx"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// String is the resolved configuration with secrets masked, printed at start.
func (c Config) String() string {
	metrics := ""
	if c.MetricsToken != "" {
		metrics = "xxxxx"
	}
	return fmt.Sprintf("addr=%s db=%s data=%s demo=%t max_upload_mb=%d secure_cookies=%t rules=%q calendar=%q token_ttl=%s log=%s font=%q smtp=%q tick_every=%s",
		c.Addr, maskDSN(c.dbDSN()), c.DataDir, c.Demo, c.MaxUploadMB, c.SecureCookies, c.RulesFile, c.CalendarPath, c.TokenTTL, c.LogFormat,
		c.FontPath, maskDSN(c.SMTP), c.TickEvery) +
		fmt.Sprintf(" trusted_proxies=%q body_timeout=%s metrics_token=%q sweep_grace=%s anchor=%q checkpoint_every=%s",
			c.TrustedProxies, c.BodyTimeout, metrics, c.SweepGrace, c.anchorDir(), c.CheckpointEvery)
}
