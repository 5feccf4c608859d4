package app

import (
	"context"
	"time"

	"dudao/domain"
)

// idempotencyKeep is how long a kept answer lasts: at least 24 hours (SPEC §4.1); the scheduler drops
// older ones.
const idempotencyKeep = 48 * time.Hour

// Reply is an answer to a request, kept so that a retry with the same Idempotency-Key gets it again.
type Reply struct {
	Status      int
	Location    string
	ContentType string
	Body        []byte
}

// Once runs a request at most once per user and Idempotency-Key, in one transaction with what the
// request writes: the key is claimed first (so a concurrent retry waits for the original and then reads
// its answer), run does the work and returns the answer, which is kept. A retry with the same
// fingerprint (method, path and body) gets the kept answer and writes nothing (replayed is true); the
// same key with another fingerprint is EINVALID. When run fails nothing is kept, the key included.
func (x *App) Once(ctx context.Context, a domain.Actor, key, fingerprint string, run func(ctx context.Context) (Reply, error)) (rep Reply, replayed bool, err error) {
	if err := domain.CheckIdempotencyKey(key); err != nil {
		return Reply{}, false, err
	}
	err = x.inTx(ctx, func(ctx context.Context) error {
		rec := domain.Idempotency{UserID: a.UserID, Key: key, Fingerprint: fingerprint, CreatedAt: x.d.Clock.Now()}
		claimed, err := x.d.Idempotency.ClaimIdempotency(ctx, rec)
		if err != nil {
			return err
		}
		if !claimed {
			kept, err := x.d.Idempotency.GetIdempotency(ctx, a.UserID, key)
			if err != nil {
				return err
			}
			if kept.Fingerprint != fingerprint {
				return domain.FieldError("该 Idempotency-Key 已用于另一个请求，请为新的请求换一个。",
					map[string]string{"Idempotency-Key": "已用于内容不同的请求。"})
			}
			rep, replayed = Reply{Status: kept.Status, Location: kept.Location, ContentType: kept.ContentType, Body: kept.Body}, true
			return nil
		}
		if rep, err = run(ctx); err != nil {
			return err
		}
		rec.Status, rec.Location, rec.ContentType, rec.Body = rep.Status, rep.Location, rep.ContentType, rep.Body
		return x.d.Idempotency.CompleteIdempotency(ctx, rec)
	})
	return rep, replayed, err
}
