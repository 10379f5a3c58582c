package store

import (
	"errors"
	"testing"
	"time"
)

// FuzzFeedCursor: a cursor from a client is never trusted; decoding any
// string either fails with ErrInvalid or yields a key and id that encode
// and decode again to the same.
func FuzzFeedCursor(f *testing.F) {
	f.Add(encodeFeedCursor(time.Date(2026, 11, 23, 17, 0, 0, 123456000, time.UTC), "ABC"))
	f.Add("")
	f.Add("eHl6")
	f.Add("MjAyNi0xMS0yM1QxNzowMDowMFog")
	f.Fuzz(func(t *testing.T, c string) {
		key, id, err := decodeFeedCursor(c)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("decodeFeedCursor(%q) = %v, want ErrInvalid", c, err)
			}
			return
		}
		if id == "" {
			t.Fatalf("decodeFeedCursor(%q): empty id accepted", c)
		}
		key2, id2, err := decodeFeedCursor(encodeFeedCursor(key, id))
		if err != nil || !key2.Equal(key) || id2 != id {
			t.Fatalf("round trip of %q: %v %q %v; want %v %q", c, key2, id2, err, key, id)
		}
	})
}
