package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"

	"contactdesk/model"
)

// deskModel stands in for the terminal app in these tests: it shows the
// account's services and requests, reloads them when the desk's broker says
// they changed, and takes one-line commands ("create SERVICE ROLE TO",
// "accept ID", "quit", "panic") so that tests can act through a session.
type deskModel struct {
	ctx     context.Context // ends with the session
	d       *model.Desk
	me      model.Handle
	changes <-chan model.Change
	stop    func()

	w, h     int
	profile  string
	services []model.ServiceView
	requests []model.Request
	input    string
	result   string
}

func newDeskModel(d *model.Desk) ModelFunc {
	return func(ctx context.Context, _ ssh.Session, who model.Account) tea.Model {
		ch, stop := d.Subscribe(who.Handle)
		go func() { <-ctx.Done(); stop() }()
		return &deskModel{ctx: ctx, d: d, me: who.Handle, changes: ch, stop: stop}
	}
}

type loadedMsg struct {
	services []model.ServiceView
	requests []model.Request
	err      error
}

type changedMsg struct{}

func (m *deskModel) load() tea.Msg {
	ctx := context.Background()
	ss, err := m.d.Services(ctx, m.me)
	if err != nil {
		return loadedMsg{err: err}
	}
	rs, err := m.d.Requests(ctx, m.me)
	return loadedMsg{services: ss, requests: rs, err: err}
}

func (m *deskModel) wait() tea.Msg {
	select {
	case <-m.ctx.Done():
		return nil
	case <-m.changes:
		return changedMsg{}
	}
}

func (m *deskModel) Init() tea.Cmd { return tea.Batch(m.load, m.wait) }

func (m *deskModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.ColorProfileMsg:
		m.profile = msg.Profile.String()
	case loadedMsg:
		if msg.err != nil {
			m.result = "error: " + msg.err.Error()
		} else {
			m.services, m.requests = msg.services, msg.requests
		}
	case changedMsg:
		return m, tea.Batch(m.load, m.wait)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "enter":
			line := m.input
			m.input = ""
			return m, m.run(line)
		case "backspace":
			if m.input != "" {
				m.input = m.input[:len(m.input)-1]
			}
		default:
			if msg.Text != "" {
				m.input += msg.Text
			}
		}
	}
	return m, nil
}

func (m *deskModel) run(line string) tea.Cmd {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	switch {
	case f[0] == "quit":
		return tea.Quit
	case f[0] == "panic":
		panic("asked to panic")
	case f[0] == "create" && len(f) == 4:
		rs, err := m.d.CreateRequest(context.Background(), m.me, model.NewRequest{Service: f[1], Roles: []model.Role{model.Role(f[2])}, To: f[3]})
		m.result = result(err, func() string { return fmt.Sprintf("created #%d", rs[0].ID) })
	case f[0] == "accept" && len(f) == 2:
		// The mailbox's link carries the token: find this account's.
		id, _ := strconv.ParseInt(f[1], 10, 64)
		ms, err := m.d.Mails(context.Background(), m.me)
		tok := ""
		for _, ml := range ms {
			if ml.RequestID == id && ml.Token != "" {
				tok = ml.Token
			}
		}
		if err == nil {
			_, err = m.d.Accept(context.Background(), m.me, id, tok)
		}
		m.result = result(err, func() string { return fmt.Sprintf("accepted #%d", id) })
	default:
		m.result = "unknown command " + f[0]
	}
	return nil
}

func result(err error, ok func() string) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return ok()
}

func (m *deskModel) View() tea.View {
	var b strings.Builder
	fmt.Fprintf(&b, "me %s size %dx%d profile %s\n", m.me, m.w, m.h, m.profile)
	for _, s := range m.services {
		fmt.Fprintf(&b, "svc %s admin=%s tech=%s billing=%s\n", s.Name, s.Admin, s.Tech, s.Billing)
	}
	for _, r := range m.requests {
		aw := make([]string, 0, 3)
		for _, h := range r.Awaited() {
			aw = append(aw, string(h))
		}
		fmt.Fprintf(&b, "req #%d %s %s awaiting=%s;\n", r.ID, r.Service, r.State, strings.Join(aw, ","))
	}
	if m.result != "" {
		b.WriteString(m.result + "\n")
	}
	b.WriteString("> " + m.input)
	v := tea.NewView(b.String())
	v.AltScreen = true
	return v
}
