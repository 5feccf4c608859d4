package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clearEnv unsets every DUDAO_* variable for the test (t.Setenv restores them afterwards), so a
// developer's shell cannot change what these tests see.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "DUDAO_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	clearEnv(t)
	cfg, _, err := parse("serve", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "127.0.0.1:8080", DataDir: "./data", MaxUploadMB: 20, TokenTTL: 12 * time.Hour, LogFormat: "text",
		TickEvery: 10 * time.Minute, BodyTimeout: 30 * time.Second, SweepGrace: time.Hour, CheckpointEvery: 5 * time.Minute}
	if cfg != want {
		t.Errorf("defaults = %+v, want %+v", cfg, want)
	}
	if got, want := cfg.dbDSN(), filepath.Join("./data", "dudao.db"); got != want {
		t.Errorf("dbDSN() = %q, want %q", got, want)
	}
}

func TestConfigFlagsOverrideEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("DUDAO_ADDR", "10.0.0.1:9000")
	t.Setenv("DUDAO_DEMO", "true")
	t.Setenv("DUDAO_MAX_UPLOAD_MB", "5")
	t.Setenv("DUDAO_TOKEN_TTL", "1h")
	cfg, _, err := parse("serve", []string{"--addr", "127.0.0.1:7000", "--demo=false", "--max-upload-mb", "50", "--token-ttl", "30m"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7000" {
		t.Errorf("Addr = %q, want the flag's 127.0.0.1:7000 over DUDAO_ADDR", cfg.Addr)
	}
	if cfg.Demo {
		t.Error("Demo = true, want the flag's false over DUDAO_DEMO=true")
	}
	if cfg.MaxUploadMB != 50 {
		t.Errorf("MaxUploadMB = %d, want the flag's 50", cfg.MaxUploadMB)
	}
	if cfg.TokenTTL != 30*time.Minute {
		t.Errorf("TokenTTL = %s, want the flag's 30m", cfg.TokenTTL)
	}
}

