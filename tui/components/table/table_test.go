package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"contactdesk/tui/styles"
)

func rows(n int) []Row {
	rs := make([]Row, n)
	for i := range rs {
		rs[i] = Row{Key: int64(i + 100), Cells: []string{fmt.Sprintf("service-%06d.example.com", i), "domain"}}
	}
	return rs
}

func newTable(w, h int) *Model {
	m := New(styles.Default(), Column{Title: "Service", Min: 10}, Column{Title: "Type", Width: 9}, Column{Title: "Wide only", Width: 9, From: 60})
	m.SetSize(w, h)
	return m
}

func TestOnlyVisibleRowsAreDrawn(t *testing.T) {
	m := newTable(40, 6)
	m.SetRows(rows(100_000))
	v := ansi.Strip(m.View())
	lines := strings.Split(v, "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want the table's height 6:\n%s", len(lines), v)
	}
	if !strings.Contains(lines[1], "service-000000") || strings.Contains(v, "service-000005") {
		t.Fatalf("not the first five rows:\n%s", v)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 40 {
			t.Fatalf("line %d is %d wide, want 40: %q", i, w, l)
		}
	}
	if strings.Contains(v, "Wide only") {
		t.Fatal("a column meant for wide tables shows at 40 columns")
	}
}

func TestCursorScrollsAndStaysOnItsRow(t *testing.T) {
	m := newTable(80, 6)
	m.SetRows(rows(1000))
	m.Move(7) // the 8th row: the list has scrolled by 3
	v := ansi.Strip(m.View())
	if !strings.HasPrefix(strings.Split(v, "\n")[5], ">  service-000007") {
		t.Fatalf("the cursor row is not the last visible one:\n%s", v)
	}
	if !strings.Contains(v, "Wide only") {
		t.Fatal("a column meant for wide tables is hidden at 80 columns")
	}
	// a reload without the rows before it keeps the cursor on its row
	m.SetRows(rows(1000)[5:])
	if r, _ := m.Selected(); r.Key != 107 {
		t.Fatalf("the cursor moved to key %d, want 107", r.Key)
	}
	m.SetRows(rows(3))
	if m.Cursor() != 2 {
		t.Fatalf("cursor %d past the end of 3 rows", m.Cursor())
	}
	m.SetRows(nil)
	if !strings.Contains(ansi.Strip(m.View()), "nothing to show") {
		t.Fatal("an empty table says nothing")
	}
}

func TestCellsAreCutNeverWrapped(t *testing.T) {
	m := newTable(30, 3)
	m.SetRows([]Row{{Key: 1, Cells: []string{"a-very-long-service-name-that-does-not-fit.example.com", "dedicated-server"}}})
	v := ansi.Strip(m.View())
	if n := len(strings.Split(v, "\n")); n != 3 {
		t.Fatalf("%d lines, want 3:\n%s", n, v)
	}
	if !strings.Contains(v, "…") {
		t.Fatalf("a long cell is not cut with …:\n%s", v)
	}
}

// TestListCellKeepsWholeItems: a List column too narrow for a cell shows
// its first items whole and counts the others, never a cut item.
func TestListCellKeepsWholeItems(t *testing.T) {
	m := New(styles.Default(), Column{Title: "ID", Width: 3}, Column{Title: "Awaiting", Min: 14, List: true})
	m.SetSize(3+3+1+14, 5)
	m.SetRows([]Row{
		{Key: 1, Cells: []string{"#1", "you, gh13579-ovh"}},
		{Key: 2, Cells: []string{"#2", "yy22222-ovh, zz33333-ovh, ab12345-ovh"}},
		{Key: 3, Cells: []string{"#3", "yy22222-ovh"}},
		{Key: 4, Cells: []string{"#4", "you, ab, cd"}},
	})
	v := ansi.Strip(m.View())
	for _, want := range []string{"#1  you +1 ", "#2  yy22222-ovh +2", "#3  yy22222-ovh ", "#4  you, ab, cd "} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, v)
		}
	}
	if strings.Contains(v, "…") {
		t.Errorf("a cell is cut:\n%s", v)
	}
}

