package listener

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is an Observer that notes what it is handed, in order.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) Add(ev *Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, "event "+http.StatusText(ev.Status)+" "+ev.Kind)
}

func (r *recorder) AddForward(res *ForwardResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, "forward "+res.Event.Kind+" "+http.StatusText(res.Status))
}

// TestObserver: the Observer is handed every event Emit would send (the
// kinds within Actions, and rejections) and every forward result after
// its event, while Events, without Emit, carries nothing at all (listen
// --quiet --web: no event crosses to another goroutine).
func TestObserver(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer app.Close()
	obs := &recorder{}
	r := start(t, Config{
		Observer: obs,
		Actions:  []string{"incoming_chat", "incoming_event"},
		Forward:  []Route{{Kind: "incoming_chat", URL: app.URL + "/chats"}},
	}, true)
	for _, tt := range []struct {
		body string
		want int
	}{
		{`{"action":"incoming_event","webhook_id":"w"}`, 200},
		{`{"action":"chat_deactivated","webhook_id":"w"}`, 200}, // not within Actions
		{`{"action":"incoming_chat","webhook_id":"w"}`, 200},
		{`{"action":"incoming_chat",`, 400},
	} {
		if code, _ := post(t, r.url, []byte(tt.body), nil); code != tt.want {
			t.Fatalf("%s: %d, want %d", tt.body, code, tt.want)
		}
	}
	r.stop()
	want := []string{"event OK incoming_event", "event OK incoming_chat", "forward incoming_chat OK", "event Bad Request unknown"}
	got := obs.got
	// The forward worker runs beside the consumer: its result may come
	// before or after the rejection, never before its own event.
	if len(got) == 4 && got[2] == want[3] && got[3] == want[2] {
		got = []string{got[0], got[1], got[3], got[2]}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
	if len(r.items) != 0 {
		t.Errorf("Events carried %d item(s) without Emit", len(r.items))
	}
	if r.stats.Received != 3 || r.stats.Rejected != 1 || r.stats.Forwarded != 1 {
		t.Errorf("stats %+v", r.stats)
	}
}
