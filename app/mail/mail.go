// Package mail sends dudao's reminders by email through an SMTP server named by a URL:
//
//	smtp://user:password@host:587?from=dudao@example.org   (STARTTLS when the server offers it)
//	smtps://user:password@host:465?from=dudao@example.org  (TLS from the first byte)
//
// The user and password are optional; AUTH PLAIN is used only over TLS or to a loopback server
// (net/smtp's rule, so a password never crosses a network in the clear).
package mail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"dudao/domain"
)

// Mailer sends one message per Send over a fresh connection: reminders are few, and a long-lived
// connection would only time out between scheduler passes.
type Mailer struct {
	addr     string // host:port
	host     string
	implicit bool // smtps
	user     string
	password string
	from     string
	timeout  time.Duration
	// tls is the client TLS configuration; tests replace it to trust their own server.
	tls *tls.Config
}

// New builds a Mailer from an smtp:// or smtps:// URL with a from= query parameter.
func New(raw string) (*Mailer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "SMTP 地址格式有误。")
	}
	m := &Mailer{timeout: 30 * time.Second}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		m.implicit = true
	default:
		return nil, domain.Errorf(domain.EINVALID, "SMTP 地址应以 smtp:// 或 smtps:// 开头。")
	}
	m.host = u.Hostname()
	if m.host == "" {
		return nil, domain.Errorf(domain.EINVALID, "SMTP 地址缺少服务器名。")
	}
	port := u.Port()
	if port == "" {
		port = "587"
		if m.implicit {
			port = "465"
		}
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		m.user = u.User.Username()
		m.password, _ = u.User.Password()
	}
	from := u.Query().Get("from")
	a, err := mail.ParseAddress(from)
	if err != nil || a.Address != from {
		return nil, domain.Errorf(domain.EINVALID, "SMTP 地址须以 from= 参数给出发件人邮箱，如 ?from=dudao@example.org。")
	}
	m.from = from
	m.tls = &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
	return m, nil
}

// WithTLSConfig returns a copy of m that uses cfg for TLS (a private CA, say).
func (m *Mailer) WithTLSConfig(cfg *tls.Config) *Mailer {
	c := *m
	c.tls = cfg
	return &c
}

// From is the sender address.
func (m *Mailer) From() string { return m.from }

// Send delivers one plain-text message.
func (m *Mailer) Send(ctx context.Context, msg domain.Mail) error {
	if a, err := mail.ParseAddress(msg.To); err != nil || a.Address != msg.To {
		return fmt.Errorf("mail: bad recipient address")
	}
	body, err := m.compose(msg, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	var conn net.Conn
	d := &net.Dialer{}
	if m.implicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: m.tls}).DialContext(ctx, "tcp", m.addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", m.addr)
	}
	if err != nil {
		return fmt.Errorf("mail: dial %s: %w", m.addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return fmt.Errorf("mail: greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello("dudao"); err != nil {
		return fmt.Errorf("mail: hello: %w", err)
	}
	if !m.implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(m.tls); err != nil {
				return fmt.Errorf("mail: starttls: %w", err)
			}
		}
	}
	if m.user != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("mail: server does not offer AUTH")
		}
		if err := c.Auth(smtp.PlainAuth("", m.user, m.password, m.host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(m.from); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: end of data: %w", err)
	}
	return c.Quit()
}

// compose writes the message: UTF-8 text, base64 so that no line is too long, the subject
// encoded for headers (RFC 2047).
func (m *Mailer) compose(msg domain.Mail, now time.Time) ([]byte, error) {
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return nil, fmt.Errorf("mail: subject holds a line break")
	}
	var b strings.Builder
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", (&mail.Address{Name: "乌海市教育督导管理系统", Address: m.from}).String())
	h("To", msg.To)
	h("Subject", mime.BEncoding.Encode("UTF-8", msg.Subject))
	h("Date", now.Format(time.RFC1123Z))
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=UTF-8")
	h("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(msg.Body, "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return []byte(b.String()), nil
}

var _ domain.Mailer = (*Mailer)(nil)
