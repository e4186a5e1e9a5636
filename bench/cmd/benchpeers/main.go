// Command benchpeers measures `usagerep export` end to end against two
// peers that compute the same summary figures on the same JSONL input,
// DuckDB (cmd/duckfigures) and jq (figures.jq), and prints a markdown
// table: wall time, MB/s, CPU time, peak RSS and the figures of each. It
// fails when DuckDB and jq disagree, or when usagerep disagrees with them
// on a figure both define alike. Given several inputs it adds a scaling
// table (time and RSS against input size). Each tool is a child process,
// timed from start to exit; peak RSS is the child's rusage maxrss.
//
//	benchpeers -usagerep bin/usagerep -duckfigures bench/bin/duckfigures .bench-data/1g.jsonl
//	benchpeers -tools usagerep .bench-data/1g.jsonl .bench-data/2g.jsonl .bench-data/4g.jsonl
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/usagerep/usagerep/pkg/usage"

	"github.com/usagerep/usagerep/bench/internal/figures"
	"github.com/usagerep/usagerep/bench/internal/workbook"
)

//go:embed figures.jq
var jqProgram string

type options struct {
	tools       []string
	usagerep    string
	duckfigures string
	jq          string
	jqProgram   string
	asOf        string
	periods     string
	tmp         string
	idle        float64
	idleWait    time.Duration
	inputs      []string
}

func main() {
	var o options
	tools := flag.String("tools", "usagerep,duckdb,jq", "tools to run, comma-separated")
	flag.StringVar(&o.usagerep, "usagerep", "bin/usagerep", "usagerep binary")
	flag.StringVar(&o.duckfigures, "duckfigures", "bench/bin/duckfigures", "the DuckDB peer's binary")
	flag.StringVar(&o.jq, "jq", "/usr/bin/jq", "jq binary")
	flag.StringVar(&o.jqProgram, "jq-program", "", "jq program file (default: the embedded figures.jq)")
	flag.StringVar(&o.asOf, "as-of", "2026-11-22", "usagerep's --as-of")
	flag.StringVar(&o.periods, "period", "6m,1y", "usagerep's --period; the peers use the widest")
	flag.Float64Var(&o.idle, "idle", 0.9, "before each run, wait until this share of the CPUs is idle (0: never wait)")
	flag.DurationVar(&o.idleWait, "idle-wait", 10*time.Minute, "wait at most this long for -idle, then run anyway")
	flag.StringVar(&o.tmp, "tmp", "", "directory for usagerep's zip (default: a new temporary one)")
	flag.Parse()
	o.tools = strings.Split(*tools, ",")
	o.inputs = flag.Args()
	if len(o.inputs) == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchpeers [flags] INPUT.jsonl...")
		os.Exit(2)
	}
	if err := run(&o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchpeers:", err)
		os.Exit(1)
	}
}

// result is one tool's run on one input.
type result struct {
	tool      string
	argv      []string
	wall, cpu time.Duration
	rss       int64   // bytes; -1 unknown
	load      string  // 1-minute load average just before the run
	idle      float64 // share of the CPUs idle just before the run
	fig       *figures.Figures
	sum       *workbook.Summary // usagerep only
}

