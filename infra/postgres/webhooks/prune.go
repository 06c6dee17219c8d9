package webhooks

import (
	"context"
	"time"

	"gorm.io/gorm"

	"canopy/infra/postgres"
)

// PruneDeliveries removes the deliveries that ended (succeeded or failed) before before; the
// history the console shows is the recent one.
func PruneDeliveries(ctx context.Context, db *gorm.DB, before time.Time) (int64, error) {
	res := postgres.Conn(ctx, db).Exec(`DELETE FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND created_at < ?`, before)
	return res.RowsAffected, postgres.Translate(res.Error)
}
