package cmdutil

import "github.com/lcwh/lcwh/internal/httpclient"

// HTTPOptions returns the httpclient.Options every client of this run
// starts from: lcwh's version for the User-Agent and, with --debug, the
// redacted request log on stderr. Call it once flags are parsed (in RunE
// or later), then set what the client needs (Timeout, NoRedirect, Base).
func (f *Factory) HTTPOptions() httpclient.Options {
	opts := httpclient.Options{Version: f.Build.Version}
	if f.Debug != nil && *f.Debug && f.IOStreams != nil {
		opts.Debug = f.IOStreams.ErrOut
	}
	return opts
}
