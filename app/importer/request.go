package importer

import "canopy/domain/importer"

// Request is one bulk import: departments first, then users. Each row is validated on its own;
// a bad row is reported and the others are applied.
type Request struct {
	Format      importer.Format `json:"format"`
	Departments []DepartmentRow `json:"departments"`
	Users       []UserRow       `json:"users"`
}

// DepartmentRow creates or updates a department. It is found by its external id when it has
// one, and otherwise by its parent and name. Its parent is given by ParentExternalID, or by
// Path; with neither it sits under the root.
type DepartmentRow struct {
	// Row is the row's number in the request (see importer.Issue).
	Row        int    `json:"row"`
	ExternalID string `json:"external_id"`
	// Name is the department's name; it may be left out when Path ends with it.
	Name             string `json:"name"`
	ParentExternalID string `json:"parent_external_id"`
	// Path is the department's own path below the root, "Engineering/Backend"; missing
	// departments along it are created.
	Path string `json:"path"`
}

// UserRow creates or updates a member, found by their external id.
type UserRow struct {
	Row         int    `json:"row"`
	ExternalID  string `json:"external_id"`
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	// Departments replaces the member's departments; nil leaves them as they are. Each is an
	// external id or a path below the root (in CSV and workbook imports, only a path); departments missing
	// along a path are created.
	Departments []string `json:"departments"`
	// PrimaryDepartment is one of Departments; the first when empty.
	PrimaryDepartment string   `json:"primary_department"`
	LeaderOf          []string `json:"leader_of"`
	// Locale and TimeZone are left as they are when empty ("en" and "UTC" for new accounts).
	Locale   string `json:"locale"`
	TimeZone string `json:"time_zone"`
	// Active deactivates (false) or reactivates (true) the member; nil leaves it.
	Active *bool `json:"active"`
	// The member's employee details (org.Profile), each left as it is when empty. Mobile is
	// made E.164 and HireDate is YYYY-MM-DD, as the profile's rules say; Manager is the
	// manager's email (an active member, or a person of an earlier row).
	EmployeeNumber string `json:"employee_number,omitempty"`
	JobTitle       string `json:"job_title,omitempty"`
	Mobile         string `json:"mobile,omitempty"`
	WorkLocation   string `json:"work_location,omitempty"`
	Manager        string `json:"manager,omitempty"`
	HireDate       string `json:"hire_date,omitempty"`
}

// Rows returns how many rows the request holds.
func (r Request) Rows() int { return len(r.Departments) + len(r.Users) }
