package httpclient

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// bareAllowed names the bare clients that may remain outside this package,
// as "file: construct", each with why. Everything else must come from New,
// so --debug sees every request and timeouts and the User-Agent apply.
var bareAllowed = map[string]string{
	// Fallbacks for a nil client or transport, used only by tests of these
	// packages: lcwh's commands pass clients from New (branch creds routed
	// login, refresh and revoke), and oauth and auth cannot import this
	// package (its tests import auth).
	"internal/oauth/oauth.go: &http.Client{":          "OAuth client when none is given",
	"internal/oauth/source.go: http.DefaultTransport": "oauth.Transport base when none is given",
	"internal/auth/auth.go: http.DefaultTransport":    "auth.Transport base when none is given",
	// TODO(#11): routed in branch sender.
	"internal/sender/sender.go: http.DefaultTransport": "sender.New with a client without Transport",
}

// TestNoBareHTTPClients scans every non-test Go file of the module for an
// http.Client literal, new(http.Client), http.DefaultClient,
// http.DefaultTransport and the package-level http.Get/Post/Head/PostForm.
func TestNoBareHTTPClients(t *testing.T) {
	root := filepath.Join("..", "..")
	found := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || name == "bin" || (strings.HasPrefix(name, ".") && rel != ".") || rel == "internal/httpclient" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		for _, c := range bareConstructs(t, path) {
			found[rel+": "+c.what] = append(found[rel+": "+c.what], c.pos)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for key, pos := range found {
		if _, ok := bareAllowed[key]; !ok {
			bad = append(bad, key+" at "+strings.Join(pos, ", "))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("bare HTTP client: %s\n\tbuild it with httpclient.New (Options.NoRedirect, Base, Debug from Factory.HTTPOptions)", b)
	}
	for key := range bareAllowed {
		if _, ok := found[key]; !ok {
			t.Errorf("allow-list entry %q no longer matches: remove it from bareAllowed", key)
		}
	}
}

type construct struct{ what, pos string }

func bareConstructs(t *testing.T, path string) []construct {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	pkg := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "net/http" {
			pkg = "http"
			if imp.Name != nil {
				pkg = imp.Name.Name
			}
		}
	}
	if pkg == "" || pkg == "_" {
		return nil
	}
	isHTTP := func(e ast.Expr, names ...string) (string, bool) {
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return "", false
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || id.Name != pkg {
			return "", false
		}
		for _, n := range names {
			if sel.Sel.Name == n {
				return n, true
			}
		}
		return "", false
	}
	var out []construct
	add := func(n ast.Node, what string) {
		out = append(out, construct{what, fset.Position(n.Pos()).String()})
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CompositeLit:
			if _, ok := isHTTP(x.Type, "Client"); ok {
				add(x, "&http.Client{")
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && len(x.Args) == 1 {
				if _, ok := isHTTP(x.Args[0], "Client"); ok {
					add(x, "&http.Client{")
				}
			}
			if name, ok := isHTTP(x.Fun, "Get", "Post", "Head", "PostForm"); ok {
				add(x, "http."+name)
			}
		case *ast.SelectorExpr:
			if name, ok := isHTTP(x, "DefaultClient", "DefaultTransport"); ok {
				add(x, "http."+name)
			}
		}
		return true
	})
	return out
}

// TestBareScanFindsEveryForm keeps the scanner honest: each form, under
// an import alias too, is found.
func TestBareScanFindsEveryForm(t *testing.T) {
	dir := t.TempDir()
	src := `package x

import nh "net/http"

func f() {
	_ = &nh.Client{}
	_ = nh.Client{Timeout: 1}
	_ = new(nh.Client)
	_ = nh.DefaultClient
	_ = nh.DefaultTransport
	_, _ = nh.Get("u")
	_, _ = nh.Post("u", "", nil)
	_, _ = nh.Head("u")
	_, _ = nh.PostForm("u", nil)
}
`
	path := filepath.Join(dir, "x.go")
	if err := writeFile(path, src); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range bareConstructs(t, path) {
		got[c.what]++
	}
	want := map[string]int{"&http.Client{": 3, "http.DefaultClient": 1, "http.DefaultTransport": 1,
		"http.Get": 1, "http.Post": 1, "http.Head": 1, "http.PostForm": 1}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s found %d times, want %d (all: %v)", k, got[k], n, got)
		}
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
