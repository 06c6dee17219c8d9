package tasks

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// sectionsChanged publishes that a list's sections changed.
func (s *Service) sectionsChanged(ctx context.Context, a authz.Actor, l *tasks.List) error {
	return s.listChanged(ctx, a, l, "sections_changed")
}

// writableList reads a list the actor may write, locked until the transaction in ctx ends.
func (s *Service) writableList(ctx context.Context, a authz.Actor, id uuid.UUID, need Level) (ListAccess, error) {
	la, err := s.readList(ctx, a, id)
	if err != nil {
		return ListAccess{}, err
	}
	if err := la.need(need); err != nil {
		return ListAccess{}, err
	}
	if _, err := s.lists.Lock(ctx, a.OrgID, id); err != nil {
		return ListAccess{}, err
	}
	return la, nil
}

// sectionRankAfter returns the rank for a section placed right after another (uuid.Nil: first).
func (s *Service) sectionRankAfter(ctx context.Context, a authz.Actor, listID, after, self uuid.UUID) (string, error) {
	lo := ""
	if after != uuid.Nil {
		sec, err := s.sections.Get(ctx, a.OrgID, listID, after)
		if err != nil {
			return "", errs.E(errs.Invalid, "unknown_section", "after_id: not a section of this list")
		}
		lo = sec.Rank()
	}
	hi, err := s.sections.RankAfter(ctx, a.OrgID, listID, lo, self)
	if err != nil {
		return "", err
	}
	return tasks.Between(lo, hi), nil
}

// CreateSection adds a section to a list the actor may write, right after another (after,
// uuid.Nil for the end).
func (s *Service) CreateSection(ctx context.Context, a authz.Actor, listID uuid.UUID, name string, after *uuid.UUID) (*tasks.Section, error) {
	var sec *tasks.Section
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		la, err := s.writableList(ctx, a, listID, LevelWrite)
		if err != nil {
			return err
		}
		all, err := s.sections.OfLists(ctx, a.OrgID, []uuid.UUID{listID})
		if err != nil {
			return err
		}
		secs := all[listID]
		if len(secs) >= MaxSections {
			return errs.E(errs.Conflict, "too_many_sections", "a list has at most 100 sections")
		}
		var rank string
		if after == nil {
			last := ""
			if len(secs) > 0 {
				last = secs[len(secs)-1].Rank()
			}
			rank = tasks.Between(last, "")
		} else if rank, err = s.sectionRankAfter(ctx, a, listID, *after, uuid.Nil); err != nil {
			return err
		}
		if sec, err = tasks.NewSection(a.OrgID, listID, name, rank, s.now()); err != nil {
			return err
		}
		if err := s.sections.Create(ctx, sec); err != nil {
			return err
		}
		return s.sectionsChanged(ctx, a, la.List)
	})
	return sec, err
}

// RenameSection renames a section of a list the actor may write.
func (s *Service) RenameSection(ctx context.Context, a authz.Actor, listID, id uuid.UUID, name string) (*tasks.Section, error) {
	var sec *tasks.Section
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		la, err := s.writableList(ctx, a, listID, LevelWrite)
		if err != nil {
			return err
		}
		if sec, err = s.sections.Get(ctx, a.OrgID, listID, id); err != nil {
			return err
		}
		if err := sec.Rename(name); err != nil {
			return err
		}
		if err := s.sections.Update(ctx, sec); err != nil {
			return err
		}
		return s.sectionsChanged(ctx, a, la.List)
	})
	return sec, err
}

// MoveSection places a section right after another (uuid.Nil: first).
func (s *Service) MoveSection(ctx context.Context, a authz.Actor, listID, id, after uuid.UUID) (*tasks.Section, error) {
	var sec *tasks.Section
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		la, err := s.writableList(ctx, a, listID, LevelWrite)
		if err != nil {
			return err
		}
		if sec, err = s.sections.Get(ctx, a.OrgID, listID, id); err != nil {
			return err
		}
		if after == id {
			return errs.E(errs.Invalid, "invalid_move", "after_id: a section cannot go after itself")
		}
		rank, err := s.sectionRankAfter(ctx, a, listID, after, id)
		if err != nil {
			return err
		}
		if err := sec.SetRank(rank); err != nil {
			return err
		}
		if err := s.sections.Update(ctx, sec); err != nil {
			return err
		}
		return s.sectionsChanged(ctx, a, la.List)
	})
	return sec, err
}

// DeleteSection removes a section of a list the actor may write; its tasks move to the end of
// moveTo (another section of the list; the first other one when uuid.Nil). The last section of
// a list stays: Conflict last_section.
func (s *Service) DeleteSection(ctx context.Context, a authz.Actor, listID, id, moveTo uuid.UUID) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		la, err := s.writableList(ctx, a, listID, LevelWrite)
		if err != nil {
			return err
		}
		sec, err := s.sections.Get(ctx, a.OrgID, listID, id)
		if err != nil {
			return err
		}
		all, err := s.sections.OfLists(ctx, a.OrgID, []uuid.UUID{listID})
		if err != nil {
			return err
		}
		if len(all[listID]) <= 1 {
			return errs.E(errs.Conflict, "last_section", "a list keeps at least one section")
		}
		if moveTo == id {
			return errs.E(errs.Invalid, "invalid_move", "move_to: must be another section")
		}
		if moveTo == uuid.Nil {
			for _, o := range all[listID] {
				if o.ID() != id {
					moveTo = o.ID()
					break
				}
			}
		} else if _, err := s.sections.Get(ctx, a.OrgID, listID, moveTo); err != nil {
			return errs.E(errs.Invalid, "unknown_section", "move_to: not a section of this list")
		}
		n, err := s.tasks.CountSection(ctx, a.OrgID, listID, id)
		if err != nil {
			return err
		}
		last, err := s.tasks.LastRank(ctx, Siblings{OrgID: a.OrgID, ListID: listID, SectionID: moveTo})
		if err != nil {
			return err
		}
		if err := s.tasks.MoveSection(ctx, a.OrgID, listID, id, moveTo, tasks.SpreadBetween(last, "", n)); err != nil {
			return err
		}
		if err := s.sections.Delete(ctx, sec); err != nil {
			return err
		}
		return s.sectionsChanged(ctx, a, la.List)
	})
}
