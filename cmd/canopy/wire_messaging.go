package main

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"canopy/app/authz"
	appfiles "canopy/app/files"
	appmessaging "canopy/app/messaging"
	appmoderation "canopy/app/moderation"
	"canopy/domain/files"
	"canopy/domain/moderation"
	"canopy/infra/clock"
	"canopy/infra/config"
	"canopy/infra/markdown"
	"canopy/infra/postgres"
	pgevents "canopy/infra/postgres/events"
	pgmessaging "canopy/infra/postgres/messaging"
	"canopy/infra/textsearch"
)

// messagingService builds the messaging module's service on the stack's database: attachments
// over the files service, search over infra/textsearch, content rules over the moderation
// service (nil: none).
func messagingService(db *gorm.DB, tx *postgres.TxManager, clk appmessaging.Clock, z authz.Authorizer, audit authz.Auditor,
	fs *appfiles.Service, mod *appmoderation.Service, cfg config.Messaging) *appmessaging.Service {
	d := appmessaging.Deps{
		Config: appmessaging.Config{RecallWindow: cfg.RecallWindow, MentionAllMax: cfg.MentionAllMax},
		Tx:     tx, Clock: clk, Chats: pgmessaging.NewChats(db), Members: pgmessaging.NewMembers(db), Reads: pgmessaging.NewReads(db),
		Messages: pgmessaging.NewMessages(db, textsearch.Vector), Settings: pgmessaging.NewSettings(db), Directory: pgmessaging.NewDirectory(db),
		Files: messagingFiles{fs}, Markdown: markdown.New(), Search: textSearch{}, Events: pgevents.NewStore(db), Authorizer: z, Audit: audit,
	}
	if mod != nil {
		d.Filter = messagingContentFilter{mod}
	}
	return appmessaging.NewService(d)
}

var _ appmessaging.Clock = clock.System{}

// runMessaging runs the messaging module's worker until ctx ends: the purge of messages past
// their organisation's retention.
func (s *stack) runMessaging(ctx context.Context) {
	s.messaging.RunSweeper(ctx, s.cfg.Messaging.SweepInterval, s.log)
}

// textSearch is infra/textsearch as the messaging service's port.
type textSearch struct{}

func (textSearch) Query(q string) (string, bool)     { return textsearch.Query(q) }
func (textSearch) Highlight(text, q string) [][2]int { return textsearch.Highlight(text, q) }

// messagingFiles adapts the files service to what message attachments need.
type messagingFiles struct{ svc *appfiles.Service }

var _ appmessaging.Files = messagingFiles{}

func messageFile(v appfiles.FileView) appmessaging.AttachedFile {
	f := appmessaging.AttachedFile{ID: v.File.ID(), Name: v.File.Name()}
	if v.Current != nil {
		f.Size, f.ContentType = v.Current.Size(), v.Current.ContentType()
	}
	// The message's view turns this into the chat's thumbnail route (SVG is never thumbnailed).
	f.Image = v.HasThumbnail || (strings.HasPrefix(f.ContentType, "image/") && !strings.HasPrefix(f.ContentType, "image/svg"))
	return f
}

// Readable implements appmessaging.Files with the files module's own read check.
func (m messagingFiles) Readable(ctx context.Context, a authz.Actor, id uuid.UUID) (appmessaging.AttachedFile, error) {
	d, err := m.svc.File(ctx, a, id)
	if err != nil {
		return appmessaging.AttachedFile{}, err
	}
	return messageFile(d.FileView), nil
}

// Describe implements appmessaging.Files.
func (m messagingFiles) Describe(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]appmessaging.AttachedFile, error) {
	out := make(map[uuid.UUID]appmessaging.AttachedFile, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	vs, err := m.svc.LinkedFiles(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		out[v.File.ID()] = messageFile(v)
	}
	return out, nil
}

// Space implements appmessaging.Files.
func (m messagingFiles) Space(ctx context.Context, orgID uuid.UUID, kind string, ownerID uuid.UUID) (uuid.UUID, error) {
	k := map[string]files.SpaceKind{"personal": files.KindPersonal, "group": files.KindGroup, "department": files.KindDepartment}[kind]
	return m.svc.OwnerSpace(ctx, orgID, k, ownerID)
}

// Open implements appmessaging.Files: the files module's read of a file for a module that links
// it, with no access check of its own but its trash and purge.
func (m messagingFiles) Open(ctx context.Context, orgID, id uuid.UUID) (appmessaging.Content, error) {
	ct, err := m.svc.LinkedContent(ctx, orgID, id)
	if err != nil {
		return appmessaging.Content{}, err
	}
	v := ct.Version
	return appmessaging.Content{Name: ct.File.Name(), ContentType: v.ContentType(), SHA256: v.SHA256(), Version: v.Number(),
		Modified: v.UploadedAt(), Body: ct.Object}, nil
}

// Thumbnail implements appmessaging.Files.
func (m messagingFiles) Thumbnail(ctx context.Context, orgID, id uuid.UUID) (appmessaging.Content, error) {
	obj, err := m.svc.LinkedThumbnail(ctx, orgID, id)
	if err != nil {
		return appmessaging.Content{}, err
	}
	return appmessaging.Content{ContentType: "image/jpeg", Modified: obj.LastModified(), Body: obj}, nil
}

// messagingContentFilter adapts the content rules to what messaging asks of each message.
type messagingContentFilter struct{ svc *appmoderation.Service }

var _ appmessaging.ContentFilter = messagingContentFilter{}

// Check implements appmessaging.ContentFilter.
func (f messagingContentFilter) Check(ctx context.Context, orgID uuid.UUID, text string) (appmessaging.Verdict, error) {
	v, err := f.svc.Check(ctx, orgID, text)
	if err != nil {
		return appmessaging.Verdict{}, err
	}
	out := appmessaging.Verdict{Blocked: v.Blocked, Phrase: v.Phrase}
	for _, h := range v.Flags {
		out.Flags = append(out.Flags, appmessaging.RuleHit{RuleID: h.RuleID, Phrase: h.Phrase})
	}
	return out, nil
}

// Flag implements appmessaging.ContentFilter.
func (f messagingContentFilter) Flag(ctx context.Context, orgID uuid.UUID, hits []appmessaging.RuleHit, chatID, messageID, senderID uuid.UUID, kind, excerpt string) error {
	hs := make([]moderation.Hit, len(hits))
	for i, h := range hits {
		hs[i] = moderation.Hit{RuleID: h.RuleID, Phrase: h.Phrase, Action: moderation.Flag}
	}
	return f.svc.Flag(ctx, orgID, hs, appmoderation.FlagInput{ChatID: chatID, MessageID: messageID, SenderID: senderID,
		Kind: moderation.Kind(kind), Excerpt: excerpt})
}
