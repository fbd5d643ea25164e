package credstore

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Child processes of TestStoreLockAcrossProcesses run this test binary with
// these variables set.
const (
	envHammerDir   = "LCWH_TEST_HAMMER_DIR"
	envHammerMode  = "LCWH_TEST_HAMMER_MODE"
	envHammerChild = "LCWH_TEST_HAMMER_CHILD"
	hammerRounds   = 40
)

// TestHammerChild is not a test on its own: it is the body of the child
// processes TestStoreLockAcrossProcesses starts.
func TestHammerChild(t *testing.T) {
	dir := os.Getenv(envHammerDir)
	if dir == "" {
		t.Skip("runs as a child of TestStoreLockAcrossProcesses")
	}
	s, err := Open(os.Getenv(envHammerMode), dir, brokenKeyring{})
	if err != nil {
		t.Fatal(err)
	}
	me := os.Getenv(envHammerChild)
	for i := range hammerRounds {
		// A counter every child increments: a lost update shows as a
		// final count below children × rounds.
		err := s.Update("shared", func(cur *Record) (*Record, error) {
			n := 0
			if cur != nil {
				n, _ = strconv.Atoi(cur.AccessToken)
			}
			next := sample()
			next.AccessToken = strconv.Itoa(n + 1)
			return next, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// And a profile of its own: a plain Set must not drop another
		// process's profiles either.
		if err := s.Set(fmt.Sprintf("%s-%d", me, i), sample()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStoreLockAcrossProcesses runs two real processes that hammer one
// credentials file with read-modify-writes: every update of each survives.
func TestStoreLockAcrossProcesses(t *testing.T) {
	if os.Getenv(envHammerDir) != "" {
		t.Skip("child")
	}
	for _, mode := range []string{ModeFile, ModeAuto} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			children := []string{"a", "b"}
			var cmds []*exec.Cmd
			var outs []*strings.Builder
			for _, c := range children {
				cmd := exec.Command(os.Args[0], "-test.run=^TestHammerChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), envHammerDir+"="+dir, envHammerMode+"="+mode, envHammerChild+"="+c)
				out := &strings.Builder{}
				cmd.Stdout, cmd.Stderr = out, out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds = append(cmds, cmd)
				outs = append(outs, out)
			}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Fatalf("child %s: %v\n%s", children[i], err, outs[i])
				}
			}
			s, err := Open(mode, dir, brokenKeyring{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Get("shared")
			if err != nil {
				t.Fatal(err)
			}
			if want := strconv.Itoa(len(children) * hammerRounds); got.AccessToken != want {
				t.Errorf("counter %s after %d children × %d updates: updates were lost", got.AccessToken, len(children), hammerRounds)
			}
			for _, c := range children {
				for i := range hammerRounds {
					if _, err := s.Get(fmt.Sprintf("%s-%d", c, i)); errors.Is(err, ErrNotFound) {
						t.Fatalf("profile %s-%d lost", c, i)
					}
				}
			}
		})
	}
}
