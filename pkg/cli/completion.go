package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/usagerep/usagerep/pkg/source"
)

// addToolCommands adds the commands that help people and scripts around
// the reports (inspect, schema, config, completion), an example to help,
// and completions for the flag values the tree knows.
func addToolCommands(root *cobra.Command, a *app) {
	root.AddCommand(newInspectCmd(a, nil), newSchemaCmd(a), newConfigCmd(a), newCompletionCmd())
	root.CompletionOptions.DisableDefaultCmd = true // ours has examples
	root.InitDefaultHelpCmd()
	for _, c := range root.Commands() {
		if c.Name() == "help" {
			c.Example = "  usagerep help export\n  usagerep help config show"
		}
	}
	completeKnownFlags(root)
}

// inputExtensions are the file names inputs are recognised by, for the
// shells to offer (directories are always offered).
var inputExtensions = []string{"jsonl", "ndjson", "json", "csv", "gz", "zst", "zstd", "zip", "tar", "tgz"}

// completeInputs offers input files for a command's arguments.
func completeInputs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return inputExtensions, cobra.ShellCompDirectiveFilterFileExt
}

// completeCommonFlags registers completions for the values of the common
// flags of cmd (time zones, profiles, input formats).
func completeCommonFlags(cmd *cobra.Command) {
	fixed := func(vals ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp)
	}
	reg := func(name string, fn cobra.CompletionFunc) {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, fn) // an error only says it is already there
		}
	}
	reg("tz", completeTimeZones)
	reg("profile", fixed(profileCompletions()...))
	reg("input-format", fixed("jsonl\tJSON Lines", "csv\tCSV with a header row"))
	reg("rejects", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []string{"jsonl"}, cobra.ShellCompDirectiveFilterFileExt
	})
	if cmd.ValidArgsFunction == nil && cmd.ValidArgs == nil {
		cmd.ValidArgsFunction = completeInputs
	}
}

func profileCompletions() []string {
	var out []string
	for _, n := range source.ProfileNames() {
		out = append(out, n+"\t"+source.ProfileDescription(n))
	}
	return out
}

// knownValues are the completions of flags, by flag name, that every
// command naming such a flag shares; export's --period and --format.
var knownValues = map[string][]string{
	"period": {"6m,1y\tthe last 6 months and the last year (default)", "30d\tthe last 30 days", "1w\tthe last week",
		"2w\tthe last 2 weeks", "1m\tthe last month", "3m\tthe last 3 months", "6m\tthe last 6 months", "1y\tthe last year"},
	"format": {"zip\tone zip of workbooks", "xlsx\tworkbooks into the -o directory"},
}

// completeKnownFlags registers knownValues on every command with such a
// flag, and input files for the arguments of commands that read inputs.
func completeKnownFlags(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if vals, ok := knownValues[f.Name]; ok && f.Value.Type() == "string" {
				if _, has := c.GetFlagCompletionFunc(f.Name); !has {
					_ = c.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(vals, cobra.ShellCompDirectiveNoFileComp))
				}
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeTimeZones offers IANA zone names from the system's zone table,
// or a few common ones when there is none.
func completeTimeZones(_ *cobra.Command, _ []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []string
	for _, z := range timeZones() {
		if strings.HasPrefix(strings.ToLower(z), strings.ToLower(prefix)) {
			out = append(out, z)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// commonZones stand in for a missing zone table.
var commonZones = []string{"UTC", "America/Chicago", "America/Los_Angeles", "America/New_York", "America/Sao_Paulo",
	"Asia/Kolkata", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Europe/Berlin",
	"Europe/London", "Europe/Paris", "Europe/Zurich"}

func timeZones() []string {
	dirs := []string{"/usr/share/zoneinfo", "/usr/lib/zoneinfo", "/usr/share/lib/zoneinfo"}
	if z := os.Getenv("ZONEINFO"); z != "" {
		dirs = append([]string{z}, dirs...)
	}
	for _, d := range dirs {
		f, err := os.Open(filepath.Join(d, "zone1970.tab"))
		if err != nil {
			continue
		}
		zones := []string{"UTC"}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			if cols := strings.Split(line, "\t"); len(cols) >= 3 {
				zones = append(zones, cols[2])
			}
		}
		f.Close()
		if len(zones) > 1 {
			slices.Sort(zones[1:])
			return slices.Compact(zones)
		}
	}
	return commonZones
}

func newCompletionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "completion {bash|zsh|fish|powershell}",
		Short: "Print a shell completion script",
		Long: `completion prints a script that makes your shell complete usagerep's commands,
flags, and the values of flags it knows (periods, formats, profiles, time zones).`,
		Example: `  # bash, for this session; add the line to ~/.bashrc to keep it
  source <(usagerep completion bash)

  # zsh (completion must be enabled: autoload -U compinit; compinit)
  usagerep completion zsh > "${fpath[1]}/_usagerep"

  # fish
  usagerep completion fish > ~/.config/fish/completions/usagerep.fish

  # PowerShell
  usagerep completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             []string{"bash", "zsh", "fish", "powershell"},
		Args:                  cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		DisableFlagsInUseLine: true,
		// A shell's start-up must not fail over a bad usagerep.yaml.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			var err error
			switch args[0] {
			case "bash":
				err = root.GenBashCompletionV2(out, true)
			case "zsh":
				err = root.GenZshCompletion(out)
			case "fish":
				err = root.GenFishCompletion(out, true)
			case "powershell":
				err = root.GenPowerShellCompletionWithDesc(out)
			}
			if err != nil {
				return outputError(err)
			}
			return nil
		},
	}
}