func run(o *options, w io.Writer) error {
	for _, t := range o.tools {
		if !slices.Contains([]string{"usagerep", "duckdb", "jq"}, t) {
			return fmt.Errorf("unknown tool %q (want usagerep, duckdb or jq)", t)
		}
	}
	win, book, err := widest(o.asOf, o.periods)
	if err != nil {
		return err
	}
	if o.tmp == "" {
		if o.tmp, err = os.MkdirTemp("", "benchpeers-"); err != nil {
			return err
		}
		defer os.RemoveAll(o.tmp)
	}
	if o.jqProgram == "" {
		o.jqProgram = filepath.Join(o.tmp, "figures.jq")
		if err := os.WriteFile(o.jqProgram, []byte(jqProgram), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "Machine: %d CPUs, %s/%s. Window %s: the widest of --period %s, as of %s (UTC).\n",
		runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, win, o.periods, o.asOf)
	if slices.Contains(o.tools, "usagerep") {
		// The binary may be rebuilt between runs; say which one this was.
		v, err := exec.Command(o.usagerep, "--version").Output()
		if err != nil {
			return fmt.Errorf("%s --version: %w", o.usagerep, err)
		}
		fmt.Fprintf(w, "usagerep: %s\n", strings.TrimSpace(string(v)))
	}
	var failed []string
	all := map[string][]result{}
	sizes := make([]int64, len(o.inputs))
	for i, in := range o.inputs {
		size, rate, err := warm(in)
		if err != nil {
			return err
		}
		sizes[i] = size
		fmt.Fprintf(w, "\n## %s\n\n%s bytes (%.0f MiB); page cache warmed first (read at %.0f MB/s).\n\n",
			in, thousands(size), float64(size)/(1<<20), rate)
		var res []result
		for _, t := range o.tools {
			r, err := o.runTool(t, in, win, book)
			if err != nil {
				return err
			}
			r.fig.Normalize()
			res = append(res, r)
			all[t] = append(all[t], r)
		}
		printTable(w, res, size)
		failed = append(failed, check(w, res)...)
		printTop(w, res)
		fmt.Fprintf(w, "\nCommands:\n\n")
		for _, r := range res {
			fmt.Fprintf(w, "    %s\n", strings.Join(quoteArgs(r.argv), " "))
		}
	}
	printNotes(w)
	if len(o.inputs) > 1 {
		printScaling(w, o.tools, all, o.inputs, sizes)
	}
	if len(failed) > 0 {
		return fmt.Errorf("figures disagree:\n  %s", strings.Join(failed, "\n  "))
	}
	return nil
}

// widest returns the widest window of the periods and its workbook's name.
func widest(asOfText, periods string) (figures.Window, string, error) {
	asOf, err := usage.ParseAsOf(asOfText, time.UTC)
	if err != nil {
		return figures.Window{}, "", err
	}
	ps, err := usage.ParsePeriods(periods)
	if err != nil {
		return figures.Window{}, "", err
	}
	best := ps[0]
	for _, p := range ps[1:] {
		if p.Start(asOf).Before(best.Start(asOf)) {
			best = p
		}
	}
	return figures.Window{From: best.Start(asOf), To: asOf}, "Usage Report (" + best.Label() + ").xlsx", nil
}

// warm reads the input once so that every tool finds it in the page cache
// and none pays for the disk on behalf of the others.
func warm(path string) (int64, float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	start := time.Now()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := f.Read(buf)
		n += int64(k)
		if err == io.EOF {
			return n, float64(n) / time.Since(start).Seconds() / 1e6, nil
		}
		if err != nil {
			return n, 0, err
		}
	}
}

