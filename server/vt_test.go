package server

import (
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// screen is a small terminal emulator for the tests: enough of VT100 and
// xterm to follow what Bubble Tea's renderer draws, so a test reads the
// screen a user would see rather than a stream of escape codes.
type screen struct {
	mu             sync.Mutex
	w, h           int
	cells          [][]rune
	x, y           int
	top, bottom    int // scrolling region, inclusive
	savedX, savedY int
	wrapNext       bool // the last column was written: the next rune goes on the next line
	p              *ansi.Parser
	changed        chan struct{} // closed and replaced at every write
}

func newScreen(w, h int) *screen {
	s := &screen{changed: make(chan struct{})}
	s.resize(w, h)
	s.p = ansi.NewParser()
	s.p.SetHandler(ansi.Handler{Print: s.print, Execute: s.execute, HandleCsi: s.csi, HandleEsc: s.esc})
	return s
}

func (s *screen) resize(w, h int) {
	cells := make([][]rune, h)
	for y := range cells {
		cells[y] = []rune(strings.Repeat(" ", w))
		if y < len(s.cells) {
			copy(cells[y], s.cells[y])
		}
	}
	s.w, s.h, s.cells, s.top, s.bottom = w, h, cells, 0, h-1
	s.x, s.y = min(s.x, w-1), min(s.y, h-1)
}

// Write feeds the emulator what the server sent.
func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	s.p.Parse(b)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	return len(b), nil
}

// Resize follows the client's window.
func (s *screen) Resize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resize(w, h)
}

