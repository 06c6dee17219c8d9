package files

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// MaxTrashDays bounds how long deleted files stay in the trash.
const MaxTrashDays = 3650

// OrgPolicy returns the organisation's files policy and usage. It needs files.policy.
func (s *Service) OrgPolicy(ctx context.Context, a authz.Actor) (Settings, error) {
	if err := authz.Require(ctx, s.authz, a, access.FilesPolicy, ""); err != nil {
		return Settings{}, err
	}
	return s.store.Settings(ctx, a.OrgID)
}

func checkDays(field string, v, maxDays int) error {
	if v < 0 || v > maxDays {
		return errs.E(errs.Invalid, "invalid_policy", field+": must be between 0 and "+strconv.Itoa(maxDays))
	}
	return nil
}

// check validates a policy's own fields; the org's used bytes are not the caller's to set.
func (p Settings) check() error {
	for _, c := range []struct {
		field string
		v     int
		max   int
	}{
		{"min_retention_days", p.MinRetentionDays, files.MaxRetentionDays},
		{"max_retention_days", p.MaxRetentionDays, files.MaxRetentionDays},
		{"trash_days", p.TrashDays, MaxTrashDays},
		{"max_link_expiry_days", p.MaxLinkExpiryDays, files.MaxRetentionDays},
	} {
		if err := checkDays(c.field, c.v, c.max); err != nil {
			return err
		}
	}
	if p.QuotaBytes < 0 {
		return errs.E(errs.Invalid, "invalid_quota", "quota_bytes: must not be negative")
	}
	if p.MaxRetentionDays != 0 && p.MaxRetentionDays < p.MinRetentionDays {
		return errs.E(errs.Invalid, "invalid_retention", "max_retention_days: must not be shorter than the minimum retention")
	}
	return nil
}

// SetOrgPolicy sets the organisation's retention, trash, quota and sharing policy. The
// organisation may change its own minimum, but a version's date only ever moves later: a longer
// minimum extends every existing version (in one statement, with their object locks extended
// by the sweeper, which is woken), a shorter one applies to new versions only. Audited. It
// needs files.policy.
func (s *Service) SetOrgPolicy(ctx context.Context, a authz.Actor, p Settings) (Settings, error) {
	if err := authz.Require(ctx, s.authz, a, access.FilesPolicy, ""); err != nil {
		return Settings{}, err
	}
	if err := p.check(); err != nil {
		return Settings{}, err
	}
	var (
		out      Settings
		extended int64
	)
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		before, err := s.store.Settings(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		p.UsedBytes = before.UsedBytes
		if err := s.store.SaveSettings(ctx, a.OrgID, p); err != nil {
			return access.AuditEntry{}, err
		}
		if p.MinRetentionDays > before.MinRetentionDays {
			if extended, err = s.store.ExtendRetention(ctx, a.OrgID, uuid.Nil, p.MinRetentionDays); err != nil {
				return access.AuditEntry{}, err
			}
		}
		out = p
		return a.Entry("files.policy", "organisation", a.OrgID.String(), policyAudit(before), policyAudit(p)), nil
	})
	if err != nil {
		return Settings{}, err
	}
	if extended > 0 {
		s.WakeSweeper()
	}
	return out, nil
}

func policyAudit(p Settings) map[string]any {
	return map[string]any{"min_retention_days": p.MinRetentionDays, "max_retention_days": p.MaxRetentionDays, "quota_bytes": p.QuotaBytes,
		"trash_days": p.TrashDays, "links_allowed": p.LinksAllowed, "max_link_expiry_days": p.MaxLinkExpiryDays,
		"link_password_required": p.LinkPasswordRequired}
}

// SpacePolicy is a space's own retention, quota and sharing policy.
type SpacePolicy struct {
	MinRetentionDays int // 0: none of its own
	MaxRetentionDays int // 0: none
	QuotaBytes       int64
	// LinksAllowed false forbids share links in the space; true adds no rule of its own.
	LinksAllowed         bool
	MaxLinkExpiryDays    int
	LinkPasswordRequired bool
}

