package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"contactdesk/model"
)

// maxLimit bounds history --limit: far more entries than anyone reads.
const maxLimit = 1_000_000

type historyOptions struct {
	a       *app
	As      string
	JSON    bool
	Service string
	Limit   int
	Support bool
}

func newCmdHistory(a *app, runF func(*historyOptions) error) *cobra.Command {
	o := &historyOptions{a: a}
	cmd := &cobra.Command{
		Use:         "history",
		Annotations: map[string]string{usageFlags: "--as HANDLE [--service NAME] | --support [--limit N] [--json]"},
		Short:       "What was done to your services and requests",
		Long: `Who did what, and when, to the services you hold a role on and the requests
you are a party to, newest first. With --support (and no --as): what
support staff did, as nobody's account — the desk's settings, API keys,
accounts and services added or imported.`,
		Example: `contactdesk history --as xx11111-ovh --limit 20
contactdesk history --as xx11111-ovh --service xara.pt --json
contactdesk history --support --limit 20`,
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Support && (o.As != "" || o.Service != "") {
				return misuse(cmd, "support_alone")
			}
			if runF != nil {
				return runF(o)
			}
			return history(o)
		},
	}
	asFlag(a, cmd, &o.As)
	jsonFlag(cmd, &o.JSON)
	cmd.Flags().StringVar(&o.Service, "service", "", "only this service's NAME")
	cmd.Flags().Var(newInt(&o.Limit, 0, 0, maxLimit, accepts("entries")), "limit", "at most N entries, newest first (0, or no --limit: all)")
	cmd.Flags().BoolVar(&o.Support, "support", false, "what support staff did (the desk's settings, API keys, accounts and services added), instead of an account's history")
	cmd.RegisterFlagCompletionFunc("service", a.completeServices)
	return cmd
}

func history(o *historyOptions) error {
	a := o.a
	var hs []model.HistoryEntry
	if o.Support {
		d, err := a.openRead()
		if err != nil {
			return err
		}
		if hs, err = d.SupportHistory(a.ctx, o.Limit); err != nil {
			return err
		}
	} else {
		d, h, err := a.readDeskAs(o.As)
		if err != nil {
			return err
		}
		if hs, err = d.History(a.ctx, h, model.HistoryFilter{Service: o.Service, Limit: o.Limit}); err != nil {
			return err
		}
	}
	if o.JSON {
		return writeJSON(a.stdout, mapJSON(hs, historyOut))
	}
	rows := make([][]string, 0, len(hs))
	for _, e := range hs {
		req := ""
		if e.RequestID != 0 {
			req = fmt.Sprintf("#%d", e.RequestID)
		}
		rows = append(rows, []string{a.l.DateTime(e.At), a.actorWord(e.Actor), a.action(e.Action), dash(e.Service), dash(req), model.DetailOf(e).In(a.l)})
	}
	a.table([]string{"at", "actor", "action", "service", "request", "detail"}, rows)
	return nil
}
