package portal

import (
	"testing"

	"github.com/pflicht/pflicht/internal/store"
)

// memberEnv is how most page tests start: a portal on st and a client
// signed in as the organisation's member.
func memberEnv(t *testing.T, st *store.Store) (*env, *client) {
	t.Helper()
	e := newEnv(t, st)
	c := e.client()
	c.login(e.member)
	return e, c
}
