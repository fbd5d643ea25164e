package listener

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func BenchmarkServeHTTP(b *testing.B) {
	// The in-repo copy of bench/recv.sh's payload (1,968 bytes, pretty,
	// trailing newline), so the figure is the same in every worktree.
	body, err := os.ReadFile("../jsonlimit/testdata/payload.json")
	if err != nil {
		b.Fatal(err)
	}
	l := New(Config{Secrets: []string{"k3Jd8sLq0vXz4NwP7rTy2uBm"}, Save: io.Discard})
	if _, err := l.Bind("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _, _ = l.Run(ctx); close(done) }()
	h := http.Header{"Content-Type": {"application/json"}, "Host": {"x"}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	rd := bytes.NewReader(body)
	req := httptest.NewRequest(http.MethodPost, "/webhooks", rd)
	req.Header = h
	w := httptest.NewRecorder()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd.Reset(body)
		req.ContentLength = int64(len(body))
		l.ServeHTTP(w, req)
	}
	b.StopTimer()
	cancel()
	<-done
}

// BenchmarkCommit: the journal's own cost per record (group commit into
// a sink that keeps nothing), one committer and as many as GOMAXPROCS.
func BenchmarkCommit(b *testing.B) {
	rec := bytes.Repeat([]byte("x"), 2465)
	rec = append(rec, '\n')
	b.Run("serial", func(b *testing.B) {
		j := newJournal(io.Discard, false, func(Notice) {})
		b.ReportAllocs()
		for b.Loop() {
			if err := j.commit(rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		j := newJournal(io.Discard, false, func(Notice) {})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := j.commit(rec); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
