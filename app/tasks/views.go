package tasks

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
	"canopy/domain/tasks"
)

// The views across lists.
const (
	ViewAssigned  = "assigned"
	ViewFollowing = "following"
	ViewCreated   = "created"
)

// ViewQuery asks for a page of one of the actor's views.
type ViewQuery struct {
	View    string // assigned (default), following or created
	Status  tasks.Status
	ListID  uuid.UUID
	LabelID uuid.UUID
	DueFrom time.Time
	DueTo   time.Time
	Query   string
	// TZ is the IANA zone the buckets are computed in ("" UTC).
	TZ     string
	Limit  int
	Offset int
}

// MyTasks returns a page of the tasks assigned to the actor, that they follow, or that they
// made and may still see, across lists, in due order (no date last), each with its bucket:
// overdue, today, next_7_days, later or no_date, in the time zone asked.
func (s *Service) MyTasks(ctx context.Context, a authz.Actor, q ViewQuery) ([]TaskView, int, error) {
	switch q.View {
	case "":
		q.View = ViewAssigned
	case ViewAssigned, ViewFollowing, ViewCreated:
	default:
		return nil, 0, errs.E(errs.Invalid, "invalid_view", "view: must be assigned, following or created")
	}
	loc := time.UTC
	if q.TZ != "" {
		z, err := tasks.LoadZone(q.TZ)
		if err != nil {
			return nil, 0, errs.E(errs.Invalid, "invalid_time_zone", "tz: must be an IANA time zone such as Asia/Shanghai")
		}
		loc = z
	}
	p, err := s.principals(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	tq := TaskQuery{OrgID: a.OrgID, View: q.View, UserID: a.UserID, ListID: q.ListID, Status: q.Status, LabelID: q.LabelID,
		DueFrom: q.DueFrom, DueTo: q.DueTo, Query: q.Query, Limit: q.Limit, Offset: q.Offset}
	if q.View == ViewCreated {
		v, err := s.viewer(ctx, a, p)
		if err != nil {
			return nil, 0, err
		}
		tq.Viewer = &v
	}
	ts, total, err := s.tasks.Query(ctx, tq)
	if err != nil {
		return nil, 0, err
	}
	vs, err := s.pageViews(ctx, a, p, ts, nil, nil)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	for i := range vs {
		vs[i].Bucket = bucket(vs[i].Task, now, loc)
	}
	return vs, total - (len(ts) - len(vs)), nil
}
