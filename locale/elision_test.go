package locale

import "testing"

// TestFrenchElides: French writes de, le, la, que elided before an
// argument that begins with a vowel sound ("d'example.com"), in a
// message written without text/template and in one with a plural; not
// before a consonant, an h (mute or not, which takes a dictionary), a
// code (a handle: ab12345-ovh), onze; and the other languages never.
func TestFrenchElides(t *testing.T) {
	fr, en, pt := For(FR), For(EN), For(PT)
	for _, c := range []struct {
		id   string
		args Args
		want string
	}{
		{"err.role.admin_only", Args{"Service": "example.com"}, "seul l'administrateur peut céder le rôle d'administrateur d'example.com"},
		{"err.role.admin_only", Args{"Service": "ovh-cloud-42"}, "seul l'administrateur peut céder le rôle d'administrateur d'ovh-cloud-42"},
		{"err.role.admin_only", Args{"Service": "Éole.fr"}, "seul l'administrateur peut céder le rôle d'administrateur d'Éole.fr"},
		{"err.role.admin_only", Args{"Service": "Yves.fr"}, "seul l'administrateur peut céder le rôle d'administrateur d'Yves.fr"},
		{"err.role.admin_only", Args{"Service": Text("ulysse.fr")}, "seul l'administrateur peut céder le rôle d'administrateur d'ulysse.fr"},
		{"err.role.admin_only", Args{"Service": "xara.pt"}, "seul l'administrateur peut céder le rôle d'administrateur de xara.pt"},
		{"err.role.admin_only", Args{"Service": "Yolanda.pt"}, "seul l'administrateur peut céder le rôle d'administrateur de Yolanda.pt"},
		{"err.role.admin_only", Args{"Service": "hosting.fr"}, "seul l'administrateur peut céder le rôle d'administrateur de hosting.fr"},
		{"err.role.admin_only", Args{"Service": "onze.fr"}, "seul l'administrateur peut céder le rôle d'administrateur de onze.fr"},
		{"err.role.admin_only", Args{"Service": "/srv/x"}, "seul l'administrateur peut céder le rôle d'administrateur de /srv/x"},
		{"err.request.not_found", Args{"ID": 3, "Handle": "ab12345-ovh"}, "aucune demande #3 parmi celles de ab12345-ovh"},
		{"err.request.not_found", Args{"ID": 3, "Handle": "xx11111-ovh"}, "aucune demande #3 parmi celles de xx11111-ovh"},
		{"mail.confirm.as", Args{"As": "administrateur"}, "Il vous est demandé de le confirmer en tant qu'administrateur."},
		{"cli.import.refused", Args{"N": 2, "File": "import.csv"}, "2 lignes d'import.csv refusées ; rien n'a été importé"},
		{"cli.import.refused", Args{"N": 1, "File": "accounts.csv"}, "1 ligne d'accounts.csv refusée ; rien n'a été importé"},
		{"cli.import.refused", Args{"N": 2, "File": "comptes.csv"}, "2 lignes de comptes.csv refusées ; rien n'a été importé"},
	} {
		// (no-break spaces before ; and : as French writes them)
		if got := fr.T(c.id, c.args); got != frenchPunctuation(c.want) {
			t.Errorf("fr %s %v:\n got %q\nwant %q", c.id, c.args, got, frenchPunctuation(c.want))
		}
	}
	if got := en.T("err.role.admin_only", Args{"Service": "example.com"}); got != "only the admin can hand over the admin role of example.com" {
		t.Errorf("en: %q", got)
	}
	if got := pt.T("err.request.not_found", Args{"ID": 3, "Handle": "example.com"}); got == "" || got[len(got)-len(" de example.com"):] != " de example.com" {
		t.Errorf("pt: %q", got)
	}
}

// TestElide: the word elided must stand alone, followed by one space.
func TestElide(t *testing.T) {
	for _, c := range []struct{ text, v, want string }{
		{"contact de ", "example.com", "contact d'"},
		{"De ", "example.com", "D'"},
		{"Que ", "ici", "Qu'"},
		{"(de ", "ici", "(d'"},
		{"le code ", "ici", "le code "},       // "code" ends in "de"
		{"aujourd'de ", "ici", "aujourd'de "}, // not a word of its own
		{"de", "ici", "de"},                   // no space: glued to the value
		{"de\u00a0", "ici", "d'"},
		{"de ", "", "de "},
		{"de ", "a1", "de "},
	} {
		if got, _ := elide(c.text, c.v); got != c.want {
			t.Errorf("elide(%q, %q) = %q, want %q", c.text, c.v, got, c.want)
		}
	}
}
