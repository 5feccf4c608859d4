package storage

import (
	"context"
	"reflect"
	"testing"
	"time"

	"dudao/domain"
)

// regFixture is a city with a district, three schools and three supervisors.
type regFixture struct {
	city, hbw, s1, s2, s3 domain.Org
	dir, sup1, sup2, sup3 domain.User
}

func regBuild(t *testing.T, db *DB) regFixture {
	t.Helper()
	ctx := context.Background()
	var x regFixture
	x.city = mustOrg(t, ctx, db, "wuhai", "乌海市", domain.OrgCity, nil)
	x.hbw = mustOrg(t, ctx, db, "hbw", "海勃湾区", domain.OrgDistrict, &x.city)
	x.s1 = mustOrg(t, ctx, db, "s1", "第一小学", domain.OrgSchool, &x.hbw)
	x.s2 = mustOrg(t, ctx, db, "s2", "第二小学", domain.OrgSchool, &x.hbw)
	x.s3 = mustOrg(t, ctx, db, "s3", "第三小学", domain.OrgSchool, &x.hbw)
	x.dir = mustUser(t, ctx, db, "dir", "主任", x.city)
	x.sup1 = mustUser(t, ctx, db, "sup1", "督学一", x.city)
	x.sup2 = mustUser(t, ctx, db, "sup2", "督学二", x.city)
	x.sup3 = mustUser(t, ctx, db, "sup3", "督学三", x.hbw)
	return x
}

// regT0 is a Monday morning in Wuhai.
var regT0 = time.Date(2026, 3, 2, 9, 30, 15, 123456789, cst)

func inTx(t *testing.T, db *DB, fn func(ctx context.Context) error) {
	t.Helper()
	if err := db.WithinTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// importInspector stores an appointed inspector of office with one open term, a training line and a
// conflict.
func importInspector(t *testing.T, db *DB, x regFixture, office domain.Org, u domain.User, code string, kind domain.InspectorKind) *domain.Inspector {
	t.Helper()
	by := domain.Actor{UserID: x.dir.ID, Org: office}
	terms := []domain.Term{{From: "2025-09-01", Until: "2028-08-31"}}
	if kind == domain.FullTime {
		terms = []domain.Term{{From: "2024-01-01"}}
	}
	i, err := domain.ImportInspector(by, office, domain.InspectorInput{UserID: u.ID, Code: code, Name: u.Name, Unit: x.s1, Kind: kind, CertNo: "DX-" + code},
		terms, domain.DefaultRegistryRules(), regT0)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(ctx context.Context) error { return db.CreateInspector(ctx, i) })
	return i
}

