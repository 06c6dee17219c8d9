package files

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
)

// The things a legal hold can be placed on.
const (
	HoldFile   = "file"
	HoldFolder = "folder"
	HoldSpace  = "space"
)

// holdTarget checks that the target of a hold is one of the organisation's files (in the trash
// too: a hold keeps it from being purged), folders or spaces, and returns its name.
func (s *Service) holdTarget(ctx context.Context, a authz.Actor, targetType string, id uuid.UUID) (string, error) {
	switch targetType {
	case HoldFile:
		f, err := s.files.Get(ctx, a.OrgID, id)
		if err != nil {
			return "", err
		}
		return f.Name(), nil
	case HoldFolder:
		f, err := s.folders.Get(ctx, a.OrgID, id)
		if err != nil {
			return "", err
		}
		return f.Name(), nil
	case HoldSpace:
		sp, err := s.space(ctx, a, id)
		if err != nil {
			return "", err
		}
		return s.spaceName(ctx, a, sp)
	}
	// A type other than these names nothing, as a malformed id does.
	return "", errs.NotFoundf("hold target")
}

// SetHold places a legal hold on a file, a folder (everything under it, now and later) or a
// space. While it lasts nothing under it can be deleted or purged, whatever its retention.
// Every version it covers is flagged in the same transaction, which is what Canopy's own checks
// read; the S3 legal hold on each version's object follows at once when this replica may run
// the sweeper, and otherwise with the sweeper's next pass. Setting a hold already in place
// changes nothing. It needs files.legal_hold over the organisation.
func (s *Service) SetHold(ctx context.Context, a authz.Actor, targetType string, id uuid.UUID) error {
	if err := authz.Require(ctx, s.authz, a, access.FilesLegalHold, ""); err != nil {
		return err
	}
	name, err := s.holdTarget(ctx, a, targetType, id)
	if err != nil {
		return err
	}
	changed := false
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		created, err := s.store.PutHold(ctx, Hold{OrgID: a.OrgID, TargetType: targetType, TargetID: id, SetBy: a.UserID, SetAt: s.now()})
		if err != nil || !created {
			return err
		}
		changed = true
		if _, err := s.store.RecomputeHolds(ctx, a.OrgID); err != nil {
			return err
		}
		return s.audit.Append(ctx, a.Entry("files.hold", targetType, id.String(), nil, map[string]any{"name": name}))
	})
	if err != nil {
		return err
	}
	if changed {
		s.applyHolds(ctx, a.OrgID)
	}
	return nil
}

// ReleaseHold removes a legal hold. Each version it covered is recomputed: one that another
// hold still covers (its file's, a folder's above it, its space's) stays held. Retention still
// applies afterwards. NotFound when no such hold is in place. It needs files.legal_hold.
func (s *Service) ReleaseHold(ctx context.Context, a authz.Actor, targetType string, id uuid.UUID) error {
	if err := authz.Require(ctx, s.authz, a, access.FilesLegalHold, ""); err != nil {
		return err
	}
	name, err := s.holdTarget(ctx, a, targetType, id)
	if err != nil {
		return err
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.store.DropHold(ctx, a.OrgID, targetType, id); err != nil {
			return err
		}
		if _, err := s.store.RecomputeHolds(ctx, a.OrgID); err != nil {
			return err
		}
		return s.audit.Append(ctx, a.Entry("files.hold_release", targetType, id.String(), map[string]any{"name": name}, nil))
	})
	if err != nil {
		return err
	}
	s.applyHolds(ctx, a.OrgID)
	return nil
}

// Holds lists the legal holds in place, newest first. It needs files.legal_hold.
func (s *Service) Holds(ctx context.Context, a authz.Actor) ([]Hold, error) {
	if err := authz.Require(ctx, s.authz, a, access.FilesLegalHold, ""); err != nil {
		return nil, err
	}
	hs, err := s.store.Holds(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	for i, h := range hs {
		if h.TargetType != HoldSpace {
			continue
		}
		sp, err := s.space(ctx, a, h.TargetID)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if hs[i].Name, err = s.spaceName(ctx, a, sp); err != nil {
			return nil, err
		}
	}
	return hs, nil
}

// RefreshHolds recomputes, in the caller's transaction, which versions of the organisation are
// held. A change that moves files or folders in or out of a held folder calls it, then
// ApplyHolds once committed.
func (s *Service) RefreshHolds(ctx context.Context, orgID uuid.UUID) error {
	_, err := s.store.RecomputeHolds(ctx, orgID)
	return err
}

// applyHolds brings the S3 legal holds of the organisation's objects in line with their
// versions' flags. Only the sweeper's lock holder writes them, so that two writers never leave
// an object's hold other than its flag says: when another replica holds the lock, its next
// pass does it, and this replica's sweeper is woken meanwhile.
func (s *Service) applyHolds(ctx context.Context, orgID uuid.UUID) {
	release, ok, err := s.store.TrySweepLock(ctx)
	if err != nil || !ok {
		s.WakeSweeper()
		return
	}
	defer release()
	var r SweepReport
	if more, err := s.holdPass(ctx, orgID, 1, &r); err != nil || more || r.Failures > 0 {
		s.WakeSweeper()
	}
}