// TestListCellKeepsItsCount: a List column too narrow for even its
// first item and the count of the others cuts that item and keeps the
// count ("adm… +1"): a request of several roles at 80 columns read
// "admin.…" in Portuguese, its second role not even counted.
func TestListCellKeepsItsCount(t *testing.T) {
	m := New(styles.Default(), Column{Title: "ID", Width: 3}, Column{Title: "Roles", Width: 7, List: true})
	m.SetSize(3+3+1+7, 5)
	m.SetRows([]Row{
		{Key: 1, Cells: []string{"#1", "admin., fatur."}},
		{Key: 2, Cells: []string{"#2", "técnico, fatur., admin."}},
		{Key: 3, Cells: []string{"#3", "fatur."}},
		{Key: 4, Cells: []string{"#4", "tech +1"}},
	})
	v := ansi.Strip(m.View())
	for _, want := range []string{"#1  adm… +1", "#2  téc… +2", "#3  fatur. ", "#4  tech +1"} {
		if !strings.Contains(v, want) {
			t.Errorf("no %q in:\n%s", want, v)
		}
	}
}

// TestFitColumnGrowsToItsCellsLast: a flexible Fit column grows with the
// others up to its Max, no wider than its widest cell; past its Max,
// up to its widest cell, only once the others have all their room.
func TestFitColumnGrowsToItsCellsLast(t *testing.T) {
	m := New(styles.Default(),
		Column{Title: "A", Min: 10, Max: 20},
		Column{Title: "B", Min: 7, Max: 10, Fit: true},
		Column{Title: "C", Min: 10, Max: 20},
	)
	width := func(w int, widest int) int {
		m.SetFit([]int{1}, []int{widest})
		m.SetSize(w, 5)
		return m.ColumnWidth(1)
	}
	// 3 of gutter, 2 between: 5, and 27 of Min
	if got := width(32+8, 6); got != 7 {
		t.Errorf("cells of 6: B is %d wide, want its Min, 7", got)
	}
	if got := width(32+8, 9); got != 9 {
		t.Errorf("cells of 9, A and C short of their Max: B is %d wide, want 9", got)
	}
	if got := width(32+30, 9); got != 10 {
		t.Errorf("cells of 9, A and C at their Max: B is %d wide, want its Max, 10", got)
	}
	if got := width(50, 23); got != 10 {
		t.Errorf("cells of 23, A and C short of their Max: B is %d wide, want its Max, 10", got)
	}
	if got := width(60, 23); got != 15 {
		t.Errorf("cells of 23, A and C at their Max, 5 cells left: B is %d wide, want 10+5", got)
	}
	if got := width(100, 23); got != 23 {
		t.Errorf("cells of 23, room for all: B is %d wide, want 23", got)
	}
}

// A column with Until is drawn while the table is narrower only, where
// one with the same From is hidden: a narrow table shows the same text
// in fewer cells ("6h" for "6h ago").
func TestUntilColumnShowsOnlyWhenNarrow(t *testing.T) {
	m := New(styles.Default(),
		Column{Title: "Service", Min: 10},
		Column{Title: "Wide", Width: 8, From: 60},
		Column{Title: "Narrow", Width: 6, Until: 60})
	m.SetRows([]Row{{Key: 1, Cells: []string{"web.example", "6h ago", "6h"}}})
	for _, c := range []struct {
		w           int
		show, hide  string
		wide, small int
	}{{40, "6h", "6h ago", 0, 6}, {60, "6h ago", "Narrow", 8, 0}, {80, "6h ago", "Narrow", 8, 0}} {
		m.SetSize(c.w, 3)
		v := ansi.Strip(m.View())
		if !strings.Contains(v, c.show) || strings.Contains(v, c.hide) {
			t.Errorf("%d wide: want %q, not %q:\n%s", c.w, c.show, c.hide, v)
		}
		if m.ColumnWidth(1) != c.wide || m.ColumnWidth(2) != c.small {
			t.Errorf("%d wide: columns %d and %d wide, want %d and %d", c.w, m.ColumnWidth(1), m.ColumnWidth(2), c.wide, c.small)
		}
	}
	if got := m.MinWidth(); got != 3+10+1+6 {
		t.Errorf("MinWidth %d, want 3+10+1+6: the narrow column counted, the wide one not", got)
	}
}

