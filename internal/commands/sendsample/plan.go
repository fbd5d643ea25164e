package sendsample

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/tidwall/gjson"

	"github.com/lcwh/lcwh/internal/catalog"
	"github.com/lcwh/lcwh/internal/cmdutil"
	"github.com/lcwh/lcwh/internal/sender"
	"github.com/lcwh/lcwh/internal/signature"
)

// plan is everything needed to build delivery i: the kinds to cycle
// through (or the user's own body), the generator and the fixed headers.
type plan struct {
	kinds  []catalog.Kind
	labels []string
	file   []byte // --file body, nil for catalog samples
	sets   []catalog.Set
	gen    *catalog.Generator
	header http.Header // shared, never modified
	url    string
	// shownURL is url with any password masked, for output.
	shownURL string
	secret   string
	monday   []byte
	now      func() time.Time
}

func buildPlan(o *SendSampleOptions) (*plan, error) {
	p := &plan{url: o.URL, shownURL: o.URL, secret: o.Secret, now: o.Now}
	if u, err := url.Parse(o.URL); err == nil {
		p.shownURL = u.Redacted()
	}
	if o.MondaySecret != "" {
		p.monday = []byte(o.MondaySecret)
	}
	sets, err := catalog.ParseSets(o.Sets)
	if err != nil {
		return nil, cmdutil.FlagErrorWrap(err)
	}
	p.sets = sets
	hdr, err := parseHeaders(o.Headers)
	if err != nil {
		return nil, err
	}
	if hdr.Get("Content-Type") == "" {
		hdr.Set("Content-Type", "application/json")
	}
	if hdr.Get("User-Agent") == "" && o.UserAgent != "" {
		hdr.Set("User-Agent", o.UserAgent)
	}
	p.header = hdr
	p.gen = catalog.NewGenerator(o.Seed, o.Now)
	if o.File != "" {
		return p, p.readFile(o)
	}
	if err := p.resolveKinds(o); err != nil {
		return nil, err
	}
	// Build one body of each kind now so a bad --set is a usage error
	// before anything is sent.
	for i := range p.kinds {
		if _, err := p.body(i, nil); err != nil {
			return nil, cmdutil.FlagErrorWrap(err)
		}
	}
	return p, nil
}

func (p *plan) resolveKinds(o *SendSampleOptions) error {
	switch {
	case o.All:
		p.kinds = catalog.All()
	case o.Family != "":
		fam, err := catalog.ParseFamily(o.Family)
		if err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
		p.kinds = catalog.ByFamily(fam)
	default:
		for _, name := range o.Names {
			k, ok := catalog.Lookup(name)
			if !ok {
				return &catalog.UnknownKindError{Name: name}
			}
			p.kinds = append(p.kinds, k)
		}
	}
	for _, k := range p.kinds {
		p.labels = append(p.labels, k.Name)
	}
	return nil
}

func (p *plan) readFile(o *SendSampleOptions) error {
	var (
		data []byte
		err  error
	)
	label := filepath.Base(o.File)
	if o.File == "-" {
		label = "stdin"
		data, err = io.ReadAll(o.IO.In)
	} else {
		data, err = os.ReadFile(o.File)
	}
	if err != nil {
		return fmt.Errorf("read --file: %w", err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return cmdutil.FlagErrorf("--file %s is not valid JSON: %w", label, err)
	}
	if len(p.sets) > 0 {
		if data, err = catalog.ApplySets(data, p.sets); err != nil {
			return cmdutil.FlagErrorWrap(err)
		}
	}
	p.file = data
	p.labels = []string{label}
	return nil
}

// size is the number of distinct things sent once each outside a burst.
func (p *plan) size() int { return len(p.labels) }

func (p *plan) label(i int) string { return p.labels[i%len(p.labels)] }

// body appends delivery i's body to buf.
func (p *plan) body(i int, buf []byte) ([]byte, error) {
	if p.file != nil {
		return append(buf, p.file...), nil
	}
	k := p.kinds[i%len(p.kinds)]
	if len(p.sets) > 0 {
		return p.gen.Body(k, catalog.Params{Secret: p.secret, Sets: p.sets})
	}
	return p.gen.AppendBody(buf, k, p.secret)
}

// isMonday says whether delivery i gets a monday JWT: a monday kind, or
// the user's own body when --monday-secret is given.
func (p *plan) isMonday(i int) bool {
	if p.monday == nil {
		return false
	}
	if len(p.kinds) == 0 {
		return true
	}
	return p.kinds[i%len(p.kinds)].Family == catalog.Monday
}

// next builds delivery i; it is sender.Burst.Next.
func (p *plan) next(i int, buf []byte) (sender.Request, error) {
	body, err := p.body(i, buf)
	if err != nil {
		return sender.Request{URL: p.url}, err
	}
	req := sender.Request{URL: p.url, Body: body, Header: p.header}
	if p.isMonday(i) {
		tok, err := p.mondayToken(body)
		if err != nil {
			return req, err
		}
		req.Header = p.header.Clone()
		req.Header.Set("Authorization", tok)
	}
	return req, nil
}

// mondayToken signs the claims of monday-lifecycle.md §7 (an approximation:
// the algorithm is undocumented, HS256 assumed).
func (p *plan) mondayToken(body []byte) (string, error) {
	account := gjson.GetBytes(body, "data.account_id").Int()
	user := gjson.GetBytes(body, "data.user_id").Int()
	tok, err := signature.SignMonday(p.monday, p.url, account, user, p.now())
	if err != nil {
		return "", fmt.Errorf("sign monday JWT: %w", err)
	}
	return tok, nil
}
