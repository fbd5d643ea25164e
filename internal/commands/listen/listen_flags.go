package listen

import (
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/listener"
)

// complete resolves config-backed values and rejects bad flag combinations.
func (opts *Options) complete(cmd *cobra.Command, maxBody string, forwardTo []string) error {
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	// --port is read through config: flag > LCWH_LISTEN_PORT > file > default.
	cfg.BindFlag("listen_port", cmd.Flags().Lookup("port"))
	// Port 0 asks the system for a free port (the banner prints it); the
	// config key itself only takes real ports.
	if strings.TrimSpace(cfg.Get("listen_port")) == "0" {
		opts.Port = 0
	} else if opts.Port, err = cfg.Port("listen_port"); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if !cmd.Flags().Changed("secret") {
		if s := cfg.Get("secret"); s != "" {
			opts.Secrets = []string{s}
		}
	}
	cfg.BindFlag("monday_secret", cmd.Flags().Lookup("monday-secret"))
	opts.MondaySecret = cfg.Get("monday_secret")
	if opts.MaxBody, err = parseSize(maxBody); err != nil {
		return cmdutil.FlagErrorf("invalid --max-body %q: %w", maxBody, err)
	}
	if opts.ForwardTo, err = ParseRoutes(forwardTo); err != nil {
		return cmdutil.FlagErrorWrap(err)
	}
	if opts.Path != "" && !strings.HasPrefix(opts.Path, "/") {
		opts.Path = "/" + opts.Path
	}
	return opts.validate()
}

func (opts *Options) validate() error {
	for _, p := range opts.Print {
		if p != "headers" && p != "body" {
			return cmdutil.FlagErrorf("invalid --print %q: use headers or body", p)
		}
	}
	if opts.JSON && (opts.Quiet || opts.Verbose) {
		return cmdutil.FlagErrorf("--json cannot be combined with --quiet or -v")
	}
	if opts.RequireSecret && len(opts.Secrets) == 0 && len(opts.ClientIDs) == 0 && opts.MondaySecret == "" {
		return cmdutil.UsageHint(errors.New("--require-secret needs a secret to check"),
			"Pass --secret (or LCWH_SECRET), --client-id or --monday-secret.")
	}
	if opts.ForwardConcurrency < 1 {
		return cmdutil.FlagErrorf("--forward-concurrency must be at least 1")
	}
	return nil
}

// completeWeb checks the --web flags.
func (opts *Options) completeWeb(cmd *cobra.Command) error {
	opts.WebAddrSet = cmd.Flags().Changed("web-addr")
	if !opts.Web {
		if opts.WebAddrSet || opts.Open {
			return cmdutil.FlagErrorf("--web-addr and --open need --web")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(opts.WebAddr)
	if err != nil {
		return cmdutil.FlagErrorf("invalid --web-addr %q: use host:port, e.g. 127.0.0.1:4040", opts.WebAddr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return cmdutil.FlagErrorf("invalid --web-addr %q: the port must be a number from 0 to 65535", opts.WebAddr)
	}
	if host == opts.Host || (host == "localhost" && isLoopback(opts.Host)) {
		if port == strconv.Itoa(opts.Port) && opts.Port != 0 {
			return cmdutil.FlagErrorf("--web-addr %s is the listener's own address: give the inspector another port", opts.WebAddr)
		}
	}
	return nil
}

// ParseRoutes parses --forward-to values: URL, or kind=URL.
func ParseRoutes(in []string) ([]listener.Route, error) {
	var out []listener.Route
	for _, v := range in {
		r := listener.Route{URL: v}
		if i := strings.Index(v, "="); i > 0 && !strings.Contains(v[:i], "://") && !strings.Contains(v[:i], "/") {
			r.Kind, r.URL = v[:i], v[i+1:]
			if _, ok := catalog.Lookup(r.Kind); !ok {
				return nil, &catalog.UnknownKindError{Name: r.Kind}
			}
		}
		if _, err := cmdutil.ParseHTTPURL("--forward-to", r.URL); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"MiB", 1 << 20}, {"KiB", 1 << 10}, {"MB", 1000000}, {"KB", 1000}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suf) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suf)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errors.New("expected a positive size such as 1048576 or 10MiB")
	}
	return n * mult, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
