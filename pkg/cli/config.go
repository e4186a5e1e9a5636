package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
		if err := checkKeys(cmd.Root(), v, file); err != nil {
			return nil, err
		}
	}

	var firstErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Changed || firstErr != nil || f.Name == "config" || !v.IsSet(f.Name) {
			return
		}
		var vals []string
		switch f.Value.Type() {
		case "stringSlice", "stringArray":
			vals = v.GetStringSlice(f.Name)
		default:
			vals = []string{v.GetString(f.Name)}
		}
		for _, val := range vals {
			if err := f.Value.Set(val); err != nil {
				firstErr = usageErrorf("setting %s=%q (from %s): %v", f.Name, val, settingOrigin(f.Name, file), err)
				return
			}
		}
	})
	return v, firstErr
}

func settingOrigin(name, file string) string {
	env := envPrefix + "_" + strings.NewReplacer("-", "_", ".", "_").Replace(strings.ToUpper(name))
	if _, ok := os.LookupEnv(env); ok {
		return "environment " + env
	}
	return "config file " + file
}

// checkKeys rejects settings no command knows, so a typo in a config file
// is an error rather than a silently ignored line.
func checkKeys(root *cobra.Command, v *viper.Viper, file string) error {
	known := map[string]bool{}
	for _, k := range fileOnlyKeys {
		known[k] = true
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	var unknown []string
	for _, k := range v.AllKeys() {
		if known[k] || strings.HasPrefix(k, "fields.") || strings.HasPrefix(k, "constants.") || strings.HasPrefix(k, "access.columns.") {
			continue
		}
		unknown = append(unknown, k)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return usageErrorf("config file %s: unknown setting %s", file, strings.Join(unknown, ", "))
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
