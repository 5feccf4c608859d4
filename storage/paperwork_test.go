package storage

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"dudao/domain"
)

// Issue 12: what a case keeps as paperwork round-trips on both engines; documents are loaded with a case
// as metadata and their bodies on request, byte for byte.
func TestCasePaperworkStore(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			x := accBuild(t, db)
			tx := func(fn func(ctx context.Context) error) error { return db.WithinTx(ctx, fn) }

			full := mustOrg(t, ctx, db, "hn", "海南区", domain.OrgDistrict, &x.city)
			if o, err := db.GetOrg(ctx, full.ID); err != nil || o.FullName != "" || o.OfficeName() != "海南区人民政府教育督导委员会办公室" {
				t.Errorf("an org without a full name: %+v %v", o, err)
			}
			named, _ := domain.NewOrg("wd", "乌达区", domain.OrgDistrict, &x.city)
			named.FullName = "乌达区教育督导室"
			if err := db.CreateOrg(ctx, &named); err != nil {
				t.Fatal(err)
			}
			if o, err := db.GetOrg(ctx, named.ID); err != nil || o.OfficeName() != "乌达区教育督导室" {
				t.Errorf("full name round trip: %+v %v", o, err)
			}

			if _, ok, err := db.FirstSighting(ctx, "feed"); err != nil || ok {
				t.Fatalf("FirstSighting of a new file = %v %v", ok, err)
			}
			c, err := db.GetCase(ctx, x.caseID)
			if err != nil {
				t.Fatal(err)
			}
			sent := time.Date(2026, 3, 2, 9, 0, 0, 0, cst)
			c.Unannounced, c.UnannouncedReason, c.NoticeSentAt, c.SelfEvaluationDue = true, "举报核实", &sent, "2026-03-20"
			c.PreliminaryOpinion, c.Evaluation, c.CopyTo = "总体规范。", "学校安全工作总体规范。", []string{"海勃湾区教育局", "乌海市教育局"}
			c.Findings[0].Requirement = "立即清理通道。"
			c.Findings[0].Measures = []domain.Measure{{Description: "清理。", ResponsiblePerson: "王校长", DueOn: "2026-03-25", LateReason: "施工。",
				CreatedBy: x.head1.ID, CreatedAt: sent}}
			fid := c.Findings[0].ID
			c.Findings[0].Evidence = []domain.Evidence{{FindingID: &fid, SHA256: "feed", Size: 3, ContentType: "image/png", UploadedBy: x.head1.ID,
				UploadedAt: sent, Purpose: domain.PurposeRectification}}
			content := domain.DocContent{Issuer: "乌海市人民政府教育督导委员会办公室", Title: "教育督导意见书", Number: c.Number, CopyTo: c.CopyTo}
			pdf := []byte("%PDF-1.3 fixed bytes\x00\x01\xff")
			c.Documents = []domain.CaseDocument{{Kind: domain.DocOpinion, Number: c.Number, Title: content.Title, IssuedBy: x.director.ID,
				IssuedAt: sent, Content: &content, HTML: "<article>意见书</article>", PDF: pdf, SHA256: "abc"}}
			c.Version++
			if err := tx(func(ctx context.Context) error { return db.SaveCase(ctx, c, c.Version-1) }); err != nil {
				t.Fatal(err)
			}
			docID := c.Documents[0].ID
			if docID == 0 {
				t.Fatal("the document has no id after the save")
			}

			got, err := db.GetCase(ctx, x.caseID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Unannounced || got.UnannouncedReason != "举报核实" || got.NoticeSentAt == nil || !got.NoticeSentAt.Equal(sent) ||
				got.SelfEvaluationDue != "2026-03-20" || got.PreliminaryOpinion != "总体规范。" || got.Evaluation != c.Evaluation ||
				!slices.Equal(got.CopyTo, c.CopyTo) {
				t.Errorf("case fields: %+v", got)
			}
			f := got.Findings[0]
			if f.Requirement != "立即清理通道。" || len(f.Measures) != 1 || f.Measures[0].LateReason != "施工。" ||
				len(f.Evidence) != 1 || f.Evidence[0].Purpose != domain.PurposeRectification {
				t.Errorf("finding: %+v", f)
			}
			if len(got.Documents) != 1 {
				t.Fatalf("documents = %+v", got.Documents)
			}
			meta := got.Documents[0]
			if meta.ID != docID || meta.Kind != domain.DocOpinion || meta.Number != c.Number || meta.SHA256 != "abc" || !meta.IssuedAt.Equal(sent) ||
				meta.Content != nil || meta.HTML != "" || meta.PDF != nil {
				t.Errorf("a loaded case holds its documents' metadata only: %+v", meta)
			}
			doc, err := db.GetCaseDocument(ctx, x.caseID, docID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(doc.PDF, pdf) || doc.HTML != "<article>意见书</article>" || doc.Content == nil || doc.Content.Issuer != content.Issuer ||
				!slices.Equal(doc.Content.CopyTo, content.CopyTo) {
				t.Errorf("document body: %+v", doc)
			}
			if _, err := db.GetCaseDocument(ctx, x.caseID+1, docID); domain.ErrorCode(err) != domain.ENOTFOUND {
				t.Errorf("a document through another case: %v, want ENOTFOUND", err)
			}

			// A document not rendered is not stored.
			got.Documents = append(got.Documents, domain.CaseDocument{Kind: domain.DocReport, Number: "x", Title: "报告", IssuedAt: sent, Content: &content})
			got.Version++
			if err := tx(func(ctx context.Context) error { return db.SaveCase(ctx, got, got.Version-1) }); err == nil {
				t.Error("an unrendered document was stored")
			}

			// The file just stored is found again, with the case and the finding it went to.
			s, ok, err := db.FirstSighting(ctx, "feed")
			if err != nil || !ok || s.CaseID != x.caseID || s.CaseNumber != c.Number || s.FindingTitle != "消防通道堵塞" || s.Purpose != domain.PurposeRectification {
				t.Errorf("FirstSighting = %+v %v %v", s, ok, err)
			}
		})
	}
}

