package app

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The layers of docs/architecture.md; imports point down the list.
type layer string

const (
	entryLayer   layer = "entry"
	commandLayer layer = "command"
	viewLayer    layer = "view"
	engineLayer  layer = "engine"
)

const modulePrefix = "github.com/lcwh/lcwh/"

// terminalLibs are the libraries that draw on or query a terminal: engine
// packages must not depend on them, directly or through another library.
var terminalLibs = []string{
	"github.com/charmbracelet", // lipgloss and the charmbracelet/x modules it pulls in
	"github.com/muesli/termenv",
	"golang.org/x/term",
	"github.com/mattn/go-isatty",
}

// goPackage is what `go list -json` says of one package of the module.
type goPackage struct {
	ImportPath   string
	Imports      []string
	Deps         []string
	TestImports  []string
	XTestImports []string
}

// listModule lists every package of the module, with direct imports and
// all (transitive) dependencies, for the platform the tests run on.
func listModule(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps,TestImports,XTestImports", "./...")
	cmd.Dir = filepath.Join("..", "..")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// mapLine is one package line of docs/architecture.md: "- `path` [layer]: …".
var mapLine = regexp.MustCompile("^- `([^`]+)` \\[([a-z]+)\\]: ")

// readMap reads the package lines of the map: path (relative to the module)
// → layer, and the problems of the lines themselves.
func readMap(r io.Reader) (map[string]layer, []string) {
	layers := map[string]layer{}
	var problems []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		m := mapLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		path, l := m[1], layer(m[2])
		switch {
		case !slices.Contains([]layer{entryLayer, commandLayer, viewLayer, engineLayer}, l):
			problems = append(problems, fmt.Sprintf("line %d: %s: unknown layer %q (entry, command, view or engine)", n, path, l))
		case layers[path] != "":
			problems = append(problems, fmt.Sprintf("line %d: %s has a second line", n, path))
		default:
			layers[path] = l
		}
	}
	return layers, problems
}

// mapProblems compares the map with the packages that exist.
func mapProblems(paths []string, layers map[string]layer) []string {
	var problems []string
	for _, p := range paths {
		switch l, ok := layers[p]; {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s has no line in docs/architecture.md: add \"- `%s` [layer]: what it holds\"", p, p))
		case l == commandLayer && !strings.HasPrefix(p, "internal/commands/"):
			problems = append(problems, p+" is marked command but is not under internal/commands/")
		case strings.HasPrefix(p, "internal/commands/") && l != commandLayer && l != entryLayer:
			problems = append(problems, fmt.Sprintf("%s is under internal/commands/ but marked %s", p, l))
		}
	}
	for p := range layers {
		if !slices.Contains(paths, p) {
			problems = append(problems, p+" has a line in docs/architecture.md but no package: remove the line")
		}
	}
	slices.Sort(problems)
	return problems
}

// mayImport says whether a package of layer from may import one of layer to.
func mayImport(from, to layer) bool {
	switch from {
	case entryLayer:
		return true
	case commandLayer, viewLayer:
		return to == viewLayer || to == engineLayer
	}
	return to == engineLayer
}

func isTerminalLib(path string) bool {
	for _, lib := range terminalLibs {
		if path == lib || strings.HasPrefix(path, lib+"/") {
			return true
		}
	}
	return false
}

// importViolations applies the rules of docs/architecture.md to pkgs. A
// package without a line in the map counts as engine, the strictest layer.
func importViolations(pkgs []goPackage, layers map[string]layer) []string {
	byPath := map[string]goPackage{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	layerOf := func(importPath string) layer {
		if l, ok := layers[strings.TrimPrefix(importPath, modulePrefix)]; ok {
			return l
		}
		return engineLayer
	}
	var out []string
	for _, p := range pkgs {
		name, from := strings.TrimPrefix(p.ImportPath, modulePrefix), layerOf(p.ImportPath)
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, modulePrefix) {
				continue
			}
			if to := layerOf(imp); !mayImport(from, to) {
				out = append(out, fmt.Sprintf("%s (%s) imports %s (%s)", name, from, strings.TrimPrefix(imp, modulePrefix), to))
			}
		}
		if from == commandLayer {
			for _, imp := range append(slices.Clone(p.TestImports), p.XTestImports...) {
				if imp != p.ImportPath && strings.HasPrefix(imp, modulePrefix) && layerOf(imp) == commandLayer {
					out = append(out, fmt.Sprintf("tests of %s import the command %s: drive the whole tree through internal/app instead",
						name, strings.TrimPrefix(imp, modulePrefix)))
				}
			}
		}
		if from == engineLayer {
			out = append(out, terminalDeps(p, name, byPath)...)
		}
		if name == "internal/render" && slices.Contains(p.Deps, "net/http") {
			out = append(out, "internal/render depends on net/http")
		}
	}
	slices.Sort(out)
	return out
}

