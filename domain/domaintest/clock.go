// Package domaintest holds what every test of dudao shares about the domain: the injectable clock.
package domaintest

import (
	"sync"
	"time"

	"dudao/domain"
)

// Clock is the injectable clock of every test: it stands still until a test moves it, unless a tick is
// set, when every reading moves it on by the tick (for scripts that need time to pass between steps).
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	tick time.Duration
}

// NewClock is a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock (and moves it on by the tick).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	c.now = c.now.Add(c.tick)
	return now
}

// Peek reads the clock without moving it.
func (c *Clock) Peek() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// SetTick makes every reading move the clock on by d (0 stops it).
func (c *Clock) SetTick(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick = d
}

// Today is the clock's civil date in Wuhai.
func (c *Clock) Today() domain.Date { return domain.DateOf(c.Peek()) }

var _ domain.Clock = (*Clock)(nil)