// Text is the screen, lines without trailing blanks.
func (s *screen) Text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := make([]string, s.h)
	for y, l := range s.cells {
		lines[y] = strings.TrimRight(strings.ReplaceAll(string(l), "\x00", ""), " ")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// Changed is closed at the next write.
func (s *screen) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

func (s *screen) print(r rune) {
	wd := ansi.StringWidth(string(r))
	if wd == 0 {
		return
	}
	if s.wrapNext || s.x+wd > s.w {
		s.x = 0
		s.lineFeed()
	}
	s.wrapNext = false
	s.cells[s.y][s.x] = r
	if wd == 2 && s.x+1 < s.w {
		s.cells[s.y][s.x+1] = 0
	}
	if s.x+wd >= s.w {
		s.x, s.wrapNext = s.w-1, true
	} else {
		s.x += wd
	}
}

func (s *screen) execute(b byte) {
	s.wrapNext = false
	switch b {
	case '\r':
		s.x = 0
	case '\n', '\v', '\f':
		s.lineFeed()
	case '\b':
		s.x = max(0, s.x-1)
	case '\t':
		s.x = min(s.w-1, (s.x/8+1)*8)
	}
}

func (s *screen) lineFeed() {
	if s.y == s.bottom {
		s.scrollUp(1)
		return
	}
	s.y = min(s.h-1, s.y+1)
}

func (s *screen) blank() []rune { return []rune(strings.Repeat(" ", s.w)) }

func (s *screen) scrollUp(n int) {
	for range n {
		copy(s.cells[s.top:s.bottom+1], s.cells[s.top+1:s.bottom+1])
		s.cells[s.bottom] = s.blank()
	}
}

func (s *screen) scrollDown(n int) {
	for range n {
		copy(s.cells[s.top+1:s.bottom+1], s.cells[s.top:s.bottom])
		s.cells[s.top] = s.blank()
	}
}

func (s *screen) esc(cmd ansi.Cmd) {
	s.wrapNext = false
	switch cmd.Final() {
	case '7':
		s.savedX, s.savedY = s.x, s.y
	case '8':
		s.x, s.y = s.savedX, s.savedY
	case 'D':
		s.lineFeed()
	case 'M':
		if s.y == s.top {
			s.scrollDown(1)
		} else {
			s.y = max(0, s.y-1)
		}
	case 'E':
		s.x = 0
		s.lineFeed()
	}
}

func (s *screen) csi(cmd ansi.Cmd, params ansi.Params) {
	wrap := s.wrapNext
	s.wrapNext = false
	if cmd.Prefix() != 0 {
		// Private modes: the alternate screen starts blank.
		if cmd.Prefix() == '?' && (cmd.Final() == 'h' || cmd.Final() == 'l') {
			params.ForEach(0, func(_, p int, _ bool) {
				if p == 1049 || p == 47 || p == 1047 {
					s.clear(0, 0, s.w, s.h)
				}
			})
		}
		return
	}
	n := func(i, def int) int {
		v, _, ok := params.Param(i, def)
		if !ok || v == 0 {
			return def
		}
		return v
	}
	switch cmd.Final() {
	case 'A':
		s.y = max(0, s.y-n(0, 1))
	case 'B', 'e':
		s.y = min(s.h-1, s.y+n(0, 1))
	case 'C', 'a':
		s.x = min(s.w-1, s.x+n(0, 1))
	case 'D':
		s.x = max(0, s.x-n(0, 1))
	case 'E':
		s.x, s.y = 0, min(s.h-1, s.y+n(0, 1))
	case 'F':
		s.x, s.y = 0, max(0, s.y-n(0, 1))
	case 'G', '`':
		s.x = min(s.w-1, n(0, 1)-1)
	case 'd':
		s.y = min(s.h-1, n(0, 1)-1)
	case 'H', 'f':
		s.y, s.x = min(s.h-1, n(0, 1)-1), min(s.w-1, n(1, 1)-1)
	case 'K':
		switch v, _, _ := params.Param(0, 0); v {
		case 0:
			s.clear(s.x, s.y, s.w, s.y+1)
		case 1:
			s.clear(0, s.y, s.x+1, s.y+1)
		case 2:
			s.clear(0, s.y, s.w, s.y+1)
		}
	case 'J':
		switch v, _, _ := params.Param(0, 0); v {
		case 0:
			s.clear(s.x, s.y, s.w, s.y+1)
			s.clear(0, s.y+1, s.w, s.h)
		case 1:
			s.clear(0, 0, s.w, s.y)
			s.clear(0, s.y, s.x+1, s.y+1)
		case 2, 3:
			s.clear(0, 0, s.w, s.h)
		}
	case 'X':
		s.clear(s.x, s.y, min(s.w, s.x+n(0, 1)), s.y+1)
	case '@':
		k := min(n(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x+k:], row[s.x:s.w-k])
		for i := s.x; i < s.x+k; i++ {
			row[i] = ' '
		}
	case 'P':
		k := min(n(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x:], row[s.x+k:])
		for i := s.w - k; i < s.w; i++ {
			row[i] = ' '
		}
	case 'L':
		if s.y >= s.top && s.y <= s.bottom {
			top := s.top
			s.top = s.y
			s.scrollDown(n(0, 1))
			s.top = top
		}
	case 'M':
		if s.y >= s.top && s.y <= s.bottom {
			top := s.top
			s.top = s.y
			s.scrollUp(n(0, 1))
			s.top = top
		}
	case 'S':
		s.scrollUp(n(0, 1))
	case 'T':
		s.scrollDown(n(0, 1))
	case 'r':
		s.top, s.bottom = n(0, 1)-1, min(s.h, n(1, s.h))-1
		s.x, s.y = 0, 0
	case 'b':
		if s.x > 0 || wrap {
			r := s.cells[s.y][s.x]
			if !wrap {
				r = s.cells[s.y][s.x-1]
			}
			s.wrapNext = wrap
			for range n(0, 1) {
				s.print(r)
			}
		}
	}
}

func (s *screen) clear(x0, y0, x1, y1 int) {
	for y := max(0, y0); y < min(s.h, y1); y++ {
		for x := max(0, x0); x < min(s.w, x1); x++ {
			s.cells[y][x] = ' '
		}
	}
}
