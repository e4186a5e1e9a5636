package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/usagerep/usagerep/pkg/access"
	"github.com/usagerep/usagerep/pkg/identity"
	"github.com/usagerep/usagerep/pkg/server"
	"github.com/usagerep/usagerep/pkg/source"
)

// serveConfigKeys are the config keys of serve beyond its flags.
var serveConfigKeys = []string{
	"serve", "serve.listen", "serve.tokens", "serve.max_concurrent", "serve.tls_cert", "serve.tls_key",
	"serve.cache_bytes", "serve.poll_interval", "serve.timeouts",
	"serve.timeouts.read_header", "serve.timeouts.read", "serve.timeouts.idle", "serve.timeouts.write",
	"serve.timeouts.compute", "serve.timeouts.queue", "serve.timeouts.shutdown",
}

// serveOptions hold everything serve needs; RunE only fills them.
type serveOptions struct {
	IO     *IOStreams
	Common commonFlags

	Listen          string
	TLSCert, TLSKey string
	MaxConcurrent   int
	CacheBytes      byteSize
	Poll            time.Duration
	LogFormat       string
	ActiveWithin    string
	ServiceAccounts []string
	Inputs          []string

	// From configuration files only.
	Fields, Constants map[string]string
	Tokens            []server.Token
	Timeouts          server.Timeouts
	Profiles          map[string][]access.Column // access.columns.<name>
	Now               func() time.Time

	// listening, when set, is told the address once the server listens.
	listening func(net.Addr)
}

// Common flags that make no sense for a server.
var serveUnusedFlags = []string{"output", "rejects", "strict", "max-errors", "quiet"}

