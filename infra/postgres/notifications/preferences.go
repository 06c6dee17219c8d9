package notifications

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"canopy/domain/notifications"
	"canopy/infra/postgres"
)

type preferenceRow struct {
	UserID  uuid.UUID `gorm:"primaryKey"`
	OrgID   uuid.UUID `gorm:"primaryKey"`
	Kind    string    `gorm:"primaryKey"`
	Channel string
}

func (preferenceRow) TableName() string { return "notification_preferences" }

type quietRow struct {
	UserID      uuid.UUID `gorm:"primaryKey"`
	StartMinute int
	EndMinute   int
}

func (quietRow) TableName() string { return "notification_quiet_hours" }

// Preferences stores people's notification preferences and quiet hours.
type Preferences struct{ db *gorm.DB }

// NewPreferences returns the preference repository.
func NewPreferences(db *gorm.DB) *Preferences { return &Preferences{db} }

var _ notifications.PreferenceRepository = (*Preferences)(nil)

// Channels implements notifications.PreferenceRepository.
func (r *Preferences) Channels(ctx context.Context, orgID uuid.UUID, kind notifications.Kind, users []uuid.UUID) (map[uuid.UUID]notifications.Channel, error) {
	out := map[uuid.UUID]notifications.Channel{}
	if len(users) == 0 {
		return out, nil
	}
	var rows []preferenceRow
	err := postgres.Conn(ctx, r.db).Where("org_id = ? AND kind = ? AND user_id IN ?", orgID, string(kind), users).Find(&rows).Error
	if err != nil {
		return nil, postgres.Translate(err)
	}
	for _, row := range rows {
		out[row.UserID] = notifications.Channel(row.Channel)
	}
	return out, nil
}

// Settings implements notifications.PreferenceRepository.
func (r *Preferences) Settings(ctx context.Context, orgID, userID uuid.UUID) (notifications.Settings, error) {
	db := postgres.Conn(ctx, r.db)
	var st notifications.Settings
	var rows []preferenceRow
	if err := db.Where("org_id = ? AND user_id = ?", orgID, userID).Order("kind").Find(&rows).Error; err != nil {
		return st, postgres.Translate(err)
	}
	for _, row := range rows {
		st.Channels = append(st.Channels, notifications.Preference{Kind: notifications.Kind(row.Kind), Channel: notifications.Channel(row.Channel)})
	}
	var quiet []quietRow
	if err := db.Where("user_id = ?", userID).Limit(1).Find(&quiet).Error; err != nil {
		return st, postgres.Translate(err)
	}
	if len(quiet) == 1 {
		q, err := notifications.NewQuietHours(quiet[0].StartMinute, quiet[0].EndMinute)
		if err != nil {
			return st, err
		}
		st.Quiet = &q
	}
	if err := db.Table("users").Select("time_zone").Where("id = ?", userID).Scan(&st.TimeZone).Error; err != nil {
		return st, postgres.Translate(err)
	}
	return st, nil
}

// SetChannels implements notifications.PreferenceRepository.
func (r *Preferences) SetChannels(ctx context.Context, orgID, userID uuid.UUID, ps []notifications.Preference) error {
	rows := make([]preferenceRow, len(ps))
	for i, p := range ps {
		rows[i] = preferenceRow{UserID: userID, OrgID: orgID, Kind: string(p.Kind), Channel: string(p.Channel)}
	}
	return postgres.Translate(postgres.Conn(ctx, r.db).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "org_id"}, {Name: "kind"}},
		DoUpdates: clause.AssignmentColumns([]string{"channel"}),
	}).Create(&rows).Error)
}

// SetQuietHours implements notifications.PreferenceRepository.
func (r *Preferences) SetQuietHours(ctx context.Context, userID uuid.UUID, q *notifications.QuietHours) error {
	db := postgres.Conn(ctx, r.db)
	if q == nil {
		return postgres.Translate(db.Where("user_id = ?", userID).Delete(&quietRow{}).Error)
	}
	row := quietRow{UserID: userID, StartMinute: q.Start(), EndMinute: q.End()}
	return postgres.Translate(db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"start_minute", "end_minute"}),
	}).Create(&row).Error)
}
