package inspect

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/eventlog"
	"github.com/lcwh/lcwh/internal/iostreams"
)

const secret = "k3Jd8sLq0vXz4NwP7rTy2uBm"

var fixedNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func inspectString(t *testing.T, in string, opts InspectOptions) (stdout, stderr string, err error) {
	t.Helper()
	io, ts := iostreams.Test()
	io.In = strings.NewReader(in)
	opts.IO, opts.File = io, "-"
	if opts.Color == "" {
		opts.Color = "never"
	}
	err = inspectRun(&opts)
	return ts.Out.String(), ts.ErrOut.String(), err
}

// TestInspectCountsFromTypedResults: a valid body whose text says "body is
// not valid JSON" is just text; inspect used to match that text in its
// own output and exit 1.
func TestInspectCountsFromTypedResults(t *testing.T) {
	rec := eventlog.Append(nil, &eventlog.Record{ReceivedAt: fixedNow, Method: "POST", Path: "/",
		Body: []byte(`{"action":"incoming_event","webhook_id":"w","payload":{"event":{"text":"body is not valid JSON"}}}`)})
	for _, verbose := range []bool{false, true} {
		out, errOut, err := inspectString(t, string(rec), InspectOptions{Verbose: verbose})
		if err != nil || errOut != "" || !strings.Contains(out, "body is not valid JSON") {
			t.Errorf("verbose %v: err %v\nstdout:\n%s\nstderr:\n%s", verbose, err, out, errOut)
		}
	}
}

// TestInspectBadBody: a record whose exact body is not JSON is shown and
// counted (exit 1), in both views.
func TestInspectBadBody(t *testing.T) {
	rec := eventlog.Append(nil, &eventlog.Record{ReceivedAt: fixedNow, Method: "POST", Path: "/",
		Body: []byte("\xef\xbb\xbf{\"action\":\"incoming_chat\"}")})
	for _, verbose := range []bool{false, true} {
		out, errOut, err := inspectString(t, string(rec), InspectOptions{Verbose: verbose})
		if !errors.Is(err, cmdutil.ErrSilent) || !strings.Contains(errOut, "! line 1: body is not valid JSON") || !strings.Contains(out, "12:00:00") {
			t.Errorf("verbose %v: err %v\nstdout:\n%s\nstderr:\n%s", verbose, err, out, errOut)
		}
	}
}

