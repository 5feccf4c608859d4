package storage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"dudao/domain"
)

// Text search over case titles and numbers. A LIKE '%…%' cannot use an index, so a search walked the
// scope's cases newest first and tested each title until the page (and the capped total) were full:
// with one case in twenty matching, a region-wide search read some twenty thousand cases per request.
// case_grams holds every distinct pair of adjacent characters (a bigram: Chinese words are mostly two
// characters) of each case's title and number, lower-cased, keyed (gram, created_at, case_id): the cases
// containing a bigram, newest first, are one index range. A search term of two characters or more is
// found on the range of its rarest bigram (case_gram_counts keeps how many cases hold each), each
// candidate checked against the scope and the whole term; the scope's own range is walked instead when
// the scope holds fewer cases than that bigram (a school searching a common word). Titles and numbers
// never change once a case is opened, so the grams are written once, with the case.
var migrationCaseSearch = migration{13, "case search bigrams", `
CREATE TABLE case_grams (
	gram VARCHAR(16) {{bytes}} NOT NULL,
	created_at {{ts}} NOT NULL,
	case_id BIGINT NOT NULL REFERENCES cases(id),
	PRIMARY KEY (gram, created_at, case_id)
){{norowid}};
CREATE TABLE case_gram_counts (
	gram VARCHAR(16) {{bytes}} PRIMARY KEY,
	n BIGINT NOT NULL
)
`}

// searchGrams are the distinct bigrams of each text, lower-cased, sorted. A text of one character
// gives none: it is searched by walking the scope.
func searchGrams(texts ...string) []string {
	seen := map[string]bool{}
	for _, t := range texts {
		r := []rune(strings.ToLower(t))
		for i := 0; i+1 < len(r); i++ {
			g := string(r[i : i+2])
			if len(g) <= 16 {
				seen[g] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// addCaseGrams indexes a new case's title and number, and counts its bigrams (in gram order, so that
// concurrent writers on PostgreSQL never wait on each other in a cycle).
func (db *DB) addCaseGrams(ctx context.Context, c *domain.Case) error {
	grams := searchGrams(c.Title, c.Number)
	if len(grams) == 0 {
		return nil
	}
	at := c.CreatedAt.UTC()
	rows := make([][]any, len(grams))
	counts := make(map[string]int, len(grams))
	for i, g := range grams {
		rows[i] = []any{g, at, c.ID}
		counts[g]++
	}
	if err := db.BulkInsert(ctx, "case_grams", []string{"gram", "created_at", "case_id"}, rows); err != nil {
		return translate(err, "案件", "index case title")
	}
	return db.addGramCounts(ctx, counts)
}

// rebuildCaseGrams recomputes the search index from the cases (after a bulk load, or as migration
// 13's fill), through a load table (viaLoadTable): inserted in case order, each case's bigrams would
// land on pages all over the index, and at 500,000 cases (≈ 7 million bigrams, far more than SQLite's
// page cache) every insert read and rewrote a page.
func (db *DB) rebuildCaseGrams(ctx context.Context) error {
	if err := db.writeKept(ctx); err != nil { // written, then recomputed with the rest
		return err
	}
	for _, q := range []string{"DELETE FROM case_gram_counts", "DELETE FROM case_grams"} {
		if err := db.conn(ctx).Exec(q).Error; err != nil {
			return fmt.Errorf("storage: rebuild case search: %w", err)
		}
	}
	type row struct {
		ID        int64
		CreatedAt time.Time
		Title     string
		Number    string
	}
	err := db.viaLoadTable(ctx, "case_grams", []string{"gram", "created_at", "case_id"}, "gram, created_at, case_id",
		func(load func(rows [][]any) error) error {
			return eachCaseBatch(ctx, db, "id, created_at, title, number", func(batch []row) (int64, error) {
				var rows [][]any
				for _, c := range batch {
					for _, g := range searchGrams(c.Title, c.Number) {
						rows = append(rows, []any{g, c.CreatedAt.UTC(), c.ID})
					}
				}
				return batch[len(batch)-1].ID, load(rows)
			})
		},
		"INSERT INTO case_gram_counts (gram, n) SELECT gram, COUNT(*) FROM case_grams_load GROUP BY gram ORDER BY gram")
	if err != nil {
		return fmt.Errorf("storage: rebuild case search: %w", err)
	}
	return nil
}

// walk is how one scope's part of a list is read: the scope's own index range, or, for a text
// search, the range of one bigram checked against the scope.
type walk struct {
	scope string
	gram  string // "" for the scope's range
}

// key is the alias of the table whose index orders the walk (created_at, case_id).
func (w walk) key() string {
	if w.gram != "" {
		return "k"
	}
	return "cs"
}

// walks chooses, for each of the filter's scopes, the cheaper range to read: for a search term of
// two characters or more, its rarest bigram when fewer cases hold it than the scope does. Both sizes
// are kept counts, so choosing costs two indexed reads however many cases there are. A bigram no case
// holds means no case matches: its empty range is the cheapest walk.
func (db *DB) walks(ctx context.Context, f domain.CaseFilter) ([]walk, error) {
	scopes := foldScopes(f.Scopes)
	out := make([]walk, len(scopes))
	for i, s := range scopes {
		out[i] = walk{scope: string(s)}
	}
	q := strings.TrimSpace(f.Q)
	// The cases with a pending objection are few whatever the term: they drive the walk (caseScopeQuery).
	if utf8.RuneCountInString(q) < 2 || len(scopes) == 0 || f.PendingObjections {
		return out, nil
	}
	grams := searchGrams(q)
	if err := db.writeKept(ctx); err != nil {
		return nil, err
	}
	var counts []struct {
		Gram string
		N    int64
	}
	if err := db.conn(ctx).Table("case_gram_counts").Where("gram IN ?", grams).Select("gram, n").Scan(&counts).Error; err != nil {
		return nil, translate(err, "案件", "read bigram counts")
	}
	rarest, fewest := grams[0], int64(0)
	if len(counts) == len(grams) {
		rarest, fewest = counts[0].Gram, counts[0].N
		for _, c := range counts[1:] {
			if c.N < fewest {
				rarest, fewest = c.Gram, c.N
			}
		}
	} else { // a bigram no case holds
		held := map[string]bool{}
		for _, c := range counts {
			held[c.Gram] = true
		}
		for _, g := range grams {
			if !held[g] {
				rarest = g
				break
			}
		}
	}
	var sizes []struct {
		ScopePath string
		N         int64
	}
	if err := db.conn(ctx).Table("case_counts").Where("scope_path IN ?", pathStrings(scopes)).
		Select("scope_path, SUM(n) AS n").Group("scope_path").Scan(&sizes).Error; err != nil {
		return nil, translate(err, "案件", "read case counts")
	}
	size := map[string]int64{}
	for _, s := range sizes {
		size[s.ScopePath] = s.N
	}
	for i := range out {
		if fewest < size[out[i].scope] {
			out[i].gram = rarest
		}
	}
	return out, nil
}
