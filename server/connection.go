package server

import (
	"io"
	"net"
	"sync"
	"time"

	"charm.land/ssh"
)

// accept is the ConnCallback: it runs for each new TCP connection, before
// the SSH handshake, and refuses an address that connects too often.
func (s *Server) accept(_ ssh.Context, c net.Conn) net.Conn {
	if !s.conns.allow(host(c.RemoteAddr())) {
		s.log.Warn("connection refused", "remote", addr(c.RemoteAddr()), "reason", "too many new connections from this address")
		// Lines before the SSH version are allowed (RFC 4253 4.2), and
		// clients show or log them.
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = io.WriteString(c, "contactdesk: too many connections from your address; try again in a minute\r\n")
		return nil
	}
	s.log.Info("connection", "remote", addr(c.RemoteAddr()))
	return &loggedConn{Conn: c, s: s, start: time.Now()}
}

// failed is the ConnectionFailedCallback: the handshake or the
// authentication did not succeed.
func (s *Server) failed(c net.Conn, err error) {
	s.log.Info("handshake failed", "remote", addr(c.RemoteAddr()), "error", err.Error())
}

// loggedConn logs its end.
type loggedConn struct {
	net.Conn
	s     *Server
	start time.Time
	once  sync.Once
}

func (c *loggedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.s.log.Info("connection closed", "remote", addr(c.RemoteAddr()), "duration", time.Since(c.start).Round(time.Millisecond).String())
	})
	return err
}
