package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/usagerep/usagerep/pkg/output"
	"github.com/usagerep/usagerep/pkg/source"
)

// notSettings are flags that are never settings worth showing or writing
// into a starter file: they pick an output mode or a one-off action.
var notSettings = map[string]bool{
	"config": true, "help": true, "json": true, "force": true, "map": true, "const": true,
	"cpuprofile": true, "memprofile": true, "version": true,
}

// toolCommands hold no settings of their own.
var toolCommands = map[string]bool{"config": true, "completion": true, "help": true, "schema": true}

func newConfigCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the configuration in effect, or write a starter usagerep.yaml",
		Long: `Settings come from, in order of precedence: a flag, an environment variable
USAGEREP_<NAME> (--max-errors is USAGEREP_MAX_ERRORS), the config file
(--config FILE, else ./usagerep.yaml, else $XDG_CONFIG_HOME/usagerep/config.yaml),
then the flag's default.

--format, --output and --split are each command's own: the file sets them
under the command (export: {output: usage.zip}, analytics: {churn: {split:
month}}) and the environment as USAGEREP_<COMMAND>_<NAME>
(USAGEREP_EXPORT_OUTPUT, USAGEREP_ANALYTICS_CHURN_SPLIT). At the top level
they are refused, as one value cannot suit every command.`,
		Example: `  usagerep config show
  usagerep config init --profile github-events`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newConfigShowCmd(a), newConfigInitCmd(a))
	return cmd
}

// setting is one configuration key as config show reports it.
type setting struct {
	Key    string   `json:"key"`
	Value  any      `json:"value"`
	Source string   `json:"source"` // default, environment NAME, or config file PATH
	UsedBy []string `json:"used_by,omitempty"`
	// Problem says why the value would be refused, if it would.
	Problem string `json:"problem,omitempty"`
}

type configShowOptions struct {
	IO   *IOStreams
	JSON bool
}

