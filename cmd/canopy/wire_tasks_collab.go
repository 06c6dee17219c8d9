package main

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/app/authz"
	appfiles "canopy/app/files"
	apptasks "canopy/app/tasks"
	"canopy/domain/errs"
	"canopy/domain/files"
	"canopy/domain/tasks"
	pgtasks "canopy/infra/postgres/tasks"
)

// tasksCollab builds what the tasks service needs for comments, attachments (over the files
// service) and reminders.
func tasksCollab(db *gorm.DB, fs *appfiles.Service) apptasks.CollabDeps {
	return apptasks.CollabDeps{
		Comments: pgtasks.NewComments(db), Attachments: pgtasks.NewAttachments(db), Reminders: pgtasks.NewReminders(db),
		Files: taskFiles{fs},
	}
}

// taskFiles adapts the files service to what task attachments need.
type taskFiles struct{ svc *appfiles.Service }

var _ apptasks.Files = taskFiles{}

func attachedFile(v appfiles.FileView) apptasks.AttachedFile {
	f := apptasks.AttachedFile{ID: v.File.ID(), Name: v.File.Name()}
	if v.Current != nil {
		f.Size, f.ContentType = v.Current.Size(), v.Current.ContentType()
	}
	return f
}

// Readable implements apptasks.Files with the files module's own read check.
func (t taskFiles) Readable(ctx context.Context, a authz.Actor, id uuid.UUID) (apptasks.AttachedFile, error) {
	d, err := t.svc.File(ctx, a, id)
	if err != nil {
		return apptasks.AttachedFile{}, err
	}
	return attachedFile(d.FileView), nil
}

// Describe implements apptasks.Files.
func (t taskFiles) Describe(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]apptasks.AttachedFile, error) {
	out := make(map[uuid.UUID]apptasks.AttachedFile, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vs, err := t.svc.LinkedFiles(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		out[v.File.ID()] = attachedFile(v)
	}
	return out, nil
}

// OwnerSpace implements apptasks.Files: a list's owner kinds are the files module's space kinds.
func (t taskFiles) OwnerSpace(ctx context.Context, orgID uuid.UUID, kind tasks.OwnerKind, ownerID uuid.UUID) (uuid.UUID, error) {
	var k files.SpaceKind
	switch kind {
	case tasks.OwnerPerson:
		k = files.KindPersonal
	case tasks.OwnerGroup:
		k = files.KindGroup
	case tasks.OwnerDepartment:
		k = files.KindDepartment
	case tasks.OwnerOrganisation:
		k = files.KindOrganisation
	default:
		return uuid.Nil, errs.Internalf("tasks: unknown owner kind %q", kind)
	}
	return t.svc.OwnerSpace(ctx, orgID, k, ownerID)
}
