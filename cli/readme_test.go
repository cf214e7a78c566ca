package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeSessionRuns: the command-line session the README shows, run
// on the demo desk 'go run .' makes, in its order, prints what the README
// says it prints (the lines it quotes; "…" stands for the rest) and
// exits 0. The line of request create said "by xx11111-ovh,
// cd67890-ovh", where the command says "by xx11111-ovh and cd67890-ovh".
// A command with a placeholder (a token "7K3Q-9XWM-…") is given the
// token of its mail instead.
func TestReadmeSessionRuns(t *testing.T) {
	buf, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(buf), "\n## The command line\n")
	if !ok {
		t.Fatal("the README has no section 'The command line'")
	}
	_, after, _ = strings.Cut(after, "\n```\n")
	session, _, _ := strings.Cut(after, "\n```\n")
	d := newDesk(t)
	d.ok("demo")
	type step struct {
		args []string
		want []string
	}
	var steps []step
	for _, line := range strings.Split(session, "\n") {
		if cmd, ok := strings.CutPrefix(line, "$ contactdesk "); ok {
			cmd, _, _ = strings.Cut(cmd, "#")
			steps = append(steps, step{args: strings.Fields(cmd)})
		} else if len(steps) > 0 && line != "…" {
			steps[len(steps)-1].want = append(steps[len(steps)-1].want, line)
		}
	}
	if len(steps) < 5 {
		t.Fatalf("%d commands in the README's session:\n%s", len(steps), session)
	}
	for _, s := range steps {
		args := s.args
		for i := range args {
			switch {
			case i > 0 && args[i-1] == "--db":
				args[i] = filepath.Join(d.dir, args[i])
			case strings.HasSuffix(args[i], "…") && i > 0 && args[i-1] == "--token":
				id, err := strconv.ParseInt(args[2], 10, 64) // request accept ID --as H --token …
				if err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				args[i] = d.token(args[i-2], id)
			}
		}
		out := d.ok(args...)
		got := strings.Split(out, "\n")
		for i, w := range s.want {
			if i >= len(got) || got[i] != w {
				t.Errorf("contactdesk %s: line %d is\n%q\nwhere the README shows\n%q", strings.Join(s.args, " "), i+1, strings.Join(got[min(i, len(got)-1):min(i+1, len(got))], ""), w)
			}
		}
	}
}
