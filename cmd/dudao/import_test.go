package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dudao/app"
	"dudao/cmd/system"
	"dudao/domain"
	"dudao/storage/storagetest"
)

// TestImportObservationsCommand: dudao import observations lands a good file whole with progress on
// stderr and a Chinese summary, and refuses a file with bad rows, listing each with its line, changing
// nothing (exit 1 from main).
func TestImportObservationsCommand(t *testing.T) {
	clearEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	dsn := storagetest.New(t, "sqlite").DSN
	sys, err := system.Open(ctx, system.Settings{DSN: dsn, EvidenceDir: filepath.Join(dir, "evidence")})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []app.OrgInput{{Code: "wuhai", Name: "乌海市", Kind: domain.OrgCity}, {Code: "hbw", Name: "海勃湾区", Kind: domain.OrgDistrict, ParentPath: "wuhai/"},
		{Code: "s001", Name: "第一小学", Kind: domain.OrgSchool, ParentPath: "wuhai/hbw/"}} {
		if _, err := sys.App.CreateOrg(ctx, app.System, o); err != nil {
			t.Fatal(err)
		}
	}
	sys.Close()
	write := func(name, rows string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("indicator_code,org_code,year,value,note\n"+rows), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var good strings.Builder // 5 years × 3 orgs × 2 indicators
	for y := 2021; y <= 2025; y++ {
		for _, org := range []string{"wuhai", "hbw", "hbw/s001"} {
			for _, code := range []string{"compulsory_retention_rate", "student_fitness_pass_rate"} {
				fmt.Fprintf(&good, "%s,%s,%d,97,\n", code, org, y)
			}
		}
	}
	rows := good.String()
	var out, errOut bytes.Buffer
	args := []string{"import", "observations", "--db", dsn, "--data", dir}
	if err := run(ctx, append(args, write("good.csv", rows)), nil, &out, &errOut); err != nil {
		t.Fatalf("good file: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "已导入 good.csv：共 30 行，新增 30 行") || !strings.Contains(errOut.String(), "已写入 30/30 行") {
		t.Errorf("stdout %q\nstderr %q", out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	bad := "compulsory_retention_rate,hbw,2021,96,\nno_such,hbw,2021,1,\ncompulsory_retention_rate,baotou,2021,96,\n"
	err = run(ctx, append(args, write("bad.csv", bad)), nil, &out, &errOut)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(domain.ErrorMessage(err), "未导入任何数据") {
		t.Fatalf("bad file: %v", err)
	}
	for _, want := range []string{"以下 2 行不合格", "第3行：指标代码「no_such」不在指标目录中", "第4行：单位代码「baotou」不存在"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if out.Len() != 0 {
		t.Errorf("a refused file printed %q", out.String())
	}
	// The 2021 value of 海勃湾区 is the good file's, not the refused one's 96.
	sys, err = system.Open(ctx, system.Settings{DSN: dsn, EvidenceDir: filepath.Join(dir, "evidence")})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	obs, err := sys.DB.FindObservations(ctx, domain.ObservationQuery{Orgs: []domain.Jurisdiction{"wuhai/hbw/"}, Codes: []string{"compulsory_retention_rate"}, From: 2021, To: 2021})
	if err != nil || len(obs) != 1 || obs[0].Value != 97 || !strings.HasPrefix(obs[0].Source, "导入：good.csv 第") {
		t.Errorf("after the refused file: %+v %v", obs, err)
	}
	if err := run(ctx, []string{"import", "observations", "--db", dsn, "--data", dir, filepath.Join(dir, "missing.csv")}, nil, &out, &errOut); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a missing file: %v", err)
	}
	if err := run(ctx, []string{"import", "tasks", "x"}, nil, &out, &errOut); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("import tasks: %v", err)
	}
}
