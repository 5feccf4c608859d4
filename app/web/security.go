package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dudao/app"
	"dudao/domain"
)

// The HTTP layer's own defences (issue 13): form tokens bound to the session, signed flash messages,
// Secure cookies and HSTS whenever the request came over HTTPS, no caching of API answers, a deadline
// on reading request bodies, /metrics kept private, and no directory listings.

const (
	csrfCookie   = "dudao_csrf"
	deviceCookie = "dudao_device"
	// minBodyRate is the slowest a body may arrive (bytes per second) beyond cfg.BodyTimeout: a 20 MB
	// photo over a poor mobile link (256 kbit/s) still gets through, a body trickled a byte every few
	// seconds does not hold a connection for long.
	minBodyRate = 32 << 10
)

// mac is the server's HMAC of msg under purpose, in base64url: what form tokens and flash messages are
// signed with. The key is the system's (stored in the database, the same on every node).
func (s *Server) mac(purpose, msg string) string {
	h := hmac.New(sha256.New, s.cfg.Key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// csrf protects every form. A signed-in user's token is the MAC of its session token: it changes at
// every login, dies with the session, and a token of one session is worthless with another. Before
// login (the login form) the token is the MAC of a random value in the dudao_csrf cookie. The cookie
// holds the current token once signed in, for scripts and tests that post without a page; checks never
// trust it. A write a browser marks as coming from another site (Sec-Fetch-Site) is refused whatever
// its token. Runs after loadWebSession.
func (s *Server) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var want string
		tok, _ := c.Get(tokenKey).(string)
		if _, ok := actorOf(c); ok && tok != "" {
			want = s.mac("csrf", tok)
			if ck, err := c.Cookie(csrfCookie); err != nil || ck.Value != want {
				s.setCSRFCookie(c, want)
			}
		} else {
			nonce := ""
			if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 && len(ck.Value) <= 64 {
				nonce = ck.Value
			} else {
				b := make([]byte, 32)
				if _, err := rand.Read(b); err != nil {
					return errors.New("web: no randomness")
				}
				nonce = base64.RawURLEncoding.EncodeToString(b)
				s.setCSRFCookie(c, nonce)
			}
			want = s.mac("csrf-anon", nonce)
		}
		c.Set(csrfContextKey, want)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			return next(c)
		}
		// A browser that says where the request comes from is believed when it says another site.
		if site := c.Request().Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			return domain.Errorf(domain.EFORBIDDEN, "页面已过期或请求来源无效，请刷新页面后重试。")
		}
		sent := c.Request().Header.Get("X-CSRF-Token")
		if sent == "" {
			sent = c.FormValue("_csrf")
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
			return domain.Errorf(domain.EFORBIDDEN, "页面已过期或请求来源无效，请刷新页面后重试。")
		}
		return next(c)
	}
}

func (s *Server) setCSRFCookie(c echo.Context, v string) {
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

// signFlash and openFlash keep the flash message from being forged: the page shows what the server
// wrote, never what a cookie set elsewhere says.
func (s *Server) signFlash(payload []byte) string {
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + s.mac("flash", p)
}

func (s *Server) openFlash(v string) ([]byte, bool) {
	p, sig, ok := strings.Cut(v, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac("flash", p))) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	return b, err == nil
}

// setDeviceCookie keeps the device token of a login in the browser (login throttling, app/login.go).
func (s *Server) setDeviceCookie(c echo.Context, token string) {
	if token == "" {
		return
	}
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: token, Path: "/", MaxAge: int(app.DeviceTTL.Seconds()), HttpOnly: true,
		Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

// viaHTTPS reports whether the request reached the user over HTTPS: TLS here, or a trusted proxy's
// X-Forwarded-Proto: https, or the operator says so (--secure-cookies).
func (s *Server) viaHTTPS(r *http.Request) bool {
	if r.TLS != nil || s.cfg.SecureCookies {
		return true
	}
	return s.fromTrustedProxy(r) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// secure is whether cookies set in answer to c are marked Secure.
func (s *Server) secure(c echo.Context) bool { return s.viaHTTPS(c.Request()) }

// peer is the address the connection comes from.
func peer(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

func (s *Server) fromTrustedProxy(r *http.Request) bool {
	a, ok := peer(r)
	if !ok {
		return false
	}
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ipExtractor is how RealIP finds the client: the peer, or behind trusted proxies the right-most
// X-Forwarded-For entry that is not one of them. Nothing else is trusted, loopback and private
// networks included.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		_, n, err := net.ParseCIDR(p.Masked().String())
		if err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// transport sets, on every answer, Strict-Transport-Security when the request came over HTTPS, and
// Cache-Control: no-store on API answers that set no policy of their own (an evidence download keeps
// its private one): they hold personal data and tokens.
func (s *Server) transport(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		res := c.Response()
		if s.viaHTTPS(r) {
			res.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			res.Before(func() {
				if res.Header().Get("Cache-Control") == "" {
					res.Header().Set("Cache-Control", "no-store")
				}
			})
		}
		return next(c)
	}
}

// bodyDeadline bounds the time a request's body may take to arrive: cfg.BodyTimeout, plus what its
// length (or the route's cap, when the length is not given) takes at minBodyRate. A client that
// trickles its body is cut off at the deadline instead of holding a connection and a goroutine for as
// long as it likes. net/http resets the deadline before the connection's next request.
func (s *Server) bodyDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			return next(c)
		}
		limit := s.cfg.MaxBodyBytes
		if p := c.Path(); p == "/api/v1/cases/:id/evidence" || p == "/cases/:id/evidence" {
			limit = s.cfg.MaxUploadBytes + 2*uploadOverhead
		}
		n := r.ContentLength
		if n < 0 || n > limit {
			n = limit
		}
		d := s.cfg.BodyTimeout + time.Duration(n)*time.Second/minBodyRate
		_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(d)) // unsupported: no deadline, as before
		return next(c)
	}
}

// metricsGuard keeps /metrics from the public: it answers the bearer of cfg.MetricsToken, and a
// scraper on this very host that connects directly (loopback, no forwarding header, so not a local
// reverse proxy passing a visitor on). Anyone else gets 404, as for a page that does not exist.
func (s *Server) metricsGuard(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if tok := s.cfg.MetricsToken; tok != "" {
			scheme, got, _ := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " ")
			if strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(tok)) == 1 {
				return h(c)
			}
		}
		a, ok := peer(r)
		if ok && a.IsLoopback() && r.Header.Get("X-Forwarded-For") == "" && r.Header.Get("Forwarded") == "" && r.Header.Get("X-Real-Ip") == "" {
			return h(c)
		}
		return echo.ErrNotFound
	}
}

// filesOnly serves the files of an embedded folder and nothing for its folders: no listing of what
// is there.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := file.Stat()
	if err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
