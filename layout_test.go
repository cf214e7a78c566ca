package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProjectLayoutNamesEveryPackage: docs/project-layout.md, the page a
// developer who just cloned the repo reads to find their way, names every
// package down to two levels (storage/sqlite, tui/input…): in a row of
// its own, or in its parent's row (`smtptest`, `input/`). It had kept
// storage/ as "the SQLite store", from before storage/sqlstore and
// storage/sqlite, and had no word of tui/input.
func TestProjectLayoutNamesEveryPackage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("docs", "project-layout.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	rows := map[string]string{} // a row's package, without its slash: the row
	for _, l := range strings.Split(doc, "\n") {
		if name, ok := strings.CutPrefix(l, "| `"); ok {
			if name, _, ok = strings.Cut(name, "`"); ok {
				rows[strings.TrimSuffix(name, "/")] = l
			}
		}
	}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || path == "." {
			return err
		}
		if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") {
			return filepath.SkipDir
		}
		path = filepath.ToSlash(path)
		if strings.Count(path, "/") > 1 || !hasPackage(t, path) {
			return nil
		}
		if _, ok := rows[path]; ok {
			return nil
		}
		parent, base, _ := strings.Cut(path, "/")
		if row, ok := rows[parent]; ok && (strings.Contains(row, "`"+base+"`") || strings.Contains(row, "`"+base+"/`")) {
			return nil
		}
		t.Errorf("docs/project-layout.md names no package %s: neither a row of its own nor `%s` in the row of %s/", path, base, parent)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hasPackage says whether the folder holds Go code other than tests.
func hasPackage(t *testing.T, dir string) bool {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}
