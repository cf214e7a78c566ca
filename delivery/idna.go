package delivery

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// asciiAddress is addr as SMTP and a message's header carry it to any
// server: its domain in ASCII, each label with letters beyond ASCII
// written in Punycode (RFC 3492, IDNA's "xn--" form: padaria-pão.pt is
// xn--padaria-po-n5a.pt), as a mail client does. Sent as typed, such a
// domain needs the server's SMTPUTF8, which many relays do not offer:
// the mail would be refused, and its token lost. The local part is left
// as it is (only SMTPUTF8 carries one beyond ASCII).
func asciiAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || isASCII(addr[at+1:]) {
		return addr
	}
	labels := strings.Split(strings.ToLower(norm.NFC.String(addr[at+1:])), ".")
	for i, label := range labels {
		if !isASCII(label) {
			labels[i] = "xn--" + punycode(label)
		}
	}
	return addr[:at+1] + strings.Join(labels, ".")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// punycode encodes a label as RFC 3492 says (section 6.3), without the
// "xn--" prefix.
func punycode(label string) string {
	const (
		base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
		initialBias, initialN        = 72, 128
	)
	adapt := func(delta, points int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / points
		k := 0
		for delta > (base-tmin)*tmax/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	rs := []rune(label)
	var out []byte
	for _, r := range rs {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	if b > 0 {
		out = append(out, '-')
	}
	n, delta, bias := initialN, 0, initialBias
	for h := b; h < len(rs); {
		m := -1
		for _, r := range rs {
			if int(r) >= n && (m < 0 || int(r) < m) {
				m = int(r)
			}
		}
		delta += (m - n) * (h + 1)
		n = m
		for _, r := range rs {
			if int(r) < n {
				delta++
			}
			if int(r) != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := min(max(k-bias, tmin), tmax)
				if q < t {
					break
				}
				out = append(out, digit(t+(q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			out = append(out, digit(q))
			bias = adapt(delta, h+1, h == b)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}
