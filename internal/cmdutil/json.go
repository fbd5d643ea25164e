package cmdutil

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/jsonstr"
)

// AddJSONFlag adds the standard --json flag; fields names the documented
// output fields so `--help` lists them.
func AddJSONFlag(cmd *cobra.Command, target *bool, fields string) {
	usage := "Print machine-readable JSON on stdout"
	if fields != "" {
		usage += " (fields: " + fields + ")"
	}
	cmd.Flags().BoolVar(target, "json", false, usage)
}

// WriteJSON prints v as indented JSON followed by a newline. DEL and C1
// controls in strings are written as \u escapes (see writeJSON).
func WriteJSON(w io.Writer, v any) error { return writeJSON(w, v, "  ") }

// WriteNDJSON prints v as one compact JSON line, escaped as WriteJSON is.
func WriteNDJSON(w io.Writer, v any) error { return writeJSON(w, v, "") }

// writeJSON encodes v and writes it in one Write. encoding/json escapes C0
// controls but writes DEL and C1 (U+0080–U+009F, CSI among them) raw; they
// come from servers and files and --json often goes to a terminal, so
// they are rewritten as \u escapes, which decode to the same value.
func writeJSON(w io.Writer, v any, indent string) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonstr.AppendNeutral(make([]byte, 0, b.Len()), b.Bytes()))
	return err
}
