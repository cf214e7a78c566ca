package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/model"
	"contactdesk/model/text"
)

func newCmdExport(a *app) *cobra.Command {
	return group("export", "Write the accounts or the services out, as CSV or JSON",
		`Write every account, or every service, to standard output with the columns
'contactdesk import' reads: what one desk exports, another imports as it
was. Accounts carry what each owes (support staff's figure). In CSV, a
cell a spreadsheet would run as a formula (one beginning with = + - or @)
is written after an apostrophe, which import takes off.`,
		`contactdesk export accounts > accounts.csv
contactdesk export services --format json |
  jq '.[] | select(.type == "domain") | .name'
contactdesk --db other.db init
contactdesk export accounts |
  contactdesk --db other.db import accounts -`,
		newCmdExportOf(a, nil, "accounts", accountColumns),
		newCmdExportOf(a, nil, "services", serviceColumns),
	)
}

type exportOptions struct {
	a      *app
	Format string
}

// formatValue is --format: csv or json.
type formatValue struct{ s *string }

func (v formatValue) String() string { return *v.s }
func (v formatValue) Type() string   { return "format" }
func (v formatValue) Set(s string) error {
	s = strings.ToLower(strings.TrimSpace(s)) // JSON, as --type Domain or --lang FR
	if s != "csv" && s != "json" {
		return accepts("format")
	}
	*v.s = s
	return nil
}

func newCmdExportOf(a *app, runF func(*exportOptions) error, what string, cols csvColumns) *cobra.Command {
	o := &exportOptions{a: a, Format: "csv"}
	cmd := &cobra.Command{
		Use:         what,
		Annotations: map[string]string{usageFlags: "[--format csv|json]"},
		Short:       "Write every one of the " + what + " (" + cols.String() + ")",
		Long: `Write every one of the desk's ` + what + `, by ` + cols.required[0] + `, with the columns
` + cols.String() + ` (all of them), as CSV with a first line naming them, or
as JSON: an array of objects with the same keys. 'contactdesk import ` + what + `'
reads the CSV back.`,
		Example:               "contactdesk export " + what + " > " + what + ".csv\ncontactdesk export " + what + " --format json",
		Args:                  exactArgs(),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return runExport(o, what, cols)
		},
	}
	cmd.Flags().Var(formatValue{&o.Format}, "format", "the format: csv or json")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"csv", "json"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// exportRow writes one row of cols' cells, as CSV or as a JSON object.
type exportRow func(cells []string, owes model.Cents) error

func runExport(o *exportOptions, what string, cols csvColumns) error {
	a := o.a
	d, err := a.openRead()
	if err != nil {
		return err
	}
	// CSV with each cell cleaned (exportCSV), JSON as writeJSON writes
	// it: nothing read from the desk acts on a terminal. Neither goes
	// through a.out, which cleans what it is given as one text: the
	// buffer's 64 KiB writes cut a character in two at their ends (each
	// half became U+FFFD, "Brandão" exported as "Brand��o"), and an escape
	// sequence cleaned out of the CSV took the quotes after it along
	// (ESC then `""",` is one sequence to text.Clean), leaving a quoted
	// cell open that swallowed the rest of its row, and the next ones.
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	export := exportCSV
	if o.Format == "json" {
		export = exportJSON
	}
	write, end := export(w, cols)
	if what == "accounts" {
		as, err := d.Accounts(a.ctx)
		if err != nil {
			return err
		}
		for _, acc := range as {
			if err := write([]string{string(acc.Handle), acc.Name, acc.Email, acc.Owes.String(), string(acc.Lang)}, acc.Owes); err != nil {
				return err
			}
		}
	} else {
		err := d.EachService(a.ctx, func(s model.Service) error {
			var o model.Owner
			if s.Owner != nil {
				o = *s.Owner
			}
			return write([]string{s.Name, s.Type, string(s.Admin), string(s.Tech), string(s.Billing), o.Holder, o.Address, o.Phone, o.Email}, 0)
		})
		if err != nil {
			return err
		}
	}
	if err := end(); err != nil {
		return err
	}
	return w.Flush()
}

func exportCSV(w io.Writer, cols csvColumns) (exportRow, func() error) {
	cw := csv.NewWriter(w)
	names := cols.all()
	cw.Write(names)
	return func(cells []string, _ model.Cents) error {
			for i, c := range cells {
				// Cleaned before CSV quotes it, so that its quoting holds
				// (newlines, which quotes carry, are kept).
				c = text.Clean(c, true)
				if names[i] != "owner_phone" { // digits, spaces and + . - ( ): a phone is never a formula
					c = inertCell(c)
				}
				cells[i] = c
			}
			return cw.Write(cells)
		},
		func() error { cw.Flush(); return cw.Error() }
}

// A CSV export is opened in spreadsheets, which run a cell beginning
// with = + - or @ (or a tab or carriage return before them) as a formula:
// a customer's owner details or name, =HYPERLINK(…) or a DDE call, would
// run on the computer of whoever opens support's export. Such a cell is
// written after an apostrophe, which spreadsheets read as "this is text"
// (OWASP's advice on CSV injection), and import takes it off again, so
// that what one desk exports another imports as it was. A cell already
// beginning with apostrophes before such a character gets one more, so
// that taking one off always gives the value back.
const formulaStart = "=+-@\t\r"

func inertCell(c string) string {
	if rest := strings.TrimLeft(c, "'"); rest != "" && strings.ContainsRune(formulaStart, rune(rest[0])) {
		return "'" + c
	}
	return c
}

// valueOfCell undoes inertCell.
func valueOfCell(c string) string {
	if strings.HasPrefix(c, "'") && inertCell(c[1:]) == c {
		return c[1:]
	}
	return c
}

// exportJSON writes an array of objects, one a line, as it goes: an
// export of a million services is never held whole. Strings are made
// inert as writeJSON makes them.
func exportJSON(w io.Writer, cols csvColumns) (exportRow, func() error) {
	names := cols.all()
	first := true
	return func(cells []string, owes model.Cents) error {
			var b bytes.Buffer
			b.WriteString(",\n  {")
			if first {
				b.Reset()
				b.WriteString("[\n  {")
				first = false
			}
			for i, c := range cells {
				if i > 0 {
					b.WriteString(", ")
				}
				jsonString(&b, names[i])
				b.WriteString(": ")
				if names[i] == "owes" {
					b.WriteString(model.FormatAmount(owes)) // a number, as account list --json writes it
					continue
				}
				jsonString(&b, c)
			}
			b.WriteString("}")
			_, err := w.Write(escapeUnsafe(b.Bytes()))
			return err
		}, func() error {
			if first {
				_, err := io.WriteString(w, "[]\n")
				return err
			}
			_, err := io.WriteString(w, "\n]\n")
			return err
		}
}

// jsonString writes s as a JSON string, as writeJSON does (<, > and &
// left as they are).
func jsonString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}