func TestConfigEnvFillsUnsetFlags(t *testing.T) {
	clearEnv(t)
	t.Setenv("DUDAO_ADDR", "10.0.0.1:9000")
	t.Setenv("DUDAO_DB", "postgres://dudao:s3cret@db:5432/dudao")
	t.Setenv("DUDAO_DATA", "srv/dudao")
	t.Setenv("DUDAO_DEMO", "1")
	t.Setenv("DUDAO_SECURE_COOKIES", "true")
	t.Setenv("DUDAO_MAX_UPLOAD_MB", "7")
	t.Setenv("DUDAO_TOKEN_TTL", "2h")
	t.Setenv("DUDAO_LOG", "json")
	t.Setenv("DUDAO_RULES", "rules.json")
	t.Setenv("DUDAO_CALENDAR", "calendar")
	t.Setenv("DUDAO_FONT", "fonts/wenkai.ttf")
	t.Setenv("DUDAO_SMTP", "smtp://mail.example:25?from=dudao@example.org")
	t.Setenv("DUDAO_TICK_EVERY", "1m")
	t.Setenv("DUDAO_TRUSTED_PROXIES", "10.0.0.2, 10.1.0.0/16")
	t.Setenv("DUDAO_BODY_TIMEOUT", "45s")
	t.Setenv("DUDAO_METRICS_TOKEN", "scrape-me")
	t.Setenv("DUDAO_SWEEP_GRACE", "2h")
	t.Setenv("DUDAO_ANCHOR", "/mnt/worm/dudao")
	t.Setenv("DUDAO_CHECKPOINT_EVERY", "5m")
	// Only --data is on the command line; every other setting comes from the environment.
	cfg, _, err := parse("serve", []string{"--data", "lib/dudao"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Addr: "10.0.0.1:9000", DB: "postgres://dudao:s3cret@db:5432/dudao", DataDir: "lib/dudao", Demo: true,
		MaxUploadMB: 7, SecureCookies: true, RulesFile: "rules.json", CalendarPath: "calendar", TokenTTL: 2 * time.Hour, LogFormat: "json",
		FontPath: "fonts/wenkai.ttf", SMTP: "smtp://mail.example:25?from=dudao@example.org", TickEvery: time.Minute,
		TrustedProxies: "10.0.0.2, 10.1.0.0/16", BodyTimeout: 45 * time.Second, MetricsToken: "scrape-me", SweepGrace: 2 * time.Hour,
		AnchorDir: "/mnt/worm/dudao", CheckpointEvery: 5 * time.Minute,
	}
	if cfg != want {
		t.Errorf("config = %+v\nwant     %+v", cfg, want)
	}
	if got := cfg.maxUploadBytes(); got != 7<<20 {
		t.Errorf("maxUploadBytes() = %d, want 7 MiB from DUDAO_MAX_UPLOAD_MB=7", got)
	}
	if cfg.dbDSN() != want.DB {
		t.Errorf("dbDSN() = %q, want --db/DUDAO_DB to win over the data folder", cfg.dbDSN())
	}
	if p, err := cfg.trustedProxies(); err != nil || len(p) != 2 || p[0].String() != "10.0.0.2/32" || p[1].String() != "10.1.0.0/16" {
		t.Errorf("trustedProxies() = %v, %v", p, err)
	}
	if strings.Contains(cfg.String(), "scrape-me") {
		t.Errorf("the printed config shows the metrics token: %s", cfg)
	}
}

func TestConfigBadFlag(t *testing.T) {
	clearEnv(t)
	quiet := func(fs *flag.FlagSet) { fs.SetOutput(io.Discard) }
	if _, _, err := parse("serve", []string{"--max-upload-mb", "many"}, quiet); err == nil {
		t.Error("parse accepted --max-upload-mb many")
	}
	if _, _, err := parse("serve", []string{"--no-such-flag"}, quiet); err == nil {
		t.Error("parse accepted an unknown flag")
	}
}

func TestConfigRefusesBadEnvAndValues(t *testing.T) {
	clearEnv(t)
	t.Setenv("DUDAO_TOKEN_TTL", "12")
	if _, _, err := parse("serve", nil, nil); err == nil || !strings.Contains(err.Error(), "DUDAO_TOKEN_TTL") {
		t.Errorf("DUDAO_TOKEN_TTL=12 (no unit): err = %v, want a message naming the variable", err)
	}
	clearEnv(t)
	if _, _, err := parse("serve", []string{"--max-upload-mb", "0"}, nil); err == nil {
		t.Error("parse accepted --max-upload-mb 0")
	}
	if _, _, err := parse("serve", []string{"-h"}, func(fs *flag.FlagSet) { fs.SetOutput(io.Discard) }); err != errHelp {
		t.Errorf("-h: err = %v, want errHelp so the command exits 0", err)
	}
}

func TestMaskDSN(t *testing.T) {
	tests := []struct {
		dsn, want, secret string
	}{
		{"postgres://dudao:s3cret@db:5432/dudao?sslmode=disable", "postgres://dudao:xxxxx@db:5432/dudao?sslmode=disable", "s3cret"},
		{"postgresql://dudao:p%40ss@db/dudao", "postgresql://dudao:xxxxx@db/dudao", "p@ss"},
		{"postgres://dudao@db/dudao", "postgres://dudao@db/dudao", ""},
		{"data/dudao.db", "data/dudao.db", ""},
		{"postgres://u:pa#ss@h/db", "postgres://xxxxx@h/db", "pa#ss"},
		{"postgres://u:50%off@h/db", "postgres://xxxxx@h/db", "50%off"},
		{"postgres://u@h/db?password=hunter2&sslmode=disable", "postgres://u@h/db?password=xxxxx&sslmode=disable", "hunter2"},
	}
	for _, tt := range tests {
		got := maskDSN(tt.dsn)
		if got != tt.want {
			t.Errorf("maskDSN(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
		if tt.secret != "" && (strings.Contains(got, tt.secret) || strings.Contains(got, "p%40ss")) {
			t.Errorf("maskDSN(%q) = %q still shows the password", tt.dsn, got)
		}
	}
}

func TestConfigStringHidesPassword(t *testing.T) {
	cfg := Config{Addr: ":8080", DB: "postgres://dudao:s3cret-Pa55@db.internal:5432/dudao", DataDir: "srv/dudao", TokenTTL: time.Hour, LogFormat: "text"}
	s := cfg.String()
	if strings.Contains(s, "s3cret-Pa55") {
		t.Fatalf("Config.String() shows the database password: %s", s)
	}
	for _, want := range []string{"addr=:8080", "db=postgres://dudao:xxxxx@db.internal:5432/dudao", "data=srv/dudao", "token_ttl=1h0m0s"} {
		if !strings.Contains(s, want) {
			t.Errorf("Config.String() = %s\nwant it to contain %q", s, want)
		}
	}

	// Without --db the SQLite file in the data folder is shown.
	cfg = Config{DataDir: "srv/dudao"}
	if s, want := cfg.String(), "db="+filepath.Join("srv/dudao", "dudao.db"); !strings.Contains(s, want) {
		t.Errorf("Config.String() = %s\nwant it to contain %q", s, want)
	}
}
