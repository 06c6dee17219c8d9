package scim

// Field is an attribute of a member or a group that a filter may test. web maps SCIM attribute
// paths onto these; the reader maps these onto columns.
type Field string

// The fields of members.
const (
	// UserID is the member's user id.
	UserID Field = "user.id"
	// UserEmail is the member's email, which is also their SCIM userName.
	UserEmail Field = "user.email"
	// UserDisplayName is the member's display name.
	UserDisplayName Field = "user.display_name"
	// UserExternalID is the member's id in the identity provider.
	UserExternalID Field = "user.external_id"
	// UserActive is whether the membership is in force (a boolean).
	UserActive Field = "user.active"
	// UserLocale is the member's language ("en" or "zh-CN").
	UserLocale Field = "user.locale"
	// UserTimeZone is the member's IANA time zone.
	UserTimeZone Field = "user.time_zone"
	// UserGivenName is the given name the provider sent (name.givenName).
	UserGivenName Field = "user.given_name"
	// UserFamilyName is the family name the provider sent (name.familyName).
	UserFamilyName Field = "user.family_name"
	// UserTitle is the job title (title).
	UserTitle Field = "user.title"
	// UserMobile is the mobile number (phoneNumbers.value).
	UserMobile Field = "user.mobile"
	// UserEmployeeNumber is the employee number (the enterprise extension's employeeNumber).
	UserEmployeeNumber Field = "user.employee_number"
	// UserManager is the manager's user id (the enterprise extension's manager.value).
	UserManager Field = "user.manager"
)

// The fields of groups.
const (
	// GroupID is the group's id.
	GroupID Field = "group.id"
	// GroupName is the group's name, its SCIM displayName.
	GroupName Field = "group.name"
	// GroupExternalID is the group's id in the identity provider.
	GroupExternalID Field = "group.external_id"
	// GroupMemberID is the user id of any of the group's members: a test on it holds when it
	// holds for one of them.
	GroupMemberID Field = "group.member_id"
	// GroupMemberName is the display name of any of the group's members.
	GroupMemberName Field = "group.member_name"
)

// Op is a comparison of RFC 7644 section 3.4.2.2.
type Op string

// The comparisons.
const (
	Eq Op = "eq" // equal
	Ne Op = "ne" // not equal; an absent value is not equal to anything
	Co Op = "co" // contains
	Sw Op = "sw" // starts with
	Ew Op = "ew" // ends with
	Gt Op = "gt" // greater than
	Ge Op = "ge" // greater than or equal
	Lt Op = "lt" // less than
	Le Op = "le" // less than or equal
	Pr Op = "pr" // present: has a non-empty value
)

// Expr is a parsed filter: And, Or, Not, Compare or Const.
type Expr interface{ expr() }

// And holds when both sides hold.
type And struct{ Left, Right Expr }

// Or holds when either side holds.
type Or struct{ Left, Right Expr }

// Not holds when X does not.
type Not struct{ X Expr }

// Compare tests a field. Value is a string for text fields and a bool for UserActive; nil for
// Pr, and nil with Eq or Ne to test for an absent value.
type Compare struct {
	Field Field
	Op    Op
	Value any
}

// Const is a test whose answer is known without looking, such as one on an attribute Canopy
// does not keep, which is never present.
type Const bool

func (And) expr()     {}
func (Or) expr()      {}
func (Not) expr()     {}
func (Compare) expr() {}
func (Const) expr()   {}
