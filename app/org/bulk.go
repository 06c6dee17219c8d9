package org

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"

	"canopy/app/authz"
	"canopy/domain/access"
	"canopy/domain/directory"
	"canopy/domain/errs"
	"canopy/domain/org"
)

// Bulk actions on people: one action applied to a selection of the people table (ids) or to a
// whole filter result. Each person goes through the single-person use case (DeactivateMember,
// ChangeRole, the directory's SetAssignments, CreateActivationLink), so a bulk action checks and
// records exactly what the single one does; all of them run in one transaction, so a refusal or
// failure for any one person leaves everyone as they were.

// BulkAction is what a bulk request does to each person.
type BulkAction string

// The bulk actions.
const (
	BulkMove             BulkAction = "move_department"
	BulkChangeRole       BulkAction = "change_role"
	BulkDeactivate       BulkAction = "deactivate"
	BulkResendActivation BulkAction = "resend_activation"
)

// The most people one bulk request names by id, and the largest filter result it acts on.
const (
	MaxBulkIDs    = 1000
	MaxBulkFilter = 5000
)

// Why a person was skipped rather than changed.
const (
	SkipOwner              = "owner"
	SkipSelf               = "self"
	SkipAlreadyDeactivated = "already_deactivated"
	SkipAlreadyThere       = "already_there"
	SkipSameRole           = "same_role"
	SkipNotPending         = "not_pending"
)

// BulkRequest is one bulk action on a selection: exactly one of UserIDs and Filter.
type BulkRequest struct {
	Action BulkAction
	// UserIDs are the people selected, at most MaxBulkIDs.
	UserIDs []uuid.UUID
	// Filter selects everyone the people table shows for it (its sort and page are ignored),
	// at most MaxBulkFilter people.
	Filter *PeopleQuery
	// Department is the new primary department of BulkMove.
	Department uuid.UUID
	// Role is the new base role of BulkChangeRole: admin or member.
	Role org.Role
}

// BulkSkip is a person the action did not apply to, and why (one of the Skip reasons).
type BulkSkip struct {
	UserID uuid.UUID
	Name   string
	Reason string
}

// BulkResult says what a bulk request did: how many people it selected, how many it changed,
// and whom it skipped.
type BulkResult struct {
	Action  BulkAction
	Matched int
	Changed int
	Skipped []BulkSkip
}

// BulkPerson is a selected member with what the bulk actions decide on.
type BulkPerson struct {
	UserID            uuid.UUID
	Name              string
	Role              org.Role
	Status            org.MemberStatus
	ActivationPending bool
	// Departments are the member's departments, primary first.
	Departments []directory.Assignment
}

// Selection reads the people a bulk request selected, in the transaction in ctx.
type Selection interface {
	// BulkPeople returns those of ids who are members of the organisation; the others are
	// left out.
	BulkPeople(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]BulkPerson, error)
}

// Placements changes members' departments as the directory's single-person use case does
// (PUT .../users/{id}/departments): Forbidden unless the actor holds directory.manage over
// every department the change touches, Conflict too_many_departments past the organisation's
// limit, NotFound for a department that is not the organisation's. Its audit entry is written
// in the transaction in ctx.
type Placements interface {
	SetAssignments(ctx context.Context, a authz.Actor, userID uuid.UUID, as []directory.Assignment) error
}

