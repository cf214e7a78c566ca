package locale

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Numbers, amounts and dates are written here by hand rather than with
// golang.org/x/text/message: that package groups the digits of every
// number it prints ("request #12,345"), which would break ids and
// handles, and the desk needs few forms — an amount, a count, a date, a
// time — each written as its language does (CLDR's patterns for pt-PT,
// en and fr).

// separators of a language: decimal, grouping, and the least number of
// digits before grouping starts (CLDR's minimumGroupingDigits + 3).
type separators struct {
	decimal, group string
	groupFrom      int // digits; 0: never group
}

var seps = map[Lang]separators{
	// English keeps the desk's historic forms: 42.50 and 1000, never
	// grouped (scripts and people read them so already).
	EN: {decimal: ".", groupFrom: 0},
	// pt-PT groups with a no-break space from five digits on: 1234, 12 345.
	PT: {decimal: ",", group: "\u00a0", groupFrom: 5},
	// fr groups with a narrow no-break space from four digits on: 1 234.
	FR: {decimal: ",", group: "\u202f", groupFrom: 4},
}

func (l *Localizer) seps() separators { return seps[l.lang] }

// group writes the digits of a non-negative integer with the language's
// grouping.
func (l *Localizer) group(n int64) string {
	s := strconv.FormatInt(n, 10)
	sp := l.seps()
	if sp.groupFrom == 0 || len(s) < sp.groupFrom {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sp.group)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Number writes a count: 1000 in English, 1000 in Portuguese (12 345
// from five digits), 1 000 in French. Never use it for ids.
func (l *Localizer) Number(n int) string {
	if n < 0 {
		return "-" + l.group(-int64(n))
	}
	return l.group(int64(n))
}

// Amount writes an amount of cents in euros, the provider's currency:
// €42.50 in English, 42,50 € in Portuguese and in French (the JSON has
// the bare number).
func (l *Localizer) Amount(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	s := l.group(cents/100) + l.seps().decimal + strconv.FormatInt(cents%100/10, 10) + strconv.FormatInt(cents%10, 10)
	if l.lang == EN {
		s = "€" + s
	} else {
		s += "\u00a0€"
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Dates as each language writes them: 2026-03-02 in English (the desk's
// historic form, sorted as text), 02/03/2026 in Portuguese and French.
func (l *Localizer) dateLayout() string {
	if l.lang == EN {
		return "2006-01-02"
	}
	return "02/01/2006"
}

// Date writes the day of t, in UTC.
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(l.dateLayout())
}

// DateTime writes the day and minute of t, in UTC, without the zone:
// for lists that say once that times are UTC.
func (l *Localizer) DateTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(l.dateLayout() + " 15:04")
}

// Stamp writes a time in full, as mails do: "2026-11-25 10:13 UTC",
// "25/11/2026 10:13 UTC".
func (l *Localizer) Stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(l.dateLayout() + " 15:04 UTC")
}

// months are the names of the months, January first, as a date in words
// writes them (lower case in both languages).
var months = map[Lang][12]string{
	PT: {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"},
	FR: {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// Spelled writes a time in full as a sentence of a mail says it, the
// month in words: "17 de março de 2026, às 09:00 UTC" (à 01:00, for one
// o'clock), "17 mars 2026 à 09:00 UTC" (le 1er mars); in English, as
// Stamp. A mail reads as a letter, where 17/03/2026 09:00 UTC reads as a
// form; labels and lists keep Stamp, the shorter. (golang.org/x/text
// writes no dates; the two patterns are CLDR's long dates for pt-PT and
// fr, with its "às"/"à" for the time.)
func (l *Localizer) Spelled(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	t = t.UTC()
	month := months[l.lang][t.Month()-1]
	clock := t.Format("15:04") + " UTC"
	switch l.lang {
	case PT:
		at := "às"
		if t.Hour() == 1 {
			at = "à"
		}
		return fmt.Sprintf("%d de %s de %d, %s %s", t.Day(), month, t.Year(), at, clock)
	case FR:
		day := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			day = "1er"
		}
		return fmt.Sprintf("%s %s %d à %s", day, month, t.Year(), clock)
	}
	return l.Stamp(t)
}

// Ago writes t relative to now, as a list shows it: "just now", "5m ago",
// "3h ago", "2d ago" in English, "há 3 h", "il y a 3 h"; from a week on,
// the date.
func (l *Localizer) Ago(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return l.Date(t)
	case d < time.Minute:
		return l.T("fmt.ago.now")
	case d < time.Hour:
		return l.T("fmt.ago.minutes", Args{"N": int(d / time.Minute)})
	case d < 24*time.Hour:
		return l.T("fmt.ago.hours", Args{"N": int(d / time.Hour)})
	case d < 7*24*time.Hour:
		return l.T("fmt.ago.days", Args{"N": int(d / (24 * time.Hour))})
	}
	return l.Date(t)
}

// Brief writes t relative to now as a narrow column shows it: "now",
// "5m", "3h", "2d" in English, "5 min", "3 h", "2 d" in Portuguese, "5
// min", "3 h", "2 j" in French (6 cells at most); from a week on, the
// day without its year, as Date writes it ("02-18", "18/02"), and for
// another year than now's, the month and year, in 7 cells ("2025-12",
// "12/2025"). Those of Ago without "ago", "há", "il y a"; a time to
// come (this clock behind another node's) is a date, as Ago writes it.
func (l *Localizer) Brief(now, t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d >= 0 && d < time.Minute:
		return l.T("fmt.brief.now")
	case d >= 0 && d < time.Hour:
		return l.T("fmt.brief.minutes", Args{"N": int(d / time.Minute)})
	case d >= 0 && d < 24*time.Hour:
		return l.T("fmt.brief.hours", Args{"N": int(d / time.Hour)})
	case d >= 0 && d < 7*24*time.Hour:
		return l.T("fmt.brief.days", Args{"N": int(d / (24 * time.Hour))})
	}
	t = t.UTC()
	day, month := "02/01", "01/2006"
	if l.lang == EN {
		day, month = "01-02", "2006-01"
	}
	if t.Year() != now.UTC().Year() {
		return t.Format(month)
	}
	return t.Format(day)
}

// Until writes a time to come relative to now: "in 14d", "in 3h",
// "daqui a 3 h", "dans 3 h"; "past" once it is.
func (l *Localizer) Until(now, t time.Time) string {
	// Each to the nearest of its unit: a request made a moment ago for
	// 15 days expires "in 15d", not "in 14d".
	d := t.Sub(now)
	minutes, hours := (d+30*time.Second)/time.Minute, (d+30*time.Minute)/time.Hour
	switch {
	case d <= 0:
		return l.T("fmt.in.past")
	case minutes < 60:
		return l.T("fmt.in.minutes", Args{"N": max(1, int(minutes))})
	case hours < 48:
		return l.T("fmt.in.hours", Args{"N": int(hours)})
	}
	return l.T("fmt.in.days", Args{"N": int((d + 12*time.Hour) / (24 * time.Hour))})
}

// Duration writes a length of time as people say it: "15 days",
// "48 hours", "1 minute"; "15 dias", "15 jours". It uses the largest unit
// that divides it.
func (l *Localizer) Duration(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d >= day && d%day == 0:
		return l.T("fmt.duration.days", Args{"N": int64(d / day)})
	case d >= time.Hour && d%time.Hour == 0:
		return l.T("fmt.duration.hours", Args{"N": int64(d / time.Hour)})
	case d >= time.Minute && d%time.Minute == 0:
		return l.T("fmt.duration.minutes", Args{"N": int64(d / time.Minute)})
	}
	return l.T("fmt.duration.seconds", Args{"N": int64(d / time.Second)})
}

// Duration is a length of time written in the reader's language.
type Duration time.Duration

// In writes the duration.
func (d Duration) In(l *Localizer) string { return l.Duration(time.Duration(d)) }

// Amount is an amount of cents written in the reader's language.
type Amount int64

// In writes the amount.
func (a Amount) In(l *Localizer) string { return l.Amount(int64(a)) }

// Number is a count written in the reader's language.
type Number int

// In writes the count.
func (n Number) In(l *Localizer) string { return l.Number(int(n)) }

// Size writes a file's size in the largest unit it has a whole one of,
// a tenth shown: "812 B", "192.0 KB" in English; "192,0 KB" in
// Portuguese (the decimal comma, a no-break space as before an amount),
// "192,0 Ko" in French (octets).
func (l *Localizer) Size(bytes int64) string {
	units, space := []string{"B", "KB", "MB", "GB"}, "\u00a0"
	switch l.lang {
	case EN:
		space = " "
	case FR:
		units = []string{"o", "Ko", "Mo", "Go"}
	}
	if bytes < 1024 {
		return l.Number(int(bytes)) + space + units[0]
	}
	f, i := float64(bytes)/1024, 1
	for f >= 1024 && i < len(units)-1 {
		f, i = f/1024, i+1
	}
	n := strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", l.seps().decimal, 1)
	return n + space + units[i]
}

// Size is a file's size in bytes, written in the reader's language.
type Size int64

// In writes the size.
func (s Size) In(l *Localizer) string { return l.Size(int64(s)) }

// Spelled is a time written in full, the month in words, as a mail's
// sentence says it (Localizer.Spelled).
type Spelled time.Time

// In writes the time.
func (s Spelled) In(l *Localizer) string { return l.Spelled(time.Time(s)) }

// Stamp is a time written in full in the reader's language.
type Stamp time.Time

// In writes the time.
func (s Stamp) In(l *Localizer) string { return l.Stamp(time.Time(s)) }

// List writes words joined as the language joins a list: "a, b and c",
// "a, b e c", "a, b et c". An item is a Word or anything fmt writes.
func (l *Localizer) List(items ...any) string {
	ws := make([]string, len(items))
	for i, it := range items {
		ws[i] = word(l, it)
	}
	switch len(ws) {
	case 0:
		return ""
	case 1:
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], l.T("fmt.list.sep")) + l.T("fmt.list.last") + ws[len(ws)-1]
}

