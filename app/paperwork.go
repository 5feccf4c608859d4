package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"dudao/app/export"
	"dudao/domain"
)

// Issue 12: the case as a supervision office runs it. The documents a step issues are rendered and
// fixed in the step's transaction; the people who must act next are told in it; the notice, the
// correction of an 意见书 and the 复查/复核 ladder of R16 are use cases here.

type quietKey struct{}

// Quietly marks ctx as replaying a history nobody is to be told of (the demo): the steps taken under it
// notify no one.
func Quietly(ctx context.Context) context.Context { return context.WithValue(ctx, quietKey{}, true) }

func quiet(ctx context.Context) bool { q, _ := ctx.Value(quietKey{}).(bool); return q }

// paper resolves what a case's documents print that the case does not hold: the names of its team,
// of whoever signed it and of a (who takes the step), and the office above its owner.
func (x *App) paper(ctx context.Context, c *domain.Case, a domain.Actor) (domain.Paper, error) {
	p := domain.Paper{Names: map[int64]string{}}
	if a.UserID != 0 {
		p.Names[a.UserID] = a.Name
	}
	for _, id := range append(append([]int64(nil), c.InspectorIDs...), c.IssuedBy) {
		if id == 0 || p.Names[id] != "" {
			continue
		}
		u, err := x.d.Users.GetUser(ctx, id)
		if err != nil {
			if domain.ErrorCode(err) == domain.ENOTFOUND {
				continue
			}
			return p, err
		}
		p.Names[id] = u.Name
	}
	higher, err := x.higherOffice(ctx, c.OwnerOrg)
	if err != nil {
		return p, err
	}
	if higher != nil {
		p.HigherOffice = higher.OfficeName()
	} else {
		p.HigherOffice = x.d.Rules.HigherOffice
	}
	return p, nil
}

// higherOffice is the org above owner, or nil when owner is a root of the tree.
func (x *App) higherOffice(ctx context.Context, owner domain.Org) (*domain.Org, error) {
	if owner.ParentID == nil {
		return nil, nil
	}
	o, err := x.d.Orgs.GetOrg(ctx, *owner.ParentID)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// renderDocuments renders the documents the step just issued (HTML, and PDF for those printed) and
// fixes their sha256: of the PDF, or of the HTML for a document kept as HTML only. It says, for the
// audit event, which documents were issued with which sha256.
func (x *App) renderDocuments(c *domain.Case) (string, error) {
	var out []string
	for i := range c.Documents {
		d := &c.Documents[i]
		if d.ID != 0 || d.SHA256 != "" || d.Content == nil {
			continue
		}
		html, err := export.DocumentHTML(*d.Content)
		if err != nil {
			return "", err
		}
		d.HTML = html
		body := []byte(html)
		if d.Kind.Printed() {
			font, err := x.pdfFont()
			if err != nil {
				return "", err
			}
			if d.PDF, err = export.DocumentPDF(*d.Content, d.IssuedAt, font); err != nil {
				return "", x.fontError(err)
			}
			body = d.PDF
		}
		sum := sha256.Sum256(body)
		d.SHA256 = hex.EncodeToString(sum[:])
		out = append(out, fmt.Sprintf("%s %s sha256=%s", d.Kind.Label(), d.Number, d.SHA256))
	}
	return strings.Join(out, "；"), nil
}

// caseTold tells whoever must act next after a step on a case (kind.after), leaving out who took it.
func (x *App) caseTold(ctx context.Context, a domain.Actor, c *domain.Case, op domain.Op, now time.Time) error {
	if quiet(ctx) {
		return nil
	}
	for _, n := range c.Notices(op, a, now, x.d.Rules) {
		if _, err := x.notifyExcept(ctx, n.Message, n.To, now, a.UserID); err != nil {
			return err
		}
	}
	return nil
}

// SendNotice sends a case's 督导通知 (R7, R20).
func (x *App) SendNotice(ctx context.Context, a domain.Actor, caseID int64, in domain.NoticeInput, expect *int) (CaseView, error) {
	return x.changeCase(ctx, a, caseID, domain.OpSendNotice, expect, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		p, err := x.paper(ctx, c, a)
		if err != nil {
			return "", err
		}
		return "督导日期 " + string(in.VisitOn), c.SendNotice(a, now, x.d.Rules, in, p)
	})
}

// CorrectOpinion issues a correction of a case's 意见书 docID (the one in force): a new document linked
// to the one it corrects.
func (x *App) CorrectOpinion(ctx context.Context, a domain.Actor, caseID, docID int64, reason string) (CaseView, *domain.CaseDocument, error) {
	v, err := x.changeCase(ctx, a, caseID, domain.OpCorrectDocument, nil, func(ctx context.Context, c *domain.Case, now time.Time) (string, error) {
		p, err := x.paper(ctx, c, a)
		if err != nil {
			return "", err
		}
		_, err = c.CorrectOpinion(a, now, x.d.Rules, docID, reason, p)
		return strings.TrimSpace(reason), err
	})
	if err != nil {
		return v, nil, err
	}
	return v, v.Case.LatestDocument(domain.DocOpinion), nil
}