func TestInspectorStore(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			x := regBuild(t, db)
			by := domain.Actor{UserID: x.dir.ID, Org: x.city}
			i := importInspector(t, db, x, x.city, x.sup1, "wh-001", domain.PartTime)
			if i.ID == 0 {
				t.Fatal("CreateInspector left ID 0")
			}
			if _, err := i.AddTraining(by, regT0, domain.TrainingInput{Year: 2026, Hours: 24, Course: "督导业务培训", Provider: "市教育局"}); err != nil {
				t.Fatal(err)
			}
			if _, err := i.AddTraining(by, regT0, domain.TrainingInput{Year: 2026, Hours: 8, Course: "校园安全专题"}); err != nil {
				t.Fatal(err)
			}
			if _, err := i.DeclareConflict(by, regT0, x.s2, "近亲属任该校校长"); err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.SaveInspector(ctx, i, 1) })
			if i.Trainings[0].ID == 0 || i.Trainings[1].ID == 0 || i.Conflicts[0].ID == 0 {
				t.Fatalf("new lines left without ids: %+v %+v", i.Trainings, i.Conflicts)
			}
			got, err := db.GetInspector(ctx, i.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 4 || got.Office.ID != x.city.ID || got.Unit.ID != x.s1.ID || got.Status != domain.InspAppointed ||
				len(got.Terms) != 1 || got.Terms[0] != (domain.Term{Seq: 1, From: "2025-09-01", Until: "2028-08-31"}) ||
				got.TrainingHours(2026) != 32 || len(got.Conflicts) != 1 || got.Conflicts[0].Org.Path != x.s2.Path || got.Conflicts[0].Reason != "近亲属任该校校长" {
				t.Fatalf("round trip: %+v", got)
			}

			// A stale version loses; removing a line deletes it.
			if err := got.RemoveTraining(by, regT0, got.Trainings[0].ID); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveInspector(ctx, got, 3) }), domain.ECONFLICT)
			inTx(t, db, func(ctx context.Context) error { return db.SaveInspector(ctx, got, 4) })
			again, _ := db.GetInspector(ctx, i.ID)
			if len(again.Trainings) != 1 || again.TrainingHours(2026) != 8 {
				t.Errorf("after removal: %+v", again.Trainings)
			}

			// The code is unique, and one user has one profile per registry.
			in := domain.InspectorInput{UserID: x.sup2.ID, Code: "wh-001", Name: "重号", Unit: x.s1, Kind: domain.FullTime, CertNo: "X1"}
			p, _ := domain.NewInspector(by, x.city, in, domain.DefaultRegistryRules(), regT0)
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateInspector(ctx, p) }), domain.ECONFLICT)
			in.UserID, in.Code = x.sup1.ID, "wh-009"
			p, _ = domain.NewInspector(by, x.city, in, domain.DefaultRegistryRules(), regT0)
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateInspector(ctx, p) }), domain.ECONFLICT)

			// Lists: by scope, office path (the city's before the district's) then code; filters; a page; by user.
			importInspector(t, db, x, x.hbw, x.sup3, "hbw-001", domain.FullTime)
			importInspector(t, db, x, x.city, x.sup2, "wh-000", domain.FullTime)
			codes := func(list []domain.Inspector) []string {
				var out []string
				for _, i := range list {
					out = append(out, i.Code)
				}
				return out
			}
			list, total, err := db.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{x.city.Path}})
			if err != nil || total != 3 || !reflect.DeepEqual(codes(list), []string{"wh-000", "wh-001", "hbw-001"}) {
				t.Errorf("city list = %v (%d), %v", codes(list), total, err)
			}
			if len(list) == 3 && (len(list[1].Trainings) != 1 || len(list[1].Conflicts) != 1 || len(list[1].Terms) != 1) {
				t.Errorf("list parts: %+v", list[1])
			}
			list, total, _ = db.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{x.hbw.Path}})
			if total != 1 || codes(list)[0] != "hbw-001" {
				t.Errorf("district list = %v", codes(list))
			}
			list, total, _ = db.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{x.city.Path}, Kind: domain.FullTime, PerPage: 1, Page: 2})
			if total != 2 || !reflect.DeepEqual(codes(list), []string{"hbw-001"}) {
				t.Errorf("full-time page 2 = %v (%d)", codes(list), total)
			}
			list, _, _ = db.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{x.city.Path}, Q: "督学二"})
			if !reflect.DeepEqual(codes(list), []string{"wh-000"}) {
				t.Errorf("q = %v", codes(list))
			}
			list, _, _ = db.ListInspectors(ctx, domain.InspectorFilter{UserIDs: []int64{x.sup3.ID, x.sup1.ID}})
			if !reflect.DeepEqual(codes(list), []string{"wh-001", "hbw-001"}) {
				t.Errorf("by user = %v", codes(list))
			}
			if list, _, _ = db.ListInspectors(ctx, domain.InspectorFilter{Scopes: []domain.Jurisdiction{}}); len(list) != 0 {
				t.Errorf("no scope lists %v", codes(list))
			}
		})
	}
}

