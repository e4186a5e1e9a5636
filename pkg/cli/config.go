package cli

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// envPrefix is the prefix of environment settings: --as-of is USAGEREP_AS_OF.
const envPrefix = "USAGEREP"

// Settings that only a config file (or environment) can hold, beyond flags.
var fileOnlyKeys = append([]string{"fields", "constants", "identity", "identity.service_accounts", "access", "access.columns"}, serveConfigKeys...)

// perCommandKeys are the flags whose value is right for one command only:
// a file to write, a file format, a split that not every command accepts.
// A config file or the environment sets them under the command's own key
// (export.output, analytics.churn.format, USAGEREP_ACCESS_FORMAT), never
// for every command at once.
var perCommandKeys = map[string]bool{"format": true, "output": true, "split": true}

// section is a command's key prefix in the configuration: its path below
// the root, dot-separated ("export", "analytics.events.table").
func section(c *cobra.Command) string {
	return strings.Join(strings.Fields(c.CommandPath())[1:], ".")
}

// configKey is the configuration key of flag f of command c.
func configKey(c *cobra.Command, f *pflag.Flag) string {
	if perCommandKeys[f.Name] {
		return section(c) + "." + f.Name
	}
	return f.Name
}

// configPaths lists where a config file is looked for when --config is not
// given, in order.
func configPaths() []string {
	paths := []string{"usagerep.yaml"}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".config")
		}
	}
	if dir != "" {
		paths = append(paths, filepath.Join(dir, "usagerep", "config.yaml"))
	}
	return paths
}

// loadConfig reads configuration with viper's precedence (flags > USAGEREP_*
// environment > config file > defaults) and writes every setting the user
// did not give as a flag back into that flag, so commands read only their
// Options structs and never viper.
func loadConfig(cmd *cobra.Command, explicit string) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()

	file := explicit
	if file == "" {
		for _, p := range configPaths() {
			if _, err := os.Stat(p); err == nil {
				file = p
				break
			}
		}
	}
	if file != "" {
		v.SetConfigFile(file)
		if filepath.Ext(file) == "" {
			v.SetConfigType("yaml")
		}
		if err := v.ReadInConfig(); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, usageErrorf("config file %s: not found", file)
			}
			return nil, usageErrorf("config file %s: %v", file, err)
		}
		if err := checkKeys(cmd, v, file); err != nil {
			return nil, err
		}
	}
	if err := checkSharedEnv(cmd); err != nil {
		return nil, err
	}

	var firstErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		key := configKey(cmd, f)
		if f.Changed || firstErr != nil || f.Name == "config" || !v.IsSet(key) {
			return
		}
		var vals []string
		switch f.Value.Type() {
		case "stringSlice", "stringArray":
			vals = v.GetStringSlice(key)
		default:
			vals = []string{v.GetString(key)}
		}
		for _, val := range vals {
			if err := f.Value.Set(val); err != nil {
				firstErr = usageErrorf("setting %s=%q (from %s): %v", key, val, settingOrigin(key, file), err)
				return
			}
		}
	})
	return v, firstErr
}

func settingOrigin(key, file string) string {
	env := envName(key)
	if _, ok := os.LookupEnv(env); ok {
		return "environment " + env
	}
	return "config file " + file
}

// checkKeys rejects settings no command knows, so a typo in a config file
// is an error rather than a silently ignored line. A top-level key that is
// per command (format: zip) is refused with the fix: honouring it for every
// command would hand export's zip name or format to access and the rest.
func checkKeys(cmd *cobra.Command, v *viper.Viper, file string) error {
	known := map[string]bool{}
	for _, k := range fileOnlyKeys {
		known[k] = true
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) {
			switch {
			case !perCommandKeys[f.Name]:
				known[f.Name] = true
			case hasPerCommandKey(c, f.Name):
				known[configKey(c, f)] = true
			}
		}
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd.Root())
	var unknown, shared []string
	for _, k := range v.AllKeys() {
		if perCommandKeys[k] {
			shared = append(shared, k)
			continue
		}
		if known[k] || strings.HasPrefix(k, "fields.") || strings.HasPrefix(k, "constants.") || strings.HasPrefix(k, "access.columns.") {
			continue
		}
		unknown = append(unknown, k)
	}
	if len(shared) > 0 {
		sort.Strings(shared)
		vals := make([]string, len(shared))
		for i, k := range shared {
			vals[i] = v.GetString(k)
		}
		what, fix := "top-level "+shared[0]+" is", "move it under the command it is for"
		if len(shared) > 1 {
			what, fix = "top-level "+strings.Join(shared, ", ")+" are", "move them under the command each is for"
		}
		return usageErrorf("config file %s: %s no longer read, as each command takes its own: %s, "+
			"e.g. %s (usagerep config init -o - shows every command's keys)", file, what, fix, sectionExample(cmd, shared, vals))
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return usageErrorf("config file %s: unknown setting %s", file, strings.Join(unknown, ", "))
	}
	return nil
}

