package userusage

import (
	"io"
	"strconv"

	"github.com/usagerep/usagerep/pkg/render/jsonout"
)

// The JSON of a page is written by hand, in the field names, order and
// omission rules of the real API's UsageReports: empty warnings,
// nextPageToken, usageReports and string fields are left out, boolValue
// false is written, intValue is a string, datetimes are RFC 3339 in UTC
// with milliseconds. One document is one line.

// AppendJSON appends p as one JSON document, without a line end.
func AppendJSON(dst []byte, p *Page) []byte {
	dst = append(dst, `{"kind":"`+KindUsageReports+`"`...)
	if len(p.Warnings) > 0 {
		dst = append(dst, `,"warnings":[`...)
		for i, w := range p.Warnings {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, '{')
			n := 0
			dst = jsonField(dst, &n, "code", w.Code)
			dst = jsonField(dst, &n, "message", w.Message)
			if len(w.Data) > 0 {
				dst = jsonComma(dst, &n)
				dst = append(dst, `"data":[`...)
				for j, d := range w.Data {
					if j > 0 {
						dst = append(dst, ',')
					}
					dst = append(dst, '{')
					m := 0
					dst = jsonField(dst, &m, "key", d.Key)
					dst = jsonField(dst, &m, "value", d.Value)
					dst = append(dst, '}')
				}
				dst = append(dst, ']')
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if p.NextPageToken != "" {
		dst = append(dst, `,"nextPageToken":`...)
		dst = jsonout.AppendString(dst, p.NextPageToken)
	}
	if len(p.Reports) > 0 {
		dst = append(dst, `,"usageReports":[`...)
		for i := range p.Reports {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendReport(dst, &p.Reports[i])
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendReport(dst []byte, r *Report) []byte {
	dst = append(dst, `{"kind":"`+KindUsageReport+`","date":"`...)
	dst = r.Date.Time().AppendFormat(dst, "2006-01-02")
	dst = append(dst, `","entity":{"type":"`+EntityTypeUser+`"`...)
	n := 1
	dst = jsonField(dst, &n, "customerId", r.Entity.CustomerID)
	dst = jsonField(dst, &n, "userEmail", r.Entity.UserEmail)
	dst = jsonField(dst, &n, "profileId", r.Entity.ProfileID)
	dst = append(dst, '}')
	if len(r.Parameters) > 0 {
		dst = append(dst, `,"parameters":[`...)
		for i := range r.Parameters {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendParameter(dst, &r.Parameters[i])
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendParameter(dst []byte, p *Parameter) []byte {
	dst = append(dst, `{"name":`...)
	dst = jsonout.AppendString(dst, p.Name)
	switch p.Type {
	case TypeInt:
		dst = append(dst, `,"intValue":"`...)
		dst = strconv.AppendInt(dst, p.Int, 10)
		dst = append(dst, '"')
	case TypeBool:
		dst = append(dst, `,"boolValue":`...)
		dst = strconv.AppendBool(dst, p.Bool)
	case TypeString:
		dst = append(dst, `,"stringValue":`...)
		dst = jsonout.AppendString(dst, p.String)
	case TypeDatetime:
		dst = append(dst, `,"datetimeValue":"`...)
		dst = p.Time.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// jsonField appends "name":value when value is not empty, with a comma
// after the n fields written before it.
func jsonField(dst []byte, n *int, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = jsonComma(dst, n)
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, `":`...)
	return jsonout.AppendString(dst, value)
}

func jsonComma(dst []byte, n *int) []byte {
	if *n > 0 {
		dst = append(dst, ',')
	}
	*n++
	return dst
}

// Writer writes pages as JSON Lines: one UsageReports document per line.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes p and a line end.
func (jw *Writer) Write(p *Page) error {
	jw.buf = append(AppendJSON(jw.buf[:0], p), '\n')
	_, err := jw.w.Write(jw.buf)
	return err
}
