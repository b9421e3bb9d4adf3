package models

import (
	"time"

	"github.com/lib/pq"
)

const ordersTable = "shop_orders"

type OrderStatus string

// Address is embedded with a prefix; it is not a table of its own.
type Address struct {
	Street string `gorm:"size:200"`
	City   string `gorm:"size:100;index"`
}

type Timestamps struct {
	CreatedAt time.Time `gorm:"not null;default:now()"`
	UpdatedAt time.Time
}

type Order struct {
	ID        int64          `gorm:"primaryKey"`
	UserID    uint           `gorm:"not null;index:idx_orders_user_placed,priority:1"`
	PlacedAt  time.Time      `gorm:"index:idx_orders_user_placed,priority:2,sort:desc"`
	Status    OrderStatus    `gorm:"type:varchar(20);default:'pending';index:idx_orders_open,where:status <> 'done'"`
	Amount    float64        `gorm:"precision:10;scale:2;not null;default:0"`
	Total     float64
	Quantity  int32          `gorm:"check:positive_quantity,quantity > 0"`
	Tags      pq.StringArray `gorm:"type:text[];index:,type:gin"`
	Shipping  Address        `gorm:"embedded;embeddedPrefix:ship_"`
	Items     []OrderItem
	Timestamps
}

func (Order) TableName() string {
	return ordersTable
}

type OrderItem struct {
	ID      uint64 `gorm:"primaryKey"`
	OrderID int64  `gorm:"not null"`
	Order   Order  `gorm:"foreignKey:OrderID;constraint:OnDelete:CASCADE"`
	SKU     string `gorm:"column:sku;size:64;not null"`
	Count   int16  `gorm:"default:1"`
}
