package tasks

import (
	"bytes"
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyKey is a request's Idempotency-Key and the SHA-256 of its body.
type IdempotencyKey struct {
	Key  string
	Hash []byte
}

// CheckIdempotencyKey refuses a key that is empty, longer than 255 characters, or not printable
// ASCII.
func CheckIdempotencyKey(k string) error {
	if k == "" || len(k) > 255 {
		return errs.E(errs.Invalid, "invalid_idempotency_key", "Idempotency-Key: must be 1 to 255 printable ASCII characters")
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return errs.E(errs.Invalid, "invalid_idempotency_key", "Idempotency-Key: must be 1 to 255 printable ASCII characters")
		}
	}
	return nil
}

// idempotent runs create in the transaction in ctx, or, when the actor already made this
// request with the same key within IdempotencyTTL, returns what it created then (replayed
// true). The same key with a different body is Unprocessable idempotency_mismatch. A concurrent
// request with the same key waits for the first to commit. Without a key it just creates.
func (s *Service) idempotent(ctx context.Context, a authz.Actor, scope string, k *IdempotencyKey, create func(ctx context.Context) (uuid.UUID, error)) (uuid.UUID, bool, error) {
	if k == nil || s.idempotency == nil {
		id, err := create(ctx)
		return id, false, err
	}
	if err := CheckIdempotencyKey(k.Key); err != nil {
		return uuid.Nil, false, err
	}
	principal := a.UserID
	if a.TokenID != uuid.Nil {
		principal = a.TokenID
	}
	rec, found, err := s.idempotency.Lookup(ctx, a.OrgID, principal, scope, k.Key, s.now().Add(-IdempotencyTTL))
	if err != nil {
		return uuid.Nil, false, err
	}
	if found {
		if !bytes.Equal(rec.RequestHash, k.Hash) {
			return uuid.Nil, false, errs.E(errs.Unprocessable, "idempotency_mismatch", "this Idempotency-Key was used with a different request body")
		}
		return rec.ResultID, true, nil
	}
	id, err := create(ctx)
	if err != nil {
		return uuid.Nil, false, err
	}
	err = s.idempotency.Save(ctx, IdempotencyRecord{OrgID: a.OrgID, PrincipalID: principal, Scope: scope, Key: k.Key, RequestHash: k.Hash,
		ResultID: id, CreatedAt: s.now()})
	return id, false, err
}
