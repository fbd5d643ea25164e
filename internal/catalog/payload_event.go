package catalog

import (
	"encoding/json"
	"fmt"
)

// Event is one chat event (webhooks.md §5.3–5.4). Value holds a pointer to
// the variant its "type" names (*MessageEvent, *FileEvent, …), or a
// *DeletedEvent for the stub normal agents get for deleted events. Decoding
// is strict: unknown fields are an error.
type Event struct {
	Value any
}

// EventCommon holds the fields every event type has.
type EventCommon struct {
	ID         string     `json:"id"`
	CustomID   string     `json:"custom_id,omitempty"`
	Type       string     `json:"type"`
	CreatedAt  string     `json:"created_at"`
	Visibility string     `json:"visibility"`
	Properties Properties `json:"properties,omitempty"`
	// Deleted is true on deleted events shown to administrators.
	Deleted bool `json:"deleted,omitempty"`
}

// MessageEvent is a "message".
type MessageEvent struct {
	EventCommon
	AuthorID string           `json:"author_id"`
	Text     string           `json:"text"`
	Postback *MessagePostback `json:"postback,omitempty"`
}

// MessagePostback is set when a message answers a rich message.
type MessagePostback struct {
	ID        string     `json:"id"`
	ThreadID  string     `json:"thread_id"`
	EventID   string     `json:"event_id"`
	Type      string     `json:"type,omitempty"`
	Value     string     `json:"value,omitempty"`
	Ecommerce *Ecommerce `json:"ecommerce,omitempty"`
}

// SystemMessageEvent is a "system_message"; it has no author.
type SystemMessageEvent struct {
	EventCommon
	SystemMessageType string            `json:"system_message_type"`
	Text              string            `json:"text,omitempty"`
	TextVars          map[string]string `json:"text_vars,omitempty"`
}

