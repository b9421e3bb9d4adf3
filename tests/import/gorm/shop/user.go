package models

import (
	"database/sql"
	"time"

	"gorm.io/datatypes"
	"gorm.io/gorm"
)

// User is a customer account.
type User struct {
	gorm.Model
	Email     string         `gorm:"size:255;not null;unique" json:"email"`
	Name      string         `gorm:"index:idx_users_name_age,priority:1"`
	Age       *int           `gorm:"index:idx_users_name_age,priority:2;check:age >= 0"`
	Nickname  sql.NullString `gorm:"comment:shown instead of the name"`
	Active    bool           `gorm:"default:true;not null"`
	Settings  datatypes.JSON `gorm:"default:'{}'"`
	LastLogin *time.Time
	Password  string `gorm:"-"`
	CompanyID *uint
	Company   Company    `gorm:"constraint:OnUpdate:CASCADE,OnDelete:SET NULL;"`
	Profile   Profile    // has one: Profile.UserID
	Orders    []Order    `gorm:"constraint:OnDelete:CASCADE"`
	Languages []Language `gorm:"many2many:user_languages;"`
	Friends   []*User    `gorm:"many2many:user_friends"`
	APIKeys   []APIKey
}

type Company struct {
	ID      int    `gorm:"primaryKey"`
	Name    string `gorm:"size:100;uniqueIndex"`
	HTTPURL string
}

type Profile struct {
	ID     uint
	UserID uint `gorm:"not null;uniqueIndex"`
	Bio    string
	Avatar []byte
}

type Language struct {
	Code string `gorm:"primaryKey;size:8"`
	Name string
}

// APIKey's table is api_keys; its key is a composite of two columns.
type APIKey struct {
	UserID    uint   `gorm:"primaryKey;autoIncrement:false"`
	Label     string `gorm:"primaryKey;size:40"`
	Secret    []byte `gorm:"not null"`
	ExpiresAt sql.NullTime
}
