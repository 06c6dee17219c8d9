package announcements

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
	"canopy/domain/announcements"
	"canopy/domain/errs"
)

// The event types the module publishes.
const (
	// EventPublished tells the recipients of a new announcement (a notification kind).
	EventPublished = "announcements.published"
	// EventReminder tells the recipients who have not acknowledged it yet (a notification kind).
	EventReminder = "announcements.reminder"
	// EventAcked tells the publisher's open views that a recipient acknowledged; not a
	// notification.
	EventAcked = "announcements.acked"
)

// SubjectAnnouncement is the subject type of the module's events.
const SubjectAnnouncement = "announcement"

// exportPage is how many recipients the export reads at a time.
const exportPage = 1000

// View is an announcement as a caller sees it.
type View struct {
	Announcement    *announcements.Announcement
	PublishedByName string
	TargetName      string
	// AckedAt is the caller's acknowledgement (zero: none, or not a recipient).
	AckedAt time.Time
	// Recipient: the caller is one of its recipients. Manage: the caller published it or holds
	// announcements.publish over its target, so sees its acknowledgements.
	Recipient, Manage bool
	// The counts, for those who manage it.
	Total, Acked int
}

// PublishInput is a new announcement.
type PublishInput struct {
	Scope       string
	TargetID    uuid.UUID
	Title       string
	Body        string
	RequiresAck bool
}

// path returns the department path an announcement's publishing is checked at, and its
// target's name ("" for the organisation: its publishers hold the permission organisation-wide).
func (s *Service) target(ctx context.Context, orgID uuid.UUID, scope announcements.Scope, id uuid.UUID) (Target, error) {
	switch scope {
	case announcements.ScopeDepartment:
		return s.d.Directory.Department(ctx, orgID, id)
	case announcements.ScopeGroup:
		return s.d.Directory.Group(ctx, orgID, id)
	}
	name, err := s.d.Directory.OrgName(ctx, orgID)
	return Target{Name: name}, err
}

// Publish publishes an announcement to its target, for the actor to the extent of their
// announcements.publish: organisation-wide to anyone, at a department to its subtree and the
// groups attached there. Forbidden beyond it; NotFound for a target the organisation lacks.
func (s *Service) Publish(ctx context.Context, a authz.Actor, in PublishInput) (View, error) {
	scope, err := announcements.ParseScope(in.Scope)
	if err != nil {
		return View{}, err
	}
	if scope == announcements.ScopeOrg && in.TargetID != uuid.Nil {
		return View{}, errs.E(errs.Invalid, "invalid_field", "target_id: must be empty for scope org")
	}
	// Checked before anything is looked up, so bad input is a 400 whatever the target.
	if _, err := announcements.CheckTitle(in.Title); err != nil {
		return View{}, err
	}
	if _, err := announcements.CheckBody(in.Body); err != nil {
		return View{}, err
	}
	if scope != announcements.ScopeOrg && in.TargetID == uuid.Nil {
		return View{}, errs.E(errs.Invalid, "missing_field", "target_id: is required for a department or a group")
	}
	t, err := s.target(ctx, a.OrgID, scope, in.TargetID)
	if err != nil {
		return View{}, err
	}
	if err := authz.Require(ctx, s.d.Authorizer, a, access.AnnouncementsPublish, t.Path); err != nil {
		return View{}, err
	}
	html := ""
	if s.d.Markdown != nil {
		html = s.d.Markdown.HTML(in.Body)
	}
	ann, err := announcements.New(announcements.NewInput{OrgID: a.OrgID, Scope: scope, TargetID: in.TargetID, Title: in.Title, Body: in.Body,
		RequiresAck: in.RequiresAck, PublishedBy: a.UserID}, html, s.now())
	if err != nil {
		return View{}, err
	}
	var actor string
	err = s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if err := s.d.Announcements.Create(ctx, ann); err != nil {
			return access.AuditEntry{}, err
		}
		actor = s.name(ctx, a.OrgID, a.UserID)
		if err := s.publish(ctx, a, EventPublished, ann, audienceOf(ann), actor); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("announcements.publish", SubjectAnnouncement, ann.ID().String(), nil, auditOf(ann)), nil
	})
	if err != nil {
		return View{}, err
	}
	v := View{Announcement: ann, PublishedByName: actor, TargetName: t.Name, Manage: true}
	v.Recipient, _ = s.d.Announcements.IsRecipient(ctx, ann, a.UserID)
	page, err := s.d.Announcements.Page(ctx, ann, announcements.RecipientQuery{Limit: 1})
	if err != nil {
		return View{}, err
	}
	v.Total, v.Acked = page.AckedCount+page.PendingCount, page.AckedCount
	return v, nil
}

