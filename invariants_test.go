package main

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"

	_ "github.com/mattn/go-sqlite3"

	"contactdesk/model"
)

// checkDesk reads a desk's file as it lies on disk (after a crash, say)
// and lists every way it breaks what contactdesk promises: a damaged
// file, a request half-answered or half-applied, a contact moved without
// its request or a request done without its move, a party without its
// token story, a finished request without its outcome mails. contacts,
// when not nil, holds each service's contacts before any request, so
// that the contacts now can be checked against the requests done since.
func checkDesk(path string, contacts map[string][3]model.Handle) []string {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=rw&_busy_timeout=5000")
	if err != nil {
		return []string{err.Error()}
	}
	defer db.Close()
	c := &checker{db: db}
	c.file()
	if len(c.problems) > 0 {
		return c.problems // nothing else can be trusted
	}
	c.requests()
	c.moves()
	if contacts != nil {
		c.contacts(contacts)
	}
	return c.problems
}

type checker struct {
	db       *sql.DB
	problems []string
}

func (c *checker) fail(format string, args ...any) {
	if len(c.problems) < 30 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

// rows runs q and calls f with each row's scan.
func (c *checker) rows(q string, f func(scan func(...any) error) error, args ...any) {
	rs, err := c.db.Query(q, args...)
	if err != nil {
		c.fail("%s: %v", q, err)
		return
	}
	defer rs.Close()
	for rs.Next() {
		if err := f(rs.Scan); err != nil {
			c.fail("%s: %v", q, err)
			return
		}
	}
	if err := rs.Err(); err != nil {
		c.fail("%s: %v", q, err)
	}
}

func (c *checker) file() {
	var res []string
	c.rows("PRAGMA integrity_check", func(scan func(...any) error) error {
		var s string
		err := scan(&s)
		res = append(res, s)
		return err
	})
	if len(res) != 1 || res[0] != "ok" {
		c.fail("integrity_check: %v", res)
	}
	c.rows("PRAGMA foreign_key_check", func(scan func(...any) error) error {
		var table, parent string
		var rowid, fk sql.NullInt64
		err := scan(&table, &rowid, &parent, &fk)
		c.fail("foreign key of %s row %v points to no %s", table, rowid.Int64, parent)
		return err
	})
}

type reqRow struct {
	id                        int64
	service                   string
	roles                     []string
	from, to, requester       string
	state, reason             string
	ended                     int64
	answers                   map[string]string // party → answer
	order                     []string          // parties in order
	active, used, replaced    map[string]int    // party → tokens in each state
	strangerTokens            int
	confirms, outcomes        map[string]int // party → mails of each kind
	created, accepts, refuses int            // history lines
	resends, dones, moves     int
	endLines                  int // request.done, request.refused, request.cancel, request.expire
}

func (c *checker) requests() {
	reqs := map[int64]*reqRow{}
	var ids []int64
	c.rows(`SELECT r.id, s.name, r.roles, r.from_handle, r.to_handle, r.requester, r.state, r.reason, r.ended
		FROM requests r JOIN services s ON s.id = r.service_id ORDER BY r.id`, func(scan func(...any) error) error {
		r := &reqRow{answers: map[string]string{}, active: map[string]int{}, used: map[string]int{}, replaced: map[string]int{},
			confirms: map[string]int{}, outcomes: map[string]int{}}
		var roles string
		err := scan(&r.id, &r.service, &roles, &r.from, &r.to, &r.requester, &r.state, &r.reason, &r.ended)
		r.roles = strings.Split(roles, ",")
		reqs[r.id] = r
		ids = append(ids, r.id)
		return err
	})
	get := func(id int64, what string) *reqRow {
		r := reqs[id]
		if r == nil {
			c.fail("%s of request #%d, which does not exist", what, id)
		}
		return r
	}
	c.rows("SELECT request_id, handle, answer FROM parties ORDER BY request_id, position", func(scan func(...any) error) error {
		var id int64
		var h, a string
		err := scan(&id, &h, &a)
		if r := get(id, "party "+h); r != nil {
			r.answers[h] = a
			r.order = append(r.order, h)
		}
		return err
	})
	// A party's latest token is on its row, the ones it replaced in tokens.
	c.rows("SELECT request_id, handle, token_state FROM parties WHERE token_n > 0 UNION ALL SELECT request_id, handle, state FROM tokens", func(scan func(...any) error) error {
		var id int64
		var h, s string
		err := scan(&id, &h, &s)
		r := get(id, "a token")
		switch {
		case r == nil:
		case r.answers[h] == "":
			r.strangerTokens++
		case s == string(model.TokenActive):
			r.active[h]++
		case s == string(model.TokenUsed):
			r.used[h]++
		case s == string(model.TokenReplaced):
			r.replaced[h]++
		default:
			c.fail("request #%d: token of %s in state %q", id, h, s)
		}
		return err
	})
	c.rows("SELECT request_id, to_handle, kind FROM mails WHERE request_id IS NOT NULL", func(scan func(...any) error) error {
		var id int64
		var h, k string
		err := scan(&id, &h, &k)
		if r := get(id, "a mail"); r != nil {
			switch k {
			case model.MailConfirm:
				r.confirms[h]++
			case model.MailOutcome:
				r.outcomes[h]++
			}
		}
		return err
	})
	c.rows("SELECT request_id, action FROM history WHERE request_id IS NOT NULL", func(scan func(...any) error) error {
		var id int64
		var a string
		err := scan(&id, &a)
		r := get(id, "history line "+a)
		if r == nil {
			return err
		}
		switch a {
		case model.ActRequestCreate:
			r.created++
		case model.ActRequestAccept:
			r.accepts++
		case model.ActRequestRefuse:
			r.refuses++
		case model.ActRequestResend:
			r.resends++
		case model.ActRequestDone:
			r.dones++
			r.endLines++
		case model.ActContactChange:
			r.moves++
		case model.ActRequestFailed, model.ActRequestCancel, model.ActRequestExpire:
			r.endLines++
		}
		return err
	})
	for _, id := range ids {
		c.request(reqs[id])
	}
}

// request checks one request's story.
func (c *checker) request(r *reqRow) {
	bad := func(format string, args ...any) {
		c.fail("request #%d (%s): %s", r.id, r.state, fmt.Sprintf(format, args...))
	}
	want := model.PartiesOf(model.Handle(r.requester), model.Handle(r.from), model.Handle(r.to))
	if len(want) != len(r.order) {
		bad("parties %v, want %v", r.order, want)
	}
	for _, h := range want {
		if _, ok := r.answers[string(h)]; !ok {
			bad("%s is not a party", h)
		}
	}
	accepted, refused, pending := 0, 0, 0
	for _, a := range r.answers {
		switch a {
		case string(model.AnswerAccepted):
			accepted++
		case string(model.AnswerRefused):
			refused++
		case string(model.AnswerPending):
			pending++
		default:
			bad("answer %q", a)
		}
	}
	ended := model.State(r.state).Ended()
	switch model.State(r.state) {
	case model.StateValidating:
		if refused > 0 || pending == 0 {
			bad("still open with %d refusals and %d of %d parties pending", refused, pending, len(r.answers))
		}
	case model.StateDone:
		if accepted != len(r.answers) {
			bad("done with only %d of %d acceptances", accepted, len(r.answers))
		}
	case model.StateRefused:
		by, byParty := strings.CutPrefix(r.reason, "refused by ")
		switch {
		case byParty && (refused != 1 || r.answers[by] != string(model.AnswerRefused)):
			bad("reason %q, but the answers are %v", r.reason, r.answers)
		case !byParty && (refused != 0 || accepted != len(r.answers)):
			bad("refused at apply time (%q) without every acceptance: %v", r.reason, r.answers)
		}
	case model.StateCancelled, model.StateExpired:
		if refused > 0 || pending == 0 {
			bad("ended with %d refusals and %d of %d parties pending", refused, pending, len(r.answers))
		}
	default:
		bad("unknown state")
	}
	if ended == (r.ended == 0) {
		bad("ended at %d", r.ended)
	}
	// Contacts move with the request done, and only then.
	if model.State(r.state) == model.StateDone {
		if r.dones != 1 || r.moves != len(r.roles) {
			bad("%d request.done and %d contact.change lines for roles %v", r.dones, r.moves, r.roles)
		}
	} else if r.moves != 0 || r.dones != 0 {
		bad("%d contact.change and %d request.done lines", r.moves, r.dones)
	}
	if ended != (r.endLines == 1) || r.endLines > 1 {
		bad("%d lines recording its end", r.endLines)
	}
	if r.created != 1 {
		bad("%d request.create lines", r.created)
	}
	if r.accepts != accepted || r.refuses != refused {
		bad("%d accept and %d refuse lines for %d acceptances and %d refusals", r.accepts, r.refuses, accepted, refused)
	}
	// Each party's token story: one token per mail; one used per
	// answer; one active while its answer is awaited; the others
	// replaced by a resend (or by the end).
	if r.strangerTokens > 0 {
		bad("%d tokens of accounts that are not parties", r.strangerTokens)
	}
	resent := 0
	for _, h := range r.order {
		a, n := r.answers[h], r.active[h]+r.used[h]+r.replaced[h]
		if r.confirms[h] != n || n == 0 {
			bad("%s has %d tokens and %d confirmation mails", h, n, r.confirms[h])
		}
		resent += n - 1
		wantUsed := 0
		if a != string(model.AnswerPending) {
			wantUsed = 1
		}
		wantActive := 0
		if !ended && a == string(model.AnswerPending) {
			wantActive = 1
		}
		if r.used[h] != wantUsed || r.active[h] != wantActive {
			bad("%s answered %s with %d used and %d active tokens", h, a, r.used[h], r.active[h])
		}
		wantOutcome := 0
		if ended {
			wantOutcome = 1
		}
		if r.outcomes[h] != wantOutcome {
			bad("%s has %d outcome mails", h, r.outcomes[h])
		}
	}
	if resent != r.resends {
		bad("%d resend lines for %d tokens sent again", r.resends, resent)
	}
}

// moves checks that every contact move belongs to a request done.
func (c *checker) moves() {
	c.rows(`SELECT h.id, coalesce(r.state, '') FROM history h LEFT JOIN requests r ON r.id = h.request_id
		WHERE h.action = ?`, func(scan func(...any) error) error {
		var id int64
		var state string
		err := scan(&id, &state)
		if state != string(model.StateDone) {
			c.fail("history #%d moves a contact for a request that is %q, not done", id, state)
		}
		return err
	}, model.ActContactChange)
}

// contacts checks that each service's contacts are those its last done
// request of each role gave it, or those it had before any.
func (c *checker) contacts(before map[string][3]model.Handle) {
	now := map[string][3]model.Handle{}
	c.rows("SELECT name, admin, tech, billing FROM services", func(scan func(...any) error) error {
		var n string
		var v [3]model.Handle
		err := scan(&n, &v[0], &v[1], &v[2])
		now[n] = v
		return err
	})
	want := map[string][3]model.Handle{}
	for n, v := range before {
		want[n] = v
	}
	// Requests on one service and role never overlap (a second one is
	// refused while the first is pending), so the last done by id is the
	// last applied.
	c.rows(`SELECT s.name, r.roles, r.to_handle FROM requests r JOIN services s ON s.id = r.service_id
		WHERE r.state = 'done' ORDER BY r.id`, func(scan func(...any) error) error {
		var n, roles, to string
		err := scan(&n, &roles, &to)
		v := want[n]
		for _, role := range strings.Split(roles, ",") {
			if i := slices.Index(model.Roles, model.Role(role)); i >= 0 {
				v[i] = model.Handle(to)
			}
		}
		want[n] = v
		return err
	})
	for n, v := range want {
		if now[n] != v {
			c.fail("%s has contacts %v; its requests done give %v", n, now[n], v)
		}
	}
}
