package directory

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
)

// PathResolver finds departments by the names along their path; ports for it are the
// repositories' own queries.
type PathResolver interface {
	// ChildByName returns the child of parentID with this name (case-insensitive); NotFound if
	// there is none.
	ChildByName(ctx context.Context, orgID, parentID uuid.UUID, name string) (*directory.Department, error)
}

// SplitPath splits "Engineering/Backend" into its names. A leading root name is not expected:
// paths start below the root. The rule is the domain's (directory.ParsePath), so "." and ".."
// are refused, never resolved, and the error says what is wrong with the path.
func SplitPath(path string) ([]string, error) {
	return directory.ParsePath(path)
}

// ResolvePath returns the department at a path of names below the root ("Engineering/Backend"),
// creating the missing ones when create is set (for SCIM and bulk imports); NotFound otherwise.
// It runs in the caller's transaction, with the tree locked when it creates.
func (s *Service) ResolvePath(ctx context.Context, a authz.Actor, path string, create bool) (*directory.Department, error) {
	names, err := SplitPath(path)
	if err != nil {
		return nil, err
	}
	if create {
		if err := s.require(ctx, a, access.DirectoryManage, ""); err != nil {
			return nil, err
		}
	}
	var found *directory.Department
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		cur, err := s.departments.Root(ctx, a.OrgID)
		if err != nil {
			return err
		}
		locked := false
		for _, name := range names {
			next, err := s.paths.ChildByName(ctx, a.OrgID, cur.ID(), name)
			if errs.Is(err, errs.NotFound) && create {
				if !locked {
					if err := s.departments.LockTree(ctx, a.OrgID); err != nil {
						return err
					}
					locked = true
					// Someone may have made it while we waited for the lock.
					if next, err = s.paths.ChildByName(ctx, a.OrgID, cur.ID(), name); err == nil {
						cur = next
						continue
					}
				}
				lim, err := s.limits.Limits(ctx, a.OrgID)
				if err != nil {
					return err
				}
				if next, err = directory.NewDepartment(cur, name, "", lim.MaxDepartmentDepth, s.clock.Now()); err != nil {
					return err
				}
				siblings, err := s.departments.Children(ctx, a.OrgID, cur.ID())
				if err != nil {
					return err
				}
				next.SetSortOrder(len(siblings), s.clock.Now())
				if err := s.departments.Create(ctx, next); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
			cur = next
		}
		found = cur
		return nil
	})
	return found, err
}
