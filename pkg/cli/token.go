package cli

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/usagerep/usagerep/pkg/server"
)

func newTokenCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Make and hash API tokens for serve",
		Long: `serve keeps only the SHA-256 of each token in its config (serve.tokens), so
the config file holds no secret. 'token new' makes a random token and prints
its config entry; 'token hash' prints the hash of a token you already have.`,
		Example: `  usagerep token new --name reports-admin
  printf %s "$TOKEN" | usagerep token hash`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newTokenHashCmd(a), newTokenNewCmd(a))
	return cmd
}

func newTokenHashCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "hash [<token>]",
		Short: "Print the SHA-256 of a token, for serve.tokens[].sha256",
		Long: `hash prints the hex SHA-256 of a token, the value serve.tokens[].sha256
holds. The token is read from the first line of standard input when not
given, which keeps it out of the shell's history and the process list.`,
		Example: `  # From standard input (preferred)
  printf %s "$TOKEN" | usagerep token hash

  # As an argument
  usagerep token hash 's3cr3t-t0ken'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var tok string
			if len(args) == 1 {
				tok = args[0]
			} else {
				sc := bufio.NewScanner(a.io.In)
				sc.Buffer(make([]byte, 4096), 1<<16)
				if sc.Scan() {
					tok = sc.Text()
				}
				if err := sc.Err(); err != nil {
					return fmt.Errorf("reading the token: %w", err)
				}
			}
			tok = trimToken(tok)
			if tok == "" {
				return usageErrorf("no token given (as an argument or on standard input)")
			}
			fmt.Fprintln(a.io.Out, server.HashToken(tok))
			return nil
		},
	}
}

func newTokenNewCmd(a *app) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Make a random token and print it with its serve.tokens entry",
		Long: `new prints a random token (256 bits, base64url) on the first line and,
after it, the serve.tokens entry with its hash, role Administrator and
permission server_management:read. Keep the token; the config needs only
the entry.`,
		Example: `  usagerep token new --name dashboards`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := make([]byte, 32)
			if _, err := rand.Read(b); err != nil {
				return fmt.Errorf("random token: %w", err)
			}
			tok := base64.RawURLEncoding.EncodeToString(b)
			fmt.Fprintf(a.io.Out, "%s\n\n# under serve.tokens:\n- name: %s\n  sha256: %s\n  role: %s\n  permissions: [%s]\n",
				tok, name, server.HashToken(tok), server.RoleAdministrator, server.PermServerManagementRead)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "admin", "the token's name, shown in access logs")
	return cmd
}