func (o *options) runTool(tool, in string, win figures.Window, book string) (result, error) {
	from, to := win.From.UTC().Format(figures.TimeLayout), win.To.UTC().Format(figures.TimeLayout)
	r := result{tool: tool}
	zipPath := filepath.Join(o.tmp, "usage.zip")
	switch tool {
	case "usagerep":
		r.argv = []string{o.usagerep, "export", "--as-of", o.asOf}
		if o.periods != "6m,1y" {
			r.argv = append(r.argv, "--period", o.periods)
		}
		r.argv = append(r.argv, "-o", zipPath, in)
	case "duckdb":
		r.argv = []string{o.duckfigures, "-from", from, "-to", to, in}
	case "jq":
		r.argv = []string{o.jq, "-n", "-c", "--arg", "from", from, "--arg", "to", to, "-f", o.jqProgram, in}
	}
	fmt.Fprintf(os.Stderr, "benchpeers: %s ...\n", strings.Join(quoteArgs(r.argv), " "))
	r.idle = o.waitIdle()
	r.load = loadAvg()
	cmd := exec.Command(r.argv[0], r.argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start)
	if err != nil {
		return r, fmt.Errorf("%s: %w\n%s", tool, err, tail(stderr.String()))
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r.rss = maxRSS(cmd.ProcessState)
	fmt.Fprintf(os.Stderr, "benchpeers: %s took %v\n", tool, r.wall.Round(time.Millisecond))
	if tool == "usagerep" {
		defer os.Remove(zipPath)
		if r.fig, r.sum, err = workbook.Read(zipPath, book); err != nil {
			return r, err
		}
		if !r.sum.From.Equal(win.From) || !r.sum.To.Equal(win.To) {
			return r, fmt.Errorf("usagerep's window is [%v, %v), the peers' %s", r.sum.From, r.sum.To, win)
		}
		return r, nil
	}
	r.fig = &figures.Figures{}
	if err := json.Unmarshal(stdout.Bytes(), r.fig); err != nil {
		return r, fmt.Errorf("%s printed no figures: %w\n%s", tool, err, tail(stdout.String()))
	}
	return r, nil
}

// waitIdle waits until the machine is quiet enough to measure, so that
// another job's cores do not count against a tool; it returns the idle
// share last seen.
func (o *options) waitIdle() float64 {
	deadline := time.Now().Add(o.idleWait)
	for said := false; ; {
		idle := idleFraction(time.Second)
		if o.idle <= 0 || idle < 0 || idle >= o.idle || time.Now().After(deadline) {
			return idle
		}
		if !said {
			fmt.Fprintf(os.Stderr, "benchpeers: waiting for the CPUs to be %.0f%% idle (now %.0f%%)\n", 100*o.idle, 100*idle)
			said = true
		}
	}
}

// check compares the figures and prints the verdict: DuckDB and jq must
// agree on everything, usagerep with them where definitions coincide.
func check(w io.Writer, res []result) []string {
	var failed, agreed []string
	byTool := map[string]*result{}
	for i := range res {
		byTool[res[i].tool] = &res[i]
	}
	if d, j := byTool["duckdb"], byTool["jq"]; d != nil && j != nil {
		if diff := figures.Diff(d.fig, j.fig, true); len(diff) > 0 {
			failed = append(failed, prefix("DuckDB vs jq: ", diff)...)
		} else {
			agreed = append(agreed, "DuckDB and jq agree on every figure and every project pair (sync counts included)")
		}
	}
	if u := byTool["usagerep"]; u != nil {
		if n := u.fig.Projects(); n != u.sum.Projects {
			failed = append(failed, fmt.Sprintf("usagerep: Total Unique Projects %d, but its project pairs name %d", u.sum.Projects, n))
		}
		for _, peer := range []string{"duckdb", "jq"} {
			p := byTool[peer]
			if p == nil {
				continue
			}
			if diff := figures.Diff(u.fig, p.fig, false); len(diff) > 0 {
				failed = append(failed, prefix("usagerep vs "+peer+": ", diff)...)
			} else {
				agreed = append(agreed, "usagerep and "+name(peer)+" agree on records, records in window, entities synced, entity types, projects and the project pairs with their Last Synced")
			}
		}
	}
	fmt.Fprintln(w)
	for _, a := range agreed {
		fmt.Fprintf(w, "- %s.\n", a)
	}
	for _, f := range failed {
		fmt.Fprintf(w, "- **DISAGREE** %s\n", f)
	}
	return failed
}

func prefix(p string, lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}

func name(tool string) string {
	switch tool {
	case "duckdb":
		return "DuckDB"
	}
	return tool
}

func printTable(w io.Writer, res []result, size int64) {
	head := "| |"
	sep := "| --- |"
	for _, r := range res {
		head += " " + name(r.tool) + " |"
		sep += " ---: |"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	row := func(label string, cell func(r *result) string) {
		line := "| " + label + " |"
		for i := range res {
			line += " " + cell(&res[i]) + " |"
		}
		fmt.Fprintln(w, line)
	}
	num := func(f func(r *result) int64) func(r *result) string {
		return func(r *result) string {
			if v := f(r); v != figures.Unknown {
				return thousands(v)
			}
			return "—"
		}
	}
	sum := func(f func(s *workbook.Summary) int64) func(r *result) string {
		return func(r *result) string {
			if r.sum == nil {
				return "—"
			}
			return thousands(f(r.sum))
		}
	}
	row("wall time", func(r *result) string { return fmt.Sprintf("%.2f s", r.wall.Seconds()) })
	row("MB/s", func(r *result) string { return fmt.Sprintf("%.1f", float64(size)/r.wall.Seconds()/1e6) })
	row("records/s", func(r *result) string {
		return thousands(int64(float64(r.fig.Records) / r.wall.Seconds()))
	})
	row("CPU time (user+sys)", func(r *result) string {
		return fmt.Sprintf("%.2f s (%.1f cores)", r.cpu.Seconds(), r.cpu.Seconds()/r.wall.Seconds())
	})
	row("peak RSS", func(r *result) string {
		if r.rss < 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.0f MiB", float64(r.rss)/(1<<20))
	})
	row("CPUs idle before / load average", func(r *result) string {
		return fmt.Sprintf("%.0f%% / %s", 100*r.idle, r.load)
	})
	row("records read", num(func(r *result) int64 { return r.fig.Records }))
	row("records in window", num(func(r *result) int64 { return r.fig.InWindow }))
	row("distinct emails ¹", num(func(r *result) int64 { return r.fig.Emails }))
	row("distinct usernames ¹", num(func(r *result) int64 { return r.fig.Usernames }))
	row("Total Unique Users ²", sum(func(s *workbook.Summary) int64 { return s.TotalUsers }))
	row("· Usernames or Emails", sum(func(s *workbook.Summary) int64 { return s.UsernamesOrEmails }))
	row("· Emails", sum(func(s *workbook.Summary) int64 { return s.Emails }))
	row("· Display Names", sum(func(s *workbook.Summary) int64 { return s.DisplayNames }))
	row("· Usernames", sum(func(s *workbook.Summary) int64 { return s.Usernames }))
	row("· Service accounts", sum(func(s *workbook.Summary) int64 { return s.ServiceAccounts }))
	row("successful syncs ³", num(func(r *result) int64 { return r.fig.Syncs }))
	row("entities synced ⁴", num(func(r *result) int64 { return r.fig.Entities }))
	row("entity types ⁵", num(func(r *result) int64 { return r.fig.EntityTypes }))
	row("projects ⁶", func(r *result) string {
		if r.sum != nil {
			return thousands(r.sum.Projects)
		}
		return thousands(r.fig.Projects())
	})
	row("project pairs ⁷", func(r *result) string { return thousands(int64(len(r.fig.ProjectPairs))) })
	row("pairs checksum ⁷", func(r *result) string { return "`" + r.fig.PairsChecksum() + "`" })
}

// printNotes says what each figure of the tables means.
func printNotes(w io.Writer) {
	fmt.Fprint(w, "\nFigures:\n\n")
	fmt.Fprint(w, `1. Count distinct of the non-empty lower-cased value, over the window's
   observations: each record's own user and each users[] element (at its
   own time if it has one). No identity resolution; invalid emails count.
2. usagerep's Summary: identities after resolution (spellings, emails,
   usernames and display names merged as in docs/identity.md), so it is
   not a count-distinct and is compared with nothing.
3. kind sync, outcome success (absent, success, ok, succeeded; any case),
   in the window, system and peer_system both set.
4. Spec 03: the unordered pair of ends (system, entity_id) when both have
   an id; the end with an id when one has; once per record when none has.
5. Distinct (end system, entity type) of those syncs.
6. Distinct non-empty (system, project) ends of those syncs.
7. Integrated Project Count: unordered pairs of (system, project) ends of
   those syncs, at least one project set; the checksum is a SHA-256 of the
   sorted pairs with their Last Synced.
`)
}

func printTop(w io.Writer, res []result) {
	for _, r := range res {
		if r.tool == "usagerep" {
			continue
		}
		fmt.Fprintf(w, "\nBusiest project pairs (%s):\n\n| pair | successful syncs | last synced |\n| --- | ---: | --- |\n", name(r.tool))
		for _, p := range r.fig.TopPairs(5) {
			fmt.Fprintf(w, "| %s | %s | %s |\n", p.Label(), thousands(p.Syncs), p.LastSynced)
		}
		return
	}
}

// printScaling shows, per tool, how time and memory grow with the input:
// linear time keeps the time ratio at the size ratio.
func printScaling(w io.Writer, tools []string, all map[string][]result, inputs []string, sizes []int64) {
	fmt.Fprintf(w, "\n## Scaling\n\n| tool | input | size | records | wall time | MB/s | peak RSS | time ratio | size ratio |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, t := range tools {
		res := all[t]
		for i, r := range res {
			rss := "n/a"
			if r.rss >= 0 {
				rss = fmt.Sprintf("%.0f MiB", float64(r.rss)/(1<<20))
			}
			fmt.Fprintf(w, "| %s | %s | %.0f MiB | %s | %.2f s | %.1f | %s | %.2f | %.2f |\n",
				name(t), filepath.Base(inputs[i]), float64(sizes[i])/(1<<20), thousands(r.fig.Records),
				r.wall.Seconds(), float64(sizes[i])/r.wall.Seconds()/1e6, rss,
				r.wall.Seconds()/res[0].wall.Seconds(), float64(sizes[i])/float64(sizes[0]))
		}
	}
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func quoteArgs(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " '\"$()*?[]") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}

// tail keeps the end of a tool's output for an error message.
func tail(s string) string {
	const n = 2000
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}