// ListOf is a list written in the reader's language (List).
type ListOf []any

// In writes the list.
func (ws ListOf) In(l *Localizer) string { return l.List(ws...) }

// Joined is words joined by Sep in every language ("tech+billing").
type Joined struct {
	Words []any
	Sep   string
}

// In writes the words.
func (j Joined) In(l *Localizer) string {
	ws := make([]string, len(j.Words))
	for i, w := range j.Words {
		ws[i] = word(l, w)
	}
	return strings.Join(ws, j.Sep)
}

// Capital is a Word written with its first letter in capitals, as at
// the start of a line.
type Capital struct{ W any }

// In writes the word, capitalised.
func (c Capital) In(l *Localizer) string { return Capitalize(word(l, c.W)) }

// Capitalize returns s with its first letter in capitals.
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// word writes one item of a list: a Word in l's language, a string as it
// is, anything else as fmt writes it.
func word(l *Localizer, it any) string {
	switch v := it.(type) {
	case Word:
		return v.In(l)
	case string:
		return v
	case fmtStringer:
		return v.String()
	}
	return fmt.Sprint(it)
}

type fmtStringer interface{ String() string }

// Ordinal writes the n-th: 5th, 5.º, 5e.
func (l *Localizer) Ordinal(n int) string {
	switch l.lang {
	case PT:
		return strconv.Itoa(n) + ".º"
	case FR:
		if n == 1 {
			return "1er"
		}
		return strconv.Itoa(n) + "e"
	}
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// Ordinal is the n-th, written in the reader's language.
type Ordinal int

// In writes the ordinal.
func (o Ordinal) In(l *Localizer) string { return l.Ordinal(int(o)) }
