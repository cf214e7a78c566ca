package tui_test

import (
	"strings"
	"testing"

	"contactdesk/locale"
)

// TestServicesWholeBesideShortTypes: at 80 columns in French, Carlos
// Duarte's services (a domain, two VPS) show their names whole: the
// Type column was as wide as "hébergement", a type he has none of, and
// cut "vps-2c81d0e4.vps.ovh.n…" beside "VPS".
func TestServicesWholeBesideShortTypes(t *testing.T) {
	d := newDesk(t)
	a := start(t, d, "cd67890-ovh", 80, 24)
	s := a.waitText(a.T("tui.services.info", locale.Args{"Shown": 3, "Total": 3, "Role": a.T("tui.services.role_all"), "Sort": a.T("tui.services.sort.name")}))
	checkFrame(t, s, 80, 24)
	for _, name := range []string{"duarte-consulting.com", "vps-2c81d0e4.vps.ovh.net", "vps-7f3a21c9.vps.ovh.net"} {
		if !strings.Contains(s, name+" ") {
			t.Errorf("%s is not shown whole:\n%s", name, s)
		}
	}
}
