package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"contactdesk/locale"
	"contactdesk/model"
	"contactdesk/model/text"
)

// The columns of the files import reads and export writes, in export's
// order: the required ones, then the optional ones.
var (
	accountColumns = csvColumns{required: []string{"handle", "name", "email"}, optional: []string{"owes", "lang"}}
	serviceColumns = csvColumns{required: []string{"name", "type", "admin", "tech", "billing"},
		optional: []string{"owner_holder", "owner_address", "owner_phone", "owner_email"}}
)

// maxShownLines is how many refused lines import lists before it counts
// the rest.
const maxShownLines = 20

func newCmdImport(a *app) *cobra.Command {
	return group("import", "Bring in accounts and services from CSV files",
		`Bring in the accounts and services a provider already has elsewhere, from CSV
files as spreadsheets write them (UTF-8; quoted fields, CRLF line ends and
a byte-order mark are fine). The first line names the columns, in any
order; - reads standard input.

Every line is checked with the rules of 'account add' and 'service add'.
Nothing is stored unless every line passes: otherwise the command lists
the refused lines (the first 20, then how many more), each with its number
and why, and exits 1. A line that is in the desk already, identical, is
skipped; one that differs is refused: an import never changes an account
or a service (changes of contact are requests). --dry-run checks and
reports without storing anything. Import the accounts before the services
that name them.`,
		`contactdesk import accounts accounts.csv --dry-run
contactdesk import accounts accounts.csv
contactdesk import services services.csv
contactdesk --db other.db init
contactdesk export accounts |
  contactdesk --db other.db import accounts -`,
		newCmdImportAccounts(a, nil),
		newCmdImportServices(a, nil),
	)
}

type importOptions struct {
	a      *app
	File   string
	DryRun bool
}

func newCmdImportAccounts(a *app, runF func(*importOptions) error) *cobra.Command {
	return newCmdImportOf(a, runF, "accounts", accountColumns,
		`Open accounts from a CSV file whose first line names the columns
handle,name,email and, optionally, owes (an amount, 42.50; empty: nothing
owed) and lang (pt, en or fr; empty: the desk's default-lang, else en). A
line that leaves owes or lang empty is not compared on them with an account already in the desk.`,
		`contactdesk import accounts accounts.csv --dry-run
contactdesk import accounts - < accounts.csv`)
}

func newCmdImportServices(a *app, runF func(*importOptions) error) *cobra.Command {
	return newCmdImportOf(a, runF, "services", serviceColumns,
		`Add services from a CSV file whose first line names the columns
name,type,admin,tech,billing and, optionally, a domain's owner details:
owner_holder, owner_address, owner_phone, owner_email (empty: the holder
and e-mail address are the admin's, as 'service add' makes them). The
contacts must be accounts of the desk. Each service gets a line in its
history saying it was imported.`,
		`contactdesk import services services.csv --dry-run
contactdesk import services services.csv`)
}

func newCmdImportOf(a *app, runF func(*importOptions) error, what string, cols csvColumns, long, example string) *cobra.Command {
	o := &importOptions{a: a}
	cmd := &cobra.Command{
		Use:                   what + " FILE",
		Annotations:           map[string]string{usageFlags: "[--dry-run]"},
		Short:                 "Import " + what + " from a CSV file (" + cols.String() + ")",
		Long:                  long,
		Example:               example,
		Args:                  exactArgs("FILE"),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			if strings.TrimSpace(o.File) == "" {
				return misuse(cmd, "empty_csv")
			}
			if runF != nil {
				return runF(o)
			}
			return runImport(o, what, cols)
		},
	}
	cmd.Flags().BoolVar(&o.DryRun, "dry-run", false, "check every line and report, storing nothing")
	return cmd
}

