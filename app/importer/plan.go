package importer

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	appdir "canopy/app/directory"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/identity"
	"canopy/domain/importer"
	"canopy/domain/org"
)

// The plan is a simulation of the whole import, row by row and in order, on an in-memory copy of
// the organisation: it validates every row with the domain's parsers and rules against the
// state the rows before it leave, and turns each valid row into the changes the store applies.
// Nothing here touches the database, so a 100,000-row import is checked in well under a second.

type outcome uint8

const (
	outcomeUnchanged outcome = iota
	outcomeCreated
	outcomeUpdated
	// outcomeInvited: the row's email has an account the organisation does not manage; the
	// person is invited instead.
	outcomeInvited
)

// node is a department of the simulated tree.
type node struct {
	id       uuid.UUID
	parent   *node
	name     string
	ext      string
	children map[string]*node // by lower-cased name
	// nextOrder is the sort order the next new child gets.
	nextOrder int
	// isNew marks a department the import creates; create says how.
	isNew  bool
	create NewDepartment
}

func (n *node) depth() int {
	d := 0
	for x := n; x != nil; x = x.parent {
		d++
	}
	return d
}

// height is the number of levels of n's subtree, 1 for a leaf.
func (n *node) height() int {
	h := 0
	for _, c := range n.children {
		if ch := c.height(); ch > h {
			h = ch
		}
	}
	return h + 1
}

// contains reports whether other is n or lies below it.
func (n *node) contains(other *node) bool {
	for x := other; x != nil; x = x.parent {
		if x == n {
			return true
		}
	}
	return false
}

