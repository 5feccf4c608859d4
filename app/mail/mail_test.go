package mail

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"dudao/domain"
)

// fakeSMTP accepts one connection on 127.0.0.1 and speaks just enough SMTP to take one message,
// recording the commands it was sent and the message.
type fakeSMTP struct {
	ln       net.Listener
	done     chan struct{}
	commands []string
	data     string
	err      error
}

func startFake(t *testing.T, rejectRcpt bool) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln, done: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go func() {
		defer close(f.done)
		conn, err := ln.Accept()
		if err != nil {
			f.err = err
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(conn)
		say := func(s string) { _, _ = io.WriteString(conn, s+"\r\n") }
		say("220 fake ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				f.err = err
				return
			}
			line = strings.TrimRight(line, "\r\n")
			f.commands = append(f.commands, line)
			verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
			switch {
			case verb == "EHLO":
				say("250-fake")
				say("250 AUTH PLAIN")
			case verb == "AUTH":
				say("235 ok")
			case verb == "MAIL":
				say("250 ok")
			case verb == "RCPT":
				if rejectRcpt {
					say("550 no such user")
				} else {
					say("250 ok")
				}
			case verb == "DATA":
				say("354 go ahead")
				var b strings.Builder
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						f.err = err
						return
					}
					if l == ".\r\n" {
						break
					}
					b.WriteString(l)
				}
				f.data = b.String()
				say("250 queued")
			case verb == "QUIT":
				say("221 bye")
				return
			case verb == "RSET", verb == "NOOP":
				say("250 ok")
			default:
				say("502 unknown")
			}
		}
	}()
	return f
}

func (f *fakeSMTP) wait(t *testing.T) {
	t.Helper()
	select {
	case <-f.done:
	case <-time.After(10 * time.Second):
		t.Fatal("fake SMTP server did not finish")
	}
}

func TestSendOneMessage(t *testing.T) {
	f := startFake(t, false)
	m, err := New("smtp://dudao:s3cret@" + f.ln.Addr().String() + "?from=dudao@wuhai.example")
	if err != nil {
		t.Fatal(err)
	}
	err = m.Send(context.Background(), domain.Mail{To: "principal@school.example", Subject: "【教育督导】逾期未整改：乌督学〔2026〕1号",
		Body: "王校长：\n\n问题「消防通道堵塞」已逾期。\n"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	f.wait(t)
	if f.err != nil {
		t.Fatalf("server: %v", f.err)
	}
	cmds := strings.Join(f.commands, "\n")
	for _, want := range []string{"MAIL FROM:<dudao@wuhai.example>", "RCPT TO:<principal@school.example>", "DATA", "QUIT"} {
		if !strings.Contains(cmds, want) {
			t.Errorf("commands %q lack %q", f.commands, want)
		}
	}
	// AUTH PLAIN carries "\x00user\x00password" in base64.
	auth := ""
	for _, c := range f.commands {
		if strings.HasPrefix(c, "AUTH PLAIN ") {
			auth = strings.TrimPrefix(c, "AUTH PLAIN ")
		}
	}
	if dec, _ := base64.StdEncoding.DecodeString(auth); string(dec) != "\x00dudao\x00s3cret" {
		t.Errorf("AUTH PLAIN = %q, want the URL's user and password", dec)
	}
	msg, err := mail.ReadMessage(strings.NewReader(f.data))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, f.data)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "【教育督导】逾期未整改：乌督学〔2026〕1号" {
		t.Errorf("Subject = %q (%v)", subj, err)
	}
	if to := msg.Header.Get("To"); to != "principal@school.example" {
		t.Errorf("To = %q", to)
	}
	raw, _ := io.ReadAll(msg.Body)
	body, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
	if err != nil || !strings.Contains(string(body), "问题「消防通道堵塞」已逾期。") {
		t.Errorf("body = %q (%v)", body, err)
	}
}

func TestSendRefusedRecipient(t *testing.T) {
	f := startFake(t, true)
	m, err := New("smtp://" + f.ln.Addr().String() + "?from=dudao@wuhai.example")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), domain.Mail{To: "nobody@school.example", Subject: "x", Body: "y"}); err == nil {
		t.Fatal("Send to a refused recipient: err = nil")
	}
	for _, c := range f.commands {
		if strings.HasPrefix(c, "AUTH") {
			t.Errorf("no user in the URL, but the client sent %q", c)
		}
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, raw := range []string{
		"", "http://host:25?from=a@b.example", "smtp://host:25", "smtp://host:25?from=not-an-address",
		"smtp://:25?from=a@b.example", "smtp://host:25?from=Name%20%3Ca@b.example%3E",
	} {
		if _, err := New(raw); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("New(%q) err = %v, want EINVALID", raw, err)
		}
	}
	m, err := New("smtps://u:p@mail.example?from=dudao@mail.example")
	if err != nil || m.addr != "mail.example:465" || !m.implicit || m.From() != "dudao@mail.example" {
		t.Errorf("smtps default port: %+v, %v", m, err)
	}
	if _, err := m.compose(domain.Mail{To: "a@b.example", Subject: "x\r\nBcc: evil@example"}, time.Now()); err == nil {
		t.Error("a subject with a line break must be refused")
	}
}
