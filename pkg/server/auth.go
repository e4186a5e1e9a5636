package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Token is one configured API token. Only the SHA-256 of the token is
// kept (`usagerep token hash` prints it), so the config holds no secret.
type Token struct {
	Name        string
	SHA256      string // 64 hex digits
	Role        string
	Permissions []string
}

// What the report endpoints require (the seed's prerequisites).
const (
	RoleAdministrator        = "Administrator"
	PermServerManagementRead = "server_management:read"
)

type token struct {
	name  string
	hash  [sha256.Size]byte
	role  string
	perms []string
}

func parseTokens(in []Token) ([]token, error) {
	out := make([]token, 0, len(in))
	names := map[string]bool{}
	hashes := map[[sha256.Size]byte]bool{}
	for i, t := range in {
		if t.Name == "" {
			return nil, fmt.Errorf("serve.tokens[%d]: name is empty", i)
		}
		if names[t.Name] {
			return nil, fmt.Errorf("serve.tokens[%d]: name %q given twice", i, t.Name)
		}
		b, err := hex.DecodeString(strings.TrimSpace(t.SHA256))
		if err != nil || len(b) != sha256.Size {
			// The value is not echoed: it may be a token pasted by mistake.
			return nil, fmt.Errorf("serve.tokens[%d] (%s): sha256 must be 64 hex digits, as `usagerep token hash` prints", i, t.Name)
		}
		var h [sha256.Size]byte
		copy(h[:], b)
		if hashes[h] {
			return nil, fmt.Errorf("serve.tokens[%d] (%s): the same sha256 as an earlier token", i, t.Name)
		}
		names[t.Name], hashes[h] = true, true
		out = append(out, token{name: t.Name, hash: h, role: t.Role, perms: slices.Clone(t.Permissions)})
	}
	return out, nil
}

// HashToken is the hex SHA-256 of a token, as the config stores it.
func HashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// authenticate finds the token of the request's bearer credentials. Every
// configured hash is compared, in constant time, whatever matches, so the
// time taken says nothing about which token is close.
func (s *Server) authenticate(r *http.Request) *token {
	auth := r.Header.Get("Authorization")
	scheme, cred, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	cred = strings.TrimSpace(cred)
	if cred == "" {
		return nil
	}
	h := sha256.Sum256([]byte(cred))
	found := -1
	for i := range s.tokens {
		if subtle.ConstantTimeCompare(h[:], s.tokens[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil
	}
	return &s.tokens[found]
}

// missing names what t lacks of role and perm, or "" when it has both.
func (t *token) missing(role, perm string) string {
	var miss []string
	if role != "" && t.role != role {
		miss = append(miss, "role "+role)
	}
	if perm != "" && !slices.Contains(t.perms, perm) {
		miss = append(miss, "permission "+perm)
	}
	return strings.Join(miss, " and ")
}
