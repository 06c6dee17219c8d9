// Package messaging holds the HTTP handlers of the messaging module: chats and their members,
// messages, threads, reactions, pins, read state and read lists, typing and presence, search,
// and the console's chats, legal holds, export and settings.
package messaging

import (
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	appmessaging "canopy/app/messaging"
	"canopy/domain/access"
	"canopy/domain/errs"
	"canopy/domain/messaging"
	webfiles "canopy/web/files"
	"canopy/web/server"
)

// Handler serves the messaging routes.
type Handler struct {
	svc      *appmessaging.Service
	transfer time.Duration
}

// New returns the messaging handlers.
func New(svc *appmessaging.Service) *Handler { return &Handler{svc: svc} }

// WithTransferTimeout lets a download of an attachment run for d (the files module's transfer
// timeout) instead of the server's read and write timeouts.
func (h *Handler) WithTransferTimeout(d time.Duration) *Handler {
	h.transfer = d
	return h
}

// Register adds the messaging routes.
func (h *Handler) Register(r *server.Router) {
	o := "/orgs/:orgID"
	read, write := server.Needs(access.MessagesRead), server.Needs(access.MessagesWrite)
	ch := o + "/chats/:chatID"
	msg := ch + "/messages/:messageID"
	r.Add(read, http.MethodGet, o+"/chats", h.listChats)
	r.Add(write, http.MethodPost, o+"/chats", h.createChat)
	r.Add(read, http.MethodGet, ch, h.getChat)
	r.Add(write, http.MethodPatch, ch, h.updateChat)
	r.Add(read, http.MethodGet, ch+"/members", h.members)
	r.Add(write, http.MethodPost, ch+"/members", h.addMembers)
	r.Add(write, http.MethodDelete, ch+"/members/:userID", h.removeMember)
	r.Add(write, http.MethodPut, ch+"/members/:userID/role", h.setRole)
	r.Add(write, http.MethodPost, ch+"/leave", h.leave)
	r.Add(read, http.MethodPut, ch+"/settings", h.chatSettings)
	r.Add(read, http.MethodPost, ch+"/read", h.markRead)
	r.Add(write, http.MethodPost, ch+"/typing", h.typing)
	r.Add(write, http.MethodGet, ch+"/upload-target", h.uploadTarget)
	r.Add(read, http.MethodGet, ch+"/messages", h.history)
	r.Add(write, http.MethodPost, ch+"/messages", h.send)
	r.Add(read, http.MethodGet, ch+"/pins", h.pins)
	r.Add(read, http.MethodGet, msg+"/thread", h.thread)
	r.Add(write, http.MethodPatch, msg, h.edit)
	r.Add(read, http.MethodGet, msg+"/history", h.editHistory)
	r.Add(write, http.MethodPost, msg+"/recall", h.recall)
	r.Add(write, http.MethodDelete, msg, h.deleteMessage)
	r.Add(write, http.MethodPut, msg+"/reactions/:emoji", h.react(true))
	r.Add(write, http.MethodDelete, msg+"/reactions/:emoji", h.react(false))
	r.Add(write, http.MethodPut, msg+"/pin", h.pin(true))
	r.Add(write, http.MethodDelete, msg+"/pin", h.pin(false))
	r.Add(read, http.MethodGet, msg+"/reads", h.reads)
	r.Add(read, http.MethodGet, msg+"/attachments/:fileID", h.attachment(false))
	r.Add(read, http.MethodGet, msg+"/attachments/:fileID/thumbnail", h.attachment(true))
	r.Add(read, http.MethodGet, o+"/messages/search", h.search)

	manage := server.Needs(access.ChatsManage)
	r.Add(manage, http.MethodGet, o+"/admin/chats", h.adminChats)
	r.Add(manage, http.MethodPut, ch+"/legal-hold", h.legalHold(true))
	r.Add(manage, http.MethodDelete, ch+"/legal-hold", h.legalHold(false))
	r.Add(server.Needs(access.MessagesExport), http.MethodGet, ch+"/export", h.export)
	settings := server.Needs(access.SettingsManage)
	r.Add(settings, http.MethodGet, o+"/messaging/settings", h.getSettings)
	r.Add(settings, http.MethodPut, o+"/messaging/settings", h.putSettings)
	r.Add(read, http.MethodGet, o+"/me/messaging", h.mine)
	r.Add(read, http.MethodPut, o+"/me/messaging", h.setMine)
	r.Add(read, http.MethodPost, o+"/me/presence", h.presence)
}

