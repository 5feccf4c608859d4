package domain

// Fuzz targets of the domain (issue 13): the draw verifier, which anyone may run on a published draw,
// and the check of imported observation rows. Neither may panic on any input; run them with
// go test -run '^$' -fuzz '^FuzzDrawVerify$' ./domain (CI does, for a bounded time).

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fuzzDraw is the golden draw taken to st along the ordinary path.
func fuzzDraw(f *testing.F, st DrawStatus) *Draw {
	d, err := NewDraw(drawSupervisor, goldenDrawInput(), drawT0.Add(400*time.Millisecond))
	if err != nil {
		f.Fatal(err)
	}
	now := drawT0
	must := func(err error) {
		if err != nil {
			f.Fatal(err)
		}
		now = now.Add(time.Minute)
	}
	must(d.CommitWitness(drawSupervisor, now, "王静", "纪检监察组干部", WitnessCommitment(drawValue1)))
	must(d.CommitWitness(drawSupervisor, now, "孙磊", "家长委员会代表", WitnessCommitment(drawValue2)))
	if st == DrawCommitted {
		return d
	}
	must(d.CloseCommitments(drawSupervisor, now))
	if st == DrawRevealing {
		return d
	}
	must(d.Reveal(drawSupervisor, now, 1, drawValue1))
	must(d.Reveal(drawSupervisor, now, 2, drawValue2))
	return d
}

// FuzzDrawVerify: a draw as published (its JSON), however altered, is verified or refused with a
// reason, never a panic; the draw as recorded verifies.
func FuzzDrawVerify(f *testing.F) {
	for _, st := range []DrawStatus{DrawCommitted, DrawRevealing, DrawCompleted} {
		d := fuzzDraw(f, st)
		if err := d.Verify(); err != nil {
			f.Fatalf("the golden draw (%s) does not verify: %v", st, err)
		}
		b, err := json.Marshal(d)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Draw
		if json.Unmarshal(b, &d) != nil {
			return
		}
		if len(d.Targets) > 5000 || len(d.Inspectors) > 5000 {
			return // beyond any published draw; the work grows with these
		}
		err := d.Verify()
		if err != nil && (ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "抽取核验不通过")) {
			t.Fatalf("Verify: %v, want nil or the ECONFLICT that names what differs", err)
		}
		_ = d.Snapshot()
	})
}

// FuzzCheckObservationRows: rows of any text give one verdict each, an observation or its reasons.
func FuzzCheckObservationRows(f *testing.F) {
	for _, s := range []string{
		"compulsory_retention_rate\thbw\t2023\t96.5\t区统计年报",
		"compulsory_enrolment\twuhai\t2024.0\t4.41\n Compulsory_Retention_Rate \thbw/s001\t2024年\t９６.５％",
		"no_such\tzz\t2040\t-1\n\t\t\t\t",
		"compulsory_retention_rate\twd\t二〇二三\t九十六\ncompulsory_retention_rate\twd\t二〇二三\t九十六",
	} {
		f.Add(s)
	}
	cat, err := NewIndicatorCatalog([]Indicator{indRetention, indMyopia, indInclusive, indQualityKG, indBalanced, indNoTarget, indEnrolment})
	if err != nil {
		f.Fatal(err)
	}
	orgs := NewOrgIndex([]Org{obsCity, obsHBW, obsWD, obsHBW1, obsWD1})
	by := Actor{UserID: 9, Org: obsCity}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, CST)
	f.Fuzz(func(t *testing.T, s string) {
		var rows []ObservationRow
		for i, line := range strings.Split(s, "\n") {
			c := append(strings.Split(line, "\t"), "", "", "", "", "")
			rows = append(rows, ObservationRow{Line: i + 1, IndicatorCode: c[0], OrgCode: c[1], Year: c[2], Value: c[3], Note: c[4]})
		}
		im := CheckObservationRows(rows, cat, orgs, "fuzz.csv", by, now)
		if len(im.Rows) != len(rows) {
			t.Fatalf("%d verdicts for %d rows", len(im.Rows), len(rows))
		}
		for i, rc := range im.Rows {
			if (rc.Observation == nil) == (len(rc.Reasons) == 0) || rc.Line != rows[i].Line {
				t.Fatalf("row %d: %+v, want an observation or reasons, not both", i, rc)
			}
		}
	})
}
