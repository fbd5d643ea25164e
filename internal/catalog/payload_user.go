package catalog

import (
	"encoding/json"
	"fmt"
)

// User is a chat user (webhooks.md §5.5): Value is *Agent or *Customer
// depending on "type". The spec defines only these two types; bots are
// expected to appear as "agent" (undocumented).
type User struct {
	Value any
}

// Agent is a user of type "agent".
type Agent struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Name           string `json:"name,omitempty"`
	Email          string `json:"email,omitempty"`
	Avatar         string `json:"avatar,omitempty"`
	Present        *bool  `json:"present,omitempty"`
	EventsSeenUpTo string `json:"events_seen_up_to,omitempty"`
	Visibility     string `json:"visibility"`
	RoutingStatus  string `json:"routing_status,omitempty"`
}

// Customer is a user of type "customer"; everything but id and type is optional.
type Customer struct {
	ID                         string              `json:"id"`
	Type                       string              `json:"type"`
	Name                       string              `json:"name,omitempty"`
	Email                      string              `json:"email,omitempty"`
	EmailVerified              *bool               `json:"email_verified,omitempty"`
	Avatar                     string              `json:"avatar,omitempty"`
	PhoneNumber                string              `json:"phone_number,omitempty"`
	Present                    *bool               `json:"present,omitempty"`
	CreatedAt                  string              `json:"created_at,omitempty"`
	EventsSeenUpTo             string              `json:"events_seen_up_to,omitempty"`
	Visit                      *Visit              `json:"visit,omitempty"`
	SessionFields              []map[string]string `json:"session_fields,omitempty"`
	Statistics                 *Statistics         `json:"statistics,omitempty"`
	AgentLastEventCreatedAt    string              `json:"agent_last_event_created_at,omitempty"`
	CustomerLastEventCreatedAt string              `json:"customer_last_event_created_at,omitempty"`
	Carts                      []Cart              `json:"carts,omitempty"`
	Omnichannel                map[string]any      `json:"omnichannel,omitempty"`
	Address                    *Address            `json:"address,omitempty"`
}

// Visit is a customer's current visit.
type Visit struct {
	StartedAt   string       `json:"started_at,omitempty"`
	EndedAt     string       `json:"ended_at,omitempty"`
	Referrer    string       `json:"referrer,omitempty"`
	IP          string       `json:"ip,omitempty"`
	UserAgent   string       `json:"user_agent,omitempty"`
	Geolocation *Geolocation `json:"geolocation,omitempty"`
	LastPages   []Page       `json:"last_pages,omitempty"`
}

// Page is a page the customer opened.
type Page struct {
	OpenedAt string `json:"opened_at,omitempty"`
	URL      string `json:"url,omitempty"`
	Title    string `json:"title,omitempty"`
}

// Statistics counts a customer's activity.
type Statistics struct {
	ChatsCount             int `json:"chats_count,omitempty"`
	ThreadsCount           int `json:"threads_count,omitempty"`
	VisitsCount            int `json:"visits_count,omitempty"`
	PageViewsCount         int `json:"page_views_count,omitempty"`
	GreetingsShownCount    int `json:"greetings_shown_count,omitempty"`
	GreetingsAcceptedCount int `json:"greetings_accepted_count,omitempty"`
	TicketsCount           int `json:"tickets_count,omitempty"`
}

// Cart is a customer's shopping cart.
type Cart struct {
	StoreUUID        string     `json:"store_uuid,omitempty"`
	StorePlatform    string     `json:"store_platform,omitempty"`
	CustomerSignedIn *bool      `json:"customer_signed_in,omitempty"`
	Subtotal         float64    `json:"subtotal,omitempty"`
	Total            float64    `json:"total,omitempty"`
	SubtotalUSD      float64    `json:"subtotal_usd,omitempty"`
	TotalUSD         float64    `json:"total_usd,omitempty"`
	Currency         string     `json:"currency,omitempty"`
	Items            []CartItem `json:"items,omitempty"`
	LastUpdatedAt    string     `json:"last_updated_at,omitempty"`
}

// CartItem is one line of a cart.
type CartItem struct {
	ID        string  `json:"id,omitempty"`
	Quantity  float64 `json:"quantity,omitempty"`
	VariantID string  `json:"variant_id,omitempty"`
}

// Address is a customer's postal address.
type Address struct {
	Address    string `json:"address,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
}

// UnmarshalJSON decodes strictly into *Agent or *Customer.
func (u *User) UnmarshalJSON(b []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	var v any
	switch head.Type {
	case "agent":
		v = new(Agent)
	case "customer":
		v = new(Customer)
	default:
		return fmt.Errorf("unknown user type %q", head.Type)
	}
	if err := decodeStrict(b, v); err != nil {
		return fmt.Errorf("%s: %w", head.Type, err)
	}
	u.Value = v
	return nil
}

// MarshalJSON writes the variant.
func (u User) MarshalJSON() ([]byte, error) { return json.Marshal(u.Value) }