func newConfigShowCmd(a *app) *cobra.Command {
	opts := &configShowOptions{IO: a.io}
	cmd := &cobra.Command{
		Use:   "show [flags]",
		Short: "Print the effective configuration and where each value came from",
		Long: `show prints every setting with its value in effect and where it came from: the
environment (USAGEREP_<NAME>), the config file, or the default. A flag given on
a command line would still win over all of them.

Exit status: 0 done, 2 when the config file cannot be read, has an unknown
key, or holds a value its flag would refuse (every problem is listed first).`,
		Example: `  usagerep config show
  usagerep --config team.yaml config show --json | jq '.settings[] | select(.source != "default")'
  USAGEREP_TZ=Europe/Berlin usagerep config show`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfigShow(opts, cmd.Root(), a.config)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write the settings as JSON")
	return cmd
}

// settingInfo is one configuration key of the tree's flags: the flag of
// the first command that has it, and each command's path and default.
type settingInfo struct {
	flag     *pflag.Flag
	usedBy   []string // command paths below the root: "export", "analytics churn"
	defaults []string
}

// settingFlags lists every flag that is a setting, by configuration key
// (as-of, export.output), in the order of the tree.
func settingFlags(root *cobra.Command) (keys []string, info map[string]*settingInfo) {
	info = map[string]*settingInfo{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if toolCommands[c.Name()] {
			return
		}
		if c != root {
			c.Flags().VisitAll(func(f *pflag.Flag) {
				if notSettings[f.Name] || f.Hidden {
					return
				}
				key := configKey(c, f)
				s, ok := info[key]
				if !ok {
					s = &settingInfo{flag: f}
					info[key] = s
					keys = append(keys, key)
				}
				s.usedBy = append(s.usedBy, strings.ReplaceAll(section(c), ".", " "))
				s.defaults = append(s.defaults, f.DefValue)
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return keys, info
}

// defaultOf is a setting's default, or each command's when they differ.
func (s *settingInfo) defaultOf() any {
	if len(slices.Compact(slices.Clone(s.defaults))) <= 1 {
		if t := s.flag.Value.Type(); t == "stringArray" || t == "stringSlice" {
			return []string{}
		}
		return s.flag.DefValue
	}
	m := map[string]string{}
	for i, c := range s.usedBy {
		m[c] = s.defaults[i]
	}
	return m
}

func envName(key string) string {
	return envPrefix + "_" + strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToUpper(key))
}

func collectSettings(root *cobra.Command, v *viper.Viper) (string, []setting) {
	file := v.ConfigFileUsed()
	keys, info := settingFlags(root)
	slices.Sort(keys)
	// Values are tried on the flags of a fresh tree, so that nothing here
	// changes the running one.
	fresh := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}, BuildInfo{})
	var out []setting
	for _, key := range keys {
		si := info[key]
		s := setting{Key: key, Value: si.defaultOf(), Source: "default", UsedBy: si.usedBy}
		env := envName(key)
		if val, ok := os.LookupEnv(env); ok && val != "" { // viper ignores empty ones too
			s.Value, s.Source = val, "environment "+env
		} else if v.InConfig(key) {
			s.Value, s.Source = v.Get(key), "config file "+file
		}
		if s.Source != "default" {
			s.Problem = checkSetting(fresh, si.usedBy, si.flag.Name, key, v)
		}
		out = append(out, s)
	}
	mapping := source.Mapping{}
	for _, key := range []string{"fields", "constants"} {
		m := stringMap(v, key)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, setting{Key: key + "." + k, Value: m[k], Source: "config file " + file})
		}
		if key == "fields" {
			mapping.Fields = m
		} else {
			mapping.Constants = m
		}
	}
	if len(mapping.Fields) > 0 || len(mapping.Constants) > 0 {
		if _, err := source.NewDecoder(source.FormatJSONL, source.DecodeOptions{Mapping: mapping}); err != nil {
			for i := range out {
				if strings.HasPrefix(out[i].Key, "fields.") || strings.HasPrefix(out[i].Key, "constants.") {
					out[i].Problem = err.Error()
				}
			}
		}
	}
	sa := setting{Key: "identity.service_accounts", Value: []string{}, Source: "default", UsedBy: info["service-account"].usedBy}
	if v.InConfig("identity.service_accounts") {
		sa.Value, sa.Source = v.GetStringSlice("identity.service_accounts"), "config file "+file
	}
	out = append(out, sa)
	return file, out
}

// checkSetting sets the value viper holds for key on flag name of each
// command of a fresh tree that has it, and says why one refuses it.
func checkSetting(fresh *cobra.Command, cmds []string, name, key string, v *viper.Viper) string {
	for _, path := range cmds {
		c, _, err := fresh.Find(strings.Fields(path))
		if err != nil {
			continue
		}
		f := c.Flags().Lookup(name)
		if f == nil {
			continue
		}
		vals := []string{v.GetString(key)}
		if t := f.Value.Type(); t == "stringArray" || t == "stringSlice" {
			vals = v.GetStringSlice(key)
		}
		for _, val := range vals {
			if err := f.Value.Set(val); err != nil {
				return err.Error()
			}
		}
	}
	return ""
}

