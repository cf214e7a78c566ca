package common

import "testing"

func TestReads(t *testing.T) {
	var r Reads
	s1, ok := r.Begin()
	if !ok || !r.Busy() {
		t.Fatal("the first read did not start")
	}
	if _, ok := r.Begin(); ok {
		t.Fatal("a second read started while one was under way")
	}
	if !r.Current(s1) {
		t.Fatal("the read under way is not current")
	}
	if !r.End() {
		t.Fatal("the Load asked meanwhile was lost")
	}
	s2, ok := r.Begin()
	if !ok || r.Current(s1) || !r.Current(s2) {
		t.Fatal("an overtaken read still counts")
	}
	r.Begin()
	r.Forget()
	if r.End() {
		t.Fatal("a forgotten Load came back")
	}
}
