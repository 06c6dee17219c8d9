package messaging

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
)

// OpenAttachment opens a file attached to a message (its thumbnail, with thumbnail set) for a
// member of the message's chat now. Being in the chat is what lets one read what was sent to it,
// as in DingTalk or Feishu: the files module's own access is not asked (the sender's was, when
// the file was attached), but its state is, so a file trashed or purged there is gone here too.
// Anyone not in the chat, a message recalled or deleted, a file not among the message's
// attachments: NotFound, as for ids that do not exist.
func (s *Service) OpenAttachment(ctx context.Context, a authz.Actor, chatID, messageID, fileID uuid.UUID, thumbnail bool) (Content, error) {
	_, m, err := s.message(ctx, a, chatID, messageID)
	if err != nil {
		return Content{}, err
	}
	if m.Gone() || !slices.Contains(m.AttachmentIDs(), fileID) {
		return Content{}, errs.NotFoundf("attachment")
	}
	if thumbnail {
		return s.files.Thumbnail(ctx, a.OrgID, fileID)
	}
	return s.files.Open(ctx, a.OrgID, fileID)
}

// attachmentURL is the chat's route to an attachment of a message.
func attachmentURL(orgID, chatID, messageID, fileID uuid.UUID) string {
	return "/api/v1/orgs/" + orgID.String() + "/chats/" + chatID.String() + "/messages/" + messageID.String() + "/attachments/" + fileID.String()
}

// withURLs is an attachment of a message with its chat routes.
func withURLs(f AttachedFile, orgID, chatID, messageID uuid.UUID) AttachedFile {
	f.URL = attachmentURL(orgID, chatID, messageID, f.ID)
	f.ThumbnailURL = ""
	if f.Image {
		f.ThumbnailURL = f.URL + "/thumbnail"
	}
	return f
}

// fileNameHits are the content rules an attachment's name matched (flag only).
type fileNameHits struct {
	name string
	hits []RuleHit
}

// checkFileName applies the content rules to an attachment's name: Unprocessable
// content_blocked naming the phrase when a rule blocks it, else the rules that flag it.
func (s *Service) checkFileName(ctx context.Context, orgID uuid.UUID, name string) ([]RuleHit, error) {
	if s.filter == nil || name == "" {
		return nil, nil
	}
	v, err := s.filter.Check(ctx, orgID, name)
	if err != nil {
		return nil, err
	}
	if v.Blocked {
		return nil, errs.E(errs.Unprocessable, "content_blocked", "The file name “"+name+"” contains “"+v.Phrase+"”, which your organisation does not allow.")
	}
	return v.Flags, nil
}