func auditOf(a *announcements.Announcement) map[string]any {
	return map[string]any{"scope": a.Scope(), "target_id": a.TargetID(), "title": a.Title(), "requires_ack": a.RequiresAck()}
}

// audienceOf is whom an announcement's events go to before the module's read check
// (Visibility) keeps only its recipients: the organisation, the department subtree or the group.
func audienceOf(a *announcements.Announcement) appevents.Audience {
	switch a.Scope() {
	case announcements.ScopeDepartment:
		return appevents.Audience{Departments: []uuid.UUID{a.TargetID()}}
	case announcements.ScopeGroup:
		return appevents.Audience{Groups: []uuid.UUID{a.TargetID()}}
	}
	return appevents.Audience{Org: true}
}

// publish writes an event about an announcement to the outbox in the transaction in ctx.
func (s *Service) publish(ctx context.Context, a authz.Actor, typ string, ann *announcements.Announcement, aud appevents.Audience, actorName string) error {
	if s.d.Events == nil {
		return nil
	}
	payload, _ := json.Marshal(map[string]any{"announcement_id": ann.ID(), "title": ann.Title(), "requires_ack": ann.RequiresAck(), "actor_name": actorName})
	return s.d.Events.Publish(ctx, appevents.Event{Type: typ, OrgID: ann.OrgID(), ActorID: a.UserID, SubjectType: SubjectAnnouncement,
		SubjectID: ann.ID(), Audience: aud, Payload: payload, CreatedAt: s.now()})
}

// name is a member's display name ("" when it cannot be read: a name is never worth failing for).
func (s *Service) name(ctx context.Context, orgID, userID uuid.UUID) string {
	names, err := s.d.Directory.Names(ctx, orgID, []uuid.UUID{userID})
	if err != nil {
		return ""
	}
	return names[userID]
}

// manages reports whether the actor oversees an announcement: they published it, or hold
// announcements.publish over its target. A narrowed token that does not carry the permission
// oversees nothing, not even what its owner published.
func (s *Service) manages(ctx context.Context, a authz.Actor, ann *announcements.Announcement) (bool, error) {
	if !a.ScopeAllows(access.AnnouncementsPublish) {
		return false, nil
	}
	if ann.PublishedBy() == a.UserID {
		return true, nil
	}
	t, err := s.target(ctx, a.OrgID, ann.Scope(), ann.TargetID())
	if errs.Is(err, errs.NotFound) {
		t = Target{} // its target is gone: only organisation-wide publishers oversee it
	} else if err != nil {
		return false, err
	}
	return s.d.Authorizer.Can(ctx, a, access.AnnouncementsPublish, t.Path)
}

// access returns an announcement with whether the actor is a recipient and oversees it; NotFound
// when they are neither, exactly as for a missing or deleted one.
func (s *Service) access(ctx context.Context, a authz.Actor, id uuid.UUID) (*announcements.Announcement, bool, bool, error) {
	ann, err := s.d.Announcements.Get(ctx, a.OrgID, id)
	if err != nil {
		return nil, false, false, err
	}
	rec, err := s.d.Announcements.IsRecipient(ctx, ann, a.UserID)
	if err != nil {
		return nil, false, false, err
	}
	man, err := s.manages(ctx, a, ann)
	if err != nil {
		return nil, false, false, err
	}
	if !rec && !man {
		return nil, false, false, errs.NotFoundf("announcement")
	}
	return ann, rec, man, nil
}

