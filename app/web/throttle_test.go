package web_test

// Login throttling as issue 13 redesigned it (app/login.go): failures count per (username, client),
// delays grow, refused attempts cost nothing, and known devices get in whatever strangers do. Before,
// five wrong passwords locked the account for everyone for 15 minutes, refused attempts slid the lock,
// and 30 failures from one address locked out everyone behind it.

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"dudao/app"
	"dudao/app/demo"
	"dudao/cmd/system"
	"dudao/domain"
)

// throttleEnv trusts the loopback proxy, so that each request says its address in X-Forwarded-For.
func throttleEnv(t *testing.T, adjust func(o *app.Options)) *env {
	t.Helper()
	return newEnvWith(t, func(s *system.Settings) {
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		if adjust != nil {
			adjust(&s.App)
		}
	})
}

// loginFrom logs in over the API from addr, showing device ("" for none).
func (e *env) loginFrom(t *testing.T, username, password, addr, device string) response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password, "device_token": device})
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}, "X-Forwarded-For": {addr}}
	return e.do(t, http.MethodPost, "/api/v1/auth/login", strings.NewReader(string(body)), h)
}

// deviceOf is the device token a successful login answered.
func deviceOf(t *testing.T, r response) string {
	t.Helper()
	var out struct {
		Token  string `json:"token"`
		Device string `json:"device_token"`
	}
	decode(t, r, &out)
	if r.StatusCode != http.StatusOK || out.Token == "" || len(out.Device) < 40 {
		t.Fatalf("login: %s, want a token and a device token", r)
	}
	return out.Device
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s: %s, want %d", what, r, status)
	}
}

// TestLoginStrangerCannotLockOut: five wrong passwords from a stranger's address throttle that
// address's attempts on the user, and nothing else: the user gets in from another address, from a
// known device, and in a browser.
func TestLoginStrangerCannotLockOut(t *testing.T) {
	e := throttleEnv(t, nil)
	const user, stranger = "city.supervisor", "203.0.113.5"
	device := deviceOf(t, e.loginFrom(t, user, demo.Password, "198.51.100.20", ""))
	for i := range 5 {
		wantStatus(t, "guess "+strconv.Itoa(i), e.loginFrom(t, user, "wrong-"+strconv.Itoa(i), stranger, ""), http.StatusUnauthorized)
	}
	wantError(t, e.loginFrom(t, user, demo.Password, stranger, ""), http.StatusTooManyRequests, domain.ETOOMANY)

	wantStatus(t, "the user from a new address", e.loginFrom(t, user, demo.Password, "198.51.100.99", ""), http.StatusOK)
	wantStatus(t, "the user from a known device, at the stranger's address", e.loginFrom(t, user, demo.Password, stranger, device), http.StatusOK)
	b := e.browser(t)
	b.webLogin(user, demo.Password) // the loopback address, another client
	// Another user at the stranger's address is not affected either.
	wantStatus(t, "another user at that address", e.loginFrom(t, "city.supervisor2", demo.Password, stranger, ""), http.StatusOK)
}

// TestLoginDelaysGrow: after the free failures a pair waits 1, 2, 4 … minutes after its last failure;
// attempts refused meanwhile are not checked and do not move the wait.
func TestLoginDelaysGrow(t *testing.T) {
	e := throttleEnv(t, nil)
	const user, addr = "hbw.director", "203.0.113.6"
	for range 5 {
		wantStatus(t, "free guess", e.loginFrom(t, user, "wrong", addr, ""), http.StatusUnauthorized)
	}
	for _, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
		for range 10 { // hammering while refused changes nothing
			r := e.loginFrom(t, user, demo.Password, addr, "")
			le := wantError(t, r, http.StatusTooManyRequests, domain.ETOOMANY)
			if !strings.Contains(le.Error.Message, "分钟后再试") {
				t.Fatalf("429 message %q does not say how long to wait", le.Error.Message)
			}
			e.clock.Advance(time.Second)
		}
		e.clock.Advance(wait - 11*time.Second)
		wantError(t, e.loginFrom(t, user, "wrong", addr, ""), http.StatusTooManyRequests, domain.ETOOMANY)
		e.clock.Advance(2 * time.Second)
		wantStatus(t, "after "+wait.String(), e.loginFrom(t, user, "wrong", addr, ""), http.StatusUnauthorized)
	}
	// The delay has a ceiling: an hour at most, however many failures.
	for range 6 {
		e.clock.Advance(time.Hour + time.Second)
		wantStatus(t, "after an hour", e.loginFrom(t, user, "wrong", addr, ""), http.StatusUnauthorized)
	}
	// The right password, once let through, gets in and clears the pair.
	e.clock.Advance(time.Hour + time.Second)
	deviceOf(t, e.loginFrom(t, user, demo.Password, addr, ""))
	wantStatus(t, "a slip after success", e.loginFrom(t, user, "wrong", addr, ""), http.StatusUnauthorized)
	wantStatus(t, "the right password again", e.loginFrom(t, user, demo.Password, addr, ""), http.StatusOK)
}