func runConfigShow(opts *configShowOptions, root *cobra.Command, v *viper.Viper) error {
	file, settings := collectSettings(root, v)
	var problems []string
	for _, s := range settings {
		if s.Problem != "" {
			problems = append(problems, fmt.Sprintf("%s (from %s): %s", s.Key, s.Source, s.Problem))
		}
	}
	out, err := createOutput(output.Stdout, opts.IO)
	if err != nil {
		return outputError(err)
	}
	if opts.JSON {
		doc := struct {
			ConfigFile string    `json:"config_file"`
			Searched   []string  `json:"searched"`
			Settings   []setting `json:"settings"`
		}{file, configPaths(), settings}
		err = writeJSON(out, doc)
	} else {
		err = writeSettingsText(out, file, settings)
	}
	if err != nil {
		return outputError(err)
	}
	if err := out.Commit(); err != nil {
		return outputError(err)
	}
	if len(problems) > 0 {
		return usageErrorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func writeSettingsText(w io.Writer, file string, settings []setting) error {
	ew := &errWriter{w: w}
	if file == "" {
		fmt.Fprintf(ew, "Config file: none (looked for %s)\n\n", strings.Join(configPaths(), ", "))
	} else {
		fmt.Fprintf(ew, "Config file: %s\n\n", file)
	}
	writeTable(ew, func(tw io.Writer) {
		fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE\tUSED BY")
		for _, s := range settings {
			src := s.Source
			if s.Problem != "" {
				src += " (invalid: " + s.Problem + ")"
			}
			used := strings.Join(s.UsedBy, ", ")
			if used == "" {
				used = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Key, showValue(s.Value), src, used)
		}
	})
	return ew.err
}

func showValue(v any) string {
	switch x := v.(type) {
	case []string:
		if len(x) == 0 {
			return "[]"
		}
		return "[" + strings.Join(x, ", ") + "]"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, fmt.Sprint(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		if x == "" {
			return `""`
		}
		return x
	case map[string]string:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			parts = append(parts, k+"="+showValue(x[k]))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

type configInitOptions struct {
	IO      *IOStreams
	Output  string
	Force   bool
	Profile string
	Quiet   bool
}

func newConfigInitCmd(a *app) *cobra.Command {
	opts := &configInitOptions{IO: a.io}
	cmd := &cobra.Command{
		Use:   "init [flags]",
		Short: "Write a commented starter usagerep.yaml",
		Long: `init writes a starter config file: every setting, commented out at its default
with what it does, and a field mapping to fill in (or the one of --profile).
It never overwrites a file unless --force is given.`,
		Example: `  # ./usagerep.yaml, read by every run from this directory
  usagerep config init

  # Start from the GitHub events mapping
  usagerep config init --profile github-events

  # To standard output, or to the per-user file
  usagerep config init -o -
  usagerep config init -o ~/.config/usagerep/config.yaml`,
		Args: cobra.NoArgs,
		// The file being replaced may be the broken one.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfigInit(opts, cmd.Root())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.Output, "output", "o", "usagerep.yaml", "where to write; - for standard output")
	f.BoolVar(&opts.Force, "force", false, "replace an existing file")
	f.StringVar(&opts.Profile, "profile", "", "fill fields and constants from a built-in profile ("+strings.Join(source.ProfileNames(), ", ")+")")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "say nothing on stderr")
	_ = cmd.RegisterFlagCompletionFunc("profile", cobra.FixedCompletions(profileCompletions(), cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runConfigInit(opts *configInitOptions, root *cobra.Command) error {
	var mapping source.Mapping
	if opts.Profile != "" {
		m, ok := source.Profile(opts.Profile)
		if !ok {
			return usageErrorf("--profile %q: unknown (known: %s)", opts.Profile, strings.Join(source.ProfileNames(), ", "))
		}
		mapping = m
	}
	if opts.Output != output.Stdout && !opts.Force {
		if _, err := os.Stat(opts.Output); err == nil {
			return usageErrorf("%s exists (give --force to replace it)", opts.Output)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return outputError(err)
		}
	}
	out, err := createOutput(opts.Output, opts.IO)
	if err != nil {
		return outputError(err)
	}
	defer out.Abort()
	if _, err := io.WriteString(out, starterConfig(root, opts.Profile, mapping)); err != nil {
		return outputError(err)
	}
	if err := out.Commit(); err != nil {
		return outputError(err)
	}
	if !opts.Quiet && opts.Output != output.Stdout {
		fmt.Fprintf(opts.IO.ErrOut, "usagerep: wrote %s; `usagerep config show` prints what is in effect\n", opts.Output)
	}
	return nil
}

// starterConfig is a usagerep.yaml with every setting commented out at its
// default, grouped by the first command that has it; the per-command ones
// are nested under their command, as they must be written.
func starterConfig(root *cobra.Command, profile string, m source.Mapping) string {
	var b strings.Builder
	b.WriteString(`# usagerep configuration: read by every usagerep command run from this
# directory (./usagerep.yaml), or named with --config FILE.
# A flag on the command line wins over USAGEREP_<NAME> in the environment,
# which wins over this file. Settings are commented out at their defaults:
# remove the "# " to set one. "usagerep config show" prints what is in effect.
# format, output and split are each command's own: they go under its name
# (export: output: ...), and in the environment USAGEREP_EXPORT_OUTPUT etc.
`)
	keys, info := settingFlags(root)
	done := map[string]bool{}
	for _, c := range root.Commands() {
		if toolCommands[c.Name()] {
			continue
		}
		// Shared settings first used by c's commands, then c's own.
		var shared, own []string
		for _, k := range keys {
			si := info[k]
			switch {
			case done[k]:
			case perCommandKeys[si.flag.Name]:
				if strings.HasPrefix(k, c.Name()+".") {
					own = append(own, k)
				}
			case slices.ContainsFunc(si.usedBy, func(p string) bool { return strings.Fields(p)[0] == c.Name() }):
				shared = append(shared, k)
			}
		}
		if len(shared)+len(own) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n# --- %s ---\n", c.Name())
		for _, k := range shared {
			done[k] = true
			si := info[k]
			used := strings.Join(si.usedBy, ", ")
			if d, ok := si.defaultOf().(map[string]string); ok {
				used = "defaults: " + showValue(d)
			}
			fmt.Fprintf(&b, "# %s\n#   (%s)\n# %s: %s\n", si.flag.Usage, used, k, defaultYAML(si.flag))
		}
		if len(own) > 0 {
			b.WriteString("# Each command's own, under its name (never at the top level):\n")
		}
		var open []string // the sections written so far, outermost first
		for _, k := range own {
			done[k] = true
			parts := strings.Split(k, ".")
			path, name := parts[:len(parts)-1], parts[len(parts)-1]
			same := 0
			for same < len(open) && same < len(path) && open[same] == path[same] {
				same++
			}
			for i := same; i < len(path); i++ {
				fmt.Fprintf(&b, "# %s%s:\n", strings.Repeat("  ", i), path[i])
			}
			open = path
			indent := strings.Repeat("  ", len(path))
			f := info[k].flag
			fmt.Fprintf(&b, "# %s# %s\n# %s%s: %s\n", indent, f.Usage, indent, name, defaultYAML(f))
		}
	}
	b.WriteString("\n# --- field mapping (docs/input.md, \"Mapping foreign dumps\"; usagerep schema lists the fields) ---\n")
	if profile != "" {
		fmt.Fprintf(&b, "# From --profile %s: %s.\n", profile, source.ProfileDescription(profile))
	}
	if len(m.Fields) > 0 {
		b.WriteString("fields:\n")
		for _, k := range slices.Sorted(maps.Keys(m.Fields)) {
			fmt.Fprintf(&b, "  %s: %s\n", k, yamlScalar(m.Fields[k]))
		}
	} else {
		b.WriteString("# fields:               # canonical field: source path or CSV header\n#   time: created_at\n#   username: actor.login\n#   project: repo.name\n")
	}
	if len(m.Constants) > 0 {
		b.WriteString("constants:\n")
		for _, k := range slices.Sorted(maps.Keys(m.Constants)) {
			fmt.Fprintf(&b, "  %s: %s\n", k, yamlScalar(m.Constants[k]))
		}
	} else {
		b.WriteString("# constants:            # canonical field: value for every record\n#   system: GitHub\n")
	}
	b.WriteString(`
# --- identity (docs/identity.md) ---
# Service-account globs, used when --service-account is not given:
# identity:
#   service_accounts:
#     - "svc-*"
#     - "*[[]bot]"
`)
	return b.String()
}

// defaultYAML writes a flag's default as a YAML value.
func defaultYAML(f *pflag.Flag) string {
	switch f.Value.Type() {
	case "stringArray", "stringSlice":
		return "[]"
	case "bool", "int", "float64":
		return f.DefValue
	}
	if f.Name == "workers" {
		return f.DefValue
	}
	return yamlScalar(f.DefValue)
}
