package report

import (
	"io"
	"runtime"
	"strconv"

	"github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/render/batchw"
	"github.com/usagerep/usagerep/pkg/render/csvout"
	"github.com/usagerep/usagerep/pkg/render/jsonout"
	"github.com/usagerep/usagerep/pkg/render/xlsx"
)

// WriteAccess renders rep to w in f's format: CSV unless f says xlsx or
// json.
func WriteAccess(w io.Writer, rep *access.Report, f AccessFormat) error {
	switch f.Format {
	case "xlsx":
		return xlsx.WriteAccessWorkbook(w, rep, xlsx.AccessOptions{Usernames: f.Usernames})
	case "json":
		return writeAccessJSON(w, rep, f.Usernames)
	}
	return writeAccessCSV(w, rep, f.Usernames, f.BOM)
}

// writeAccessCSV writes the header row and one row per report row.
func writeAccessCSV(w io.Writer, rep *access.Report, usernames, bom bool) error {
	var head csvout.Buffer
	for _, h := range access.Headers(rep.Columns, usernames) {
		head.Text(h)
	}
	head.EndRow()
	prefix := head.Bytes()
	if bom {
		prefix = append([]byte(csvout.BOM), prefix...)
	}
	if _, err := w.Write(prefix); err != nil {
		return err
	}
	return encodeRows(w, len(rep.Rows), func() func([]byte, int, int) []byte {
		var b csvout.Buffer
		return func(dst []byte, lo, hi int) []byte {
			b.Reset()
			var day string // rows come by date: format each day once
			for i := lo; i < hi; i++ {
				r := &rep.Rows[i]
				if i == lo || !r.Date.Equal(rep.Rows[i-1].Date) {
					day = r.Date.Format("2006-01-02")
				}
				u := r.User
				b.Text(day)
				b.Text(u.FirstName)
				b.Text(u.LastName)
				b.Text(u.Email)
				if usernames {
					b.Text(u.Username)
					b.Text(u.DisplayName)
				}
				b.Text(u.Company)
				b.Text(r.Project)
				for _, n := range r.Counts {
					b.Int(n)
				}
				b.EndRow()
			}
			return append(dst, b.Bytes()...)
		}
	})
}

// encodeRows encodes rows [0, n) in batches on every core, each goroutine
// with its own encoder from newEnc, and writes the batches to w in order.
// It stops at the first write error (a closed pipe: stop formatting).
func encodeRows(w io.Writer, n int, newEnc func() func(dst []byte, lo, hi int) []byte) error {
	const batch = 2048
	workers := runtime.GOMAXPROCS(0)
	if n < 4*batch {
		workers = 1
	}
	return batchw.Write(w, n, batch, workers, func() batchw.Encoder { return newEnc() })
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
	var pre []string // each action's `,"key":`, escaped once
	for _, k := range actionKeys(rep.Columns) {
		pre = append(pre, string(jsonout.AppendString([]byte(","), k))+":")
	}
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	err := encodeRows(w, len(rep.Rows), func() func([]byte, int, int) []byte {
		return func(buf []byte, lo, hi int) []byte {
			for i := lo; i < hi; i++ {
				r := &rep.Rows[i]
				u := r.User
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
			}
			return buf
		}
	})
	if err != nil {
		return err
	}
	end := "]\n"
	if len(rep.Rows) > 0 {
		end = "\n]\n"
	}
	_, err = io.WriteString(w, end)
	return err
}

// appendJSONField appends ,"key":"value"; key needs no escaping.
func appendJSONField(dst []byte, key, value string) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return jsonout.AppendString(dst, value)
}
