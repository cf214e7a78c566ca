package locale_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/template"

	"contactdesk/locale"
)

// TestCatalogues: every language has every message of the English
// catalogue and no other, each with the same named arguments, and every
// form of every message is a template that runs with those arguments.
func TestCatalogues(t *testing.T) {
	en := locale.IDs(locale.EN)
	if len(en) < 100 {
		t.Fatalf("the English catalogue holds %d messages", len(en))
	}
	for _, l := range locale.Langs {
		ids := locale.IDs(l)
		for _, id := range en {
			if !slices.Contains(ids, id) {
				t.Errorf("%s: message %s is missing", l, id)
			}
		}
		for _, id := range ids {
			if !slices.Contains(en, id) {
				t.Errorf("%s: message %s is not in the English catalogue", l, id)
			}
		}
		for _, id := range ids {
			want, _ := locale.Placeholders(locale.EN, id)
			got, _ := locale.Placeholders(l, id)
			if !slices.Equal(got, want) {
				t.Errorf("%s: message %s takes %v, in English %v", l, id, got, want)
			}
			data := map[string]any{}
			for _, p := range got {
				data[p] = 1
			}
			for _, form := range locale.Forms(l, id) {
				tmpl, err := template.New(id).Option("missingkey=error").Parse(form)
				if err != nil {
					t.Errorf("%s: message %s: %v", l, id, err)
					continue
				}
				if err := tmpl.Execute(new(strings.Builder), data); err != nil {
					t.Errorf("%s: message %s: %v", l, id, err)
				}
				if strings.TrimSpace(form) == "" {
					t.Errorf("%s: message %s has an empty form", l, id)
				}
			}
		}
	}
}

// idRE finds message IDs written in the code: a string literal that
// starts with a section of the catalogues.
var idRE = regexp.MustCompile(`"((?:err|word|fmt|mail|tui|cli|srv|page|hist)\.[A-Za-z0-9_.]*)"`)

