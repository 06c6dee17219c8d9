package tasks

import (
	"context"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/tasks"
)

// CreateLabel adds a label to a list the actor may write.
func (s *Service) CreateLabel(ctx context.Context, a authz.Actor, listID uuid.UUID, name, color string) (*tasks.Label, error) {
	la, err := s.readList(ctx, a, listID)
	if err != nil {
		return nil, err
	}
	if err := la.need(LevelWrite); err != nil {
		return nil, err
	}
	l, err := tasks.NewLabel(a.OrgID, listID, name, color)
	if err != nil {
		return nil, err
	}
	return l, s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.labels.Create(ctx, l); err != nil {
			return err
		}
		return s.listChanged(ctx, a, la.List, "list_updated")
	})
}

// UpdateLabel changes a label's name or color (nil: unchanged).
func (s *Service) UpdateLabel(ctx context.Context, a authz.Actor, listID, id uuid.UUID, name, color *string) (*tasks.Label, error) {
	la, err := s.readList(ctx, a, listID)
	if err != nil {
		return nil, err
	}
	if err := la.need(LevelWrite); err != nil {
		return nil, err
	}
	l, err := s.labels.Get(ctx, a.OrgID, listID, id)
	if err != nil {
		return nil, err
	}
	n, c := l.Name(), l.Color()
	if name != nil {
		n = *name
	}
	if color != nil {
		c = *color
	}
	if err := l.Set(n, c); err != nil {
		return nil, err
	}
	return l, s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.labels.Update(ctx, l); err != nil {
			return err
		}
		return s.listChanged(ctx, a, la.List, "list_updated")
	})
}

// DeleteLabel removes a label, and it from every task.
func (s *Service) DeleteLabel(ctx context.Context, a authz.Actor, listID, id uuid.UUID) error {
	la, err := s.readList(ctx, a, listID)
	if err != nil {
		return err
	}
	if err := la.need(LevelWrite); err != nil {
		return err
	}
	l, err := s.labels.Get(ctx, a.OrgID, listID, id)
	if err != nil {
		return err
	}
	return s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.labels.Delete(ctx, l); err != nil {
			return err
		}
		return s.listChanged(ctx, a, la.List, "list_updated")
	})
}