func TestAssignmentStore(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			x := regBuild(t, db)
			by := domain.Actor{UserID: x.dir.ID, Org: x.hbw}
			i1 := importInspector(t, db, x, x.hbw, x.sup1, "hbw-001", domain.FullTime)
			i2 := importInspector(t, db, x, x.hbw, x.sup2, "hbw-002", domain.FullTime)
			a, err := domain.NewAssignment(by, x.hbw, x.s2, i1, 0, domain.PostingInput{From: "2026-03-01", Phone: "13900000001"}, regT0)
			if err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.CreateAssignment(ctx, a) })
			if a.ID == 0 || a.Postings[0].ID == 0 {
				t.Fatalf("ids: %+v", a)
			}
			twin, _ := domain.NewAssignment(by, x.hbw, x.s2, i2, 0, domain.PostingInput{Phone: "13900000002"}, regT0)
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.CreateAssignment(ctx, twin) }), domain.ECONFLICT)

			got, err := db.GetAssignment(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := got.Reassign(by, regT0, i2, 0, domain.PostingInput{From: "2026-03-10", Phone: "0473-1234567"}, "定期交流"); err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.SaveAssignment(ctx, got, 1) })
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveAssignment(ctx, got, 1) }), domain.ECONFLICT)
			back, _ := db.GetAssignment(ctx, a.ID)
			if back.Version != 2 || len(back.Postings) != 2 || back.Postings[0].Until != "2026-03-09" || back.Postings[0].EndReason != "定期交流" ||
				back.Postings[0].EndedAt == nil || back.Postings[1].InspectorID != i2.ID || back.Postings[1].Until != "" ||
				back.Postings[1].Duties != domain.DefaultDuties() || back.School.Path != x.s2.Path || back.Office.ID != x.hbw.ID {
				t.Fatalf("after reassign: %+v", back)
			}

			b, err := domain.NewAssignment(by, x.hbw, x.s3, i2, 1, domain.PostingInput{From: "2026-03-02", Phone: "13900000003"}, regT0)
			if err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.CreateAssignment(ctx, b) })
			for d, want := range map[domain.Date]map[int64]int{
				"2026-03-05": {i1.ID: 1, i2.ID: 1}, // i1 still at s2, i2 at s3
				"2026-03-10": {i2.ID: 2},
				"2026-02-28": {},
			} {
				loads, err := db.PostingLoads(ctx, []int64{i1.ID, i2.ID}, d)
				if err != nil || !reflect.DeepEqual(loads, want) {
					t.Errorf("loads on %s = %v, %v; want %v", d, loads, err, want)
				}
			}
			list, err := db.ListAssignments(ctx, []domain.Jurisdiction{x.hbw.Path})
			if err != nil || len(list) != 2 || list[0].School.ID != x.s2.ID || list[1].School.ID != x.s3.ID || len(list[0].Postings) != 2 {
				t.Errorf("list = %+v, %v", list, err)
			}
			if list, _ := db.ListAssignments(ctx, []domain.Jurisdiction{x.s1.Path}); len(list) != 0 {
				t.Errorf("s1's scope lists %+v", list)
			}
		})
	}
}

