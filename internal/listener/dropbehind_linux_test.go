package listener

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestDropBehind writes three chunks and a bit to a real file and checks,
// with mincore, that the first two left the page cache while every byte
// stayed in the file.
func TestDropBehind(t *testing.T) {
	dir := t.TempDir()
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type == unix.TMPFS_MAGIC {
		t.Skip("the temporary directory is on tmpfs, whose pages cannot be dropped: set TMPDIR to a disk to run this test")
	}
	path := filepath.Join(dir, "save.jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	j := newJournal(f, false, func(Notice) {})
	if j.drop == nil {
		t.Fatal("a journal on a regular file has no dropper")
	}
	line := append(bytes.Repeat([]byte("x"), 4095), '\n')
	want := 3*dropChunk/len(line) + 10
	for range want {
		if err := j.commit(line); err != nil {
			t.Fatal(err)
		}
	}
	// Three blocking sends of the last boundary: the third cannot go in
	// before the dropper has taken (and so finished with) the first.
	for range 3 {
		j.drop.sizes <- j.size &^ (dropChunk - 1)
	}
	if !j.close(nil) {
		t.Fatal("the journal did not close")
	}
	<-j.drop.done

	if resident := residentPages(t, path, 2*dropChunk); resident > 2*dropChunk/os.Getpagesize()/10 {
		t.Errorf("%d of the first %d pages are still cached after drop-behind", resident, 2*dropChunk/os.Getpagesize())
	}
	// Read after counting: reading brings the pages back.
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bytes.Repeat(line, want)) {
		t.Fatalf("the file holds %d bytes, not the %d written", len(got), want*len(line))
	}
}

func residentPages(t *testing.T, path string, n int) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := unix.Mmap(int(f.Fd()), 0, n, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	vec := make([]byte, (n+os.Getpagesize()-1)/os.Getpagesize())
	// x/sys/unix has no mincore wrapper.
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(n), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	resident := 0
	for _, v := range vec {
		resident += int(v & 1)
	}
	return resident
}

// TestDropBehindTellsBoundariesOnly: the writer wakes the dropper only
// when the file passes another chunk boundary, not on every write.
func TestDropBehindTellsBoundariesOnly(t *testing.T) {
	d := &dropBehind{sizes: make(chan int64, 1)}
	d.wrote(100)
	d.wrote(dropChunk - 1)
	if len(d.sizes) != 0 {
		t.Fatalf("told %d before the first boundary", <-d.sizes)
	}
	d.wrote(dropChunk + 5)
	d.wrote(dropChunk + 900)
	if got := <-d.sizes; got != dropChunk || len(d.sizes) != 0 {
		t.Fatalf("told %d (and %d more), want the boundary %d once", got, len(d.sizes), dropChunk)
	}
}
