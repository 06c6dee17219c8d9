package files

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
	"canopy/domain/files"
)

// SpaceView is a space as its members see it.
type SpaceView struct {
	Space    *files.Space
	Name     string
	Settings SpaceSettings
	// EffectiveMinRetentionDays is the longest minimum that applies to new versions in it.
	EffectiveMinRetentionDays int
	Level                     Level
}

// ensureSpace returns the space of an owner, creating it on first use. Two requests racing to
// create it both end with the one that was stored.
func (s *Service) ensureSpace(ctx context.Context, orgID uuid.UUID, kind files.SpaceKind, ownerID uuid.UUID) (*files.Space, error) {
	sp, err := s.spaces.ByOwner(ctx, orgID, kind, ownerID)
	if err == nil || !errs.Is(err, errs.NotFound) {
		return sp, err
	}
	sp, err = files.NewSpace(orgID, kind, ownerID, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.spaces.Create(ctx, sp); err != nil {
		if errs.Is(err, errs.Conflict) {
			return s.spaces.ByOwner(ctx, orgID, kind, ownerID)
		}
		return nil, err
	}
	return sp, nil
}

// personalSpace returns the actor's personal space, created on first use. Guests have none.
func (s *Service) personalSpace(ctx context.Context, a authz.Actor) (*files.Space, error) {
	p, err := s.directory.Principals(ctx, a.OrgID, a.UserID)
	if err != nil {
		return nil, err
	}
	if p.Guest {
		return nil, errs.E(errs.Forbidden, "forbidden", "guests have no personal space; upload into a shared folder")
	}
	return s.ensureSpace(ctx, a.OrgID, files.KindPersonal, a.UserID)
}

// Spaces returns the spaces the actor is a member of: the organisation's (not for guests), those
// of their departments and every department above them (but the root, which is the
// organisation), of their groups, and their personal
// space; each is created on first use.
func (s *Service) Spaces(ctx context.Context, a authz.Actor) ([]SpaceView, error) {
	p, err := s.directory.Principals(ctx, a.OrgID, a.UserID)
	if err != nil {
		return nil, err
	}
	type owner struct {
		kind files.SpaceKind
		id   uuid.UUID
	}
	var owners []owner
	if !p.Guest {
		owners = append(owners, owner{files.KindPersonal, a.UserID}, owner{files.KindOrganisation, a.OrgID})
	}
	for _, d := range p.Departments {
		// The root department is the whole organisation, whose space is the organisation's.
		if len(folderPathIDs(d.Path)) > 1 {
			owners = append(owners, owner{files.KindDepartment, d.ID})
		}
	}
	for _, g := range p.Groups {
		owners = append(owners, owner{files.KindGroup, g})
	}
	out := make([]SpaceView, 0, len(owners))
	for _, o := range owners {
		sp, err := s.ensureSpace(ctx, a.OrgID, o.kind, o.id)
		if err != nil {
			return nil, err
		}
		l, err := s.spaceLevel(ctx, a, p, sp)
		if err != nil {
			return nil, err
		}
		if l == LevelNone {
			continue
		}
		v, err := s.spaceView(ctx, a, sp, l)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Space returns one space the actor may see.
func (s *Service) Space(ctx context.Context, a authz.Actor, id uuid.UUID) (SpaceView, error) {
	sp, err := s.space(ctx, a, id)
	if err != nil {
		return SpaceView{}, err
	}
	pl, err := s.where(ctx, a, sp, nil, uuid.Nil)
	if err != nil {
		return SpaceView{}, err
	}
	return s.spaceView(ctx, a, sp, pl.level)
}

func (s *Service) spaceView(ctx context.Context, a authz.Actor, sp *files.Space, l Level) (SpaceView, error) {
	set, err := s.store.SpaceSettings(ctx, sp.OrgID(), sp.ID())
	if err != nil {
		return SpaceView{}, err
	}
	m, err := s.minimums(ctx, sp)
	if err != nil {
		return SpaceView{}, err
	}
	eff := m.org
	for _, d := range m.path {
		eff = max(eff, d)
	}
	name, err := s.spaceName(ctx, a, sp)
	if err != nil {
		return SpaceView{}, err
	}
	return SpaceView{Space: sp, Name: name, Settings: set, EffectiveMinRetentionDays: eff, Level: l}, nil
}

// spaceName names a space after its owner.
func (s *Service) spaceName(ctx context.Context, a authz.Actor, sp *files.Space) (string, error) {
	var (
		name string
		err  error
	)
	switch sp.Kind() {
	case files.KindOrganisation:
		name, err = s.directory.OrgName(ctx, sp.OrgID())
	case files.KindDepartment:
		var d Department
		d, err = s.directory.Department(ctx, sp.OrgID(), sp.OwnerID())
		name = d.Name
	case files.KindGroup:
		name, _, err = s.directory.Group(ctx, sp.OrgID(), sp.OwnerID(), a.UserID)
	case files.KindPersonal:
		name, err = s.directory.UserName(ctx, sp.OrgID(), sp.OwnerID())
	}
	if errs.Is(err, errs.NotFound) {
		return "", nil
	}
	return name, err
}

// fileView reads a file with its current version.
func (s *Service) fileView(ctx context.Context, orgID, id uuid.UUID) (FileView, error) {
	vs, err := s.store.FileViews(ctx, orgID, []uuid.UUID{id})
	if err != nil {
		return FileView{}, err
	}
	if len(vs) == 0 {
		return FileView{}, errs.NotFoundf("file")
	}
	return vs[0], nil
}
