package app

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"dudao/domain"
)

// outMail is an email to send once the transaction that created its notification has committed.
type outMail struct {
	notificationID int64
	mail           domain.Mail
}

// deliver puts m in the inbox of everyone in aud, once per user (the dedup key), inside the
// transaction in ctx. It returns how many notifications are new and the emails they call for.
func (x *App) deliver(ctx context.Context, m domain.Message, aud domain.Audience, now time.Time, except int64) (int, []outMail, error) {
	if x.d.Notifications == nil || onlyCaller(aud, except) {
		return 0, nil, nil
	}
	rs, err := x.d.Notifications.Audience(ctx, aud)
	if err != nil {
		return 0, nil, err
	}
	created := 0
	var mails []outMail
	for _, r := range rs {
		if except != 0 && r.UserID == except {
			continue // the one who took the step knows
		}
		n := m.For(r.UserID, now)
		ok, err := x.d.Notifications.AddNotification(ctx, &n)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			continue
		}
		created++
		if x.d.Mailer != nil && r.Email != "" {
			mails = append(mails, outMail{notificationID: n.ID, mail: domain.Mail{To: r.Email, Subject: "【教育督导】" + m.Title, Body: mailBody(r.Name, m)}})
		}
	}
	return created, mails, nil
}

// onlyCaller reports whether aud names no one but except, the caller, who is not told (a supervisor
// opening a case with themself as its only inspector): then there is no one to look up.
func onlyCaller(aud domain.Audience, except int64) bool {
	if except == 0 || len(aud.Members) > 0 || len(aud.Holders) > 0 || len(aud.Covering) > 0 || len(aud.Inspectors) > 0 {
		return false
	}
	for _, u := range aud.Users {
		if u != except {
			return false
		}
	}
	return true
}

// notify puts m in the inbox of everyone in aud inside the transaction in ctx and emails them once it
// has committed. It answers how many notifications are new.
func (x *App) notify(ctx context.Context, m domain.Message, aud domain.Audience, now time.Time) (int, error) {
	return x.notifyExcept(ctx, m, aud, now, 0)
}

// notifyExcept is notify leaving out the user except (the one who took the step); 0 leaves out nobody.
func (x *App) notifyExcept(ctx context.Context, m domain.Message, aud domain.Audience, now time.Time, except int64) (int, error) {
	n, mails, err := x.deliver(ctx, m, aud, now, except)
	if err != nil {
		return 0, err
	}
	if len(mails) > 0 {
		afterCommit(ctx, func() { x.sendMails(context.WithoutCancel(ctx), mails) })
	}
	return n, nil
}

func mailBody(name string, m domain.Message) string {
	var b strings.Builder
	b.WriteString(name + "：\n\n")
	b.WriteString(m.Body)
	b.WriteString("\n\n请登录乌海市教育督导管理系统查看")
	if m.Link != "" {
		b.WriteString("（" + m.Link + "）")
	}
	b.WriteString("。\n\n本邮件由系统自动发送，请勿回复。\n")
	return b.String()
}

// mailTally counts, for a caller that wants to report it (the scheduler), the emails sent.
type mailTally struct{ sent, failed int }

type tallyKey struct{}

// sendMails sends the emails of committed notifications, one each, and records which went out.
// A failure is counted, not fatal: the in-app notification is there either way.
func (x *App) sendMails(ctx context.Context, mails []outMail) {
	t, _ := ctx.Value(tallyKey{}).(*mailTally)
	for _, m := range mails {
		if err := x.d.Mailer.Send(ctx, m.mail); err != nil {
			if t != nil {
				t.failed++
			}
			continue
		}
		if t != nil {
			t.sent++
		}
		_ = x.inTx(ctx, func(ctx context.Context) error {
			return x.d.Notifications.MarkEmailed(ctx, m.notificationID, x.d.Clock.Now())
		})
	}
}

// ListNotifications lists the caller's own notifications, unread first.
func (x *App) ListNotifications(ctx context.Context, a domain.Actor, page, perPage int) ([]domain.Notification, int, int, error) {
	if perPage <= 0 {
		perPage = 20
	}
	if perPage > 200 {
		perPage = 200
	}
	if page <= 0 {
		page = 1
	}
	return x.d.Notifications.ListNotifications(ctx, a.UserID, page, perPage)
}

// MarkNotificationRead marks one of the caller's notifications read; anyone else's is ENOTFOUND.
func (x *App) MarkNotificationRead(ctx context.Context, a domain.Actor, id int64) (domain.Notification, error) {
	var n domain.Notification
	err := x.inTx(ctx, func(ctx context.Context) error {
		var err error
		n, err = x.d.Notifications.MarkRead(ctx, a.UserID, id, x.d.Clock.Now())
		return err
	})
	if domain.ErrorCode(err) == domain.ENOTFOUND {
		return n, domain.Errorf(domain.ENOTFOUND, "通知不存在。")
	}
	return n, err
}

// MarkAllNotificationsRead marks every unread notification of the caller read.
func (x *App) MarkAllNotificationsRead(ctx context.Context, a domain.Actor) (int, error) {
	return x.d.Notifications.MarkAllRead(ctx, a.UserID, x.d.Clock.Now())
}

// MyEmail is the address the caller's reminders are emailed to ("" for none).
func (x *App) MyEmail(ctx context.Context, a domain.Actor) (string, error) {
	return x.d.Notifications.GetEmail(ctx, a.UserID)
}

// SetMyEmail sets (or, with "", clears) the address the caller's reminders are emailed to.
func (x *App) SetMyEmail(ctx context.Context, a domain.Actor, email string) error {
	email = strings.TrimSpace(email)
	if email != "" {
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Address != email || len(email) > 200 || strings.ContainsAny(email, "\r\n") {
			return domain.FieldError("邮箱地址有误。", map[string]string{"email": "请填写有效的邮箱地址，如 name@example.org。"})
		}
	}
	return x.inTx(ctx, func(ctx context.Context) error {
		if err := x.d.Notifications.SetEmail(ctx, a.UserID, email); err != nil {
			return err
		}
		return x.appendAudit(ctx, a, x.d.Clock.Now(), "user.email", "user", a.UserID, a.Org.Path, "", "", "")
	})
}