func runImport(o *importOptions, what string, cols csvColumns) error {
	a := o.a
	name := "standard input"
	r := a.stdin
	if o.File != "-" {
		if isDir(o.File) {
			return fails("csv_directory", locale.Args{"Path": o.File})
		}
		f, err := os.Open(o.File)
		if err != nil {
			return fails("cant_read", locale.Args{"Path": o.File}, errors.Unwrap(err))
		}
		defer f.Close()
		r, name = f, o.File
	}
	rows, bad, err := readCSV(r, name, cols)
	if err != nil {
		return err
	}
	var in model.Import
	for _, row := range rows {
		if what == "accounts" {
			in.Accounts = append(in.Accounts, model.AccountLine{Line: row.line, Handle: row.get("handle"), Name: row.get("name"),
				Email: row.get("email"), Owes: row.get("owes"), Lang: row.get("lang")})
		} else {
			in.Services = append(in.Services, model.ServiceLine{Line: row.line, Name: row.get("name"), Type: row.get("type"),
				Admin: row.get("admin"), Tech: row.get("tech"), Billing: row.get("billing"),
				Holder: row.get("owner_holder"), Address: row.get("owner_address"), Phone: row.get("owner_phone"), Email: row.get("owner_email")})
		}
	}
	var d *model.Desk
	if o.DryRun {
		d, err = a.openRead()
	} else {
		d, err = a.open(false)
	}
	if err != nil {
		return err
	}
	progress, cleared := func(int, int) {}, func() {}
	if a.stderrErases && len(rows) >= 1000 && len(bad) == 0 && !o.DryRun {
		progress = func(done, total int) {
			fmt.Fprint(a.stderr, "\r"+a.T("cli.import.progress_"+what, progressArgs(done, total)))
		}
		cleared = func() { fmt.Fprint(a.stderr, "\r\033[K") }
	}
	// A file with lines broken already is checked all the same, dry, so
	// that every bad line is listed at once.
	rep, err := d.Import(a.ctx, in, model.ImportOptions{DryRun: o.DryRun || len(bad) > 0, Progress: progress})
	cleared()
	var ie *model.ImportError
	if errors.As(err, &ie) {
		bad = append(bad, ie.Lines...)
	} else if err != nil {
		return err
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(x, y model.LineError) int { return x.Line - y.Line })
		for _, l := range bad[:min(len(bad), maxShownLines)] {
			fmt.Fprintf(a.stderr, "%s:%d: %s\n", inert(text.Line(name)), l.Line, message(model.Localize(l.Err, a.l)))
		}
		file := inert(text.Line(name))
		if n := len(bad) - maxShownLines; n > 0 {
			fmt.Fprintln(a.stderr, a.T("cli.import.more", locale.Args{"File": file, "N": locale.Number(n)}))
		}
		refused := locale.M("cli.import.refused", locale.Args{"File": name, "N": locale.Number(len(bad))})
		return &model.Error{Kind: model.ErrInvalid, Msg: refused.In(locale.For(locale.EN)), Text: refused}
	}
	added, skipped := rep.AccountsAdded, rep.AccountsSkipped
	if what == "services" {
		added, skipped = rep.ServicesAdded, rep.ServicesSkipped
	}
	// the count of those skipped is a message of its own, so that its
	// words agree with it: "1 já existente", "2 já existentes"
	n := locale.Args{"N": locale.Number(skipped)}
	args := locale.Args{"File": name, "Added": a.T("cli.import."+what, locale.Args{"N": locale.Number(added)})}
	if o.DryRun {
		args["Skipped"] = a.T("cli.import.already", n)
		fmt.Fprintln(a.out, a.T("cli.import.checked", args))
		return nil
	}
	args["Skipped"] = a.T("cli.import.skipped", n)
	fmt.Fprintln(a.out, a.T("cli.import.done", args))
	return nil
}

// csvColumns are the columns of a kind of file.
type csvColumns struct{ required, optional []string }

// all lists the columns in export's order.
func (c csvColumns) all() []string { return append(slices.Clone(c.required), c.optional...) }

// String writes the columns as the help says them: handle,name,email[,owes][,lang].
func (c csvColumns) String() string {
	s := strings.Join(c.required, ",")
	for _, o := range c.optional {
		s += "[," + o + "]"
	}
	return s
}

// csvRow is one line of a file: its number and its cells by column.
type csvRow struct {
	line  int
	cells map[string]string
}

func (r csvRow) get(col string) string { return r.cells[col] }

