package tailbuf

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestKeepsTheTail(t *testing.T) {
	b := New(8)
	fmt.Fprint(b, "hello ")
	if b.String() != "hello " {
		t.Fatalf("%q", b.String())
	}
	fmt.Fprint(b, "world, again")
	if b.String() != "d, again" {
		t.Fatalf("%q", b.String())
	}
	n, err := b.Write([]byte(strings.Repeat("x", 100)))
	if n != 100 || err != nil || b.String() != "xxxxxxxx" {
		t.Fatalf("%d %v %q", n, err, b.String())
	}
}

func TestConcurrentWriters(t *testing.T) {
	b := New(64)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprint(b, "line\n")
			}
		})
	}
	wg.Wait()
	if got := b.String(); len(got) != 64 || strings.Count(got, "line\n") < 12 {
		t.Fatalf("%q", got)
	}
}
