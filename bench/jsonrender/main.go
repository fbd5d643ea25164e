// Command jsonrender renders every line of a JSONL file as coloured,
// indented JSON with internal/render's JSON renderer, the way `listen -v`
// and `inspect -v` will: it exists only so bench/json-render.sh can time
// the renderer against `jq -C .` on the shared 100k-event file.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"github.com/lcwh/lcwh/internal/render"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "jsonrender:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: jsonrender FILE.jsonl")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(stdout, 1<<16)
	j := render.NewJSON(render.NewStyles(w, true))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var buf []byte
	for sc.Scan() {
		buf, err = j.AppendIndent(buf[:0], sc.Bytes(), "  ")
		if err != nil {
			return err
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return w.Flush()
}
