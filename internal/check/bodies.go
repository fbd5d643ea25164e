package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/signature"
)

// bodies makes the suite's deliveries from the catalog: a fresh body per
// delivery (new ids and timestamps), personalised with the caller's secret,
// Client ID and registered webhook ids, and related to one another the way
// a real license's traffic is (see relate).
type bodies struct {
	gen          *catalog.Generator
	secret       string
	clientID     string
	mondaySecret []byte
	url          string
	now          func() time.Time

	mu sync.Mutex
	// webhookIDs are the sandbox registrations' ids, by kind.
	webhookIDs map[string]string
	// main is the chat of the first incoming_chat the suite made: the
	// chat every later chat-scoped event belongs to.
	main  chatRef
	event int
}

// chatRef names a chat and its thread.
type chatRef struct{ chat, thread string }

// fresh returns a new delivery of kind k.
func (b *bodies) fresh(k catalog.Kind) delivery {
	return b.freshLabel(k, k.Name)
}

func (b *bodies) freshLabel(k catalog.Kind, label string) delivery {
	body := b.generate(k)
	if k.Family == catalog.LiveChat {
		body = b.relate(k, body)
	}
	return b.finish(k, label, body)
}

// freshIn returns a new delivery of the chat-scoped kind k in chat c.
func (b *bodies) freshIn(k catalog.Kind, c chatRef, label string) delivery {
	body := b.generate(k)
	b.mu.Lock()
	b.event++
	n := b.event
	b.mu.Unlock()
	return b.finish(k, label, moveTo(body, c, n))
}

// newChat returns a new incoming_chat and the chat it announces.
func (b *bodies) newChat(label string) (delivery, chatRef) {
	k, _ := catalog.Lookup("incoming_chat")
	body := b.generate(k)
	return b.finish(k, label, body), chatOf(body)
}

func (b *bodies) generate(k catalog.Kind) []byte {
	// Run made one body of every kind before the first delivery, so the
	// generator cannot fail here (its templates are compiled once).
	body, _ := b.gen.Body(k, catalog.Params{Secret: b.secret})
	return body
}

// finish personalises a body: the registered webhook_id, the Client ID,
// the monday JWT.
func (b *bodies) finish(k catalog.Kind, label string, body []byte) delivery {
	switch k.Family {
	case catalog.LiveChat:
		b.mu.Lock()
		id := b.webhookIDs[k.Name]
		b.mu.Unlock()
		if id != "" {
			body = set(body, "webhook_id", id)
		}
	case catalog.App:
		if b.clientID != "" {
			body = set(body, "clientID", b.clientID)
		}
	}
	return b.sign(delivery{label: label, body: body}, k)
}

// sign adds the monday JWT to a monday delivery when a secret is known.
func (b *bodies) sign(d delivery, k catalog.Kind) delivery {
	if k.Family != catalog.Monday || len(b.mondaySecret) == 0 {
		return d
	}
	acct, user := accountUser(d.body)
	// SignMonday fails only for an empty secret, excluded above.
	tok, _ := signature.SignMonday(b.mondaySecret, b.url, acct, user, b.now())
	d.header = withHeader(d.header, "Authorization", tok)
	return d
}

// accountUser returns the ids the monday JWT claims carry (from the
// body, as monday-lifecycle.md §7 describes them).
func accountUser(body []byte) (account, user int64) {
	return gjson.GetBytes(body, "data.account_id").Int(), gjson.GetBytes(body, "data.user_id").Int()
}

// relate makes LiveChat traffic hang together. The first incoming_chat
// becomes the main chat; every chat-scoped delivery after it (incoming_event,
// thread_tagged, …) belongs to that chat and its thread, with an event id of
// its own, so a handler that looks chats up finds them. incoming_chat keeps
// its own fresh chat, and chat_deactivated closes a chat lcwh never
// announced (as LiveChat does for chats that began before the app was
// installed), so no event ever follows a deactivation outside the order
// check, which tests exactly that.
func (b *bodies) relate(k catalog.Kind, body []byte) []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if k.Name == "incoming_chat" {
		if b.main.chat == "" {
			b.main = chatOf(body)
		}
		return body
	}
	if k.Name == "chat_deactivated" || b.main.chat == "" {
		return body
	}
	b.event++
	return moveTo(body, b.main, b.event)
}