// managed returns an announcement the actor oversees: Forbidden for a recipient who does not,
// NotFound for anyone else.
func (s *Service) managed(ctx context.Context, a authz.Actor, id uuid.UUID) (*announcements.Announcement, error) {
	ann, _, man, err := s.access(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !man {
		return nil, errs.E(errs.Forbidden, "forbidden", "only its publisher and the admins over its recipients may do this")
	}
	return ann, nil
}

// Get returns an announcement to one of its recipients or to someone who oversees it; NotFound
// to anyone else.
func (s *Service) Get(ctx context.Context, a authz.Actor, id uuid.UUID) (View, error) {
	ann, rec, man, err := s.access(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	v := View{Announcement: ann, Recipient: rec, Manage: man}
	if rec {
		if v.AckedAt, err = s.d.Announcements.AckOf(ctx, ann, a.UserID); err != nil {
			return View{}, err
		}
	}
	if man {
		page, err := s.d.Announcements.Page(ctx, ann, announcements.RecipientQuery{Limit: 1})
		if err != nil {
			return View{}, err
		}
		v.Total, v.Acked = page.AckedCount+page.PendingCount, page.AckedCount
	}
	vs := []View{v}
	if err := s.named(ctx, a.OrgID, vs); err != nil {
		return View{}, err
	}
	return vs[0], nil
}

// named fills in the publishers' and the targets' names.
func (s *Service) named(ctx context.Context, orgID uuid.UUID, vs []View) error {
	var people, targets []uuid.UUID
	for _, v := range vs {
		people = append(people, v.Announcement.PublishedBy())
		if v.Announcement.Scope() != announcements.ScopeOrg {
			targets = append(targets, v.Announcement.TargetID())
		}
	}
	names, err := s.d.Directory.Names(ctx, orgID, people)
	if err != nil {
		return err
	}
	tn, err := s.d.Directory.TargetNames(ctx, orgID, targets)
	if err != nil {
		return err
	}
	orgName := ""
	for i := range vs {
		ann := vs[i].Announcement
		vs[i].PublishedByName = names[ann.PublishedBy()]
		if ann.Scope() == announcements.ScopeOrg {
			if orgName == "" {
				if orgName, err = s.d.Directory.OrgName(ctx, orgID); err != nil {
					return err
				}
			}
			vs[i].TargetName = orgName
		} else {
			vs[i].TargetName = tn[ann.TargetID()]
		}
	}
	return nil
}

// MineInput selects a page of the caller's announcements.
type MineInput struct {
	PendingOnly   bool
	Limit, Offset int
}

// Mine returns a page of the announcements addressed to the caller now: those awaiting their
// acknowledgement first, then the newest first.
func (s *Service) Mine(ctx context.Context, a authz.Actor, in MineInput) ([]View, int, error) {
	ms, total, err := s.d.Announcements.Mine(ctx, announcements.MineQuery{OrgID: a.OrgID, UserID: a.UserID, PendingOnly: in.PendingOnly,
		Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, 0, err
	}
	vs := make([]View, len(ms))
	for i, m := range ms {
		vs[i] = View{Announcement: m.Announcement, AckedAt: m.AckedAt, Recipient: true}
	}
	return vs, total, s.named(ctx, a.OrgID, vs)
}

// AdminInput selects a page of the announcements the caller oversees.
type AdminInput struct {
	Limit, Offset int
}

// Admin returns a page of the announcements the caller oversees (see manages), newest first,
// with how many of their recipients acknowledged.
func (s *Service) Admin(ctx context.Context, a authz.Actor, in AdminInput) ([]View, int, error) {
	reach, err := s.d.Authorizer.Reach(ctx, a, access.AnnouncementsPublish)
	if err != nil {
		return nil, 0, err
	}
	q := announcements.AdminQuery{OrgID: a.OrgID, Publisher: a.UserID, Org: reach.Org, Limit: in.Limit, Offset: in.Offset}
	if !a.ScopeAllows(access.AnnouncementsPublish) {
		q.Publisher = uuid.Nil
	}
	if !reach.Org && len(reach.Departments) > 0 {
		if q.DepartmentPaths, err = s.d.Directory.DepartmentPaths(ctx, a.OrgID, reach.Departments); err != nil {
			return nil, 0, err
		}
	}
	cs, total, err := s.d.Announcements.Admin(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	vs := make([]View, len(cs))
	for i, c := range cs {
		vs[i] = View{Announcement: c.Announcement, Manage: true, Total: c.Total, Acked: c.Acked}
	}
	return vs, total, s.named(ctx, a.OrgID, vs)
}

// Ack records the caller's acknowledgement of an announcement addressed to them, once: a second
// one returns the first's time. Forbidden to someone who oversees it without being a
// recipient; NotFound to anyone else.
func (s *Service) Ack(ctx context.Context, a authz.Actor, id uuid.UUID) (time.Time, error) {
	var at time.Time
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		ann, rec, _, err := s.access(ctx, a, id)
		if err != nil {
			return err
		}
		if !rec {
			return errs.E(errs.Forbidden, "not_a_recipient", "this announcement is not addressed to you")
		}
		prev, err := s.d.Announcements.AckOf(ctx, ann, a.UserID)
		if err != nil {
			return err
		}
		if at, err = s.d.Announcements.Ack(ctx, ann, a.UserID, s.now()); err != nil || !prev.IsZero() {
			return err
		}
		if s.d.Events == nil {
			return nil
		}
		payload, _ := json.Marshal(map[string]any{"announcement_id": ann.ID(), "user_id": a.UserID})
		return s.d.Events.Publish(ctx, appevents.Event{Type: EventAcked, OrgID: ann.OrgID(), ActorID: a.UserID, SubjectType: SubjectAnnouncement,
			SubjectID: ann.ID(), Audience: appevents.Audience{Users: []uuid.UUID{ann.PublishedBy()}}, Payload: payload, CreatedAt: s.now()})
	})
	return at, err
}

// Acks returns a page of an announcement's recipients with their acknowledgement, to those who
// oversee it.
func (s *Service) Acks(ctx context.Context, a authz.Actor, id uuid.UUID, q announcements.RecipientQuery) (announcements.RecipientPage, error) {
	ann, err := s.managed(ctx, a, id)
	if err != nil {
		return announcements.RecipientPage{}, err
	}
	return s.d.Announcements.Page(ctx, ann, q)
}

// Remind tells the recipients who have not acknowledged an announcement (notification kind
// announcements.reminder) and returns how many, at most once per RemindInterval per
// announcement (TooManyRequests with how long to wait otherwise). With nobody left to remind it
// tells no one and the interval does not start.
func (s *Service) Remind(ctx context.Context, a authz.Actor, id uuid.UUID) (int, error) {
	var n int
	err := s.d.Tx.Within(ctx, func(ctx context.Context) error {
		if _, err := s.managed(ctx, a, id); err != nil {
			return err
		}
		ann, err := s.d.Announcements.Lock(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := ann.Remind(s.now()); err != nil {
			return err
		}
		pending, err := s.d.Announcements.Pending(ctx, ann)
		if err != nil || len(pending) == 0 {
			return err
		}
		n = len(pending)
		if err := s.publish(ctx, a, EventReminder, ann, appevents.Audience{Users: pending}, s.name(ctx, a.OrgID, a.UserID)); err != nil {
			return err
		}
		return s.d.Announcements.Update(ctx, ann)
	})
	return n, err
}

// Export returns every recipient of an announcement with their acknowledgement, by name, to
// those who oversee it, and records the export in the audit log.
func (s *Service) Export(ctx context.Context, a authz.Actor, id uuid.UUID) (*announcements.Announcement, []announcements.Recipient, error) {
	var ann *announcements.Announcement
	var out []announcements.Recipient
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		var err error
		if ann, err = s.managed(ctx, a, id); err != nil {
			return access.AuditEntry{}, err
		}
		for off := 0; ; off += exportPage {
			p, err := s.d.Announcements.Page(ctx, ann, announcements.RecipientQuery{Limit: exportPage, Offset: off})
			if err != nil {
				return access.AuditEntry{}, err
			}
			out = append(out, p.Items...)
			if len(p.Items) < exportPage {
				break
			}
		}
		return a.Entry("announcements.acks_export", SubjectAnnouncement, ann.ID().String(), nil,
			map[string]any{"title": ann.Title(), "recipients": len(out)}), nil
	})
	return ann, out, err
}

// Delete deletes an announcement, for those who oversee it: it is then NotFound to everyone.
func (s *Service) Delete(ctx context.Context, a authz.Actor, id uuid.UUID) error {
	return s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		if _, err := s.managed(ctx, a, id); err != nil {
			return access.AuditEntry{}, err
		}
		ann, err := s.d.Announcements.Lock(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		ann.Delete(a.UserID, s.now())
		if err := s.d.Announcements.Update(ctx, ann); err != nil {
			return access.AuditEntry{}, err
		}
		return a.Entry("announcements.delete", SubjectAnnouncement, ann.ID().String(), auditOf(ann), nil), nil
	})
}
