package messaging

import (
	"context"
	"time"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/errs"
)

// SearchInput asks for messages by words, and optionally chat, sender and a time range.
type SearchInput struct {
	Q        string
	ChatID   uuid.UUID
	SenderID uuid.UUID
	From, To time.Time
	Limit    int
	Offset   int
}

// SearchHit is a message found, with its chat and the part of it to show.
type SearchHit struct {
	Message  MessageView `json:"message"`
	ChatID   uuid.UUID   `json:"chat_id"`
	ChatName string      `json:"chat_name"`
	Snippet  string      `json:"snippet"`
	// Highlights are rune offsets [start, end) into Snippet.
	Highlights [][2]int `json:"highlights"`
}

// SearchPage is a page of search hits and how many there are: at most SearchTotalCap, with
// TotalCapped set when there are more.
type SearchPage struct {
	Items       []SearchHit `json:"items"`
	Total       int         `json:"total"`
	TotalCapped bool        `json:"total_capped"`
}

// snippetRunes is how much of a message a search hit shows around its first match.
const snippetRunes = 160

// Search returns a page of the live messages of the chats the actor is a member of now that
// match q (Chinese and other languages alike), newest first. A chat named by chat_id must be
// one of the actor's (NotFound otherwise).
func (s *Service) Search(ctx context.Context, a authz.Actor, in SearchInput) (SearchPage, error) {
	if s.search == nil {
		return SearchPage{}, errs.E(errs.Unavailable, "search_unavailable", "search is not available")
	}
	tsq, ok := s.search.Query(in.Q)
	if !ok {
		return SearchPage{}, errs.E(errs.Invalid, "missing_field", `query parameter "q" must contain a word`)
	}
	if !in.From.IsZero() && !in.To.IsZero() && in.To.Before(in.From) {
		return SearchPage{}, errs.E(errs.Invalid, "invalid_range", "to: must not be before from")
	}
	if in.ChatID != uuid.Nil {
		if _, err := s.member(ctx, a, in.ChatID); err != nil {
			return SearchPage{}, err
		}
	}
	ms, total, capped, err := s.messages.Search(ctx, SearchQuery{OrgID: a.OrgID, UserID: a.UserID, Guest: isGuest(a), TSQuery: tsq, ChatID: in.ChatID,
		SenderID: in.SenderID, From: in.From, To: in.To, Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return SearchPage{}, err
	}
	vs, err := s.views(ctx, a.OrgID, a.UserID, ms)
	if err != nil {
		return SearchPage{}, err
	}
	chatIDs := make([]uuid.UUID, 0, len(ms))
	for _, m := range ms {
		chatIDs = append(chatIDs, m.ChatID())
	}
	names, err := s.chats.DisplayNames(ctx, a.OrgID, chatIDs, a.UserID)
	if err != nil {
		return SearchPage{}, err
	}
	hits := make([]SearchHit, len(ms))
	for i, m := range ms {
		snip, hl := snippet(m.Body(), s.search.Highlight(m.Body(), in.Q))
		hits[i] = SearchHit{Message: vs[i], ChatID: m.ChatID(), ChatName: names[m.ChatID()], Snippet: snip, Highlights: hl}
	}
	return SearchPage{Items: hits, Total: total, TotalCapped: capped}, nil
}

// snippet cuts a window of body around its first highlight and moves the highlights into it.
func snippet(body string, hl [][2]int) (string, [][2]int) {
	r := []rune(body)
	start := 0
	if len(hl) > 0 && hl[0][0] > snippetRunes/4 {
		start = hl[0][0] - snippetRunes/4
	}
	end := min(len(r), start+snippetRunes)
	if end-start < snippetRunes {
		start = max(0, end-snippetRunes)
	}
	out := [][2]int{}
	for _, h := range hl {
		if h[0] >= start && h[1] <= end {
			out = append(out, [2]int{h[0] - start, h[1] - start})
		}
	}
	return string(r[start:end]), out
}

// Export is a chat's whole history, for an administrator with messages.export.
type Export struct {
	Chat       ChatView      `json:"chat"`
	Members    []Person      `json:"members"`
	Messages   []MessageView `json:"messages"`
	ExportedAt time.Time     `json:"exported_at"`
}