func TestPlanStore(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			x := regBuild(t, db)
			by := domain.Actor{UserID: x.sup1.ID, Org: x.hbw}
			p, err := domain.NewPlan(by, x.hbw, 2026, regT0)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range []domain.PlanItemInput{
				{Target: x.s1, Type: domain.CaseSchool, Kind: domain.KindComprehensive, Year: 2026, Month: 4},
				{Target: x.s2, Type: domain.CaseSchool, Kind: domain.KindSpecial, Year: 2027, Quarter: 2, Note: "食堂"},
				{Target: x.s3, Type: domain.CaseSchool, Kind: domain.KindComprehensive, Year: 2028},
			} {
				if _, err := p.AddItem(by, regT0, in); err != nil {
					t.Fatal(err)
				}
			}
			inTx(t, db, func(ctx context.Context) error { return db.CreatePlan(ctx, p) })
			twin, _ := domain.NewPlan(by, x.hbw, 2026, regT0)
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.CreatePlan(ctx, twin) }), domain.ECONFLICT)

			got, err := db.GetPlan(ctx, p.ID)
			if err != nil || len(got.Items) != 3 || got.Items[1].Note != "食堂" || got.Items[1].Target.Path != x.s2.Path || got.Items[1].Quarter != 2 {
				t.Fatalf("round trip: %+v, %v", got, err)
			}
			if _, err := got.UpdateItem(by, regT0, got.Items[0].ID, domain.PlanItemInput{Target: x.s1, Type: domain.CaseSchool, Kind: domain.KindComprehensive, Year: 2026, Month: 5}); err != nil {
				t.Fatal(err)
			}
			if err := got.RemoveItem(by, regT0, got.Items[2].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := got.AddItem(by, regT0, domain.PlanItemInput{Target: x.s3, Type: domain.CaseMonitoring, Kind: domain.KindSpecial, Year: 2026, Quarter: 3}); err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.SavePlan(ctx, got, 4) })
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.SavePlan(ctx, got, 4) }), domain.ECONFLICT)
			back, _ := db.GetPlan(ctx, p.ID)
			if back.Version != 7 || len(back.Items) != 3 || back.Items[0].Month != 5 || back.Items[0].ID != p.Items[0].ID {
				t.Fatalf("after edits: %+v", back.Items)
			}
			for _, it := range back.Items {
				if it.Target.ID == x.s3.ID && it.Type != domain.CaseMonitoring {
					t.Errorf("removed item still there: %+v", it)
				}
			}
			if err := back.Approve(by, regT0); err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.SavePlan(ctx, back, 7) })
			list, err := db.ListPlans(ctx, []domain.Jurisdiction{x.city.Path})
			if err != nil || len(list) != 1 || list[0].Status != domain.PlanApproved || list[0].ApprovedAt == nil {
				t.Errorf("list = %+v, %v", list, err)
			}
		})
	}
}

