package cli

import (
	"bufio"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/render/csvout"
	"github.com/usagerep/usagerep/pkg/render/xlsx"
)

// writeAccess renders rep in format to w.
func writeAccess(w io.Writer, format string, rep *access.Report, opts *accessOptions) error {
	switch format {
	case "xlsx":
		return xlsx.WriteAccessWorkbook(w, rep, xlsx.AccessOptions{Usernames: opts.Usernames})
	case "json":
		return writeAccessJSON(w, rep, opts.Usernames)
	}
	return writeAccessCSV(w, rep, opts.Usernames, opts.BOM)
}

// writeAccessCSV writes the header row and one row per report row.
func writeAccessCSV(w io.Writer, rep *access.Report, usernames, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, csvout.BOM); err != nil {
			return err
		}
	}
	cw := csvout.NewWriter(w)
	if err := cw.Write(access.Headers(rep.Columns, usernames)); err != nil {
		return err
	}
	var day string // rows come by date: format each day once
	for i := range rep.Rows {
		r := &rep.Rows[i]
		if i == 0 || !r.Date.Equal(rep.Rows[i-1].Date) {
			day = r.Date.Format("2006-01-02")
		}
		u := r.User
		cw.Text(day)
		cw.Text(u.FirstName)
		cw.Text(u.LastName)
		cw.Text(u.Email)
		if usernames {
			cw.Text(u.Username)
			cw.Text(u.DisplayName)
		}
		cw.Text(u.Company)
		cw.Text(r.Project)
		for _, n := range r.Counts {
			cw.Int(n)
		}
		if err := cw.EndRow(); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// JSON keys of the fixed fields, in order.
const (
	keyDate        = "date"
	keyUserID      = "userId"
	keyFirstName   = "firstName"
	keyLastName    = "lastName"
	keyEmail       = "email"
	keyUsername    = "username"
	keyDisplayName = "displayName"
	keyCompany     = "company"
	keyProject     = "projectName"
)

// actionKeys are the JSON keys of the action columns: each action's name,
// prefixed with "action_" (again, if need be) where it would repeat a
// fixed key or an earlier one.
func actionKeys(cols []access.Column) []string {
	used := map[string]bool{}
	for _, k := range []string{keyDate, keyUserID, keyFirstName, keyLastName, keyEmail, keyUsername, keyDisplayName, keyCompany, keyProject} {
		used[k] = true
	}
	keys := make([]string, len(cols))
	for i, c := range cols {
		k := c.Action
		for used[k] {
			k = "action_" + k
		}
		used[k] = true
		keys[i] = k
	}
	return keys
}

// writeAccessJSON streams the rows as a JSON array of objects, one a line,
// keys in a fixed order then the action columns in profile order.
func writeAccessJSON(w io.Writer, rep *access.Report, usernames bool) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var pre []string // each action's `,"key":`, escaped once
	for _, k := range actionKeys(rep.Columns) {
		pre = append(pre, string(appendJSONString([]byte(","), k))+":")
	}
	if _, err := bw.WriteString("["); err != nil {
		return err
	}
	var buf []byte
	for i := range rep.Rows {
		r := &rep.Rows[i]
		u := r.User
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n{\""+keyDate+"\":\""...)
		buf = r.Date.AppendFormat(buf, "2006-01-02")
		buf = append(buf, '"')
		buf = appendJSONField(buf, keyUserID, u.ProfileID)
		buf = appendJSONField(buf, keyFirstName, u.FirstName)
		buf = appendJSONField(buf, keyLastName, u.LastName)
		buf = appendJSONField(buf, keyEmail, u.Email)
		if usernames {
			buf = appendJSONField(buf, keyUsername, u.Username)
			buf = appendJSONField(buf, keyDisplayName, u.DisplayName)
		}
		buf = appendJSONField(buf, keyCompany, u.Company)
		buf = appendJSONField(buf, keyProject, r.Project)
		for j, n := range r.Counts {
			buf = append(buf, pre[j]...)
			buf = strconv.AppendInt(buf, n, 10)
		}
		buf = append(buf, '}')
		if _, err := bw.Write(buf); err != nil {
			return err // a closed pipe: stop formatting
		}
	}
	end := "]\n"
	if len(rep.Rows) > 0 {
		end = "\n]\n"
	}
	if _, err := bw.WriteString(end); err != nil {
		return err
	}
	return bw.Flush()
}

// appendJSONField appends ,"key":"value"; key needs no escaping.
func appendJSONField(dst []byte, key, value string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return appendJSONString(dst, value)
}

// appendJSONString appends s as a JSON string, as encoding/json writes it
// without HTML escaping: invalid UTF-8 becomes U+FFFD, and U+2028 and
// U+2029 are escaped for JavaScript's sake.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
