// Package tasks holds the tasks module's use cases: task lists of people, groups, departments
// and the organisation with their sections and labels, tasks with subtasks, dependencies and
// recurrence, kanban ordering that stays consistent under concurrent moves, shares of lists
// and of single tasks, the views across lists (my tasks, following, created by me), the
// activity history, idempotent creation for the admin API, and the sweeper that purges what
// was deleted more than 30 days ago.
package tasks

import (
	"context"
	"time"

	"canopy/app/authz"
	appevents "canopy/app/events"
	"canopy/domain/access"
)

// Service holds the tasks use cases.
type Service struct {
	tx          TxManager
	clock       Clock
	lists       ListRepository
	sections    SectionRepository
	labels      LabelRepository
	tasks       TaskRepository
	shares      ShareRepository
	history     ActivityRepository
	idempotency IdempotencyRepository
	sweeper     Sweeper
	directory   Directory
	markdown    Markdown
	recurrence  Recurrence
	events      appevents.Publisher
	authz       authz.Authorizer
	audit       authz.Auditor
	// collab holds what comments, attachments and reminders need (collab.go).
	collab CollabDeps
	// html remembers renderings of Markdown: a listing shows each task's description_html.
	html *htmlCache
}

// Deps are the adapters the service needs.
type Deps struct {
	Tx          TxManager
	Clock       Clock
	Lists       ListRepository
	Sections    SectionRepository
	Labels      LabelRepository
	Tasks       TaskRepository
	Shares      ShareRepository
	Activity    ActivityRepository
	Idempotency IdempotencyRepository
	Sweeper     Sweeper
	Directory   Directory
	Markdown    Markdown
	Recurrence  Recurrence
	Events      appevents.Publisher // nil: nothing is published
	Authorizer  authz.Authorizer
	Audit       authz.Auditor
	Collab      CollabDeps
}

// NewService builds the service.
func NewService(d Deps) *Service {
	return &Service{tx: d.Tx, clock: d.Clock, lists: d.Lists, sections: d.Sections, labels: d.Labels, tasks: d.Tasks, shares: d.Shares,
		history: d.Activity, idempotency: d.Idempotency, sweeper: d.Sweeper, directory: d.Directory, markdown: d.Markdown,
		recurrence: d.Recurrence, events: d.Events, authz: d.Authorizer, audit: d.Audit, collab: d.Collab,
		html: newHTMLCache(htmlCacheBytes)}
}

// now is the service's clock in UTC.
func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// recorded runs fn in a transaction and appends the audit entry it returns in the same one (none
// when it returns a zero entry).
func (s *Service) recorded(ctx context.Context, fn func(ctx context.Context) (access.AuditEntry, error)) error {
	return s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := fn(ctx)
		if err != nil {
			return err
		}
		if e.Action == "" {
			return nil
		}
		return s.audit.Append(ctx, e)
	})
}

// HTML renders Markdown for display, sanitised ("" without a renderer). Renderings are
// remembered by their source, so a description is rendered once rather than on every listing.
func (s *Service) HTML(src string) string {
	if s.markdown == nil || src == "" {
		return ""
	}
	if s.html == nil {
		return s.markdown.HTML(src)
	}
	return s.html.render(src, s.markdown.HTML)
}
