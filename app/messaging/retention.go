package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
)

// purgeBatch is how many messages one purge statement deletes.
const purgeBatch = 1000

// Purge deletes the messages older than each organisation's retention, in chats without a legal
// hold, and returns how many.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := s.messages.Purge(ctx, s.now(), purgeBatch)
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

// RunSweeper purges old messages every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Purge(ctx); err != nil && ctx.Err() == nil {
			log.Warn("message purge failed", "error", err.Error())
		} else if n > 0 {
			log.Info("old messages purged", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ExportChat returns a chat's whole history as JSON-ready data: messages.export
// organisation-wide, audited.
func (s *Service) ExportChat(ctx context.Context, a authz.Actor, id uuid.UUID) (Export, error) {
	var out Export
	err := s.recorded(ctx, func(ctx context.Context) (access.AuditEntry, error) {
		c, err := s.chats.Get(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if err := authz.Require(ctx, s.authz, a, access.MessagesExport, ""); err != nil {
			return access.AuditEntry{}, err
		}
		ca, err := s.accessTo(ctx, a, c, false)
		if err != nil {
			// An exporter who is neither member nor manager still exports.
			ca = chatAccess{chat: c}
		}
		if out.Chat, err = s.chatViewOf(ctx, a, ca); err != nil {
			return access.AuditEntry{}, err
		}
		if out.Members, _, err = s.members.List(ctx, c, "", 100_000, 0); err != nil {
			return access.AuditEntry{}, err
		}
		ms, err := s.messages.All(ctx, a.OrgID, id)
		if err != nil {
			return access.AuditEntry{}, err
		}
		if out.Messages, err = s.views(ctx, a.OrgID, a.UserID, ms); err != nil {
			return access.AuditEntry{}, err
		}
		out.ExportedAt = s.now()
		return a.Entry("messages.chat_exported", "chat", id.String(), nil, map[string]any{"messages": len(ms)}), nil
	})
	return out, err
}
