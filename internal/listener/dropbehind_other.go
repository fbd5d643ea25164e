//go:build !linux

package listener

import "io"

// dropBehind is Linux only (sync_file_range); elsewhere the page cache
// keeps the save file as it would any other.
type dropBehind struct{}

func newDropBehind(io.Writer) *dropBehind { return nil }
func (*dropBehind) wrote(int64)           {}
func (*dropBehind) stop()                 {}
