package models

import (
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Comment is full of things bfm cannot map; each one is a warning.
type Comment struct {
	gorm.Model
	Body          string
	Price         decimal.Decimal
	Extra         map[string]any
	Payload       Payload `gorm:"serializer:json"`
	CommentableID uint
	Commentable   string `gorm:"fancy:yes"`
	Attachments   []Attachment `gorm:"polymorphic:Owner;"`
}

type Payload struct {
	Kind string
}

type Attachment struct {
	ID        uint
	OwnerID   uint
	OwnerType string
	URL       string `gorm:"size:2048"`
}

func (c *Comment) TableName() string {
	return "legacy_" + "comments"
}