// readCSV reads a file of cols: the header, then every line. A line the
// CSV reader can't take (a stray quote, a wrong number of cells) is
// returned among the bad ones, to be listed with those the desk refuses;
// a header that isn't cols' is an error of its own.
//
// A file whose header is separated by semicolons and holds no comma is
// read with semicolons: spreadsheets set to Portuguese or French (where
// the comma is the decimal sign) save CSV that way.
func readCSV(r io.Reader, name string, cols csvColumns) ([]csvRow, []model.LineError, error) {
	tail := &lastLine{r: r}
	br := bufio.NewReader(tail)
	peek, _ := br.Peek(4096)
	first, _, _ := bytes.Cut(peek, []byte("\n"))
	cr := csv.NewReader(br)
	if bytes.ContainsRune(first, ';') && !bytes.ContainsRune(first, ',') {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1 // counted here, to name the line
	cr.ReuseRecord = true
	shown := inert(text.Line(name))
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fails("csv_empty", locale.Args{"File": shown, "Columns": cols.String()})
	}
	if err != nil {
		return nil, nil, fails("csv_problem", locale.Args{"File": shown, "Problem": csvProblem(err)})
	}
	index, err := headerIndex(header, cols)
	if err != nil {
		return nil, nil, fails("csv_header", locale.Args{"File": shown}, err)
	}
	var rows []csvRow
	var bad []model.LineError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			p := csvProblem(err)
			if _, end := br.Peek(1); errors.Is(pe.Err, csv.ErrQuote) && errors.Is(end, io.EOF) && (pe.Line > pe.StartLine || pe.Column > tail.length()) {
				// the reader ran to the end of the file inside a quoted
				// field: its closing quote is missing (the column it
				// gives is past the end of the line)
				p = locale.M("cli.fail.csv_unclosed", nil)
			}
			bad = append(bad, model.LineError{Line: pe.StartLine, Err: &model.Error{Kind: model.ErrInvalid, Msg: p.In(locale.For(locale.EN)), Text: p}})
			continue
		}
		if err != nil {
			return nil, nil, fails("cant_read", locale.Args{"Path": shown}, err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue // spreadsheets end files with empty rows
		}
		if len(rec) != len(index) {
			bad = append(bad, model.LineError{Line: line, Err: &model.Error{Kind: model.ErrInvalid,
				Msg: fmt.Sprintf("%d cells, where the first line names %d columns", len(rec), len(index))}})
			continue
		}
		row := csvRow{line: line, cells: make(map[string]string, len(index))}
		for i, col := range index {
			row.cells[col] = valueOfCell(rec[i])
		}
		rows = append(rows, row)
	}
	return rows, bad, nil
}

// headerIndex reads the first line: each cell names a column of cols
// (whatever its case, a byte-order mark before the first tolerated),
// each once, every required one there.
func headerIndex(header []string, cols csvColumns) ([]string, error) {
	index := make([]string, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(cols.all(), h):
			return nil, fails("not_a_column", locale.Args{"Column": locale.Quoted(text.Quote(h, 200)), "Columns": cols.String()})
		case slices.Contains(index, h):
			return nil, fails("column_twice", locale.Args{"Column": locale.Quoted(strconv.Quote(h))})
		}
		index[i] = h
	}
	for _, c := range cols.required {
		if !slices.Contains(index, c) {
			return nil, fails("no_column", locale.Args{"Column": locale.Quoted(strconv.Quote(c)), "Columns": cols.String()})
		}
	}
	return index, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// lastLine reads r, keeping the length in bytes of the last line read
// (without its end, \n or \r\n): where the CSV reader stopped when it
// met the end of the file.
type lastLine struct {
	r         io.Reader
	cur, prev int // the line being read, the one before it
	cr        bool
}

func (l *lastLine) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, b := range p[:n] {
		if b == '\n' {
			l.prev, l.cur = l.cur, 0
			if l.cr {
				l.prev--
			}
		} else {
			l.cur++
		}
		l.cr = b == '\r'
	}
	return n, err
}

// length is the last line's length: the line being read, or, the file
// ending with a line's end, the one before it.
func (l *lastLine) length() int {
	if l.cur > 0 {
		return l.cur
	}
	return l.prev
}

// csvProblem says what the CSV reader found wrong, without its own
// "record on line N" (the line is given beside it).
func csvProblem(err error) locale.Message {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			return locale.M("cli.fail.csv_quote", locale.Args{"Column": pe.Column})
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return locale.M("cli.fail.csv_bare_quote", locale.Args{"Column": pe.Column})
		}
		err = pe.Err
	}
	return locale.M("cli.fail.as_is", locale.Args{"Text": err.Error()})
}