// policySpace reads a space whose policy the actor may set: with files.policy over the
// organisation, or files.manage over the space (a department admin, for the department spaces
// of their subtree).
// Another organisation's space, or one the actor cannot see, is NotFound; one they see but may
// not manage is Forbidden.
func (s *Service) policySpace(ctx context.Context, a authz.Actor, id uuid.UUID) (*files.Space, error) {
	sp, err := s.space(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if ok, err := s.can(ctx, a, access.FilesPolicy, ""); err != nil || ok {
		return sp, err
	}
	scope, err := s.scopeOf(ctx, sp)
	if err != nil {
		return nil, err
	}
	if ok, err := s.can(ctx, a, access.FilesManage, scope); err != nil || ok {
		return sp, err
	}
	if _, err := s.where(ctx, a, sp, nil, uuid.Nil); err != nil {
		return nil, err
	}
	return nil, errs.E(errs.Forbidden, "forbidden", "you may not set this space's policy")
}

// SpacePolicy returns a space's own policy.
func (s *Service) SpacePolicy(ctx context.Context, a authz.Actor, id uuid.UUID) (SpacePolicy, error) {
	sp, err := s.policySpace(ctx, a, id)
	if err != nil {
		return SpacePolicy{}, err
	}
	set, err := s.store.SpaceSettings(ctx, a.OrgID, sp.ID())
	if err != nil {
		return SpacePolicy{}, err
	}
	return spacePolicyOf(sp, set), nil
}

func spacePolicyOf(sp *files.Space, set SpaceSettings) SpacePolicy {
	return SpacePolicy{MinRetentionDays: sp.MinRetentionDays(), MaxRetentionDays: sp.MaxRetentionDays(), QuotaBytes: sp.QuotaBytes(),
		LinksAllowed: set.LinksAllowed == nil || *set.LinksAllowed, MaxLinkExpiryDays: set.MaxLinkExpiryDays, LinkPasswordRequired: set.LinkPasswordRequired}
}

// SetSpacePolicy sets a space's own policy. Its minimum may lengthen the organisation's, never
// shorten it (Invalid retention_below_floor); lengthening it extends the versions already in the
// space and, for a department's space, in the spaces of the departments below it. Audited.
func (s *Service) SetSpacePolicy(ctx context.Context, a authz.Actor, id uuid.UUID, p SpacePolicy) (SpacePolicy, error) {
	if err := checkDays("max_link_expiry_days", p.MaxLinkExpiryDays, files.MaxRetentionDays); err != nil {
		return SpacePolicy{}, err
	}
	if _, err := s.policySpace(ctx, a, id); err != nil {
		return SpacePolicy{}, err
	}
	var (
		out      SpacePolicy
		extended int64
	)
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.store.LockSpace(ctx, a.OrgID, id); err != nil {
			return access.AuditEntry{}, err
		}
		sp, err := s.spaces.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		set, err := s.store.SpaceSettings(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		org, err := s.store.Settings(ctx, a.OrgID)
		if err != nil {
			return access.AuditEntry{}, err
		}
		before := spacePolicyOf(sp, set)
		now := s.now()
		if err := sp.SetRetention(p.MinRetentionDays, p.MaxRetentionDays, org.MinRetentionDays, now); err != nil {
			return access.AuditEntry{}, err
		}
		if err := sp.SetQuota(p.QuotaBytes, now); err != nil {
			return access.AuditEntry{}, err
		}
		if err := s.spaces.Update(ctx, sp); err != nil {
			return access.AuditEntry{}, err
		}
		set.LinksAllowed = nil
		if !p.LinksAllowed {
			no := false
			set.LinksAllowed = &no
		}
		set.MaxLinkExpiryDays, set.LinkPasswordRequired = p.MaxLinkExpiryDays, p.LinkPasswordRequired
		if err := s.store.SaveSpaceSettings(ctx, a.OrgID, id, set); err != nil {
			return access.AuditEntry{}, err
		}
		if p.MinRetentionDays > before.MinRetentionDays {
			if extended, err = s.store.ExtendRetention(ctx, a.OrgID, id, p.MinRetentionDays); err != nil {
				return access.AuditEntry{}, err
			}
		}
		out = spacePolicyOf(sp, set)
		return a.Entry("files.space_policy", "space", id.String(), spacePolicyAudit(before), spacePolicyAudit(out)), nil
	})
	if err != nil {
		return SpacePolicy{}, err
	}
	if extended > 0 {
		s.WakeSweeper()
	}
	return out, nil
}

func spacePolicyAudit(p SpacePolicy) map[string]any {
	return map[string]any{"min_retention_days": p.MinRetentionDays, "max_retention_days": p.MaxRetentionDays, "quota_bytes": p.QuotaBytes,
		"links_allowed": p.LinksAllowed, "max_link_expiry_days": p.MaxLinkExpiryDays, "link_password_required": p.LinkPasswordRequired}
}

// AdminSpaces lists a page of the spaces the actor administers, with their usage and policy,
// for the console: every space of the organisation for files.policy or an organisation-wide
// files.manage; those of the departments in their subtrees for a department admin. kind ""
// lists every kind.
func (s *Service) AdminSpaces(ctx context.Context, a authz.Actor, kind files.SpaceKind, limit, offset int) ([]SpaceView, int, error) {
	if kind != "" {
		if _, err := files.ParseSpaceKind(string(kind)); err != nil {
			return nil, 0, err
		}
	}
	q := SpaceQuery{OrgID: a.OrgID, Kind: kind, Limit: limit, Offset: offset}
	ok, err := s.can(ctx, a, access.FilesPolicy, "")
	if err != nil {
		return nil, 0, err
	}
	if ok {
		q.All = true
	} else {
		reach, err := s.authz.Reach(ctx, a, access.FilesManage)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case reach.Org:
			q.All = true
		case len(reach.Departments) > 0:
			if kind != "" && kind != files.KindDepartment {
				return []SpaceView{}, 0, nil
			}
			q.Departments = reach.Departments
		default:
			return nil, 0, errs.E(errs.Forbidden, "forbidden", "you do not manage any space")
		}
	}
	sps, total, err := s.store.ListSpaces(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]SpaceView, 0, len(sps))
	for _, sp := range sps {
		v, err := s.spaceView(ctx, a, sp, LevelManage)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, nil
}