func newServeCmd(a *app, runF func(context.Context, *serveOptions) error) *cobra.Command {
	opts := &serveOptions{IO: a.io, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "serve [flags] <input>...",
		Short: "Serve the reports over HTTP (the Admin API)",
		Long: `serve reads the inputs at start and answers the reports over HTTP:

  GET /export/usage-reports?period=6m,1y&as_of=2026-11-22&tz=UTC
                  Usage Reports.zip, the bytes export writes for the same query
  GET /export/access?from=2026-03-01&to=2026-03-31&columns=cintoo&format=csv
                  the per-day access report (also tz, plan, as_of; format csv,
                  xlsx or json), the bytes access writes for the same query
  GET /admin/reports/v1/usage/users/{userKey}/dates/{date}?parameters=&filters=
                  the Reports API's user usage report, as users writes it
  GET /v1/analytics/timeline?from=2026-03-01&to=2026-03-31&segment_by=os
                  an analytics report (timeline, current, distribution,
                  churn, clients, events/table, events/timeline,
                  events/lifetime) as the JSON analytics writes
  GET /healthz    liveness, no token needed
  GET /readyz     200 once the inputs were read
  GET /metrics    Prometheus text format

Every endpoint but /healthz needs "Authorization: Bearer <token>". Tokens are
configured under serve.tokens with a name, the token's SHA-256 (from
'usagerep token hash'), a role and permissions; reports need role
Administrator and permission server_management:read. A missing or unknown
token is 401, a known one without the role or permission 403.

Inputs are re-read when their size or modification time changes. Identical
concurrent requests share one computation; at most --max-concurrent run at
once. SIGTERM or SIGINT stops accepting and lets downloads in flight finish.
One JSON access-log line per request goes to stderr.

See docs/serve.md for the config keys, systemd and a reverse proxy.`,
		Example: `  # Serve the sample on the loopback interface, pinned to one as-of
  usagerep serve --listen 127.0.0.1:8080 --as-of 2026-11-22 testdata/sample/

  # Fetch the zip
  curl -fsS -H "Authorization: Bearer $TOKEN" -o "Usage Reports.zip" \
    'http://127.0.0.1:8080/export/usage-reports?period=6m,1y'

  # With TLS, and a config file holding the tokens
  usagerep serve --config /etc/usagerep/usagerep.yaml \
    --tls-cert /etc/usagerep/cert.pem --tls-key /etc/usagerep/key.pem /var/log/sync/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range serveUnusedFlags {
				if cmd.Flags().Changed(name) {
					return usageErrorf("--%s is not used by serve", name)
				}
			}
			opts.Inputs = args
			v := a.config
			opts.Fields = stringMap(v, "fields")
			opts.Constants = stringMap(v, "constants")
			if !cmd.Flags().Changed("service-account") {
				opts.ServiceAccounts = append(opts.ServiceAccounts, v.GetStringSlice("identity.service_accounts")...)
			}
			if err := serveSettingsFromConfig(cmd, v, opts); err != nil {
				return err
			}
			profiles, err := columnProfiles(v)
			if err != nil {
				return err
			}
			opts.Profiles = profiles
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	opts.Common.register(cmd, "")
	for _, name := range serveUnusedFlags {
		_ = cmd.Flags().MarkHidden(name)
	}
	f := cmd.Flags()
	f.StringVar(&opts.Listen, "listen", "127.0.0.1:8080", "address to listen on, host:port (config serve.listen)")
	f.StringVar(&opts.TLSCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key (config serve.tls_cert)")
	f.StringVar(&opts.TLSKey, "tls-key", "", "the PEM private key of --tls-cert (config serve.tls_key)")
	f.IntVar(&opts.MaxConcurrent, "max-concurrent", 2, "report computations at once; more wait, then get 503 (config serve.max_concurrent)")
	opts.CacheBytes = 256 << 20
	f.Var(&opts.CacheBytes, "cache-bytes", "finished reports kept in memory for repeated requests and the users report's per-date state, e.g. 1GiB; 0 keeps none (config serve.cache_bytes)")
	f.DurationVar(&opts.Poll, "poll-interval", 5*time.Second, "how often the inputs are checked for changes (config serve.poll_interval)")
	f.StringVar(&opts.LogFormat, "log-format", "json", "access log on stderr: json or text")
	f.StringVar(&opts.ActiveWithin, "active-within", "30d", "without integration_status data, a pair is Active when it last synced within this long before as-of")
	f.StringArrayVar(&opts.ServiceAccounts, "service-account", nil, "glob over lower-cased emails and usernames marking service accounts (repeatable), e.g. 'svc-*'")
	return cmd
}

// serveSettingsFromConfig reads the serve: section; a flag given on the
// command line wins over its key.
func serveSettingsFromConfig(cmd *cobra.Command, v *viper.Viper, opts *serveOptions) error {
	set := func(flag, key string) error {
		if cmd.Flags().Changed(flag) || !v.IsSet(key) {
			return nil
		}
		if err := cmd.Flags().Set(flag, v.GetString(key)); err != nil {
			return usageErrorf("%s: %v", key, err)
		}
		return nil
	}
	for _, kv := range [][2]string{
		{"listen", "serve.listen"}, {"tls-cert", "serve.tls_cert"}, {"tls-key", "serve.tls_key"},
		{"max-concurrent", "serve.max_concurrent"}, {"cache-bytes", "serve.cache_bytes"}, {"poll-interval", "serve.poll_interval"},
	} {
		if err := set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	for _, d := range []struct {
		key string
		dst *time.Duration
	}{
		{"read_header", &opts.Timeouts.ReadHeader}, {"read", &opts.Timeouts.Read}, {"idle", &opts.Timeouts.Idle},
		{"write", &opts.Timeouts.Write}, {"compute", &opts.Timeouts.Compute}, {"queue", &opts.Timeouts.Queue},
		{"shutdown", &opts.Timeouts.Shutdown},
	} {
		key := "serve.timeouts." + d.key
		if !v.IsSet(key) {
			continue
		}
		t, err := time.ParseDuration(v.GetString(key))
		if err != nil || t <= 0 {
			return usageErrorf("%s: want a positive duration such as 30s or 5m", key)
		}
		*d.dst = t
	}
	tokens, err := configTokens(v.Get("serve.tokens"))
	if err != nil {
		return err
	}
	opts.Tokens = tokens
	return nil
}

// configTokens reads serve.tokens; an unknown field in a token is an
// error, as an unknown key is anywhere else.
func configTokens(raw any) ([]server.Token, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, usageErrorf("serve.tokens: want a list of {name, sha256, role, permissions}")
	}
	out := make([]server.Token, 0, len(list))
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, usageErrorf("serve.tokens[%d]: want {name, sha256, role, permissions}", i)
		}
		var t server.Token
		for k, val := range m {
			switch k {
			case "name":
				t.Name = fmt.Sprint(val)
			case "sha256":
				t.SHA256 = fmt.Sprint(val)
			case "role":
				t.Role = fmt.Sprint(val)
			case "permissions":
				ps, ok := val.([]any)
				if !ok {
					return nil, usageErrorf("serve.tokens[%d].permissions: want a list", i)
				}
				for _, p := range ps {
					t.Permissions = append(t.Permissions, fmt.Sprint(p))
				}
			default:
				return nil, usageErrorf("serve.tokens[%d]: unknown setting %s", i, k)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// newServer checks the options and builds the server, inputs planned.
func newServer(opts *serveOptions) (*server.Server, error) {
	c := &opts.Common
	set, err := c.resolve(opts.Fields, opts.Constants, opts.Now())
	if err != nil {
		return nil, err
	}
	activeWithin, err := parseDays(opts.ActiveWithin)
	if err != nil {
		return nil, usageErrorf("--active-within: %v", err)
	}
	if err := identity.ValidatePatterns(opts.ServiceAccounts); err != nil {
		return nil, usageErrorf("--service-account: %v", err)
	}
	if len(opts.Tokens) == 0 {
		return nil, usageErrorf("no tokens configured: add serve.tokens to the config file (see 'usagerep token --help')")
	}
	if opts.MaxConcurrent < 1 {
		return nil, usageErrorf("--max-concurrent must be 1 or more")
	}
	var logh slog.Handler
	switch opts.LogFormat {
	case "json":
		logh = slog.NewJSONHandler(opts.IO.ErrOut, nil)
	case "text":
		logh = slog.NewTextHandler(opts.IO.ErrOut, nil)
	default:
		return nil, usageErrorf("--log-format %q: want json or text", opts.LogFormat)
	}
	cacheBytes := int64(opts.CacheBytes)
	if cacheBytes == 0 {
		cacheBytes = -1 // the server's "none"
	}
	srv, err := server.New(server.Config{
		Inputs: opts.Inputs,
		Scan: source.ScanOptions{
			Workers:         c.Workers,
			Format:          set.inFormat,
			Decode:          source.DecodeOptions{Mapping: set.mapping},
			MaxLineBytes:    int(c.MaxLineBytes),
			MaxArchiveDepth: c.MaxArchiveDepth,
			// For ScanOptions 0 is the default and a negative value is off.
			MaxDecompressedRatio: offIfZero(c.MaxDecompressedRatio),
			MaxDecompressedBytes: int64(offIfZero(c.MaxDecompressedBytes)),
		},
		AsOf: c.AsOf, Location: set.loc, Now: opts.Now,
		ActiveWithin: activeWithin, ServiceAccounts: opts.ServiceAccounts, AccessProfiles: opts.Profiles,
		Tokens: opts.Tokens, MaxConcurrent: opts.MaxConcurrent, CacheBytes: cacheBytes,
		Poll: opts.Poll, Timeouts: opts.Timeouts, TLSCert: opts.TLSCert, TLSKey: opts.TLSKey,
		Log: slog.New(logh),
	})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return srv, nil
}

func runServe(ctx context.Context, opts *serveOptions) error {
	srv, err := newServer(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return fmt.Errorf("--listen %s: %w", opts.Listen, unwrapOpError(err))
	}
	if opts.listening != nil {
		opts.listening(ln.Addr())
	}
	return srv.Run(ctx, ln)
}

// unwrapOpError drops the "listen tcp" prefix the flag name already says.
func unwrapOpError(err error) error {
	if oe, ok := err.(*net.OpError); ok && oe.Err != nil {
		return oe.Err
	}
	return err
}

// trimToken drops the line end that echo or a file leaves on a token.
func trimToken(s string) string { return strings.TrimRight(s, "\r\n") }
