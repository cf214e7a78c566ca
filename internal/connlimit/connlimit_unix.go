//go:build unix

package connlimit

import "syscall"

// openFilesLimit is how many files the process may have open: the soft
// RLIMIT_NOFILE (unlimited is the largest number).
func openFilesLimit() (uint64, bool) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, false
	}
	return uint64(l.Cur), true // int64 on some BSDs
}
