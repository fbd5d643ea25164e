package cmdutil

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"
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

// WriteJSON prints v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteNDJSON prints v as one compact JSON line.
func WriteNDJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