// topCommand is c's ancestor just below the root, or c itself there.
func topCommand(c *cobra.Command) *cobra.Command {
	for c.HasParent() && c.Parent().HasParent() {
		c = c.Parent()
	}
	return c
}

// hasPerCommandKey says whether c reads the per-command setting name: it
// has the flag, visible (serve hides its unused --output), and is not a
// tool command, which reads no configuration.
func hasPerCommandKey(c *cobra.Command, name string) bool {
	if !perCommandKeys[name] || !c.HasParent() || toolCommands[topCommand(c).Name()] {
		return false
	}
	f := c.Flags().Lookup(name)
	return f != nil && !f.Hidden
}

// exampleCommand is the command to show a per-command key's fix with: the
// one running if it has the key, else export (what a shared output or
// format was mostly written for), else the first in the tree that has it.
func exampleCommand(cmd *cobra.Command, name string) *cobra.Command {
	if hasPerCommandKey(cmd, name) {
		return cmd
	}
	if c, _, err := cmd.Root().Find([]string{"export"}); err == nil && hasPerCommandKey(c, name) {
		return c
	}
	var found *cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if found == nil && hasPerCommandKey(c, name) {
			found = c
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cmd.Root())
	return found
}

// perCommandExample is the per-command key to show for name: "export.output".
func perCommandExample(cmd *cobra.Command, name string) string {
	if c := exampleCommand(cmd, name); c != nil {
		return section(c) + "." + name
	}
	return "export." + name
}

// sectionExample writes names set to vals under the commands that have
// them, in YAML flow style so that it fits an error message:
// "export: {format: zip, output: usage.zip}", "analytics: {churn: {split: week}}".
func sectionExample(cmd *cobra.Command, names, vals []string) string {
	var order []string
	body := map[string][]string{}
	for i, name := range names {
		key := perCommandExample(cmd, name)
		sec := key[:strings.LastIndex(key, ".")]
		if _, ok := body[sec]; !ok {
			order = append(order, sec)
		}
		body[sec] = append(body[sec], name+": "+yamlScalar(vals[i]))
	}
	var out []string
	for _, sec := range order {
		parts := strings.Split(sec, ".")
		text := "{" + strings.Join(body[sec], ", ") + "}"
		for i := len(parts) - 1; i >= 0; i-- {
			text = parts[i] + ": " + text
			if i > 0 {
				text = "{" + text + "}"
			}
		}
		out = append(out, `"`+text+`"`)
	}
	return strings.Join(out, " and ")
}

// checkSharedEnv refuses USAGEREP_FORMAT, USAGEREP_OUTPUT and
// USAGEREP_SPLIT, which every command used to read: ignoring them now
// would silently write somewhere else than the user asked.
func checkSharedEnv(cmd *cobra.Command) error {
	for _, k := range slices.Sorted(maps.Keys(perCommandKeys)) {
		env := envName(k)
		if os.Getenv(env) == "" { // viper ignores empty ones too
			continue
		}
		return usageErrorf("environment %s is no longer read, as each command takes its own %s: set %s instead (%s_<COMMAND>_%s for another command)",
			env, k, envName(perCommandExample(cmd, k)), envPrefix, strings.ToUpper(k))
	}
	return nil
}

// stringMap reads a map setting such as fields or constants.
func stringMap(v *viper.Viper, key string) map[string]string {
	m := v.GetStringMapString(key)
	if len(m) == 0 {
		return nil
	}
	return m
}

// parseAssignments reads repeated FIELD=VALUE flags into a map.
func parseAssignments(flag string, items []string) (map[string]string, error) {
	if len(items) == 0 {
		return nil, nil
	}
	m := make(map[string]string, len(items))
	for _, it := range items {
		k, val, ok := strings.Cut(it, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usageErrorf("--%s %q: want FIELD=VALUE", flag, it)
		}
		m[k] = strings.TrimSpace(val)
	}
	return m, nil
}

func mergeMaps(dst, src map[string]string) map[string]string {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]string{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