// TestInspectIncompleteLastRecord: a cut last line (writer killed
// mid-write) is a note on stderr, not a failure.
func TestInspectIncompleteLastRecord(t *testing.T) {
	line := string(eventlog.Append(nil, &eventlog.Record{ReceivedAt: fixedNow, Method: "POST", Path: "/",
		Body: []byte(`{"action":"chat_deactivated","payload":{"chat_id":"C2"}}`)}))
	out, errOut, err := inspectString(t, line+line+line[:40], InspectOptions{})
	if err != nil || strings.Count(out, "chat_deactivated") != 2 ||
		!strings.Contains(errOut, "! line 3: incomplete last record (40 bytes, no newline)") {
		t.Errorf("err %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	// The same cut in the middle of the file is a broken line: exit 1.
	_, errOut, err = inspectString(t, line[:40]+"\n"+line, InspectOptions{})
	if !errors.Is(err, cmdutil.ErrSilent) || !strings.Contains(errOut, "! line 1: not valid JSON") {
		t.Errorf("err %v stderr:\n%s", err, errOut)
	}
}

// TestInspectJSONKeepsExactBytes: --json of a record whose body is not
// exact carries body_ws (secret_key still redacted), or body_b64 when
// the body is not valid UTF-8.
func TestInspectJSONKeepsExactBytes(t *testing.T) {
	body := "{\"action\":\"incoming_chat\",\"webhook_id\":\"w\",\"secret_key\":\"" + secret + "\"}\n"
	rec := eventlog.Append(nil, &eventlog.Record{ReceivedAt: fixedNow, Method: "POST", Path: "/p", Body: []byte(body)})
	out, _, err := inspectString(t, string(rec), InspectOptions{JSON: true})
	want := `{"received_at":"2026-05-01T12:00:00Z","family":"livechat","kind":"incoming_chat","webhook_id":"w","verified":null,"path":"/p","headers":{},` +
		`"body":{"action":"incoming_chat","webhook_id":"w","secret_key":"k3J****(24 chars)"},` +
		`"body_ws":{"trail":"\n"}}` + "\n"
	if err != nil || out != want {
		t.Errorf("err %v\n got %s\nwant %s", err, out, want)
	}
	// And reading that --json line back gives the same bytes.
	r := eventlog.NewReader(strings.NewReader(out))
	back, err := r.Next()
	if err != nil || back.Form != eventlog.FormStream || !strings.HasSuffix(string(back.Body), "}\n") {
		t.Errorf("read back: %v %+v", err, back)
	}
	// Not valid UTF-8: body_b64 of the redacted bytes.
	body = "{\"action\":\"incoming_chat\",\"webhook_id\":\"w\xe9\",\"secret_key\":\"" + secret + "\"}\n"
	rec = eventlog.Append(nil, &eventlog.Record{ReceivedAt: fixedNow, Method: "POST", Path: "/p", Body: []byte(body)})
	out, _, err = inspectString(t, string(rec), InspectOptions{JSON: true})
	redacted := strings.Replace(body, secret, "k3J****(24 chars)", 1)
	if err != nil || !strings.HasSuffix(out, `,"body_b64":"`+base64.StdEncoding.EncodeToString([]byte(redacted))+"\"}\n") || strings.Contains(out, "body_ws") {
		t.Errorf("err %v\n got %s", err, out)
	}
	if back, err := eventlog.NewReader(strings.NewReader(out)).Next(); err != nil || string(back.Body) != redacted {
		t.Errorf("read back: %v %+v", err, back)
	}
}

func TestInspectDeepBody(t *testing.T) {
	deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
	rec := eventlog.Append(nil, &eventlog.Record{ReceivedAt: fixedNow, Method: "POST", Path: "/", Body: []byte(deep)})
	_, errOut, err := inspectString(t, string(rec), InspectOptions{Verbose: true})
	if !errors.Is(err, cmdutil.ErrSilent) || !strings.Contains(errOut, "! line 1: body: JSON nested deeper than 1000 levels (at byte 1000)") {
		t.Errorf("err %v stderr:\n%s", err, errOut)
	}
}

func TestInspectInputs(t *testing.T) {
	pretty := "{\n  \"action\": \"incoming_chat\",\n  \"webhook_id\": \"w\",\n  \"payload\": {\"chat\": {\"id\": \"C{1}\"}}\n}\n"
	in := `{"action":"chat_deactivated","webhook_id":"w","payload":{"chat_id":"C2"}}` + "\n" +
		"{broken\n" +
		pretty +
		`{"type":"install","data":{"account_id":1}}` + "\n"
	io, ts := iostreams.Test()
	io.In = strings.NewReader(in)
	err := inspectRun(&InspectOptions{IO: io, File: "-", Color: "never"})
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Errorf("err = %v, want silent failure for the bad line", err)
	}
	want := "--:--:-- livechat chat_deactivated                · chat=C2\n" +
		"--:--:-- livechat incoming_chat                   · chat=C{1}\n" +
		"--:--:-- monday   install                         · account=1\n"
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.Contains(ts.ErrOut.String(), "line 2:") {
		t.Errorf("stderr: %s", ts.ErrOut.String())
	}
}

func TestInspectActionsAndJSON(t *testing.T) {
	in := `{"action":"chat_deactivated","webhook_id":"w"}` + "\n" + `{"action":"incoming_chat","webhook_id":"w","secret_key":"` + secret + `"}` + "\n"
	io, ts := iostreams.Test()
	io.In = strings.NewReader(in)
	if err := inspectRun(&InspectOptions{IO: io, File: "-", Color: "never", JSON: true, Actions: []string{"incoming_chat"}}); err != nil {
		t.Fatal(err)
	}
	want := `{"received_at":null,"family":"livechat","kind":"incoming_chat","webhook_id":"w","verified":null,"path":null,"headers":{},"body":{"action":"incoming_chat","webhook_id":"w","secret_key":"k3J****(24 chars)"}}` + "\n"
	if diff := cmp.Diff(want, ts.Out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
