package org

import (
	"reflect"
	"testing"

	"github.com/google/uuid"

	"canopy/domain/directory"
)

func TestMovePrimary(t *testing.T) {
	old, second, third, to := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	for _, c := range []struct {
		name  string
		in    []directory.Assignment
		want  []directory.Assignment
		moved bool
	}{
		{"no departments yet", nil, []directory.Assignment{{DepartmentID: to, Primary: true}}, true},
		{"the primary one is replaced, the others stay",
			[]directory.Assignment{{DepartmentID: old, Primary: true, Leader: true}, {DepartmentID: second, Leader: true}, {DepartmentID: third}},
			[]directory.Assignment{{DepartmentID: to, Primary: true}, {DepartmentID: second, Leader: true}, {DepartmentID: third}}, true},
		{"a secondary one becomes the primary, once, keeping its leadership",
			[]directory.Assignment{{DepartmentID: old, Primary: true}, {DepartmentID: to, Leader: true}, {DepartmentID: third}},
			[]directory.Assignment{{DepartmentID: to, Primary: true, Leader: true}, {DepartmentID: third}}, true},
		{"already there",
			[]directory.Assignment{{DepartmentID: to, Primary: true}, {DepartmentID: third}},
			[]directory.Assignment{{DepartmentID: to, Primary: true}, {DepartmentID: third}}, false},
	} {
		got, moved := MovePrimary(c.in, to)
		if moved != c.moved || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, got, moved, c.want, c.moved)
		}
	}
}