// A draw stored and read back replays: the snapshot (the created-at second included) gives the same
// commitment, the witnesses and the result come back whole, and the cases it opened are kept.
func TestDrawStore(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			x := regBuild(t, db)
			by := domain.Actor{UserID: x.sup1.ID, Org: x.city}
			in := domain.DrawInput{Title: "2026年春季双随机抽查", Scope: x.city.Path, Year: 2026, CaseType: domain.CaseSchool, CaseKind: domain.KindRandom,
				Filters: "学校", N: 2, K: 2, DefaultCap: 2, Targets: []domain.Org{x.s1, x.s2, x.s3},
				Inspectors: []domain.DrawInspectorInput{
					{UserID: x.sup1.ID, Code: "wh-001", Name: "督学一", OrgPath: x.city.Path},
					{UserID: x.sup2.ID, Code: "wh-002", Name: "督学二", OrgPath: x.city.Path, Load: 1, Conflicts: []domain.Jurisdiction{x.s1.Path}},
					{UserID: x.sup3.ID, Code: "wh-003", Name: "督学三", OrgPath: x.s3.Path, Cap: 3},
				}}
			d, err := domain.NewDraw(by, in, regT0)
			if err != nil {
				t.Fatal(err)
			}
			inTx(t, db, func(ctx context.Context) error { return db.CreateDraw(ctx, d) })
			got, err := db.GetDraw(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Snapshot()) != string(d.Snapshot()) || got.Commitment != d.Commitment || got.Verify() != nil {
				t.Fatalf("snapshot after the round trip:\n%s\nwant\n%s\nverify: %v", got.Snapshot(), d.Snapshot(), got.Verify())
			}
			if got.OwnerOrg.Name != "乌海市" || got.OwnerOrg.Path != x.city.Path {
				t.Errorf("owner = %+v", got.OwnerOrg)
			}

			step := func(f func(d *domain.Draw) error) {
				t.Helper()
				cur, err := db.GetDraw(ctx, d.ID)
				if err != nil {
					t.Fatal(err)
				}
				v := cur.Version
				if err := f(cur); err != nil {
					t.Fatal(err)
				}
				inTx(t, db, func(ctx context.Context) error { return db.SaveDraw(ctx, cur, v) })
			}
			values := []string{"3141592653589793-abc", "2718281828459045-xyz"}
			step(func(d *domain.Draw) error {
				return d.CommitWitness(by, regT0, "纪检组 张某", "市纪委监委派驻纪检监察组", domain.WitnessCommitment(values[0]))
			})
			step(func(d *domain.Draw) error {
				return d.CommitWitness(by, regT0, "家长代表 李某", "第一小学家委会", domain.WitnessCommitment(values[1]))
			})
			step(func(d *domain.Draw) error { return d.CloseCommitments(by, regT0.Add(time.Minute)) })
			step(func(d *domain.Draw) error { return d.Reveal(by, regT0.Add(2*time.Minute), 2, values[1]) })
			step(func(d *domain.Draw) error { return d.Reveal(by, regT0.Add(3*time.Minute), 1, values[0]) })
			done, err := db.GetDraw(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if done.Status != domain.DrawCompleted || done.Seed == "" || done.Result == nil || len(done.Result.Assignments) != 2 || done.Version != 6 {
				t.Fatalf("completed draw: %+v", done)
			}
			if err := done.Verify(); err != nil {
				t.Fatalf("Verify after the round trip: %v", err)
			}
			if !done.Witnesses[1].Revealed() || done.Witnesses[1].Value != values[1] || done.Witnesses[0].Name != "纪检组 张某" {
				t.Errorf("witnesses: %+v", done.Witnesses)
			}
			// A stale save loses.
			stale := *done
			wantCode(t, db.WithinTx(ctx, func(ctx context.Context) error { return db.SaveDraw(ctx, &stale, 5) }), domain.ECONFLICT)

			// The cases it opened.
			cases := map[int64]int64{}
			for _, as := range done.Result.Assignments {
				c, err := domain.NewCase(by, x.city, domain.Org{ID: as.Target.OrgID, Path: as.Target.Path, Kind: domain.OrgSchool}, domain.CaseSchool, domain.KindRandom,
					"抽查", []int64{as.Inspectors[0].UserID, as.Inspectors[1].UserID}, "", regT0)
				if err != nil {
					t.Fatal(err)
				}
				inTx(t, db, func(ctx context.Context) error { return db.CreateCase(ctx, c) })
				cases[as.Target.OrgID] = c.ID
			}
			inTx(t, db, func(ctx context.Context) error { return db.AddDrawCases(ctx, d.ID, cases) })
			if back, err := db.DrawCases(ctx, d.ID); err != nil || !reflect.DeepEqual(back, cases) {
				t.Errorf("DrawCases = %v, %v; want %v", back, err, cases)
			}
			list, total, err := db.ListDraws(ctx, domain.DrawFilter{Scopes: []domain.Jurisdiction{x.city.Path}})
			if err != nil || total != 1 || list[0].ID != d.ID || list[0].Verify() != nil {
				t.Errorf("list = %d, %v", total, err)
			}
			if _, total, _ := db.ListDraws(ctx, domain.DrawFilter{Scopes: []domain.Jurisdiction{x.hbw.Path}}); total != 0 {
				t.Errorf("the district lists the city's draw")
			}
		})
	}
}

