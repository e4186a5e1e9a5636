package report

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/analytics"
	"github.com/usagerep/usagerep/pkg/render/jsonout"
)

// AnalyticsTableKey is a table's JSON key: its name lower-cased, spaces as
// underscores.
func AnalyticsTableKey(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "_")
}

// floatDecimals is how many decimals averages, ratios and hours keep.
const floatDecimals = 4

// AppendAnalyticsValue appends a number, day or time cell as text (not
// a text cell: those are quoted in JSON).
func AppendAnalyticsValue(dst []byte, k analytics.Kind, v *analytics.Value, loc *time.Location) []byte {
	switch k {
	case analytics.KindInt:
		return strconv.AppendInt(dst, v.Int, 10)
	case analytics.KindDay:
		return v.Day.Date().AppendFormat(dst, time.DateOnly)
	case analytics.KindTime:
		return v.Time.In(loc).AppendFormat(dst, time.RFC3339)
	}
	scale := math.Pow10(floatDecimals)
	f := math.Round(v.Float*scale) / scale
	if f == 0 {
		f = 0 // no -0
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// WriteAnalyticsJSON writes the report as one JSON object: what it is, its
// settings, and every table as an array of objects keyed by column. Rows
// are written as they are made, so a long table is never held whole.
func WriteAnalyticsJSON(w io.Writer, rep *analytics.Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var b []byte
	b = append(b, "{\"report\":"...)
	b = jsonout.AppendString(b, rep.Command)
	b = append(b, ",\"from\":\""...)
	b = rep.From.Date().AppendFormat(b, time.DateOnly)
	b = append(b, "\",\"to\":\""...)
	b = rep.To.Date().AppendFormat(b, time.DateOnly)
	b = append(b, "\",\"as_of\":"...)
	b = jsonout.AppendString(b, rep.AsOf.In(rep.Location).Format(time.RFC3339Nano))
	b = append(b, ",\"time_zone\":"...)
	b = jsonout.AppendString(b, rep.Location.String())
	b = append(b, ",\"params\":["...)
	for i, p := range rep.Params {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "{\"key\":"...)
		b = jsonout.AppendString(b, p.Key)
		b = append(b, ",\"value\":"...)
		b = jsonout.AppendString(b, p.Value)
		b = append(b, '}')
	}
	b = append(b, ']')
	b = appendDataQuality(b, &rep.Quality)
	b = append(b, ",\"tables\":{"...)
	for ti, t := range rep.Tables {
		if ti > 0 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		b = jsonout.AppendString(b, AnalyticsTableKey(t.Name))
		b = append(b, ":{\"title\":"...)
		b = jsonout.AppendString(b, t.Title)
		b = append(b, ",\"rows\":["...)
		keys := make([][]byte, len(t.Columns))
		for c, col := range t.Columns {
			keys[c] = append(jsonout.AppendString(nil, col.Key), ':')
		}
		row := make([]analytics.Value, len(t.Columns))
		for i := range t.Len {
			clear(row)
			t.Row(i, row)
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n{"...)
			for c, col := range t.Columns {
				if c > 0 {
					b = append(b, ',')
				}
				b = append(b, keys[c]...)
				v := &row[c]
				switch {
				case v.Empty:
					b = append(b, "null"...)
				case col.Kind == analytics.KindText:
					b = jsonout.AppendString(b, v.Text)
				case col.Kind == analytics.KindDay || col.Kind == analytics.KindTime:
					b = append(b, '"')
					b = AppendAnalyticsValue(b, col.Kind, v, rep.Location)
					b = append(b, '"')
				default:
					b = AppendAnalyticsValue(b, col.Kind, v, rep.Location)
				}
			}
			b = append(b, '}')
			if len(b) > 32<<10 {
				if _, err := bw.Write(b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
		b = append(b, "]}"...)
	}
	b = append(b, "\n}}\n"...)
	if _, err := bw.Write(b); err != nil {
		return err
	}
	return bw.Flush()
}

// appendDataQuality appends ,"data_quality":{...}: the mentions counted
// and left out, and each input's records read and rejected.
func appendDataQuality(b []byte, q *analytics.DataQuality) []byte {
	m := &q.Mentions
	b = append(b, ",\"data_quality\":{"...)
	type kv struct {
		k string
		v int64
	}
	counts := []kv{{"records", m.Records}, {"mentions", m.Mentions}, {"after_as_of", m.AfterAsOf}, {"filtered", m.Filtered},
		{"anonymous", m.Anonymous}}
	if q.By == analytics.ByUserID {
		// Only where user ids are the clients, so that other reports
		// stay as they were.
		counts = append(counts, kv{"no_user_id", m.NoUserID})
	}
	counts = append(counts, kv{"outside_days", m.OutOfDays})
	for i, kv := range counts {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonout.AppendString(b, kv.k)
		b = append(b, ':')
		b = strconv.AppendInt(b, kv.v, 10)
	}
	b = append(b, ",\"sources\":["...)
	for i, s := range q.Sources {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "{\"source\":"...)
		b = jsonout.AppendString(b, s.Name)
		b = append(b, ",\"read\":"...)
		b = strconv.AppendInt(b, s.Read, 10)
		b = append(b, ",\"rejected\":"...)
		b = strconv.AppendInt(b, s.Rejected, 10)
		b = append(b, ",\"reasons\":{"...)
		for j, r := range s.Reasons {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonout.AppendString(b, r.Reason)
			b = append(b, ':')
			b = strconv.AppendInt(b, r.Count, 10)
		}
		b = append(b, "}}"...)
	}
	return append(b, "]}"...)
}