// TestCutCellsGrowBeforeBlanks: two Fit columns short of room, one whose
// cells are narrower than its Max (a Service column of short names) and
// one whose widest cell is past its Max (a Roles column of two roles):
// the room goes to the cut cells first, and the short column grows no
// wider than its cells while the other is cut; with room for all, both
// grow as before, to their Max and to their widest cell.
func TestCutCellsGrowBeforeBlanks(t *testing.T) {
	m := New(styles.Default(),
		Column{Title: "Service", Min: 10, Max: 40, Fit: true},
		Column{Title: "Roles", Min: 7, Max: 10, Fit: true, List: true},
	)
	m.SetRows([]Row{{Key: 1, Cells: []string{"mx-xara", "tech, billing"}}, {Key: 2, Cells: []string{"vps-7f3a21c9.vps", "admin"}}})
	m.SetFit(m.Fitting(), Widest(m.Rows(), m.Fitting()))
	// 3 of gutter, 1 between: 4; 16 and 13 of cells
	m.SetSize(4+16+13, 5)
	if s, r := m.ColumnWidth(0), m.ColumnWidth(1); s != 16 || r != 13 {
		t.Errorf("room for both columns' cells: Service %d and Roles %d wide, want 16 and 13", s, r)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "tech, billing") {
		t.Errorf("the roles cut though the row has the room:\n%s", v)
	}
	m.SetSize(4+16+11, 5)
	if s, r := m.ColumnWidth(0), m.ColumnWidth(1); s != 16 || r != 11 {
		t.Errorf("2 cells short: Service %d and Roles %d wide, want 16 and 11", s, r)
	}
	m.SetSize(4+60, 5)
	if s, r := m.ColumnWidth(0), m.ColumnWidth(1); s != 40 || r != 13 {
		t.Errorf("room for all: Service %d and Roles %d wide, want its Max, 40, and 13", s, r)
	}
}

// TestFixedFitColumnStopsAtItsMax: a fixed Fit column with a Max (the
// Services tab's Type) is as wide as its widest cell, its title and
// its Width, never wider than its Max: a narrower column for short
// cells leaves the room to the others, and a cell of another making,
// longer, is cut at the Max.
func TestFixedFitColumnStopsAtItsMax(t *testing.T) {
	m := New(styles.Default(),
		Column{Title: "Service", Min: 10, Max: 40, Fit: true},
		Column{Title: "Type", Width: 3, Fit: true, Max: 11},
	)
	for _, c := range []struct {
		types []string
		want  int
	}{
		{[]string{"VPS", "domaine"}, 7},
		{[]string{"VPS"}, 4}, // its title
		{[]string{"hébergement"}, 11},
		{[]string{"a type of some other making"}, 11},
	} {
		rows := make([]Row, len(c.types))
		for i, ty := range c.types {
			rows[i] = Row{Key: int64(i), Cells: []string{"vps-2c81d0e4.vps.ovh.net", ty}}
		}
		m.SetRows(rows)
		m.SetFit(m.Fitting(), Widest(rows, m.Fitting()))
		m.SetSize(3+24+1+c.want, 5)
		if got := m.ColumnWidth(1); got != c.want {
			t.Errorf("types %q: Type is %d wide, want %d", c.types, got, c.want)
		}
		if got := m.ColumnWidth(0); got != 24 {
			t.Errorf("types %q: Service is %d wide, want 24, its name whole", c.types, got)
		}
		if got := m.MinWidth(); got != 3+10+1+c.want {
			t.Errorf("types %q: MinWidth %d, want %d", c.types, got, 3+10+1+c.want)
		}
	}
}
