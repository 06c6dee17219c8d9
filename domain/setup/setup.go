// Package setup is the console's setup guide: the steps a new organisation takes before its
// people can work in Canopy, each done or not, and whether its admins dismissed the guide.
package setup

// Step names one step of the guide.
type Step string

// The steps, in the order the guide shows them. Each links to the console page where it is done.
const (
	// Profile: the company's name and language, set in the settings.
	Profile Step = "profile"
	// Departments: a department tree below the root.
	Departments Step = "departments"
	// People: people brought in by an import, SCIM or an invitation.
	People Step = "people"
	// Admins: someone besides the owner given an admin role or a role assignment.
	Admins Step = "admins"
	// Policy: the files retention and sharing policy reviewed and saved.
	Policy Step = "policy"
	// GroupChat: the first chat of a group or a department.
	GroupChat Step = "group_chat"
)

// Steps lists the steps in order.
var Steps = []Step{Profile, Departments, People, Admins, Policy, GroupChat}

// Guide is an organisation's guide: which steps are done, and whether it was dismissed.
type Guide struct {
	Done      map[Step]bool
	Dismissed bool
}

// Progress returns how many steps are done, of how many.
func (g Guide) Progress() (done, total int) {
	for _, s := range Steps {
		if g.Done[s] {
			done++
		}
	}
	return done, len(Steps)
}