var errDocNotFound = domain.Errorf(domain.ENOTFOUND, "文书不存在。")

// CaseDocument loads a document of a case the caller may read, with its content and renderings.
func (x *App) CaseDocument(ctx context.Context, a domain.Actor, caseID, docID int64) (domain.CaseDocument, error) {
	var d domain.CaseDocument
	err := x.inTx(ctx, func(ctx context.Context) error {
		if _, err := load(ctx, x, x.cases, a, caseID); err != nil {
			return err
		}
		var err error
		d, err = x.d.Cases.GetCaseDocument(ctx, caseID, docID)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return errDocNotFound
		}
		return err
	})
	return d, err
}

// docFilename is e.g. 督导意见书_乌督学〔2026〕5号.pdf.
func docFilename(d domain.CaseDocument) string {
	return strings.NewReplacer("/", "_", `\`, "_").Replace(d.Kind.Label()+"_"+d.Number) + ".pdf"
}

// CaseDocumentPDF answers the PDF of a document as it was issued, byte for byte.
func (x *App) CaseDocumentPDF(ctx context.Context, a domain.Actor, caseID, docID int64) (Document, error) {
	d, err := x.CaseDocument(ctx, a, caseID, docID)
	if err != nil {
		return Document{}, err
	}
	if len(d.PDF) == 0 {
		return Document{}, domain.Errorf(domain.ENOTFOUND, "%s不印制PDF，请在案件页面查看。", d.Kind.Label())
	}
	return Document{Filename: docFilename(d), ContentType: export.ContentTypePDF, Body: d.PDF}, nil
}

// CalendarWarning is the warning for the admin when the holiday calendar runs out within 60 days or
// does not cover this year (SPEC §2.3); ok is false when there is nothing to say.
func (x *App) CalendarWarning() (string, bool) {
	return x.d.Rules.Calendar.CoverageWarning(x.d.Clock.Now())
}

// DueLabel prints a deadline as the UI shows it: the date, marked （估算） past the calendar's end.
func (x *App) DueLabel(d domain.Date) string { return x.d.Rules.Calendar.Label(d) }

// MayReadCases reports whether the actor reads cases anywhere: every type, or 评估监测 cases only
// (the monitor role).
func (x *App) MayReadCases(a domain.Actor) bool {
	return x.MayAnywhere(a, "case", "read") || x.MayAnywhere(a, "monitoring_case", "read")
}

// PaperAbilities are what the actor may do with a case's paperwork now.
type PaperAbilities struct {
	SendNotice      bool // send (or send again) the 督导通知
	SelfEvaluation  bool // upload the 自评报告
	AttachObjection bool // attach files to its own pending objections
	CorrectOpinion  bool // issue a correction of the 意见书
	ApplyReview     bool // apply for 复查
	ApplyRereview   bool // apply for 复核
}

// PaperAbilities answers PaperAbilities for a case the actor has loaded, given its review requests.
func (x *App) PaperAbilities(a domain.Actor, c *domain.Case, reviews []domain.ReviewRequest) PaperAbilities {
	if c == nil || !x.visible(a, c.Head()) {
		return PaperAbilities{}
	}
	now := x.d.Clock.Now()
	var ab PaperAbilities
	ab.SendNotice = x.may(a, c, domain.OpSendNotice) && c.CanSendNotice(a) == nil
	ab.SelfEvaluation = c.Status == domain.StatusPlanned && x.may(a, c, domain.OpUploadEvidence) && c.CanAttach(a, now, nil, nil) == nil
	for _, o := range c.Objections {
		id := o.ID
		if x.may(a, c, domain.OpUploadEvidence) && c.CanAttach(a, now, nil, &id) == nil {
			ab.AttachObjection = true
		}
	}
	ab.CorrectOpinion = x.may(a, c, domain.OpCorrectDocument) && c.CanCorrect(a) == nil
	probe := &domain.ReviewRequest{OwnerOrg: c.OwnerOrg, TargetOrg: c.TargetOrg}
	if x.may(a, probe, domain.OpApplyReview) && a.Org.ID == c.TargetOrg.ID {
		for _, k := range []domain.ReviewKind{domain.ReviewFirst, domain.ReviewHigher} {
			last, ok := domain.ApplyBy(c, k, reviews, x.d.Rules)
			taken := false
			for _, q := range reviews {
				taken = taken || q.Kind == k
			}
			open := ok && !taken && !last.Before(domain.DateOf(now))
			if k == domain.ReviewFirst {
				ab.ApplyReview = open
			} else {
				ab.ApplyRereview = open && c.OwnerOrg.ParentID != nil
			}
		}
	}
	return ab
}
