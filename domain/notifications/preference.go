package notifications

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// Channel is how a person wants to hear of a kind of notification.
type Channel string

// The channels.
const (
	// ChannelInApp shows the notification in the app; the email worker may still mail it when
	// the person was not connected to see it. It is the default.
	ChannelInApp Channel = "in_app"
	// ChannelEmail shows it in the app and mails it as well, outside quiet hours.
	ChannelEmail Channel = "email"
	// ChannelOff makes no notification at all.
	ChannelOff Channel = "off"
)

// ParseChannel returns the channel named s, or Invalid naming the field.
func ParseChannel(field, s string) (Channel, error) {
	switch c := Channel(s); c {
	case ChannelInApp, ChannelEmail, ChannelOff:
		return c, nil
	}
	return "", errs.E(errs.Invalid, "invalid_channel", field+": must be in_app, email or off")
}

// Preference is a person's channel for one kind, in one organisation.
type Preference struct {
	Kind    Kind
	Channel Channel
}

// MinutesPerDay bounds the minutes of quiet hours.
const MinutesPerDay = 24 * 60

// QuietHours is a daily window, in minutes after midnight in the person's own time zone, in
// which no email is sent. It may wrap past midnight (22:00 to 07:00 is Start 1320, End 420).
type QuietHours struct {
	start, end int
}

// NewQuietHours checks a window: both ends within the day, and not empty.
func NewQuietHours(start, end int) (QuietHours, error) {
	for field, v := range map[string]int{"quiet_hours.start_minute": start, "quiet_hours.end_minute": end} {
		if v < 0 || v >= MinutesPerDay {
			return QuietHours{}, errs.E(errs.Invalid, "invalid_quiet_hours", fmt.Sprintf("%s: must be from 0 to %d", field, MinutesPerDay-1))
		}
	}
	if start == end {
		return QuietHours{}, errs.E(errs.Invalid, "invalid_quiet_hours", "quiet_hours.end_minute: must differ from start_minute")
	}
	return QuietHours{start: start, end: end}, nil
}

// Start returns the first quiet minute after midnight.
func (q QuietHours) Start() int { return q.start }

// End returns the first minute after midnight that is no longer quiet.
func (q QuietHours) End() int { return q.end }

// Contains reports whether a minute of the day (in the person's time zone) is quiet.
func (q QuietHours) Contains(minute int) bool {
	if q.start < q.end {
		return minute >= q.start && minute < q.end
	}
	return minute >= q.start || minute < q.end
}

// Settings are a person's preferences in one organisation, and their quiet hours (which are
// theirs in every organisation, as their time zone is).
type Settings struct {
	// Channels holds every kind, the default (in_app) for those never set.
	Channels []Preference
	// Quiet is nil when the person has none.
	Quiet *QuietHours
	// TimeZone is the person's time zone, the one the quiet hours are in.
	TimeZone string
}

// PreferenceRepository stores preferences and quiet hours.
type PreferenceRepository interface {
	// Channels returns the channel each of users chose for kind in the organisation; a user
	// who chose none is absent.
	Channels(ctx context.Context, orgID uuid.UUID, kind Kind, users []uuid.UUID) (map[uuid.UUID]Channel, error)
	// Settings returns the person's chosen channels in the organisation (only those set), their
	// quiet hours and their time zone.
	Settings(ctx context.Context, orgID, userID uuid.UUID) (Settings, error)
	// SetChannels records the person's choices in the organisation.
	SetChannels(ctx context.Context, orgID, userID uuid.UUID, ps []Preference) error
	// SetQuietHours records the person's quiet hours, or removes them when q is nil.
	SetQuietHours(ctx context.Context, userID uuid.UUID, q *QuietHours) error
}
