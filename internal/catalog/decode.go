package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Decoded is a body decoded into the typed structs of its kind: exactly one
// of LiveChat, App and Monday is set, and Payload points at the kind's
// payload struct (a *[]AutoAccess for auto_accesses_updated; nil for monday,
// whose data is in Monday.Data).
type Decoded struct {
	Kind     Kind
	LiveChat *LiveChatEnvelope
	App      *AppEnvelope
	Monday   *MondayEnvelope
	Payload  any
}

// DecodeBody decodes body as a delivery of kind k, strictly: an unknown
// field anywhere, a missing always-present field, or a name that is not k's
// is an error naming the JSON path. It is meant for untrusted input.
func DecodeBody(k Kind, body []byte) (*Decoded, error) {
	d := &Decoded{Kind: k}
	var err error
	switch k.Family {
	case LiveChat:
		err = d.decodeLiveChat(body)
	case App:
		err = d.decodeApp(body)
	case Monday:
		d.Monday = new(MondayEnvelope)
		if err = decodeStrict(body, d.Monday); err == nil {
			err = checkRequired(d.Monday, "")
		}
		if err == nil && d.Monday.Type != k.Name {
			err = fmt.Errorf("type is %q, want %q", d.Monday.Type, k.Name)
		}
	default:
		err = fmt.Errorf("unknown family %q", k.Family)
	}
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", k.Name, err)
	}
	return d, nil
}

func (d *Decoded) decodeLiveChat(body []byte) error {
	env := new(LiveChatEnvelope)
	if err := decodeStrict(body, env); err != nil {
		return err
	}
	if err := checkRequired(env, ""); err != nil {
		return err
	}
	if env.Action != d.Kind.Name {
		return fmt.Errorf("action is %q, want %q", env.Action, d.Kind.Name)
	}
	d.LiveChat = env
	return d.decodePayload(env.Payload)
}

func (d *Decoded) decodeApp(body []byte) error {
	env := new(AppEnvelope)
	if err := decodeStrict(body, env); err != nil {
		return err
	}
	if err := checkRequired(env, ""); err != nil {
		return err
	}
	if env.Event != d.Kind.Name {
		return fmt.Errorf("event is %q, want %q", env.Event, d.Kind.Name)
	}
	d.App = env
	return d.decodePayload(env.Payload)
}

func (d *Decoded) decodePayload(raw json.RawMessage) error {
	p := newPayload(d.Kind.Name)
	if p == nil {
		return fmt.Errorf("no payload type for %s", d.Kind.Name)
	}
	if err := decodeStrict(raw, p); err != nil {
		return fmt.Errorf("payload: %w", err)
	}
	if err := checkRequired(p, "payload"); err != nil {
		return err
	}
	d.Payload = p
	return nil
}

// newPayload returns a pointer to the payload struct of a LiveChat or App kind.
func newPayload(name string) any {
	if p := newChatPayload(name); p != nil {
		return p
	}
	if p := newPropertiesPayload(name); p != nil {
		return p
	}
	if p := newConfigPayload(name); p != nil {
		return p
	}
	return newAppPayload(name)
}

func newChatPayload(name string) any {
	switch name {
	case "incoming_chat":
		return new(IncomingChatPayload)
	case "chat_deactivated":
		return new(ChatDeactivatedPayload)
	case "chat_access_updated":
		return new(ChatAccessUpdatedPayload)
	case "chat_transferred":
		return new(ChatTransferredPayload)
	case "user_added_to_chat":
		return new(UserAddedToChatPayload)
	case "user_removed_from_chat":
		return new(UserRemovedFromChatPayload)
	case "incoming_event", "event_updated":
		return new(EventPayload)
	case "event_deleted":
		return new(EventRefPayload)
	case "incoming_rich_message_postback":
		return new(RichMessagePostbackPayload)
	case "thread_tagged", "thread_untagged":
		return new(ThreadTagPayload)
	case "routing_status_set":
		return new(RoutingStatusSetPayload)
	case "customer_session_fields_updated":
		return new(CustomerSessionFieldsUpdatedPayload)
	case "events_marked_as_seen":
		return new(EventsMarkedAsSeenPayload)
	case "thread_summary_set":
		return new(ThreadSummarySetPayload)
	}
	return nil
}

func newPropertiesPayload(name string) any {
	switch name {
	case "chat_properties_updated":
		return new(ChatPropertiesUpdatedPayload)
	case "chat_properties_deleted":
		return new(ChatPropertiesDeletedPayload)
	case "thread_properties_updated":
		return new(ThreadPropertiesUpdatedPayload)
	case "thread_properties_deleted":
		return new(ThreadPropertiesDeletedPayload)
	case "event_properties_updated":
		return new(EventPropertiesUpdatedPayload)
	case "event_properties_deleted":
		return new(EventPropertiesDeletedPayload)
	}
	return nil
}

func newConfigPayload(name string) any {
	switch name {
	case "agent_created":
		return new(AgentCreatedPayload)
	case "agent_updated":
		return new(AgentUpdatedPayload)
	case "agent_approved", "agent_suspended", "agent_unsuspended", "agent_deleted", "bot_deleted":
		return new(IDPayload)
	case "auto_accesses_updated":
		return new([]AutoAccess)
	case "bot_created":
		return new(BotCreatedPayload)
	case "bot_updated":
		return new(BotUpdatedPayload)
	case "group_created":
		return new(GroupCreatedPayload)
	case "group_updated":
		return new(GroupUpdatedPayload)
	case "group_deleted":
		return new(GroupDeletedPayload)
	case "tag_created":
		return new(TagCreatedPayload)
	case "tag_deleted":
		return new(TagDeletedPayload)
	case "tag_updated":
		return new(TagUpdatedPayload)
	}
	return nil
}

func newAppPayload(name string) any {
	switch name {
	case "application_installed", "application_uninstalled":
		return new(AppInstallPayload)
	case "payment_trialstarted", "payment_cancelled":
		return new(PaymentPayload)
	case "payment_activated":
		return new(PaymentActivatedPayload)
	case "payment_collected":
		return new(PaymentCollectedPayload)
	}
	return nil
}

// decodeStrict decodes exactly one JSON value with unknown fields rejected.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// checkRequired walks v and reports the first always-present field (a json
// tag without omitempty) that is zero: nil for pointers, slices and maps,
// zero for strings and numbers unless tagged zero:"ok".
func checkRequired(v any, path string) error {
	return walkRequired(reflect.ValueOf(v), path)
}

func walkRequired(v reflect.Value, path string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkRequired(v.Elem(), path)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := walkRequired(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return walkStruct(v, path)
	}
	return nil
}

func walkStruct(v reflect.Value, path string) error {
	t := v.Type()
	if t == reflect.TypeOf(Event{}) || t == reflect.TypeOf(User{}) {
		return walkRequired(v.Field(0), path)
	}
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			if err := walkStruct(fv, path); err != nil {
				return err
			}
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		p := name
		if path != "" {
			p = path + "." + name
		}
		required := !strings.Contains(opts, "omitempty")
		if required && isMissing(fv, f.Tag.Get("zero") == "ok") {
			return fmt.Errorf("%s: required field is missing or empty", p)
		}
		if err := walkRequired(fv, p); err != nil {
			return err
		}
	}
	return nil
}

func isMissing(v reflect.Value, zeroOK bool) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.Struct, reflect.Bool:
		return false
	}
	return !zeroOK && v.IsZero()
}
