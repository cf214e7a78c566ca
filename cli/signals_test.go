package cli

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
)

// TestAnInterruptedCommandSaysSo: a command whose context a signal
// cancelled (NotifySignals) says it was interrupted, in the reader's
// language, rather than "context canceled", and ends with the code of a
// program the signal killed (Main then dies of it); a misuse stays one.
func TestAnInterruptedCommandSaysSo(t *testing.T) {
	d := seeded(t)
	for _, c := range []struct {
		sig  syscall.Signal
		lang string
		args []string
		code int
		says string
	}{
		{syscall.SIGINT, "C", []string{"services", "--as", "ad11111-ovh"}, 130, "contactdesk: interrupted (SIGINT): nothing was changed\n"},
		{syscall.SIGTERM, "C", []string{"profile", "set-lang", "pt", "--as", "ad11111-ovh"}, 143, "contactdesk: interrupted (SIGTERM): nothing was changed\n"},
		{syscall.SIGINT, "pt_PT.UTF-8", []string{"services", "--as", "ad11111-ovh"}, 130, "contactdesk: interrompido (SIGINT): nada foi alterado\n"},
		{syscall.SIGINT, "C", []string{"services", "--as", "ad11111-ovh", "--bogus"}, 2, "contactdesk: unknown flag --bogus\n"},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{c.sig})
		var out, errb bytes.Buffer
		env := map[string]string{"LANG": c.lang}
		for k, v := range d.env {
			env[k] = v
		}
		code := Run(ctx, c.args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
		if code != c.code || !strings.HasPrefix(errb.String(), c.says) || out.Len() != 0 {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want %d, %q", c.sig, c.args, code, out.String(), errb.String(), c.code, c.says)
		}
	}
	if out := d.ok("services", "--as", "ad11111-ovh"); !strings.Contains(out, "example.com") {
		t.Errorf("services: %s", out)
	}
}