// TestLoginGuessingFromManyAddresses: failures on one username spread over many addresses stop
// attempts from addresses the user has never logged in from, but not from the user's known devices.
func TestLoginGuessingFromManyAddresses(t *testing.T) {
	e := throttleEnv(t, func(o *app.Options) { o.MaxFailuresPerAccount = 10 })
	const user = "city.director"
	device := deviceOf(t, e.loginFrom(t, user, demo.Password, "198.51.100.20", ""))
	for i := range 10 {
		wantStatus(t, "spread guess", e.loginFrom(t, user, "wrong", "203.0.113."+strconv.Itoa(10+i), ""), http.StatusUnauthorized)
	}
	wantError(t, e.loginFrom(t, user, demo.Password, "198.51.100.77", ""), http.StatusTooManyRequests, domain.ETOOMANY)
	wantStatus(t, "known device", e.loginFrom(t, user, demo.Password, "198.51.100.77", device), http.StatusOK)
	// Someone else's device token is no help.
	other := deviceOf(t, e.loginFrom(t, "city.supervisor", demo.Password, "198.51.100.21", ""))
	wantError(t, e.loginFrom(t, user, demo.Password, "198.51.100.78", other), http.StatusTooManyRequests, domain.ETOOMANY)
	e.clock.Advance(time.Hour + time.Second)
	wantStatus(t, "an hour later, a new address", e.loginFrom(t, user, demo.Password, "198.51.100.79", ""), http.StatusOK)
}

// TestLoginSchoolBehindOneAddress: many failures from one address (a school's NAT) stop attempts from
// it that show no known device; its users' known devices still get in, in the browser too.
func TestLoginSchoolBehindOneAddress(t *testing.T) {
	e := throttleEnv(t, func(o *app.Options) { o.MaxFailuresPerAddr = 8 })
	const nat = "203.0.113.50"
	device := deviceOf(t, e.loginFrom(t, "school.hbw1", demo.Password, nat, ""))
	// A browser that logged in before keeps its device cookie.
	b := e.browser(t)
	b.Login("school.hbw2", demo.Password)
	if b.Cookie("dudao_device") == "" {
		t.Fatal("a web login left no device cookie")
	}
	wantRedirect(t, b.post("/logout", map[string][]string{"_csrf": {b.Cookie("dudao_csrf")}}, nil), "/login")
	for i := range 8 {
		wantStatus(t, "guess", e.loginFrom(t, "nobody"+strconv.Itoa(i), "wrong", nat, ""), http.StatusUnauthorized)
	}
	wantError(t, e.loginFrom(t, "school.hbw1", demo.Password, nat, ""), http.StatusTooManyRequests, domain.ETOOMANY)
	wantStatus(t, "known device behind the NAT", e.loginFrom(t, "school.hbw1", demo.Password, nat, device), http.StatusOK)

	tok := b.CSRF("")
	r := b.Req(http.MethodPost, "/login", strings.NewReader("_csrf="+tok+"&username=school.hbw2&password="+demo.Password),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Forwarded-For": {nat}})
	if r.StatusCode != http.StatusSeeOther || b.Cookie("dudao_session") == "" {
		t.Fatalf("browser with a device cookie behind the NAT: %s", r)
	}
}
