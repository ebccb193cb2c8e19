package openvidu_test

import (
	"encoding/json"
	"reflect"
	"testing"
)

// assertEqual compares with reflect.DeepEqual and prints both sides as JSON.
func assertEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	t.Errorf("%s differs\n got: %s\nwant: %s", what, g, w)
}