func TestReviewRequestsStore(t *testing.T) {
	for _, d := range openTestDBs(t) {
		t.Run(d.name, func(t *testing.T) {
			db := d.use(t)
			ctx := context.Background()
			x := accBuild(t, db)
			tx := func(fn func(ctx context.Context) error) error { return db.WithinTx(ctx, fn) }
			applied := time.Date(2026, 3, 10, 9, 0, 0, 0, cst)
			q := &domain.ReviewRequest{CaseID: x.caseID, Kind: domain.ReviewFirst, OwnerOrg: x.city, TargetOrg: x.s1, Reason: "不服。",
				Status: domain.ReviewApplied, Version: 1, AppliedBy: x.head1.ID, AppliedAt: applied, DecideBy: "2026-04-09"}
			if err := tx(func(ctx context.Context) error { return db.CreateReviewRequest(ctx, q) }); err != nil {
				t.Fatal(err)
			}
			dup := *q
			dup.ID = 0
			err := tx(func(ctx context.Context) error { return db.CreateReviewRequest(ctx, &dup) })
			wantCode(t, err, domain.ECONFLICT)

			got, err := db.GetReviewRequest(ctx, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := db.GetCase(ctx, x.caseID)
			if got.CaseNumber != c.Number || got.OwnerOrg.ID != x.city.ID || got.TargetOrg.Path != x.s1.Path || !got.AppliedAt.Equal(applied) ||
				got.DecideBy != "2026-04-09" || got.Status != domain.ReviewApplied || got.PriorID != nil {
				t.Errorf("round trip: %+v", got)
			}
			if late, err := db.LateReviewRequests(ctx, "2026-04-09"); err != nil || len(late) != 0 {
				t.Errorf("late on the due day: %+v %v", late, err)
			}
			if late, err := db.LateReviewRequests(ctx, "2026-04-10"); err != nil || len(late) != 1 || late[0].ID != q.ID {
				t.Errorf("late the day after: %+v %v", late, err)
			}

			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(got.Decide(domain.Actor{UserID: x.director.ID, Org: x.city}, applied.Add(48*time.Hour), domain.ReviewUpheld, "维持。"))
			must(tx(func(ctx context.Context) error { return db.SaveReviewRequest(ctx, got, 1) }))
			err = tx(func(ctx context.Context) error { return db.SaveReviewRequest(ctx, got, 1) })
			wantCode(t, err, domain.ECONFLICT) // stale version
			if late, _ := db.LateReviewRequests(ctx, "2026-05-01"); len(late) != 0 {
				t.Errorf("a decided request is late: %+v", late)
			}
			h := &domain.ReviewRequest{CaseID: x.caseID, Kind: domain.ReviewHigher, OwnerOrg: x.city, TargetOrg: x.s1, PriorID: &q.ID, Reason: "不服复查。",
				Status: domain.ReviewApplied, Version: 1, AppliedBy: x.head1.ID, AppliedAt: applied.Add(72 * time.Hour), DecideBy: "2026-04-02"}
			must(tx(func(ctx context.Context) error { return db.CreateReviewRequest(ctx, h) }))
			list, err := db.CaseReviewRequests(ctx, x.caseID)
			if err != nil || len(list) != 2 || list[0].Status != domain.ReviewDecided || list[0].Outcome != domain.ReviewUpheld ||
				list[0].DecidedAt == nil || list[1].PriorID == nil || *list[1].PriorID != q.ID {
				t.Errorf("CaseReviewRequests = %+v %v", list, err)
			}
		})
	}
}