// terminalDeps names the terminal libraries an engine package depends on
// itself: directly, or through a library outside the module (a module
// package that brings one in is reported on its own).
func terminalDeps(p goPackage, name string, byPath map[string]goPackage) []string {
	var out []string
	for _, imp := range p.Imports {
		if isTerminalLib(imp) {
			out = append(out, fmt.Sprintf("%s (engine) imports the terminal library %s", name, imp))
		}
	}
	if len(out) > 0 {
		return out // what those pull in is no news
	}
	for _, dep := range p.Deps {
		if !isTerminalLib(dep) {
			continue
		}
		viaModule := false
		for _, imp := range p.Imports {
			if q, ok := byPath[imp]; ok && slices.Contains(q.Deps, dep) {
				viaModule = true
			}
		}
		if !viaModule {
			out = append(out, fmt.Sprintf("%s (engine) depends on the terminal library %s through a library it imports", name, dep))
		}
	}
	return out
}

func readArchitectureMap(t *testing.T) map[string]layer {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	layers, problems := readMap(f)
	for _, p := range problems {
		t.Errorf("docs/architecture.md %s", p)
	}
	return layers
}

// TestArchitectureMap: every package of the module has its line in
// docs/architecture.md, with its layer, and every line names a package.
func TestArchitectureMap(t *testing.T) {
	layers := readArchitectureMap(t)
	var paths []string
	for _, p := range listModule(t) {
		paths = append(paths, strings.TrimPrefix(p.ImportPath, modulePrefix))
	}
	for _, p := range mapProblems(paths, layers) {
		t.Error(p)
	}
}

// TestImportRules: no command package imports another (only root, an
// entry package, assembles them), no engine package imports a view
// package or depends on a terminal library, render stays off net/http.
func TestImportRules(t *testing.T) {
	for _, v := range importViolations(listModule(t), readArchitectureMap(t)) {
		t.Error(v)
	}
}