// BulkPeople applies one action to many people at once (see BulkRequest). It needs
// members.manage, and what the single action needs for every person it changes (a move,
// directory.manage over the departments it leaves and enters; making an admin, every
// permission of the role): if any one is refused, the whole request is, and nothing changes.
// People the action does not apply to are skipped with the reason. An id that is not a member
// is NotFound; more than MaxBulkIDs ids or a filter result over MaxBulkFilter is Unprocessable
// selection_too_large. One audit entry, member.bulk_<action>, records the request.
func (s *Service) BulkPeople(ctx context.Context, a authz.Actor, req BulkRequest) (BulkResult, error) {
	if err := s.require(ctx, a, access.MembersManage); err != nil {
		return BulkResult{}, err
	}
	if err := checkBulkRequest(req); err != nil {
		return BulkResult{}, err
	}
	if len(req.UserIDs) > MaxBulkIDs {
		return BulkResult{}, tooLarge(len(req.UserIDs), MaxBulkIDs, "ids")
	}
	switch req.Action {
	case BulkChangeRole:
		// Nobody grants what they do not hold, whoever the people are.
		if err := authz.RequireRoleGrantable(ctx, s.authz, a, req.Role); err != nil {
			return BulkResult{}, err
		}
	case BulkMove:
		ok, err := s.people.DepartmentInOrg(ctx, a.OrgID, req.Department)
		if err != nil {
			return BulkResult{}, err
		}
		if !ok {
			return BulkResult{}, errs.NotFoundf("department")
		}
	}
	var out BulkResult
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		out = BulkResult{Action: req.Action, Skipped: []BulkSkip{}}
		people, err := s.bulkSelection(ctx, a, req)
		if err != nil {
			return err
		}
		out.Matched = len(people)
		changed := make([]uuid.UUID, 0, len(people))
		for _, p := range people {
			reason, err := s.bulkApply(ctx, a, req, p)
			if err != nil {
				return naming(p, err)
			}
			if reason != "" {
				out.Skipped = append(out.Skipped, BulkSkip{UserID: p.UserID, Name: p.Name, Reason: reason})
				continue
			}
			changed = append(changed, p.UserID)
		}
		out.Changed = len(changed)
		return s.audit.Append(ctx, bulkEntry(a, req, len(people), changed))
	})
	if err != nil {
		return BulkResult{}, err
	}
	return out, nil
}

// naming says whose change a bulk request failed on: the single action's error, its kind and
// code kept, with the person's name before its message. An unclassified failure stays as it is.
func naming(p BulkPerson, err error) error {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind == errs.Internal {
		return err
	}
	named := *e
	named.Message, named.Err = p.Name+": "+e.Message, err
	return &named
}

func checkBulkRequest(req BulkRequest) error {
	switch req.Action {
	case BulkMove:
		if req.Department == uuid.Nil {
			return errs.E(errs.Invalid, "invalid_request", `"department_id" is needed to move people`)
		}
	case BulkChangeRole:
		if req.Role != org.RoleAdmin && req.Role != org.RoleMember {
			return errs.E(errs.Invalid, "invalid_role", `"role" must be "admin" or "member"`)
		}
	case BulkDeactivate, BulkResendActivation:
	default:
		return errs.E(errs.Invalid, "invalid_action", `"action" must be "move_department", "change_role", "deactivate" or "resend_activation"`)
	}
	if (req.UserIDs == nil) == (req.Filter == nil) {
		return errs.E(errs.Invalid, "invalid_request", `give exactly one of "user_ids" and "filter"`)
	}
	if req.UserIDs != nil && len(req.UserIDs) == 0 {
		return errs.E(errs.Invalid, "invalid_field", `"user_ids" must name at least one person`)
	}
	return nil
}

func tooLarge(n, limit int, what string) error {
	return errs.E(errs.Unprocessable, "selection_too_large", "the selection holds "+strconv.Itoa(n)+" people; a bulk action takes at most "+
		strconv.Itoa(limit)+" "+what)
}

// bulkSelection returns the people a request selected, each once, in the order given (a
// filter's in the people table's order). An id that is not a member is NotFound.
func (s *Service) bulkSelection(ctx context.Context, a authz.Actor, req BulkRequest) ([]BulkPerson, error) {
	ids := req.UserIDs
	if req.Filter != nil {
		var err error
		if ids, err = s.filterIDs(ctx, a, *req.Filter); err != nil {
			return nil, err
		}
	}
	seen := make(map[uuid.UUID]bool, len(ids))
	unique := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	if len(unique) == 0 {
		return nil, nil
	}
	found, err := s.selection.BulkPeople(ctx, a.OrgID, unique)
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]BulkPerson, len(found))
	for _, p := range found {
		byID[p.UserID] = p
	}
	out := make([]BulkPerson, 0, len(unique))
	for _, id := range unique {
		p, ok := byID[id]
		if !ok {
			return nil, errs.NotFoundf("member")
		}
		out = append(out, p)
	}
	return out, nil
}

