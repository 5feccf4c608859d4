package demo

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"dudao/app"
	"dudao/domain"
)

// The demo is a year of work replayed as it happened: every step is a use case taken by the demo user
// who takes it in life, on the day it was taken, read from a clock of the demo's own (app.WithClock).
// The live app and its clock are left untouched.

// storyClock is the demo's clock: it stands where the story is, and moves on a little at every reading
// so that the steps of one day keep their order in the audit log. It never goes back.
type storyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *storyClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(10 * time.Millisecond)
	return c.t
}

// moveTo sets the clock forward to t (never back).
func (c *storyClock) moveTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}

// event is one scripted step: what happens on a day, in the order it was scripted.
type event struct {
	at  time.Time
	seq int
	fn  func()
}

// story schedules the steps of every case on the days they happen and then plays them in time order.
type story struct {
	*caseScript
	clock  *storyClock
	today  domain.Date // the real today: the story ends the day before
	cal    domain.Calendar
	events []event
	cases  int // opened so far
}

func newStory(ctx context.Context, x *app.App, clock *storyClock, today domain.Date) *story {
	return &story{caseScript: &caseScript{ctx: ctx, x: x, actors: map[string]domain.Actor{}}, clock: clock, today: today,
		cal: x.Rules().Calendar}
}

// day is the working day n days before today (or the last working day before it).
func (s *story) day(n int) domain.Date {
	d := s.today.AddDays(-n)
	for i := 0; i < 15 && !s.cal.IsWorkingDay(d); i++ {
		d = d.AddDays(-1)
	}
	return d
}

// at schedules fn on day d, at the start of office hours.
func (s *story) at(d domain.Date, fn func()) {
	s.events = append(s.events, event{at: d.Time().Add(9 * time.Hour), seq: len(s.events), fn: fn})
}

// on schedules fn n days before today (see day).
func (s *story) on(n int, fn func()) { s.at(s.day(n), fn) }

// play runs the scheduled steps in time order, the clock following; the first error stops it.
func (s *story) play() error {
	sort.SliceStable(s.events, func(i, j int) bool {
		if !s.events[i].at.Equal(s.events[j].at) {
			return s.events[i].at.Before(s.events[j].at)
		}
		return s.events[i].seq < s.events[j].seq
	})
	for _, e := range s.events {
		if s.err != nil {
			break
		}
		s.clock.moveTo(e.at)
		e.fn()
	}
	s.events = nil
	return s.err
}

// term names the school term a day falls in: 春季 from February to July, 秋季 from August to January
// (January belongs to the autumn term of the year before).
func term(d domain.Date) string {
	t := d.Time()
	switch m := t.Month(); {
	case m == time.January:
		return fmt.Sprintf("%d年秋季", t.Year()-1)
	case m <= time.July:
		return fmt.Sprintf("%d年春季", t.Year())
	default:
		return fmt.Sprintf("%d年秋季", t.Year())
	}
}

// openingVisit is the day of a term-opening check that may not be before earliest: earliest itself
// while the term begun last (1 March or 1 September) is less than a month old, else two weeks into
// the next term.
func openingVisit(cal domain.Calendar, earliest domain.Date) domain.Date {
	y := earliest.Time().Year()
	starts := []domain.Date{domain.Date(fmt.Sprintf("%d-09-01", y-1)), domain.Date(fmt.Sprintf("%d-03-01", y)),
		domain.Date(fmt.Sprintf("%d-09-01", y)), domain.Date(fmt.Sprintf("%d-03-01", y+1))}
	for i := len(starts) - 2; i >= 0; i-- {
		if !earliest.Before(starts[i]) {
			if earliest.Before(starts[i].AddDays(30)) {
				return cal.NextWorkingDay(earliest)
			}
			return cal.NextWorkingDay(starts[i+1].AddDays(14))
		}
	}
	return cal.NextWorkingDay(earliest)
}
