package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
}

func (c Config) dbDSN() string {
	if c.DB != "" {
		return c.DB
	}
	return filepath.Join(c.DataDir, "dudao.db")
}

func (c Config) maxUploadBytes() int64 { return int64(c.MaxUploadMB) << 20 }

// bindFlags registers the flags of cfg on fs with their environment fallbacks.
func bindFlags(fs *flag.FlagSet, cfg *Config) {
	str := func(p *string, name, def, usage string) { fs.StringVar(p, name, envOr(name, def), usage+envHint(name)) }
	str(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	str(&cfg.DB, "db", "", "database: a SQLite file path, or postgres://user:pass@host:port/db (default DATA/dudao.db)")
	str(&cfg.DataDir, "data", "./data", "data folder: the SQLite database and uploaded evidence")
	str(&cfg.RulesFile, "rules", "", "rules JSON overriding the built-in clocks and thresholds")
	str(&cfg.CalendarPath, "calendar", "", "holiday/调休 calendar file or folder replacing the built-in one")
	str(&cfg.LogFormat, "log", "text", "log format: text or json")
	fs.BoolVar(&cfg.Demo, "demo", envBool("demo", false), "load the Wuhai demo data on an empty database and print the demo logins"+envHint("demo"))
	fs.BoolVar(&cfg.SecureCookies, "secure-cookies", envBool("secure-cookies", false), "mark cookies Secure (serve over HTTPS)"+envHint("secure-cookies"))
	fs.IntVar(&cfg.MaxUploadMB, "max-upload-mb", envInt("max-upload-mb", 20), "largest evidence file in MB"+envHint("max-upload-mb"))
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", envDuration("token-ttl", 12*time.Hour), "lifetime of API tokens"+envHint("token-ttl"))
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

func envBool(name string, def bool) bool {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// maskDSN hides a password in a database URL.
func maskDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// String is the resolved configuration with secrets masked, printed at start.
func (c Config) String() string {
	return fmt.Sprintf("addr=%s db=%s data=%s demo=%t max_upload_mb=%d secure_cookies=%t rules=%q calendar=%q token_ttl=%s log=%s",
		c.Addr, maskDSN(c.dbDSN()), c.DataDir, c.Demo, c.MaxUploadMB, c.SecureCookies, c.RulesFile, c.CalendarPath, c.TokenTTL, c.LogFormat)
}