// filterIDs returns the ids of everyone the people table shows for q; Unprocessable past
// MaxBulkFilter. A department or manager that is not the organisation's is NotFound, as for
// the table.
func (s *Service) filterIDs(ctx context.Context, a authz.Actor, q PeopleQuery) ([]uuid.UUID, error) {
	if q.Department != uuid.Nil {
		ok, err := s.people.DepartmentInOrg(ctx, a.OrgID, q.Department)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errs.NotFoundf("department")
		}
	}
	if q.Manager != uuid.Nil {
		if _, err := s.member(ctx, a, q.Manager); err != nil {
			return nil, err
		}
	}
	q.Sort, q.Desc, q.After, q.Limit = SortName, false, nil, MaxBulkFilter+1
	rows, total, err := s.people.People(ctx, a.OrgID, q)
	if err != nil {
		return nil, err
	}
	if total > MaxBulkFilter || len(rows) > MaxBulkFilter {
		return nil, tooLarge(max(total, len(rows)), MaxBulkFilter, "people from a filter")
	}
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.UserID
	}
	return ids, nil
}

// bulkApply applies the action to one person through its single-person use case, or returns
// why it does not apply to them.
func (s *Service) bulkApply(ctx context.Context, a authz.Actor, req BulkRequest, p BulkPerson) (string, error) {
	switch req.Action {
	case BulkDeactivate:
		switch {
		case p.Role == org.RoleOwner:
			return SkipOwner, nil
		case p.UserID == a.UserID:
			return SkipSelf, nil
		case p.Status == org.MemberDeactivated:
			return SkipAlreadyDeactivated, nil
		}
		_, err := s.DeactivateMember(ctx, a, p.UserID)
		return "", err
	case BulkChangeRole:
		switch {
		case p.Role == org.RoleOwner:
			return SkipOwner, nil
		case p.Role == req.Role:
			return SkipSameRole, nil
		case p.UserID == a.UserID:
			// One's own role is changed on its own, not in passing while acting on others
			// with the powers it may take away.
			return SkipSelf, nil
		}
		_, err := s.ChangeRole(ctx, a, p.UserID, string(req.Role))
		return "", err
	case BulkResendActivation:
		switch {
		case p.Status == org.MemberDeactivated:
			return SkipAlreadyDeactivated, nil
		case !p.ActivationPending:
			return SkipNotPending, nil
		}
		_, err := s.CreateActivationLink(ctx, a, p.UserID)
		return "", err
	case BulkMove:
		next, moved := MovePrimary(p.Departments, req.Department)
		if !moved {
			return SkipAlreadyThere, nil
		}
		if s.placements == nil {
			return "", errs.Internalf("org: no placements")
		}
		return "", s.placements.SetAssignments(ctx, a, p.UserID, next)
	}
	return "", errs.E(errs.Invalid, "invalid_action", "unknown action")
}

// MovePrimary returns a member's departments with to as their primary one: the previous
// primary membership ends (and with it their leadership there), the others stay, and to, if it
// was one of them, becomes the primary. false when to is already their primary department.
func MovePrimary(as []directory.Assignment, to uuid.UUID) ([]directory.Assignment, bool) {
	out := []directory.Assignment{{DepartmentID: to, Primary: true}}
	for _, x := range as {
		switch {
		case x.DepartmentID == to && x.Primary:
			return as, false
		case x.DepartmentID == to:
			out[0].Leader = x.Leader
		case x.Primary:
		default:
			x.Primary = false
			out = append(out, x)
		}
	}
	return out, true
}