// TestImportRulesCatchViolations is the test of the rules: a graph with
// one of each kind of broken import gives exactly those violations.
func TestImportRulesCatchViolations(t *testing.T) {
	m := func(p ...string) []string {
		out := make([]string, len(p))
		for i, s := range p {
			out[i] = modulePrefix + s
		}
		return out
	}
	layers := map[string]layer{
		"internal/app": entryLayer, "internal/commands/root": entryLayer, "internal/commands/factory": entryLayer,
		"internal/commands/a": commandLayer, "internal/commands/b": commandLayer,
		"internal/render": viewLayer, "internal/cmdutil": viewLayer,
		"internal/listener": engineLayer, "internal/catalog": engineLayer, "internal/ngrok": engineLayer,
	}
	clean := []goPackage{
		{ImportPath: modulePrefix + "internal/app", Imports: m("internal/commands/root", "internal/commands/factory", "internal/render")},
		{ImportPath: modulePrefix + "internal/commands/root", Imports: m("internal/commands/a", "internal/commands/b", "internal/cmdutil")},
		{ImportPath: modulePrefix + "internal/commands/a", Imports: m("internal/render", "internal/listener"),
			XTestImports: m("internal/app", "internal/commands/factory", "internal/commands/a")},
		{ImportPath: modulePrefix + "internal/render", Imports: m("internal/catalog"),
			Deps: append(m("internal/catalog"), "github.com/charmbracelet/lipgloss", "github.com/muesli/termenv")},
		{ImportPath: modulePrefix + "internal/listener", Imports: append(m("internal/catalog"), "net/http"), Deps: []string{"net/http"}},
	}
	if got := importViolations(clean, layers); len(got) != 0 {
		t.Errorf("a clean graph has violations: %q", got)
	}

	broken := append(slices.Clone(clean),
		goPackage{ImportPath: modulePrefix + "internal/commands/b", Imports: m("internal/commands/a", "internal/app"),
			TestImports: m("internal/commands/a")},
		goPackage{ImportPath: modulePrefix + "internal/catalog", Imports: m("internal/render", "internal/cmdutil")},
		goPackage{ImportPath: modulePrefix + "internal/sender", Imports: []string{"github.com/charmbracelet/lipgloss"},
			Deps: []string{"github.com/charmbracelet/lipgloss", "github.com/muesli/termenv"}},
		goPackage{ImportPath: modulePrefix + "internal/ngrok", Imports: []string{"example.com/pretty"},
			Deps: []string{"example.com/pretty", "golang.org/x/term"}},
		goPackage{ImportPath: modulePrefix + "internal/cmdutil", Imports: m("internal/commands/a")},
	)
	broken[3].Deps = append(broken[3].Deps, "net/http")
	want := []string{
		"internal/catalog (engine) imports internal/cmdutil (view)",
		"internal/catalog (engine) imports internal/render (view)",
		"internal/cmdutil (view) imports internal/commands/a (command)",
		"internal/commands/b (command) imports internal/app (entry)",
		"internal/commands/b (command) imports internal/commands/a (command)",
		"internal/ngrok (engine) depends on the terminal library golang.org/x/term through a library it imports",
		"internal/render depends on net/http",
		"internal/sender (engine) imports the terminal library github.com/charmbracelet/lipgloss",
		"tests of internal/commands/b import the command internal/commands/a: drive the whole tree through internal/app instead",
	}
	if diff := cmp.Diff(want, importViolations(broken, layers)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
}

// TestArchitectureMapCatchesGaps is the test of the map's test.
func TestArchitectureMapCatchesGaps(t *testing.T) {
	doc := "# Map\n\n- `internal/a` [engine]: a\n  wrapped.\n- `internal/b` [engine]: b\n- `internal/b` [view]: again\n" +
		"- `internal/c` [middle]: c\n- `internal/commands/x` [engine]: x\n- `internal/y` [command]: y\n- `internal/gone` [engine]: gone\n"
	layers, problems := readMap(strings.NewReader(doc))
	wantLines := []string{
		`line 6: internal/b has a second line`,
		`line 7: internal/c: unknown layer "middle" (entry, command, view or engine)`,
	}
	if diff := cmp.Diff(wantLines, problems); diff != "" {
		t.Errorf("line problems (-want +got):\n%s", diff)
	}
	got := mapProblems([]string{"internal/a", "internal/b", "internal/commands/x", "internal/y", "internal/new"}, layers)
	want := []string{
		"internal/commands/x is under internal/commands/ but marked engine",
		"internal/gone has a line in docs/architecture.md but no package: remove the line",
		"internal/new has no line in docs/architecture.md: add \"- `internal/new` [layer]: what it holds\"",
		"internal/y is marked command but is not under internal/commands/",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("map problems (-want +got):\n%s", diff)
	}
}

// cursorCode matches, in Go source, a string literal's escape that starts
// a terminal control sequence (ESC or CSI, in any spelling Go accepts).
var cursorCode = regexp.MustCompile(`\\(x1[bB]|033|u001[bB]|x9[bB]|u009[bB])`)

// escapeCodeProblems lists the lines of src (a file of name) that write
// terminal control codes themselves.
func escapeCodeProblems(name string, src []byte) []string {
	var out []string
	for i, line := range strings.Split(string(src), "\n") {
		if cursorCode.MatchString(line) {
			out = append(out, fmt.Sprintf("%s:%d: terminal escape code in a command; use iostreams.ProgressLine or render.Styles", name, i+1))
		}
	}
	return out
}

// TestCommandsWriteNoEscapeCodes: commands move the cursor only through
// iostreams.ProgressLine and colour only through render.Styles, so the
// TTY and NO_COLOR rules hold in one place.
func TestCommandsWriteNoEscapeCodes(t *testing.T) {
	root := filepath.Join("..", "commands")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, p := range escapeCodeProblems(path, src) {
			t.Error(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The check itself: each spelling of ESC is caught, a byte compare is not.
	for _, bad := range []string{`"\r\x1b[K"`, `"\033[2J"`, `"\u001b[0m"`, `"\x9b31m"`} {
		if len(escapeCodeProblems("x.go", []byte(bad))) != 1 {
			t.Errorf("%s not caught", bad)
		}
	}
	if p := escapeCodeProblems("x.go", []byte("if s[i] == 0x1b {")); len(p) != 0 {
		t.Errorf("byte compare flagged: %v", p)
	}
}