// The case facts the registry reads: open cases per inspector, targets inspected lately, routine visits.
func TestRegistryCaseFacts(t *testing.T) {
	ctx := context.Background()
	for _, tdb := range openTestDBs(t) {
		t.Run(tdb.name, func(t *testing.T) {
			db := tdb.use(t)
			x := regBuild(t, db)
			by := domain.Actor{UserID: x.sup1.ID, Org: x.city}
			open := func(target domain.Org, kind domain.CaseKind, status domain.Status, started *time.Time, created time.Time, users ...int64) {
				t.Helper()
				c, err := domain.NewCase(by, x.city, target, domain.CaseSchool, kind, "案件", users, "", created)
				if err != nil {
					t.Fatal(err)
				}
				c.Status, c.StartedAt = status, started
				inTx(t, db, func(ctx context.Context) error { return db.CreateCase(ctx, c) })
			}
			at := func(s string) *time.Time {
				v, _ := time.ParseInLocation("2006-01-02 15:04", s, cst)
				return &v
			}
			open(x.s1, domain.KindSpecial, domain.StatusInspecting, at("2026-02-10 09:00"), *at("2026-02-01 09:00"), x.sup1.ID, x.sup2.ID)
			open(x.s2, domain.KindSpecial, domain.StatusRectifying, at("2026-02-10 09:00"), *at("2025-06-01 09:00"), x.sup1.ID)
			open(x.s2, domain.KindRandom, domain.StatusPlanned, nil, *at("2026-02-20 09:00"), x.sup2.ID)
			open(x.s3, domain.KindSpecial, domain.StatusCancelled, nil, *at("2026-02-20 09:00"), x.sup1.ID)
			// routine visits: s1 twice in February (one late at night, CST), once in January; a cancelled one
			open(x.s1, domain.KindRoutine, domain.StatusClosed, at("2026-02-03 23:30"), *at("2026-02-01 09:00"), x.sup3.ID)
			open(x.s1, domain.KindRoutine, domain.StatusInspecting, at("2026-02-28 08:00"), *at("2026-02-01 09:00"), x.sup3.ID)
			open(x.s1, domain.KindRoutine, domain.StatusClosed, at("2026-01-31 10:00"), *at("2026-01-01 09:00"), x.sup3.ID)
			open(x.s2, domain.KindRoutine, domain.StatusCancelled, at("2026-02-05 10:00"), *at("2026-02-01 09:00"), x.sup3.ID)

			loads, err := db.OpenCaseLoads(ctx, []int64{x.sup1.ID, x.sup2.ID, x.sup3.ID, x.dir.ID})
			if want := map[int64]int{x.sup1.ID: 1, x.sup2.ID: 2, x.sup3.ID: 1}; err != nil || !reflect.DeepEqual(loads, want) {
				t.Errorf("OpenCaseLoads = %v, %v; want %v", loads, err, want)
			}
			since := *at("2026-01-01 00:00")
			got, err := db.InspectedSince(ctx, []domain.Jurisdiction{x.s1.Path, x.s2.Path, x.s3.Path}, domain.CaseSchool, since)
			if err != nil || len(got) != 2 {
				t.Errorf("InspectedSince = %v, %v; want s1 and s2 (s3's case is cancelled)", got, err)
			}
			if got, _ := db.InspectedSince(ctx, []domain.Jurisdiction{x.s1.Path}, domain.CaseGovernment, since); len(got) != 0 {
				t.Errorf("another type: %v", got)
			}
			visits, err := db.RoutineVisits(ctx, []domain.Jurisdiction{x.hbw.Path}, "2026-02-01", "2026-02-28")
			if err != nil {
				t.Fatal(err)
			}
			days := map[domain.Date]int64{}
			for _, v := range visits {
				days[v.On] = v.SchoolID
			}
			if want := map[domain.Date]int64{"2026-02-03": x.s1.ID, "2026-02-28": x.s1.ID}; !reflect.DeepEqual(days, want) {
				t.Errorf("RoutineVisits = %v, want %v", days, want)
			}
			if v, _ := db.RoutineVisits(ctx, []domain.Jurisdiction{x.s2.Path}, "2026-01-01", "2026-02-28"); len(v) != 0 {
				t.Errorf("s2 visits = %v", v)
			}
		})
	}
}