// chain returns the new departments from the top down to n (n included when new): what must
// exist before n can be used.
func (n *node) chain() []*node {
	var out []*node
	for x := n; x != nil && x.isNew; x = x.parent {
		out = append(out, x)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// person is an account the simulation knows, a member of the organisation or not.
type person struct {
	account    Account
	membership *org.Membership // nil: not a member
	depts      []directory.Assignment
	profile    org.Profile
}

// rowPlan is one row after validation: its error, or the changes it makes.
type rowPlan struct {
	seq     int
	kind    importer.Kind
	row     int
	ext     string
	err     error
	outcome outcome
	// needs are the new departments the row uses, parents first; those not created yet are
	// created with the row.
	needs []*node
	// own is the department a department row creates or changes.
	own    *node
	update *DepartmentUpdate
	member *MemberChange
	// invite is the email a row invites (outcomeInvited).
	invite string
}

type planner struct {
	orgID    uuid.UUID
	by       *org.Membership
	now      time.Time
	maxDepth int
	maxDepts int

	root   *node
	byExt  map[string]*node
	failed map[string]int // department external ids of the request whose row failed → row

	members map[string]*person // by membership external id
	emails  map[string]*person // by lower-cased email
	// byID are the members by user id, and numbers by employee number: for the managers'
	// chains and the uniqueness of employee numbers.
	byID    map[uuid.UUID]*person
	numbers map[string]*person
	zones   map[string]error
	// ties decide which accounts the organisation manages, by user id; transfer is whether the
	// member who submitted the import holds ownership.transfer (org.AccountTies.CheckChange).
	ties     map[uuid.UUID]org.AccountTies
	transfer bool
	// domains are the organisations the email domains of the request are assigned to.
	domains map[string]uuid.UUID
	// grantable says which base roles the member who submitted the import could grant:
	// deactivating or reactivating a member takes or gives back their role, so only those.
	grantable map[org.Role]bool
}

func newPlanner(orgID uuid.UUID, by *org.Membership, transfer bool, grantable map[org.Role]bool, lim org.Limits, snap Snapshot, now time.Time) (*planner, error) {
	p := &planner{
		orgID: orgID, by: by, now: now, maxDepth: lim.MaxDepartmentDepth, maxDepts: lim.MaxDeptsPerMember,
		ties: snap.Ties, transfer: transfer, domains: snap.DomainOrgs, grantable: grantable,
		byExt: map[string]*node{}, failed: map[string]int{},
		members: map[string]*person{}, emails: map[string]*person{}, zones: map[string]error{},
		byID: map[uuid.UUID]*person{}, numbers: map[string]*person{},
	}
	if p.maxDepth <= 0 || p.maxDepth > directory.MaxDepth {
		p.maxDepth = directory.MaxDepth
	}
	if p.maxDepts <= 0 {
		p.maxDepts = directory.DefaultDeptsPerMember
	}
	nodes := make(map[uuid.UUID]*node, len(snap.Departments))
	for _, d := range snap.Departments {
		nodes[d.ID()] = &node{id: d.ID(), name: d.Name(), ext: d.ExternalID(), children: map[string]*node{}}
	}
	for _, d := range snap.Departments {
		n := nodes[d.ID()]
		if d.IsRoot() {
			p.root = n
			continue
		}
		parent := nodes[d.ParentID()]
		if parent == nil {
			return nil, errs.Internalf("import: department %s has no parent in the snapshot", d.ID())
		}
		n.parent = parent
		parent.children[strings.ToLower(n.name)] = n
		if d.SortOrder() >= parent.nextOrder {
			parent.nextOrder = d.SortOrder() + 1
		}
		if n.ext != "" {
			p.byExt[n.ext] = n
		}
	}
	if p.root == nil {
		return nil, errs.Internalf("import: organisation %s has no root department", orgID)
	}
	if p.root.ext != "" {
		p.byExt[p.root.ext] = p.root
	}
	for i := range snap.Members {
		m := snap.Members[i]
		ps := &person{account: m.Account, membership: m.Membership, depts: m.Departments, profile: m.Profile}
		p.emails[strings.ToLower(m.Email)] = ps
		p.byID[m.UserID] = ps
		if n := m.Profile.EmployeeNumber; n != "" {
			p.numbers[n] = ps
		}
		if ext := m.Membership.ExternalID(); ext != "" {
			p.members[ext] = ps
		}
	}
	for _, a := range snap.Accounts {
		if _, ok := p.emails[strings.ToLower(a.Email)]; !ok {
			p.emails[strings.ToLower(a.Email)] = &person{account: a}
		}
	}
	return p, nil
}

// plan validates every row of req and returns them in processing order: departments (each after
// the department it names as parent), then users.
func (p *planner) plan(req Request) []*rowPlan {
	out := make([]*rowPlan, 0, req.Rows())
	dupDept := duplicates(len(req.Departments), func(i int) string { return strings.TrimSpace(req.Departments[i].ExternalID) })
	order, cycles := departmentOrder(req.Departments)
	for _, i := range order {
		r := req.Departments[i]
		rp := &rowPlan{seq: len(out), kind: importer.KindDepartment, row: r.Row, ext: strings.TrimSpace(r.ExternalID)}
		out = append(out, rp)
		switch j := dupDept[i]; {
		case j.dup():
			rp.err = errs.E(errs.Conflict, "duplicate_external_id", "external_id "+strconv.Quote(rp.ext)+" is also on row "+strconv.Itoa(req.Departments[j].Row))
			continue
		case cycles[i]:
			rp.err = errs.E(errs.Conflict, "cycle", "the departments' parents form a cycle")
		default:
			rp.err = p.planDepartment(r, rp)
		}
		if rp.ext != "" && rp.err != nil {
			p.failed[rp.ext] = r.Row
		}
	}
	dupExt := duplicates(len(req.Users), func(i int) string { return strings.TrimSpace(req.Users[i].ExternalID) })
	dupEmail := duplicates(len(req.Users), func(i int) string { return strings.ToLower(strings.TrimSpace(req.Users[i].Email)) })
	pathsOnly := req.Format == importer.FormatCSV || req.Format == importer.FormatXLSX
	for i, r := range req.Users {
		rp := &rowPlan{seq: len(out), kind: importer.KindUser, row: r.Row, ext: strings.TrimSpace(r.ExternalID)}
		out = append(out, rp)
		switch {
		case dupExt[i].dup():
			rp.err = errs.E(errs.Conflict, "duplicate_external_id", "external_id "+strconv.Quote(rp.ext)+" is also on row "+strconv.Itoa(req.Users[dupExt[i]].Row))
		case dupEmail[i].dup():
			rp.err = errs.E(errs.Conflict, "duplicate_email", "this email is also on row "+strconv.Itoa(req.Users[dupEmail[i]].Row))
		default:
			rp.err = p.planUser(r, rp, pathsOnly)
		}
	}
	return out
}

// firstIndex is the index of the first row with the same key, or -1.
type firstIndex int

func (f firstIndex) dup() bool { return f >= 0 }

// duplicates maps each row whose non-empty key an earlier row has to that earlier row; the
// others map to -1.
func duplicates(n int, key func(int) string) []firstIndex {
	out := make([]firstIndex, n)
	first := make(map[string]int, n)
	for i := 0; i < n; i++ {
		out[i] = -1
		k := key(i)
		if k == "" {
			continue
		}
		if j, ok := first[k]; ok {
			out[i] = firstIndex(j)
			continue
		}
		first[k] = i
	}
	return out
}

// departmentOrder returns the department rows in file order, except that a row comes after
// the row that defines its parent_external_id; and the rows whose parents form a cycle.
func departmentOrder(rows []DepartmentRow) ([]int, map[int]bool) {
	byExt := make(map[string]int, len(rows))
	for i, r := range rows {
		if ext := strings.TrimSpace(r.ExternalID); ext != "" {
			if _, ok := byExt[ext]; !ok {
				byExt[ext] = i
			}
		}
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]uint8, len(rows))
	order := make([]int, 0, len(rows))
	cycles := map[int]bool{}
	for start := range rows {
		// Walk up the parent references, then emit on the way back down.
		var stack []int
		cycle := -1
		for i := start; ; {
			if state[i] == visiting {
				cycle = i // the walk came back to a row of its own
				break
			}
			if state[i] == done {
				break
			}
			state[i] = visiting
			stack = append(stack, i)
			pext := strings.TrimSpace(rows[i].ParentExternalID)
			j, ok := byExt[pext]
			if !ok || pext == "" {
				break
			}
			i = j
		}
		in := false
		for _, k := range stack {
			in = in || k == cycle
			if in {
				cycles[k] = true
			}
		}
		for k := len(stack) - 1; k >= 0; k-- {
			state[stack[k]] = done
			order = append(order, stack[k])
		}
	}
	return order, cycles
}

func missing(field string) error {
	return errs.E(errs.Invalid, "missing_field", strconv.Quote(field)+" is required")
}

func tooDeep(max int) error {
	return errs.E(errs.Conflict, "too_deep", "the department tree may be at most "+strconv.Itoa(max)+" levels deep")
}

// child returns parent's child called name, adding a new one to the simulation when there is
// none.
func (p *planner) child(parent *node, name string) (*node, error) {
	if c := parent.children[strings.ToLower(name)]; c != nil {
		return c, nil
	}
	if parent.depth()+1 > p.maxDepth {
		return nil, tooDeep(p.maxDepth)
	}
	return p.add(parent, name, ""), nil
}

func (p *planner) add(parent *node, name, ext string) *node {
	n := &node{id: uuid.New(), parent: parent, name: name, ext: ext, children: map[string]*node{}, isNew: true}
	n.create = NewDepartment{ID: n.id, ParentID: parent.id, Name: name, ExternalID: ext, SortOrder: parent.nextOrder}
	parent.nextOrder++
	parent.children[strings.ToLower(name)] = n
	if ext != "" {
		p.byExt[ext] = n
	}
	return n
}

// walk returns the department at a path of names below the root, adding missing ones.
func (p *planner) walk(names []string) (*node, error) {
	cur := p.root
	for _, name := range names {
		next, err := p.child(cur, name)
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

func (p *planner) planDepartment(r DepartmentRow, rp *rowPlan) error {
	ext, err := directory.ParseExternalID(r.ExternalID)
	if err != nil {
		return err
	}
	pext := strings.TrimSpace(r.ParentExternalID)
	if pext != "" && strings.TrimSpace(r.Path) != "" {
		return errs.E(errs.Invalid, "invalid_request", `give "parent_external_id" or "path", not both`)
	}
	var parent *node
	var name string
	switch {
	case strings.TrimSpace(r.Path) != "":
		names, err := appdir.SplitPath(r.Path)
		if err != nil {
			return err
		}
		name = names[len(names)-1]
		if strings.TrimSpace(r.Name) != "" {
			n, err := directory.ParseDepartmentName(r.Name)
			if err != nil {
				return err
			}
			if !strings.EqualFold(n, name) {
				return errs.E(errs.Invalid, "path_name_mismatch", `"path" must end with the department's "name"`)
			}
			name = n
		}
		if parent, err = p.walk(names[:len(names)-1]); err != nil {
			return err
		}
	case pext != "":
		if row, ok := p.failed[pext]; ok {
			return errs.E(errs.Conflict, "parent_failed", "the parent department (row "+strconv.Itoa(row)+") was not imported")
		}
		if parent = p.byExt[pext]; parent == nil {
			return errs.E(errs.NotFound, "unknown_parent", "no department has external id "+strconv.Quote(pext))
		}
		fallthrough
	default:
		if strings.TrimSpace(r.Name) == "" {
			return missing("name")
		}
		if name, err = directory.ParseDepartmentName(r.Name); err != nil {
			return err
		}
		if parent == nil {
			parent = p.root
		}
	}
	if t := p.byExt[ext]; ext != "" && t != nil {
		return p.changeDepartment(t, parent, name, rp)
	}
	if existing := parent.children[strings.ToLower(name)]; existing != nil {
		switch {
		case ext == "":
			rp.own, rp.needs = existing, existing.chain()
			return nil
		case existing.ext == "":
			// A department made in the console or by a path gets the row's external id.
			return p.changeDepartment(existing, parent, name, rp, ext)
		}
		return errs.E(errs.Conflict, "department_exists", "a department named "+strconv.Quote(name)+" with another external id is already there")
	}
	if parent.depth()+1 > p.maxDepth {
		return tooDeep(p.maxDepth)
	}
	n := p.add(parent, name, ext)
	rp.own, rp.needs, rp.outcome = n, n.chain(), outcomeCreated
	return nil
}

// changeDepartment renames, moves or re-ids an existing (or earlier created) department.
func (p *planner) changeDepartment(t, parent *node, name string, rp *rowPlan, newExt ...string) error {
	if t == p.root {
		return errs.E(errs.Conflict, "root_immovable", "the root department is named after the organisation and cannot be imported")
	}
	ext := t.ext
	if len(newExt) > 0 {
		ext = newExt[0]
	}
	moving := t.parent != parent
	if moving {
		if t.contains(parent) {
			return errs.E(errs.Conflict, "cycle", "a department cannot move under itself or its own subtree")
		}
		if parent.depth()+t.height() > p.maxDepth {
			return tooDeep(p.maxDepth)
		}
	}
	if other := parent.children[strings.ToLower(name)]; other != nil && other != t {
		return errs.E(errs.Conflict, "department_exists", "a department named "+strconv.Quote(name)+" is already there")
	}
	rp.own = t
	if !moving && t.name == name && t.ext == ext {
		rp.needs = t.chain()
		return nil
	}
	delete(t.parent.children, strings.ToLower(t.name))
	t.parent, t.name, t.ext = parent, name, ext
	parent.children[strings.ToLower(name)] = t
	if ext != "" {
		p.byExt[ext] = t
	}
	if t.isNew {
		// Not created yet: it is created as it now is.
		t.create.ParentID, t.create.Name, t.create.ExternalID = parent.id, name, ext
		rp.needs, rp.outcome = t.chain(), outcomeCreated
		return nil
	}
	u := &DepartmentUpdate{ID: t.id, Name: name, ExternalID: ext}
	if moving {
		u.NewParentID = parent.id
	}
	rp.update, rp.needs, rp.outcome = u, parent.chain(), outcomeUpdated
	return nil
}

func (p *planner) timeZone(tz string) error {
	err, ok := p.zones[tz]
	if !ok {
		_, err = identity.ParseTimeZone(tz)
		p.zones[tz] = err
	}
	return err
}

// resolve finds the department a user row names: by external id (unless pathsOnly), else by path.
func (p *planner) resolve(ref string, pathsOnly bool) (*node, error) {
	ref = strings.TrimSpace(ref)
	if !pathsOnly {
		if n := p.byExt[ref]; n != nil {
			return n, nil
		}
		if row, ok := p.failed[ref]; ok {
			return nil, errs.E(errs.Conflict, "department_failed", "department "+strconv.Quote(ref)+" (row "+strconv.Itoa(row)+") was not imported")
		}
	}
	names, err := appdir.SplitPath(ref)
	if err != nil {
		return nil, err
	}
	return p.walk(names)
}

func (p *planner) planUser(r UserRow, rp *rowPlan, pathsOnly bool) error {
	if strings.TrimSpace(r.Email) == "" {
		if strings.TrimSpace(r.ExternalID) == "" {
			return missing("external_id")
		}
		return missing("email")
	}
	email, err := identity.NormalizeEmail(r.Email)
	if err != nil {
		return err
	}
	var ext string
	if strings.TrimSpace(r.ExternalID) == "" {
		// A member without an external id (invited, or the owner) is found by their email,
		// so an export of the organisation re-imports; anyone else needs one.
		if ps := p.emails[email]; ps == nil || ps.membership == nil || ps.membership.ExternalID() != "" {
			return missing("external_id")
		}
	} else if ext, err = directory.ParseExternalID(r.ExternalID); err != nil {
		return err
	}
	if strings.TrimSpace(r.DisplayName) == "" {
		return missing("display_name")
	}
	name, err := identity.ParseDisplayName(r.DisplayName)
	if err != nil {
		return err
	}
	locale := strings.TrimSpace(r.Locale)
	if locale != "" {
		if _, err := identity.ParseLocale(locale); err != nil {
			return err
		}
	}
	tz := strings.TrimSpace(r.TimeZone)
	if tz != "" {
		if err := p.timeZone(tz); err != nil {
			return err
		}
	}

	// Whose row is it: the member with this external id, else the account with this email.
	ps := p.members[ext]
	owner := p.emails[email]
	switch {
	case ps != nil:
		if owner != nil && owner != ps {
			return errs.E(errs.Conflict, "email_taken", "another account has this email")
		}
	case owner != nil && owner.membership != nil && owner.membership.ExternalID() != "":
		return errs.E(errs.Conflict, "email_taken", "this email belongs to the member with external id "+strconv.Quote(owner.membership.ExternalID()))
	default:
		ps = owner
	}
	if ps != nil && ps.membership == nil && !p.ties[ps.account.UserID].ManagedBy(p.orgID) ||
		ps == nil && org.CheckNewAccount(p.orgID, p.domains[identity.EmailDomain(email)]) != nil {
		// An account the organisation does not manage is never attached nor changed, and an
		// account in another organisation's domain is that organisation's to make: its person
		// is invited, and the organisation learns nothing more about the account, not even
		// whether there is one.
		rp.invite, rp.outcome = email, outcomeInvited
		return nil
	}

	c := &MemberChange{}
	var next person
	if ps == nil {
		u, err := identity.NewUser(identity.NewUserInput{Email: email, DisplayName: name, Locale: locale, TimeZone: tz}, p.now)
		if err != nil {
			return err
		}
		next.account = Account{UserID: u.ID(), Email: u.Email(), DisplayName: u.DisplayName(), Locale: string(u.Locale()), TimeZone: u.TimeZone()}
		acc := next.account
		c.Account, c.NewAccount = &acc, true
	} else {
		next = *ps
		a := ps.account
		a.Email, a.DisplayName = email, name
		if locale != "" {
			a.Locale = locale
		}
		if tz != "" {
			a.TimeZone = tz
		}
		if a != ps.account {
			// Renaming, re-addressing or relocating an account is for the organisation that
			// manages it, and never an owner's or (without ownership.transfer) an admin's.
			if err := p.ties[ps.account.UserID].CheckChange(p.orgID, p.by.UserID(), p.transfer); err != nil {
				return err
			}
			// Nor is moving it into another organisation's domain.
			if a.Email != ps.account.Email {
				if err := org.CheckNewAccount(p.orgID, p.domains[identity.EmailDomain(a.Email)]); err != nil {
					return err
				}
			}
			next.account = a
			c.Account = &a
		}
	}
	c.UserID = next.account.UserID

	if next.membership == nil {
		next.membership = org.NewMembership(p.orgID, c.UserID, org.RoleMember, p.now)
		c.NewMembership = true
	} else {
		m := *next.membership
		next.membership = &m
	}
	m := next.membership
	changed := c.NewMembership
	if m.ExternalID() != ext {
		if err := m.SetExternalID(ext); err != nil {
			return err
		}
		changed = true
	}
	if r.Active != nil && *r.Active != m.Active() {
		if !p.grantable[m.Role()] {
			return errs.E(errs.Forbidden, "cannot_grant", "this member's role ("+string(m.Role())+") holds permissions you do not, so you cannot change it or restore it")
		}
		if *r.Active {
			err = m.Reactivate(p.by)
		} else {
			err = m.Deactivate(p.by, p.now)
			c.Revoke = !c.NewMembership
		}
		if err != nil {
			return err
		}
		changed = true
	}
	if changed {
		c.Membership = m
	}

	if err := p.planProfile(r, ps, &next, c); err != nil {
		return err
	}

	if r.Departments == nil {
		if strings.TrimSpace(r.PrimaryDepartment) != "" || len(r.LeaderOf) > 0 {
			return errs.E(errs.Invalid, "invalid_request", `"primary_department" and "leader_of" need "departments"`)
		}
	} else {
		as, needs, err := p.assignments(r, pathsOnly)
		if err != nil {
			return err
		}
		rp.needs = needs
		if !sameAssignments(as, next.depts) {
			next.depts, c.Departments, c.SetDepartments = as, as, true
		}
	}

	switch {
	case c.NewMembership:
		rp.outcome = outcomeCreated
	case c.Account != nil || c.Membership != nil || c.SetDepartments || c.Profile != nil:
		rp.outcome = outcomeUpdated
	default:
		rp.outcome = outcomeUnchanged
	}
	if rp.outcome != outcomeUnchanged {
		rp.member = c
	}

	// The row is valid: the simulation moves on with it.
	if ps != nil {
		delete(p.emails, strings.ToLower(ps.account.Email))
		if old := ps.membership; old != nil && old.ExternalID() != "" {
			delete(p.members, old.ExternalID())
		}
		if old := ps.profile.EmployeeNumber; old != "" && p.numbers[old] == ps {
			delete(p.numbers, old)
		}
		*ps = next
	} else {
		ps = &next
	}
	p.emails[email] = ps
	p.members[ext] = ps
	p.byID[c.UserID] = ps
	if n := ps.profile.EmployeeNumber; n != "" {
		p.numbers[n] = ps
	}
	return nil
}

// planProfile applies the row's employee details to next, the person as the row leaves them
// (ps is who they were; nil for a new member), with the rules of the profile API: each field
// validated as org.Profile.Apply does, the employee number unique in the organisation, and the
// manager an active member whose chain of managers does not come back to this one.
func (p *planner) planProfile(r UserRow, ps, next *person, c *MemberChange) error {
	var pc org.ProfileChange
	for _, f := range []struct {
		cell string
		to   **string
	}{{r.EmployeeNumber, &pc.EmployeeNumber}, {r.JobTitle, &pc.JobTitle}, {r.Mobile, &pc.Mobile},
		{r.WorkLocation, &pc.WorkLocation}, {r.HireDate, &pc.HireDate}} {
		if v := strings.TrimSpace(f.cell); v != "" {
			*f.to = &v
		}
	}
	var boss *person
	if v := strings.TrimSpace(r.Manager); v != "" {
		email, err := identity.NormalizeEmail(v)
		if err != nil {
			return errs.E(errs.Invalid, "invalid_manager", "manager must be the email of a member")
		}
		boss = p.emails[email]
		if boss == nil || boss.membership == nil || !boss.membership.Active() {
			if boss != nil && boss == ps {
				return errs.E(errs.Invalid, "invalid_manager", "a member cannot be their own manager")
			}
			return errs.E(errs.Invalid, "invalid_manager", "the manager ("+strconv.Quote(v)+") must be an active member of the organisation, or on a row above")
		}
		id := boss.account.UserID.String()
		pc.ManagerID = &id
	}
	if pc.Empty() {
		return nil
	}
	prof, err := next.profile.Apply(c.UserID, pc)
	if err != nil {
		return err
	}
	if n := prof.EmployeeNumber; n != "" && n != next.profile.EmployeeNumber {
		if other := p.numbers[n]; other != nil && other != ps {
			return errs.E(errs.Conflict, "employee_number_taken", "employee number "+strconv.Quote(n)+" belongs to another member ("+other.account.Email+")")
		}
	}
	managerChanged := !sameID(prof.ManagerID, next.profile.ManagerID)
	if managerChanged {
		// The manager's chain, as the rows above leave it, must not come back to this member.
		seen := map[*person]bool{}
		for x := boss; x != nil && !seen[x]; {
			seen[x] = true
			if x.account.UserID == c.UserID {
				return errs.E(errs.Invalid, "invalid_manager", "the manager reports to this member, directly or through others; a manager cannot be below the person they manage")
			}
			if x.profile.ManagerID == nil {
				break
			}
			x = p.byID[*x.profile.ManagerID]
		}
	}
	if sameProfile(prof, next.profile) {
		return nil
	}
	next.profile = prof
	c.Profile, c.ManagerChanged = &prof, managerChanged
	return nil
}

func sameID(a, b *uuid.UUID) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func sameDate(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}

func sameProfile(a, b org.Profile) bool {
	return a.EmployeeNumber == b.EmployeeNumber && a.JobTitle == b.JobTitle && a.Mobile == b.Mobile &&
		a.WorkLocation == b.WorkLocation && sameID(a.ManagerID, b.ManagerID) && sameDate(a.HireDate, b.HireDate)
}

func (p *planner) assignments(r UserRow, pathsOnly bool) ([]directory.Assignment, []*node, error) {
	var needs []*node
	seen := map[*node]bool{}
	as := make([]directory.Assignment, 0, len(r.Departments))
	index := map[uuid.UUID]int{}
	for _, ref := range r.Departments {
		n, err := p.resolve(ref, pathsOnly)
		if err != nil {
			return nil, nil, err
		}
		for _, x := range n.chain() {
			if !seen[x] {
				seen[x] = true
				needs = append(needs, x)
			}
		}
		index[n.id] = len(as)
		as = append(as, directory.Assignment{DepartmentID: n.id})
	}
	if ref := strings.TrimSpace(r.PrimaryDepartment); ref != "" {
		n, err := p.resolve(ref, pathsOnly)
		if err != nil {
			return nil, nil, err
		}
		i, ok := index[n.id]
		if !ok {
			return nil, nil, errs.E(errs.Invalid, "primary_not_listed", `"primary_department" must be one of "departments"`)
		}
		as[i].Primary = true
	}
	for _, ref := range r.LeaderOf {
		n, err := p.resolve(ref, pathsOnly)
		if err != nil {
			return nil, nil, err
		}
		i, ok := index[n.id]
		if !ok {
			return nil, nil, errs.E(errs.Invalid, "leader_not_listed", `each of "leader_of" must be one of "departments"`)
		}
		as[i].Leader = true
	}
	norm, err := directory.NormalizeAssignments(as, p.maxDepts)
	if err != nil {
		return nil, nil, err
	}
	return norm, needs, nil
}

// sameAssignments reports whether two sets of assignments are equal, in any order.
func sameAssignments(a, b []directory.Assignment) bool {
	if len(a) != len(b) {
		return false
	}
	m := make(map[directory.Assignment]bool, len(a))
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}
