package eventlog

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/lcwh/lcwh/internal/jsonlimit"
)

// MaxLine bounds one line, or one document spread over lines, of input:
// 64 MiB. A record of a 10 MiB body that is not exact (base64 beside the
// readable form) takes about 24 MiB.
const MaxLine = 64 << 20

// Reader reads events from a --save file, a `listen --json` stream or
// plain JSON documents (one per line, or pretty-printed over several
// lines), streaming: it holds one line or document at a time.
type Reader struct {
	br   *bufio.Reader
	max  int // MaxLine; tests lower it
	line int
	long []byte

	// documents spread over lines, found by bracket depth
	pending []pendingLine
	size    int
	depth   int
	// read counts the bytes of input lines, refed those read again after a
	// failed document; past a budget retries read line by line (flat), so
	// crafted input cannot make reading quadratic.
	read, refed int
	flat        bool

	out  []result
	head int
	err  error
}

type result struct {
	rec *Record
	err error
}

type pendingLine struct {
	no   int
	text []byte
	cut  bool // the input's last line, with no newline
}

// NewReader reads from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 16<<10), max: MaxLine}
}

// Next returns the next event. Its errors are typed: a *LineError for a
// line that holds no readable event and an *IncompleteError for a cut last
// line (reading goes on after both: call Next again), io.EOF at the end,
// and any other error when reading failed (every later call returns it).
// The Record is the caller's: nothing in it is reused.
func (r *Reader) Next() (*Record, error) {
	for {
		if r.head < len(r.out) {
			res := r.out[r.head]
			r.out[r.head] = result{}
			r.head++
			return res.rec, res.err
		}
		r.out, r.head = r.out[:0], 0
		if r.err != nil {
			return nil, r.err
		}
		r.step()
	}
}

// step reads one line and feeds it on; at the end it settles what is
// pending.
func (r *Reader) step() {
	text, nl, tooLong, err := r.readLine()
	if len(text) > 0 || nl || tooLong {
		r.line++
		r.read += len(text) + 1
		switch {
		case tooLong:
			r.finish()
			r.fail(r.line, ErrTooLong, false, 0)
		default:
			r.feed(r.line, text, !nl)
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		r.finish()
		r.err = io.EOF
	case err != nil:
		r.err = fmt.Errorf("read line %d: %w", r.line+1, err)
	}
}

// readLine returns the next line without its newline; a line longer than
// MaxLine is skipped whole and reported as tooLong.
func (r *Reader) readLine() (text []byte, nl, tooLong bool, err error) {
	text, err = r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.long = append(r.long[:0], text...)
		for errors.Is(err, bufio.ErrBufferFull) {
			text, err = r.br.ReadSlice('\n')
			if tooLong {
				continue
			}
			if len(r.long)+len(text) > r.max+1 {
				tooLong, r.long = true, nil
				continue
			}
			r.long = append(r.long, text...)
		}
		if tooLong {
			return nil, false, true, err
		}
		text = r.long
	}
	if len(text) > r.max+1 {
		return nil, false, true, err
	}
	if n := len(text); n > 0 && text[n-1] == '\n' {
		return text[:n-1], true, false, err
	}
	return text, false, false, err
}

// feed takes one line: a document on its own, or part of one that spans
// lines (an opening bracket whose line does not close it).
func (r *Reader) feed(no int, text []byte, cut bool) {
	t := trimWS(text)
	if len(r.pending) == 0 {
		if len(t) == 0 {
			return
		}
		if r.wholeLine(t) {
			r.doc(no, t, cut, len(text))
			return
		}
		if r.depth = lineDepth(t); r.depth <= 0 {
			r.doc(no, t, cut, len(text))
			return
		}
		r.pending = append(r.pending, pendingLine{no, append([]byte(nil), text...), cut})
		r.size = len(text)
		return
	}
	r.pending = append(r.pending, pendingLine{no, append([]byte(nil), text...), cut})
	r.size += len(text) + 1
	r.depth += lineDepth(t)
	switch {
	case r.depth <= 0:
		doc := make([]byte, 0, r.size)
		for i, l := range r.pending {
			if i > 0 {
				doc = append(doc, '\n')
			}
			doc = append(doc, l.text...)
		}
		doc = trimWS(doc)
		if jsonlimit.Valid(doc, jsonlimit.MaxDepth) {
			start := r.pending[0].no
			r.pending = nil
			r.doc(start, doc, false, 0)
			return
		}
		r.retry(ErrNotJSON)
	case r.size > r.max:
		r.retry(ErrTooLong)
	}
}

// wholeLine reports whether t, a trimmed line that is not empty, is a
// document of its own: every line is in flat mode, and otherwise a line
// that closes the bracket it opens, or opens none.
func (r *Reader) wholeLine(t []byte) bool {
	first, last := t[0], t[len(t)-1]
	return r.flat || (first == '{' && last == '}') || (first == '[' && last == ']') || (first != '{' && first != '[')
}

// retry reports the first pending line and reads the others again, so one
// broken line never hides the records after it.
func (r *Reader) retry(err error) {
	p := r.pending
	r.pending = nil
	r.fail(p[0].no, err, len(p) == 1 && p[0].cut, len(p[0].text))
	flat := r.flat
	for _, l := range p[1:] {
		r.refed += len(l.text) + 1
	}
	if r.refed > 4*r.read+64<<10 {
		r.flat = true
	}
	for _, l := range p[1:] {
		r.feed(l.no, l.text, l.cut)
	}
	r.flat = flat
}

func (r *Reader) finish() {
	for len(r.pending) > 0 {
		r.retry(ErrUnterminated)
	}
}

// doc parses one document; cut says it is the input's unterminated last
// line, size that line's length.
func (r *Reader) doc(no int, doc []byte, cut bool, size int) {
	rec, err := parse(doc)
	if err != nil {
		r.fail(no, err, cut && errors.Is(err, ErrNotJSON), size)
		return
	}
	rec.Line = no
	r.out = append(r.out, result{rec: rec})
}

func (r *Reader) fail(no int, err error, cut bool, size int) {
	if cut {
		err = &IncompleteError{Line: no, Size: size}
	} else {
		err = &LineError{Line: no, Err: err}
	}
	r.out = append(r.out, result{err: err})
}

// lineDepth is the change in bracket nesting over one line, ignoring
// brackets inside strings (a JSON string never spans lines).
func lineDepth(b []byte) int {
	d := 0
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if in {
			switch c {
			case '\\':
				i++
			case '"':
				in = false
			}
			continue
		}
		switch c {
		case '"':
			in = true
		case '{', '[':
			d++
		case '}', ']':
			d--
		}
	}
	return d
}
