package app

// Fault injection against a real lcwh process (the test binary runs as
// "lcwh", see TestMain): kill -9 under load with stdout a terminal, a
// stalled pipe or a closed pipe, then every event that was answered 200 must
// be in what lcwh kept. Compared by webhook_id.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// child is a running `lcwh listen` and its address.
type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
}

// lockedBuffer collects a child's stderr; waitFor blocks until a text
// appears (woken by each write, never by a timer).
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		if strings.Contains(l.b.String(), text) {
			l.mu.Unlock()
			return
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("stderr never said %q:\n%s", text, l.String())
		}
	}
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var listeningRE = regexp.MustCompile(`Listening on (http://127\.0\.0\.1:\d+)`)

// startListen runs lcwh listen with stdout as given and waits for its banner.
func startListen(t *testing.T, stdout *os.File, args ...string) *child {
	t.Helper()
	cmd := exec.Command("lcwh", append([]string{"listen", "--port", "0"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "NO_COLOR=1")
	cmd.Stdout = stdout
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	c := &child{cmd: cmd, stderr: &lockedBuffer{}}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			fmt.Fprintln(c.stderr, sc.Text())
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
	}()
	u, ok := <-found
	if !ok {
		t.Fatalf("listen did not start:\n%s", c.stderr.String())
	}
	c.url = u
	return c
}

// load posts distinct events from several connections until stop is
// closed, recording the webhook_id of every event answered 200.
type load struct {
	acked   sync.Map
	n       atomic.Int64
	tick    chan struct{} // a send per acknowledgement (dropped when full)
	stop    chan struct{}
	stopped sync.WaitGroup
}

func startLoad(url string, workers int) *load {
	ld := &load{stop: make(chan struct{}), tick: make(chan struct{}, 1)}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	for w := range workers {
		ld.stopped.Add(1)
		go func() {
			defer ld.stopped.Done()
			for i := 0; ; i++ {
				select {
				case <-ld.stop:
					return
				default:
				}
				id := fmt.Sprintf("w%02d-%06d", w, i)
				body := fmt.Sprintf(`{"action":"incoming_event","webhook_id":%q,"payload":{"chat_id":"C1","event":{"text":"hello"}}}`, id)
				resp, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ld.acked.Store(id, true)
					ld.n.Add(1)
					select {
					case ld.tick <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	return ld
}

func (ld *load) waitAcked(t *testing.T, n int64) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for ld.n.Load() < n {
		select {
		case <-ld.tick:
		case <-deadline:
			t.Fatalf("only %d events acknowledged in 30 s", ld.n.Load())
		}
	}
}

func (ld *load) end() { close(ld.stop); ld.stopped.Wait() }

// keptIDs reads the webhook_id of every whole line of JSONL data: a --save
// file or the --json stream. A last line without a line break is ignored
// (a write cut short by the kill; it was never acknowledged).
func keptIDs(t *testing.T, data []byte) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	lines := bytes.Split(data, []byte("\n"))
	for i, line := range lines {
		if len(line) == 0 || i == len(lines)-1 {
			continue
		}
		var rec struct {
			WebhookID string `json:"webhook_id"`
			Body      struct {
				WebhookID string `json:"webhook_id"`
			} `json:"body"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Errorf("line %d is not whole JSON: %.80q", i+1, line)
			continue
		}
		ids[rec.Body.WebhookID] = true
	}
	return ids
}

func checkKept(t *testing.T, ld *load, kept map[string]bool) {
	t.Helper()
	var lost []string
	total := 0
	ld.acked.Range(func(k, _ any) bool {
		total++
		if !kept[k.(string)] {
			lost = append(lost, k.(string))
		}
		return true
	})
	if len(lost) > 0 {
		t.Fatalf("%d of %d acknowledged events were lost, e.g. %v", len(lost), total, lost[:min(5, len(lost))])
	}
	t.Logf("%d acknowledged, %d kept", total, len(kept))
}

func kill9(t *testing.T, c *child) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = c.cmd.Wait()
}

func TestKill9KeepsEveryAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes under load")
	}
	stdouts := map[string]func(t *testing.T) (w *os.File, drain func()){
		// A terminal that is read (the usual case).
		"terminal": func(t *testing.T) (*os.File, func()) {
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Skipf("no pseudo-terminal: %v", err)
			}
			t.Cleanup(func() { ptmx.Close(); tty.Close() })
			go func() { _, _ = io.Copy(io.Discard, ptmx) }()
			return tty, func() {}
		},
		// A terminal nobody reads (XOFF, a stopped pager): writes block.
		"stalled terminal": func(t *testing.T) (*os.File, func()) {
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Skipf("no pseudo-terminal: %v", err)
			}
			t.Cleanup(func() { ptmx.Close(); tty.Close() })
			return tty, func() {}
		},
		// `| less` left unread.
		"stalled pipe": func(t *testing.T) (*os.File, func()) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return w, func() {}
		},
		// `| head -n 0`: the reader is gone.
		"closed pipe": func(t *testing.T) (*os.File, func()) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			return w, func() {}
		},
	}
	for name, mk := range stdouts {
		t.Run(name, func(t *testing.T) {
			out, _ := mk(t)
			save := filepath.Join(t.TempDir(), "events.jsonl")
			c := startListen(t, out, "--save", save)
			out.Close()
			ld := startLoad(c.url, 16)
			// A stalled display slows the answers once the queue is full
			// (about 1,300 events), so ask for fewer than that.
			ld.waitAcked(t, 800)
			kill9(t, c)
			ld.end()
			data, err := os.ReadFile(save)
			if err != nil {
				t.Fatal(err)
			}
			checkKept(t, ld, keptIDs(t, data))
		})
	}
}

// TestKill9JSONStreamIsTheRecord: with --json and no --save, stdout is where
// events are kept, so an event is answered 200 only once its line is out.
func TestKill9JSONStreamIsTheRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes under load")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stream bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = io.Copy(&stream, r); close(read) }()
	c := startListen(t, w, "--json")
	w.Close()
	ld := startLoad(c.url, 16)
	ld.waitAcked(t, 2000)
	kill9(t, c)
	ld.end()
	<-read
	checkKept(t, ld, keptIDs(t, stream.Bytes()))
}

// TestClosedStdoutKeepsListening: `lcwh listen --json --save F | head -n 2`
// goes on saving after head exits, then Ctrl-C prints the summary on
// stderr and exits 0 with everything acknowledged in F.
func TestClosedStdoutKeepsListening(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	save := filepath.Join(t.TempDir(), "events.jsonl")
	c := startListen(t, w, "--json", "--save", save)
	w.Close()
	head := bufio.NewReader(r)
	ld := startLoad(c.url, 2)
	for range 2 {
		if _, err := head.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	r.Close() // head exits
	ld.waitAcked(t, ld.n.Load()+200)
	ld.end()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = c.cmd.Wait()
	if err != nil {
		t.Fatalf("exit: %v\n%s", err, c.stderr.String())
	}
	data, _ := os.ReadFile(save)
	checkKept(t, ld, keptIDs(t, data))
	for _, want := range []string{"stdout was closed: events are no longer shown; still saving to", "✓ received"} {
		if !strings.Contains(c.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, c.stderr.String())
		}
	}
}

// TestSecondInterruptWithStalledStdout: a stdout nobody reads must not hold
// up Ctrl-C. The second one ends the process (exit 130) although the display
// is blocked in a write.
func TestSecondInterruptWithStalledStdout(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	save := filepath.Join(t.TempDir(), "events.jsonl")
	c := startListen(t, w, "--save", save)
	w.Close()
	ld := startLoad(c.url, 8)
	// More than a pipe holds (64 KiB, ~1,100 event lines): the display is
	// now blocked in a write, with events queued behind it.
	ld.waitAcked(t, 1500)
	ld.end()
	_ = c.cmd.Process.Signal(os.Interrupt)
	c.stderr.waitFor(t, "stopping")
	_ = c.cmd.Process.Signal(os.Interrupt)
	err = c.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130\n%s", err, c.stderr.String())
	}
	if !strings.Contains(c.stderr.String(), "every acknowledged one is in "+save) {
		t.Errorf("stderr:\n%s", c.stderr.String())
	}
	data, _ := os.ReadFile(save)
	checkKept(t, ld, keptIDs(t, data))
}