// TestEveryMessageUsed: every message of the catalogues is named in the
// code or in a template (a literal ending in "." or "_" names every message it begins,
// for the IDs made of a role, a state…), and every ID the code names is
// in the catalogues.
func TestEveryMessageUsed(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]string{} // id or prefix: a file that names it
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		code := strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		if d.IsDir() || !(code || strings.HasSuffix(path, ".html")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range idRE.FindAllStringSubmatch(string(b), -1) {
			named[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := locale.IDs(locale.EN)
	used := func(id string) bool {
		if _, ok := named[id]; ok {
			return true
		}
		for n := range named {
			if (strings.HasSuffix(n, ".") || strings.HasSuffix(n, "_")) && strings.HasPrefix(id, n) {
				return true
			}
		}
		return false
	}
	for _, id := range ids {
		if !used(id) {
			t.Errorf("message %s is named nowhere in the code", id)
		}
	}
	for n, path := range named {
		if strings.HasSuffix(n, ".") || strings.HasSuffix(n, "_") {
			continue
		}
		if !slices.Contains(ids, n) {
			t.Errorf("%s names message %s, which the catalogues lack", path, n)
		}
	}
}

// TestPortugueseIsEuropean: the Portuguese catalogues — the app's, the
// command line's, the mails', the web page's (active.pt.toml) and the
// command line's help (help.pt.toml) — are European Portuguese (pt-PT),
// never Brazilian: "ecrã", "utilizador", "registo", "registar",
// "contacto", "ficheiro", "a carregar", not "tela", "usuário",
// "registro", "registrar", "contato", "arquivo", "carregando". And they
// address the reader as pt-PT's formal register does, by the verb and "o
// seu" ("É-lhe pedido que a confirme", "a aguardar a sua confirmação"),
// never "você" (familiar, or curt, in Portugal): the mails and the page
// were so written, and the app and the command line still called their
// user "você" ("você +1", "* você", "VOCÊ; …").
func TestPortugueseIsEuropean(t *testing.T) {
	// Go's \b knows only ASCII letters: "você" ends in one it does not
	brazilian := regexp.MustCompile(`(?i)(?:^|[^\p{L}])(tela|telas|usuári[oa]s?|registr\p{L}*|contato|contatos|arquivo|arquivos|celular|cadastr\p{L}*|aplicativo|deletar|salvar|baixar|time|equipe|ônibus|fato|vocês?|voces?|acessar|acesse|digitar|digite|planilha|senha|mouse|sobrenome|gerenciar|carregando|enviando|aguardando|esperando|processando|salvando|excluindo|verificando|conectando|buscando|recebendo)(?:[^\p{L}]|$)`)
	// calques of the English a Portuguese reader stumbles on: "é parte
	// de" (is part of; pt-PT says "faz parte de"), "query" (a "consulta",
	// as the catalogue says elsewhere), "para" naming a service's contact
	// ("novo contacto técnico para xara.pt": the contact *of* a service,
	// "de"), "ainda a aguardar X" with no one doing the waiting ("aguarda-se
	// ainda a resposta de X"), and "veja-o" after a plural ("4 e-mails têm
	// um código: veja-o")
	calque := regexp.MustCompile(`(?i)(?:^|[^\p{L}])(é parte|query|contacto \{\{\.Roles\}\} para|; ainda a aguardar|têm [^:]*: veja-o)(?:[^\p{L}]|$)`)
	check := func(where, form string) {
		if m := brazilian.FindStringSubmatch(form); m != nil {
			t.Errorf("pt: %s says %q, Brazilian Portuguese or not pt-PT's formal register: %q", where, m[1], form)
		}
		if m := calque.FindStringSubmatch(form); m != nil {
			t.Errorf("pt: %s says %q, a calque of the English: %q", where, m[1], form)
		}
	}
	for _, id := range locale.IDs(locale.PT) {
		for _, form := range locale.Forms(locale.PT, id) {
			check(id, form)
		}
	}
	help := locale.HelpCatalogue(locale.PT)
	if len(help) < 20 {
		t.Fatalf("the Portuguese help catalogue holds %d commands", len(help))
	}
	for cmd, fields := range help {
		for field, text := range fields {
			check("help of "+cmd+", "+field, text)
		}
	}
}

// TestFrenchAddressesEveryReader: the French texts never give the
// reader a gender: a token "pour vous seul" told Inês Jardim, as every
// woman among the customers, that it was for a man alone ("seule");
// "pour vous uniquement" is for everyone.
func TestFrenchAddressesEveryReader(t *testing.T) {
	gendered := regexp.MustCompile(`(?i)\bvous (seul|seule|seuls|seules)\b|\bvous seul\(e\)`)
	for _, id := range locale.IDs(locale.FR) {
		for _, form := range locale.Forms(locale.FR, id) {
			if m := gendered.FindString(form); m != "" {
				t.Errorf("fr: %s says %q: %q", id, m, form)
			}
		}
	}
}

// TestNoPluralInBrackets: no message hedges its agreement with a count in
// brackets ("0 já existente(s)", "ajouté(s)"): a count is a message of its
// own, with a form for one and one for more, so that a reader sees "1 já
// existente", "2 já existentes".
func TestNoPluralInBrackets(t *testing.T) {
	hedged := regexp.MustCompile(`\p{L}\((?:s|es|e|m)\)`)
	for _, l := range locale.Langs {
		for _, id := range locale.IDs(l) {
			for _, form := range locale.Forms(l, id) {
				if m := hedged.FindString(form); m != "" {
					t.Errorf("%s: %s says %q: %q", l, id, m, form)
				}
			}
		}
	}
}

// TestYouAsRequesterSaysSo: where the user is the requester and also a
// contact the request changes, the app writes "eu, requerente e atual
// contacto técnico"; in French it wrote "vous et contact technique
// actuel", which reads as two parties (you, and the current contact),
// and left out the requester. Each such label names the requester.
func TestYouAsRequesterSaysSo(t *testing.T) {
	for _, l := range []locale.Lang{locale.PT, locale.FR} {
		requester := locale.For(l).T("word.party.requester")
		for _, form := range locale.Forms(l, "tui.you_and") {
			if !strings.Contains(form, requester) {
				t.Errorf("%s: tui.you_and says %q, not %q", l, form, requester)
			}
		}
	}
}

// TestPortugueseNamesTheKey: a key that is a letter is introduced as a
// key ("prima a tecla o") where a sentence names it: Portuguese reads
// "o", "a" and "e" as words (the, to, and), and the mails said "prima o
// neste e-mail … e, depois, a para aceitar" and "prima e no pedido",
// which a reader from Portugal stumbles on. The app's hints ("a aceita,
// x recusa", "(e: alterar)") are key lists, and name the key first.
func TestPortugueseNamesTheKey(t *testing.T) {
	re := regexp.MustCompile(`(?i)(?:^|[^\p{L}])(prima [a-z]|depois, [a-z] para)(?:[^\p{L}]|$)`)
	bare := func(s string) []string { // "prima a tecla" is the way
		return re.FindStringSubmatch(strings.ReplaceAll(s, "prima a tecla ", "prima tecla "))
	}
	for _, id := range locale.IDs(locale.PT) {
		for _, form := range locale.Forms(locale.PT, id) {
			if m := bare(form); m != nil {
				t.Errorf("pt: %s says %q, a letter that reads as a word: %q", id, m[1], form)
			}
		}
	}
	for cmd, fields := range locale.HelpCatalogue(locale.PT) {
		for field, text := range fields {
			if m := bare(text); m != nil {
				t.Errorf("pt: the help of %s, %s, says %q: %q", cmd, field, m[1], text)
			}
		}
	}
}

// TestPortugueseSaysEntradaPadrao: Portuguese names the standard input
// "a entrada padrão", as it names the output "a saída padrão"; the
// errors of --token - and its help said "lê-o do stdin", an English
// word in the sentence (it may follow in brackets, for who knows it so).
func TestPortugueseSaysEntradaPadrao(t *testing.T) {
	check := func(where, s string) {
		if strings.Count(s, "stdin") > strings.Count(s, "entrada padrão (stdin)") {
			t.Errorf("pt: %s says stdin: %q", where, s)
		}
	}
	for _, id := range locale.IDs(locale.PT) {
		for _, form := range locale.Forms(locale.PT, id) {
			check(id, form)
		}
	}
	for cmd, fields := range locale.HelpCatalogue(locale.PT) {
		for field, text := range fields {
			check("the help of "+cmd+", "+field, text)
		}
	}
}
