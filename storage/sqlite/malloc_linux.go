package sqlite

/*
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
static void keepFreedMemory(int bytes) { mallopt(M_TRIM_THRESHOLD, bytes); }
#else
static void keepFreedMemory(int bytes) {}
#endif
*/
import "C"

// KeepFreedKiB is how much memory freed at the top of one of the C
// allocator's arenas it keeps for the next allocations rather than
// hand back to the kernel at once (glibc's M_TRIM_THRESHOLD; it was
// 128 KiB).
//
// SQLite empties a reader's page cache whenever another connection
// changed the file since its last read, so the first read after each
// write freed up to the cache's 2 MiB of pages and allocated them
// anew. glibc gave that memory back to the kernel at each free
// (madvise, which on a process with several threads also flushes the
// other cores' address caches) and took it back a page fault at a
// time: 5 to 6 % of the process's CPU in a run of request lives
// (perf, BENCHMARKS.md). Kept, it costs at most this much memory per
// arena that was in use anyway.
const KeepFreedKiB = 8 << 10

func init() { C.keepFreedMemory(C.int(KeepFreedKiB << 10)) }