func chatID(c echo.Context) (uuid.UUID, error) { return server.PathID(c, "chatID", "chat") }

func messageIDs(c echo.Context) (uuid.UUID, uuid.UUID, error) {
	ids, err := server.PathIDs(c, "chatID", "messageID")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	return ids[0], ids[1], nil
}

func (h *Handler) listChats(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	p, err := h.svc.MyChats(c.Request().Context(), server.Actor(c), c.QueryParam("query"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

type createChatRequest struct {
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	MemberIDs    []string `json:"member_ids"`
	UserID       *string  `json:"user_id"`
	GroupID      *string  `json:"group_id"`
	DepartmentID *string  `json:"department_id"`
}

func (h *Handler) createChat(c echo.Context) error {
	var req createChatRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Kind == "" {
		return server.Required("kind")
	}
	in := appmessaging.CreateInput{Kind: req.Kind, Name: req.Name, Description: req.Description}
	var err error
	if in.MemberIDs, err = server.BodyIDs("member_ids", req.MemberIDs); err != nil {
		return err
	}
	if in.UserID, err = server.BodyID("user_id", req.UserID); err != nil {
		return err
	}
	if in.GroupID, err = server.BodyID("group_id", req.GroupID); err != nil {
		return err
	}
	if in.DepartmentID, err = server.BodyID("department_id", req.DepartmentID); err != nil {
		return err
	}
	v, created, err := h.svc.CreateChat(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, v)
	}
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) getChat(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	v, err := h.svc.Chat(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

type updateChatRequest struct {
	Name         *string `json:"name"`
	Description  *string `json:"description"`
	AvatarFileID *string `json:"avatar_file_id"`
	Archived     *bool   `json:"archived"`
}

func (h *Handler) updateChat(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	var req updateChatRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	p := messaging.ChatPatch{Name: req.Name, Description: req.Description, Archived: req.Archived}
	if req.AvatarFileID != nil {
		a, err := server.BodyID("avatar_file_id", req.AvatarFileID)
		if err != nil {
			return err
		}
		p.AvatarFileID = &a
	}
	v, err := h.svc.UpdateChat(c.Request().Context(), server.Actor(c), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) members(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Members(c.Request().Context(), server.Actor(c), id, c.QueryParam("query"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

type addMembersRequest struct {
	UserIDs []string `json:"user_ids"`
}

func (h *Handler) addMembers(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	var req addMembersRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	users, err := server.BodyIDs("user_ids", req.UserIDs)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		return server.Required("user_ids")
	}
	n, err := h.svc.AddMembers(c.Request().Context(), server.Actor(c), id, users)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int{"added": n})
}

func (h *Handler) removeMember(c echo.Context) error {
	ids, err := server.PathIDs(c, "chatID", "userID")
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.RemoveMember(c.Request().Context(), server.Actor(c), ids[0], ids[1]))
}

type roleRequest struct {
	Role string `json:"role"`
}

func (h *Handler) setRole(c echo.Context) error {
	ids, err := server.PathIDs(c, "chatID", "userID")
	if err != nil {
		return err
	}
	var req roleRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	return server.NoContent(c, h.svc.SetRole(c.Request().Context(), server.Actor(c), ids[0], ids[1], req.Role))
}

func (h *Handler) leave(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Leave(c.Request().Context(), server.Actor(c), id))
}

type chatSettingsRequest struct {
	Muted  *bool `json:"muted"`
	Pinned *bool `json:"pinned"`
}

func (h *Handler) chatSettings(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	var req chatSettingsRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	v, err := h.svc.ChatSettings(c.Request().Context(), server.Actor(c), id, appmessaging.SettingsInput{Muted: req.Muted, Pinned: req.Pinned})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

type readRequest struct {
	Seq *int64 `json:"seq"`
}

func (h *Handler) markRead(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	var req readRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Seq == nil {
		return server.Required("seq")
	}
	n, err := h.svc.MarkRead(c.Request().Context(), server.Actor(c), id, *req.Seq)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"last_read_seq": n})
}

func (h *Handler) typing(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Typing(c.Request().Context(), server.Actor(c), id))
}

func (h *Handler) uploadTarget(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	space, err := h.svc.UploadTarget(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]uuid.UUID{"space_id": space})
}

func (h *Handler) history(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	before, err := server.QueryInt(c, "before_seq", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	after, err := server.QueryInt(c, "after_seq", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	if before > 0 && after > 0 {
		return errs.E(errs.Invalid, "invalid_request", "give before_seq or after_seq, not both")
	}
	limit, err := server.QueryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	p, err := h.svc.History(c.Request().Context(), server.Actor(c), id, int64(before), int64(after), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

type sendRequest struct {
	ClientID      string   `json:"client_id"`
	Body          string   `json:"body"`
	ThreadRootID  *string  `json:"thread_root_id"`
	QuoteID       *string  `json:"quote_id"`
	AttachmentIDs []string `json:"attachment_ids"`
	MentionIDs    []string `json:"mention_ids"`
	MentionAll    bool     `json:"mention_all"`
}

func (h *Handler) send(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	var req sendRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	in := appmessaging.SendInput{ClientID: req.ClientID, Body: req.Body, MentionAll: req.MentionAll}
	if in.ThreadRootID, err = server.BodyID("thread_root_id", req.ThreadRootID); err != nil {
		return err
	}
	if in.QuoteID, err = server.BodyID("quote_id", req.QuoteID); err != nil {
		return err
	}
	if in.AttachmentIDs, err = server.BodyIDs("attachment_ids", req.AttachmentIDs); err != nil {
		return err
	}
	if in.MentionIDs, err = server.BodyIDs("mention_ids", req.MentionIDs); err != nil {
		return err
	}
	v, created, err := h.svc.Send(c.Request().Context(), server.Actor(c), id, in)
	if err != nil {
		return err
	}
	if created {
		return c.JSON(http.StatusCreated, v)
	}
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) pins(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	vs, err := h.svc.Pins(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": vs})
}

func (h *Handler) thread(c echo.Context) error {
	chat, msg, err := messageIDs(c)
	if err != nil {
		return err
	}
	after, err := server.QueryInt(c, "after_seq", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	limit, err := server.QueryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	p, err := h.svc.Thread(c.Request().Context(), server.Actor(c), chat, msg, int64(after), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

type editRequest struct {
	Body *string `json:"body"`
}

func (h *Handler) edit(c echo.Context) error {
	chat, msg, err := messageIDs(c)
	if err != nil {
		return err
	}
	var req editRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.Body == nil {
		return server.Required("body")
	}
	v, err := h.svc.Edit(c.Request().Context(), server.Actor(c), chat, msg, *req.Body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) editHistory(c echo.Context) error {
	chat, msg, err := messageIDs(c)
	if err != nil {
		return err
	}
	es, err := h.svc.EditHistory(c.Request().Context(), server.Actor(c), chat, msg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"items": es})
}

func (h *Handler) recall(c echo.Context) error {
	chat, msg, err := messageIDs(c)
	if err != nil {
		return err
	}
	v, err := h.svc.Recall(c.Request().Context(), server.Actor(c), chat, msg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) deleteMessage(c echo.Context) error {
	chat, msg, err := messageIDs(c)
	if err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Delete(c.Request().Context(), server.Actor(c), chat, msg))
}

func (h *Handler) react(on bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		chat, msg, err := messageIDs(c)
		if err != nil {
			return err
		}
		emoji, err := url.PathUnescape(c.Param("emoji"))
		if err != nil {
			return errs.E(errs.Invalid, "invalid_emoji", "emoji: is not a valid path segment")
		}
		return server.NoContent(c, h.svc.React(c.Request().Context(), server.Actor(c), chat, msg, emoji, on))
	}
}

func (h *Handler) pin(on bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		chat, msg, err := messageIDs(c)
		if err != nil {
			return err
		}
		return server.NoContent(c, h.svc.Pin(c.Request().Context(), server.Actor(c), chat, msg, on))
	}
}

func (h *Handler) reads(c echo.Context) error {
	chat, msg, err := messageIDs(c)
	if err != nil {
		return err
	}
	l, err := h.svc.Reads(c.Request().Context(), server.Actor(c), chat, msg)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// attachment serves a message's attachment (or its thumbnail) to the members of its chat, as
// the files module serves a file's content: ranges, validators, RFC 6266 names, inline only
// for the safe types and never with download=1.
func (h *Handler) attachment(thumbnail bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		ids, err := server.PathIDs(c, "chatID", "messageID", "fileID")
		if err != nil {
			return err
		}
		ct, err := h.svc.OpenAttachment(c.Request().Context(), server.Actor(c), ids[0], ids[1], ids[2], thumbnail)
		if err != nil {
			return err
		}
		defer ct.Body.Close()
		if thumbnail {
			return webfiles.ServeThumbnail(c, ct.Modified, ct.Body)
		}
		if h.transfer > 0 {
			rc := http.NewResponseController(c.Response())
			deadline := time.Now().Add(h.transfer)
			_ = rc.SetReadDeadline(deadline)
			_ = rc.SetWriteDeadline(deadline)
			server.ExtendDeadline(c, h.transfer)
		}
		return webfiles.ServeVersion(c, webfiles.Served{Name: ct.Name, ContentType: ct.ContentType, SHA256: ct.SHA256, Number: ct.Version,
			Modified: ct.Modified, Body: ct.Body}, c.QueryParam("download") == "1")
	}
}

func (h *Handler) search(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	in := appmessaging.SearchInput{Q: c.QueryParam("q"), Limit: limit, Offset: offset}
	if in.Q == "" {
		return errs.E(errs.Invalid, "missing_field", `query parameter "q" is required`)
	}
	if in.ChatID, err = server.QueryID(c, "chat_id", "chat"); err != nil {
		return err
	}
	if in.SenderID, err = server.QueryID(c, "sender_id", "sender"); err != nil {
		return err
	}
	if in.From, err = server.QueryTime(c, "from"); err != nil {
		return err
	}
	if in.To, err = server.QueryTime(c, "to"); err != nil {
		return err
	}
	p, err := h.svc.Search(c.Request().Context(), server.Actor(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (h *Handler) adminChats(c echo.Context) error {
	limit, offset, err := server.Page(c)
	if err != nil {
		return err
	}
	p, err := h.svc.AdminChats(c.Request().Context(), server.Actor(c), c.QueryParam("kind"), c.QueryParam("query"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (h *Handler) legalHold(on bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := chatID(c)
		if err != nil {
			return err
		}
		v, err := h.svc.LegalHold(c.Request().Context(), server.Actor(c), id, on)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, v)
	}
}

func (h *Handler) export(c echo.Context) error {
	id, err := chatID(c)
	if err != nil {
		return err
	}
	x, err := h.svc.ExportChat(c.Request().Context(), server.Actor(c), id)
	if err != nil {
		return err
	}
	server.LongResponse(c, server.ExportTimeout)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="chat-`+id.String()+`.json"`)
	return c.JSON(http.StatusOK, x)
}

func (h *Handler) getSettings(c echo.Context) error {
	v, err := h.svc.Settings(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

type settingsRequest struct {
	RetentionDays      *int  `json:"retention_days"`
	AllowReceiptOptOut *bool `json:"allow_receipt_opt_out"`
	MentionAllMax      *int  `json:"mention_all_max"`
}

func (h *Handler) putSettings(c echo.Context) error {
	var req settingsRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	var st messaging.Settings
	if req.RetentionDays != nil {
		if *req.RetentionDays == 0 {
			return errs.E(errs.Invalid, "invalid_retention", "retention_days: must be from 1 to 36500, or null to keep messages forever")
		}
		st.RetentionDays = *req.RetentionDays
	}
	if req.AllowReceiptOptOut != nil {
		st.AllowReceiptOptOut = *req.AllowReceiptOptOut
	}
	if req.MentionAllMax != nil {
		st.MentionAllMax = *req.MentionAllMax
		if st.MentionAllMax == 0 {
			return errs.E(errs.Invalid, "invalid_mention_all_max", "mention_all_max: must be from 2 to 1000")
		}
	}
	v, err := h.svc.PutSettings(c.Request().Context(), server.Actor(c), st)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (h *Handler) mine(c echo.Context) error {
	v, err := h.svc.Mine(c.Request().Context(), server.Actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

type mineRequest struct {
	SendReadReceipts *bool `json:"send_read_receipts"`
}

func (h *Handler) setMine(c echo.Context) error {
	var req mineRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.SendReadReceipts == nil {
		return server.Required("send_read_receipts")
	}
	v, err := h.svc.SetReceipts(c.Request().Context(), server.Actor(c), *req.SendReadReceipts)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

type presenceRequest struct {
	Status string `json:"status"`
}

func (h *Handler) presence(c echo.Context) error {
	var req presenceRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	return server.NoContent(c, h.svc.Presence(c.Request().Context(), server.Actor(c), req.Status))
}