// bulkEntry is the audit entry of a bulk request: its target (the department or role), how
// many people it selected and changed, and who changed.
func bulkEntry(a authz.Actor, req BulkRequest, matched int, changed []uuid.UUID) access.AuditEntry {
	action, targetType, targetID := "member.bulk_"+string(req.Action), "member", ""
	details := map[string]any{"matched": matched, "count": len(changed), "user_ids": changed}
	switch req.Action {
	case BulkMove:
		action, targetType, targetID = "member.bulk_move", "department", req.Department.String()
		details["department_id"] = req.Department
	case BulkChangeRole:
		details["role"] = req.Role
	}
	if req.Filter != nil {
		details["filter"] = filterDetails(*req.Filter)
	}
	return a.Entry(action, targetType, targetID, nil, details)
}

// filterDetails is a people filter as an audit entry records it: only what was set.
func filterDetails(q PeopleQuery) map[string]any {
	out := map[string]any{}
	if q.Department != uuid.Nil {
		out["department_id"], out["subtree"] = q.Department, q.Subtree
	}
	if q.Role != "" {
		out["role"] = q.Role
	}
	if q.Status != "" {
		out["status"] = q.Status
	}
	if q.Manager != uuid.Nil {
		out["manager_id"] = q.Manager
	}
	if q.Text != "" {
		out["q"] = q.Text
	}
	return out
}

// exportPage is how many people a filter's export resolves at a time.
const exportPage = 5000

// PeopleToExport resolves which members a people export writes, for the exporter (app/importer)
// that has checked its own permission: ids (at most MaxBulkIDs; NotFound for one who is not a
// member), a filter's result (as the people table shows it, without a cap), or everyone when
// both are nil, for which only is nil. count is how many people that is.
func (s *Service) PeopleToExport(ctx context.Context, a authz.Actor, ids []uuid.UUID, filter *PeopleQuery) (only []uuid.UUID, count int, err error) {
	switch {
	case ids != nil:
		if len(ids) > MaxBulkIDs {
			return nil, 0, tooLarge(len(ids), MaxBulkIDs, "ids")
		}
		people, err := s.bulkSelection(ctx, a, BulkRequest{UserIDs: ids})
		if err != nil {
			return nil, 0, err
		}
		only = make([]uuid.UUID, len(people))
		for i, p := range people {
			only[i] = p.UserID
		}
		return only, len(only), nil
	case filter != nil:
		q := *filter
		if q.Department != uuid.Nil {
			ok, err := s.people.DepartmentInOrg(ctx, a.OrgID, q.Department)
			if err != nil {
				return nil, 0, err
			}
			if !ok {
				return nil, 0, errs.NotFoundf("department")
			}
		}
		if q.Manager != uuid.Nil {
			if _, err := s.member(ctx, a, q.Manager); err != nil {
				return nil, 0, err
			}
		}
		q.Sort, q.Desc, q.After, q.Limit = SortName, false, nil, exportPage
		only = []uuid.UUID{}
		for {
			rows, _, err := s.people.People(ctx, a.OrgID, q)
			if err != nil {
				return nil, 0, err
			}
			for _, r := range rows {
				only = append(only, r.UserID)
			}
			if len(rows) < q.Limit {
				return only, len(only), nil
			}
			q.After = rows[len(rows)-1].Key
		}
	}
	_, total, err := s.people.People(ctx, a.OrgID, PeopleQuery{Sort: SortName, Limit: 1})
	return nil, total, err
}

// ExportDetails is a people export's selection as its audit entry records it.
func ExportDetails(ids []uuid.UUID, filter *PeopleQuery) map[string]any {
	switch {
	case ids != nil:
		return map[string]any{"selection": "user_ids", "user_ids": ids}
	case filter != nil:
		return map[string]any{"selection": "filter", "filter": filterDetails(*filter)}
	}
	return map[string]any{"selection": "everyone"}
}