// chatOf reads the chat an incoming_chat announces.
func chatOf(body []byte) chatRef {
	return chatRef{chat: gjson.GetBytes(body, "payload.chat.id").String(),
		thread: gjson.GetBytes(body, "payload.chat.thread.id").String()}
}

// moveTo puts a chat-scoped body into chat c: its generated chat and thread
// ids (random 10-character tokens, so replacing them everywhere is safe) become
// c's, and its event id, which embeds the thread id, gets sequence n so no
// two deliveries share one.
func moveTo(body []byte, c chatRef, n int) []byte {
	from := chatRef{chat: first(body, "payload.chat_id", "payload.active_chat.chat_id"),
		thread: first(body, "payload.thread_id", "payload.active_chat.thread_id")}
	if from.chat == "" {
		return body
	}
	body = bytes.ReplaceAll(body, []byte(from.chat), []byte(c.chat))
	if from.thread != "" && c.thread != "" {
		body = bytes.ReplaceAll(body, []byte(from.thread), []byte(c.thread))
	}
	if id := gjson.GetBytes(body, "payload.event.id").String(); strings.HasPrefix(id, c.thread+"_") {
		body = set(body, "payload.event.id", fmt.Sprintf("%s_%d", c.thread, 100+n))
	}
	return body
}

func first(body []byte, paths ...string) string {
	for _, p := range paths {
		if v := gjson.GetBytes(body, p); v.Exists() {
			return v.String()
		}
	}
	return ""
}

// set is sjson.SetBytes for paths that exist in the catalog's samples.
func set(body []byte, path string, v any) []byte {
	out, err := sjson.SetBytes(body, path, v)
	if err != nil {
		return body
	}
	return out
}

func setRaw(body []byte, path, raw string) []byte {
	out, err := sjson.SetRawBytes(body, path, []byte(raw))
	if err != nil {
		return body
	}
	return out
}

func del(body []byte, path string) []byte {
	out, err := sjson.DeleteBytes(body, path)
	if err != nil {
		return body
	}
	return out
}

func withHeader(h http.Header, k, v string) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set(k, v)
	return h
}

// newField is the field forward-compat adds at every level.
const (
	newFieldKey   = "lcwh_check_new_field"
	newFieldValue = `{"note":"added by lcwh check: a field from a future API version"}`
)

// mapKeys hold maps keyed by data (properties namespaces, text_vars,
// session fields…), not records: a key added there would be data of the
// wrong type, not an API addition, so forward-compat leaves them alone.
var mapKeys = map[string]bool{
	"properties": true, "chat_properties": true, "text_vars": true, "session_fields": true,
	"omnichannel": true, "agent_priorities": true, "content": true,
}

// withNewFields adds newFieldKey to every record object of body. The
// value is an object, the shape least likely to clash with a typed decoder.
func withNewFields(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return body
	}
	var extra any
	_ = json.Unmarshal([]byte(newFieldValue), &extra)
	v = addField(v, extra)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return body
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func addField(v, extra any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if !mapKeys[k] {
				x[k] = addField(val, extra)
			}
		}
		x[newFieldKey] = extra
	case []any:
		for i := range x {
			x[i] = addField(x[i], extra)
		}
	}
	return v
}

// unicodeText is payload-edge's message: accents, CJK, RTL, combining
// marks, emoji with skin tones and ZWJ sequences, and a JSON-escaped line break.
const unicodeText = "Zażółć gęślą jaźń — 你好，我的订单在哪里？ — مرحبا، أين طلبي؟ — é vs é — 👋🏽 👨‍👩‍👧‍👦 🇵🇱\nThanks!"