// FileEvent is a "file"; images add the thumbnail and size fields.
type FileEvent struct {
	EventCommon
	AuthorID        string `json:"author_id"`
	Name            string `json:"name"`
	URL             string `json:"url"`
	ContentType     string `json:"content_type"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	Thumbnail2xURL  string `json:"thumbnail2x_url,omitempty"`
	Size            int64  `json:"size,omitempty"`
	Width           int    `json:"width,omitempty"`
	Height          int    `json:"height,omitempty"`
	AlternativeText string `json:"alternative_text,omitempty"`
}

// RichMessageEvent is a "rich_message".
type RichMessageEvent struct {
	EventCommon
	AuthorID   string               `json:"author_id"`
	TemplateID string               `json:"template_id"`
	Elements   []RichMessageElement `json:"elements"`
}

// RichMessageElement is one card of a rich message.
type RichMessageElement struct {
	Title     string                `json:"title,omitempty"`
	Subtitle  string                `json:"subtitle,omitempty"`
	Image     *RichMessageImage     `json:"image,omitempty"`
	Buttons   []RichMessageButton   `json:"buttons,omitempty"`
	Ecommerce *RichMessageEcommerce `json:"ecommerce,omitempty"`
}

// RichMessageImage is an element's picture.
type RichMessageImage struct {
	URL             string `json:"url"`
	Name            string `json:"name,omitempty"`
	ContentType     string `json:"content_type,omitempty"`
	Size            int64  `json:"size,omitempty"`
	Width           int    `json:"width,omitempty"`
	Height          int    `json:"height,omitempty"`
	AlternativeText string `json:"alternative_text,omitempty"`
}

// RichMessageButton is one button; UserIDs lists who selected it.
type RichMessageButton struct {
	Text          string   `json:"text"`
	Type          string   `json:"type"`
	Value         string   `json:"value" zero:"ok"`
	PostbackID    string   `json:"postback_id"`
	UserIDs       []string `json:"user_ids"`
	WebviewHeight string   `json:"webview_height,omitempty"`
	Target        string   `json:"target,omitempty"`
}

// RichMessageEcommerce is the product block of an ecommerce template. The
// shape of options and addons is not given by the spec, so they stay raw.
type RichMessageEcommerce struct {
	ViewType  string            `json:"view_type,omitempty"`
	ProductID string            `json:"product_id,omitempty"`
	Label     string            `json:"label,omitempty"`
	Options   []json.RawMessage `json:"options,omitempty"`
	Addons    []json.RawMessage `json:"addons,omitempty"`
}

// FilledFormEvent is a "filled_form".
type FilledFormEvent struct {
	EventCommon
	AuthorID string            `json:"author_id"`
	FormID   string            `json:"form_id"`
	FormType string            `json:"form_type,omitempty"`
	Fields   []FilledFormField `json:"fields"`
}

// FilledFormField is one answered field: Answer for single answers, Answers
// for checkboxes.
type FilledFormField struct {
	Type    string       `json:"type"`
	ID      string       `json:"id"`
	Label   string       `json:"label"`
	Answer  *FormAnswer  `json:"answer,omitempty"`
	Answers []FormOption `json:"answers,omitempty"`
}

// FormAnswer is a text answer or a chosen option.
type FormAnswer struct {
	Text   string
	Option *FormOption
}

// UnmarshalJSON accepts a string or an option object.
func (a *FormAnswer) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &a.Text)
	}
	a.Option = new(FormOption)
	return decodeStrict(b, a.Option)
}

// MarshalJSON writes the answer back in its original form.
func (a FormAnswer) MarshalJSON() ([]byte, error) {
	if a.Option != nil {
		return json.Marshal(a.Option)
	}
	return json.Marshal(a.Text)
}

// FormOption is a choice of a form field; GroupID is set by group_chooser.
type FormOption struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	GroupID *int   `json:"group_id,omitempty"`
}

// FormEvent is an empty "form" to fill.
type FormEvent struct {
	EventCommon
	AuthorID string      `json:"author_id"`
	FormID   string      `json:"form_id"`
	FormType string      `json:"form_type,omitempty"`
	Fields   []FormField `json:"fields"`
}

// FormField is one field of a form.
type FormField struct {
	Type     string       `json:"type"`
	ID       string       `json:"id"`
	Label    string       `json:"label"`
	Required *bool        `json:"required"`
	Options  []FormOption `json:"options,omitempty"`
}

// CustomEvent is a "custom" event with any JSON content.
type CustomEvent struct {
	EventCommon
	AuthorID string          `json:"author_id"`
	Content  json.RawMessage `json:"content"`
}

// SystemEvent is a "system" event; Details is serialised JSON in a string.
type SystemEvent struct {
	EventCommon
	Source  string `json:"source"`
	Subtype string `json:"subtype"`
	Version int    `json:"version"`
	Details string `json:"details"`
}

// DeletedEvent is the stub of a deleted event (§5.4): Type is the original type.
type DeletedEvent struct {
	EventCommon
	AuthorID string `json:"author_id,omitempty"`
}

// UnmarshalJSON decodes strictly into the variant named by "type".
func (e *Event) UnmarshalJSON(b []byte) error {
	var head struct {
		Type    string `json:"type"`
		Deleted bool   `json:"deleted"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	v := newEventVariant(head.Type)
	if v == nil {
		return fmt.Errorf("unknown event type %q", head.Type)
	}
	err := decodeStrict(b, v)
	if err == nil && head.Deleted {
		err = checkRequired(v, "")
	}
	if err != nil && head.Deleted {
		// Normal agents get a stub without the type's own fields.
		stub := new(DeletedEvent)
		if decodeStrict(b, stub) == nil {
			v, err = stub, nil
		}
	}
	if err != nil {
		return fmt.Errorf("%s event: %w", head.Type, err)
	}
	e.Value = v
	return nil
}

// MarshalJSON writes the variant.
func (e Event) MarshalJSON() ([]byte, error) { return json.Marshal(e.Value) }

func newEventVariant(typ string) any {
	switch typ {
	case "message":
		return new(MessageEvent)
	case "system_message":
		return new(SystemMessageEvent)
	case "file":
		return new(FileEvent)
	case "rich_message":
		return new(RichMessageEvent)
	case "filled_form":
		return new(FilledFormEvent)
	case "form":
		return new(FormEvent)
	case "custom":
		return new(CustomEvent)
	case "system":
		return new(SystemEvent)
	}
	return nil
}
