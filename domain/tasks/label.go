package tasks

import (
	"regexp"

	"github.com/google/uuid"

	"canopy/domain/errs"
)

// colorRule is what a label's color may be: a hex color (#rgb or #rrggbb) or the name of one
// of the UI's palette colors (lower-case letters and dashes).
var colorRule = regexp.MustCompile(`^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-z][a-z-]{0,19})$`)

// Label is a tag of a list that its tasks may carry.
type Label struct {
	id     uuid.UUID
	orgID  uuid.UUID
	listID uuid.UUID
	name   string
	color  string
}

// NewLabel returns a label of a list.
func NewLabel(orgID, listID uuid.UUID, labelName, color string) (*Label, error) {
	l := &Label{id: uuid.New(), orgID: orgID, listID: listID}
	if err := l.Set(labelName, color); err != nil {
		return nil, err
	}
	return l, nil
}

// RehydrateLabel rebuilds a stored label. It is for repository adapters only.
func RehydrateLabel(id, orgID, listID uuid.UUID, labelName, color string) *Label {
	return &Label{id, orgID, listID, labelName, color}
}

// ID returns the label's id.
func (l *Label) ID() uuid.UUID { return l.id }

// OrgID returns the organisation.
func (l *Label) OrgID() uuid.UUID { return l.orgID }

// ListID returns its list.
func (l *Label) ListID() uuid.UUID { return l.listID }

// Name returns its name.
func (l *Label) Name() string { return l.name }

// Color returns its color.
func (l *Label) Color() string { return l.color }

// Set sets its name and color.
func (l *Label) Set(labelName, color string) error {
	n, err := name("name", labelName, MaxLabelNameLength)
	if err != nil {
		return err
	}
	if !colorRule.MatchString(color) {
		return errs.E(errs.Invalid, "invalid_color", "color: must be a hex color such as #1677ff, or a palette name such as blue")
	}
	l.name, l.color = n, color
	return nil
}
