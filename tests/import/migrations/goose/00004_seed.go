package migrations

import (
	"context"
	"database/sql"

	"github.com/pressly/goose/v3"
)

func init() {
	goose.AddMigrationContext(upSeed, downSeed)
}

func upSeed(ctx context.Context, tx *sql.Tx) error { return nil }

func downSeed(ctx context.Context, tx *sql.Tx) error { return nil }
