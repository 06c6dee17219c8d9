package events_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	appevents "canopy/app/events"
	pgevents "canopy/infra/postgres/events"
	"canopy/infra/postgres/pgtest"
)

// TestActiveFollowsEveryMembershipChange: the gateway's answer to "who is an active member"
// changes with every deactivation, reactivation, new and removed membership, although it keeps
// its answers between them: with the epoch's trigger off, a deactivation goes unseen, which
// shows that the kept answer is used and that the epoch is what makes it be read again.
func TestActiveFollowsEveryMembershipChange(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner, o, member := orgWithMember(t, db, "active-epochs.example")
	_, other, _ := orgWithMember(t, db, "active-epochs-other.example")
	outsider := pgtest.MustUser(t, db, "outsider@active-epochs.example")
	s := pgevents.NewStore(db)
	users := []uuid.UUID{owner.ID(), member.ID(), outsider.ID()}
	orgs := []uuid.UUID{o.ID(), other.ID()}

	expect := func(step string, want ...uuid.UUID) {
		t.Helper()
		got, err := s.Active(ctx, users, orgs)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		wanted := map[appevents.Membership]bool{}
		for _, u := range want {
			wanted[appevents.Membership{UserID: u, OrgID: o.ID()}] = true
		}
		for _, org := range orgs {
			for _, u := range users {
				k := appevents.Membership{UserID: u, OrgID: org}
				if got[k] != wanted[k] {
					t.Errorf("%s: user %v in organisation %v: active %v, want %v", step, u, org, got[k], wanted[k])
				}
			}
		}
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Exec(sql, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	expect("at first", owner.ID(), member.ID())
	expect("asked again", owner.ID(), member.ID())
	exec(`UPDATE memberships SET status = 'deactivated', deactivated_at = now() WHERE org_id = ? AND user_id = ?`, o.ID(), member.ID())
	expect("deactivated", owner.ID())
	exec(`UPDATE memberships SET status = 'active', deactivated_at = NULL WHERE org_id = ? AND user_id = ?`, o.ID(), member.ID())
	expect("reactivated", owner.ID(), member.ID())
	exec(`INSERT INTO memberships (org_id, user_id, role, status, joined_at) VALUES (?, ?, 'member', 'active', now())`, o.ID(), outsider.ID())
	expect("joined", owner.ID(), member.ID(), outsider.ID())
	exec(`DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, o.ID(), outsider.ID())
	expect("removed", owner.ID(), member.ID())

	exec(`ALTER TABLE memberships DISABLE TRIGGER memberships_epoch_status`)
	exec(`UPDATE memberships SET status = 'deactivated', deactivated_at = now() WHERE org_id = ? AND user_id = ?`, o.ID(), member.ID())
	expect("deactivated without the epoch: the kept answer", owner.ID(), member.ID())
	exec(`ALTER TABLE memberships ENABLE TRIGGER memberships_epoch_status`)
	exec(`UPDATE memberships SET role = 'admin' WHERE org_id = ? AND user_id = ?`, o.ID(), owner.ID())
	expect("a role change moves no epoch", owner.ID(), member.ID())
	exec(`UPDATE memberships SET status = 'active' WHERE org_id = ? AND user_id = ?`, o.ID(), member.ID())
	exec(`UPDATE memberships SET status = 'deactivated' WHERE org_id = ? AND user_id = ?`, o.ID(), member.ID())
	expect("deactivated with the epoch", owner.ID())
	// A new store (another replica) knows nothing yet and reads the same.
	s = pgevents.NewStore(db)
	expect("another replica", owner.ID())
}

// TestRecipientsFollowEveryDirectoryChange: what a group's or a department subtree's audience
// resolves to follows its members, a department's move and a deactivation, although the
// dispatcher keeps it between them: with the epoch's trigger off, a new group member goes
// unseen, which shows that the kept answer is used and that the epoch is what renews it.
func TestRecipientsFollowEveryDirectoryChange(t *testing.T) {
	db := pgtest.MustDB(t)
	ctx := context.Background()
	owner, o, member := orgWithMember(t, db, "resolved-epochs.example")
	s := pgevents.NewStore(db)
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := db.Exec(sql, args...).Error; err != nil {
			t.Fatal(err)
		}
	}
	expect := func(step string, a appevents.Audience, want ...uuid.UUID) {
		t.Helper()
		got, err := s.Recipients(ctx, o.ID(), a)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		slices.SortFunc(got, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
		slices.SortFunc(want, func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) })
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", step, got, want)
		}
	}
	rootID := uuid.New()
	rootPath := "/" + rootID.String() + "/"
	exec(`INSERT INTO departments (id, org_id, path, depth, name, created_at, updated_at) VALUES (?, ?, ?, 1, 'Root', now(), now())`,
		rootID, o.ID(), rootPath)
	department := func(name string, parent uuid.UUID, path string) (uuid.UUID, string) {
		id := uuid.New()
		path += id.String() + "/"
		exec(`INSERT INTO departments (id, org_id, parent_id, path, depth, name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, now(), now())`, id, o.ID(), parent, path, strings.Count(path, "/")-1, name)
		return id, path
	}
	a, aPath := department("A", rootID, rootPath)
	b, bPath := department("B", rootID, rootPath)
	c, _ := department("C", a, aPath)
	group := uuid.New()
	exec(`INSERT INTO groups (id, org_id, name, created_at, updated_at) VALUES (?, ?, 'G', now(), now())`, group, o.ID())
	inGroup := appevents.Audience{Groups: []uuid.UUID{group}}
	underA := appevents.Audience{Departments: []uuid.UUID{a}}
	underB := appevents.Audience{Departments: []uuid.UUID{b}}

	expect("an empty group", inGroup)
	exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, 'member', now())`, o.ID(), group, member.ID())
	expect("a member joined the group", inGroup, member.ID())
	expect("asked again", inGroup, member.ID())
	exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, 'owner', now())`, o.ID(), group, owner.ID())
	expect("the owner joined too", inGroup, owner.ID(), member.ID())
	exec(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, group, member.ID())
	expect("the member left the group", inGroup, owner.ID())
	exec(`UPDATE memberships SET status = 'deactivated' WHERE org_id = ? AND user_id = ?`, o.ID(), owner.ID())
	expect("the owner was deactivated", inGroup)
	exec(`UPDATE memberships SET status = 'active' WHERE org_id = ? AND user_id = ?`, o.ID(), owner.ID())

	exec(`INSERT INTO department_members (org_id, department_id, user_id, added_at) VALUES (?, ?, ?, now())`, o.ID(), c, member.ID())
	expect("a member of C, under A", underA, member.ID())
	expect("nobody under B", underB)
	exec(`UPDATE departments SET parent_id = ?, path = ? WHERE id = ?`, b, bPath+c.String()+"/", c)
	expect("C moved under B: nobody under A", underA)
	expect("C moved under B", underB, member.ID())

	expect("the owner is back", inGroup, owner.ID())
	exec(`ALTER TABLE group_members DISABLE TRIGGER group_members_epoch`)
	exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, 'member', now())`, o.ID(), group, member.ID())
	expect("joined without the epoch: the kept answer", inGroup, owner.ID())
	exec(`ALTER TABLE group_members ENABLE TRIGGER group_members_epoch`)
	exec(`UPDATE group_members SET role = 'owner' WHERE group_id = ? AND user_id = ?`, group, member.ID())
	expect("a role change moves no epoch", inGroup, owner.ID())
	s = pgevents.NewStore(db)
	expect("another replica reads it afresh", inGroup, owner.ID(), member.ID())
}

// TestEpochsAddNoDeadlock: a group's member added while another is removed, each transaction
// taking the group's row and a member row in the other's order, both commit. The epoch's row
// is taken only at commit, after every other lock; an epoch taken at the first change made
// these two a lock cycle, which PostgreSQL broke by failing one of them.
func TestEpochsAddNoDeadlock(t *testing.T) {
	db := pgtest.MustDB(t)
	owner, o, member := orgWithMember(t, db, "epoch-locks.example")
	group := uuid.New()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Exec(`INSERT INTO groups (id, org_id, name, member_count, created_at, updated_at) VALUES (?, ?, 'G', 1, now(), now())`, group, o.ID()).Error)
	must(db.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, 'member', now())`, o.ID(), group, member.ID()).Error)
	before, err := pgevents.NewStore(db).Recipients(context.Background(), o.ID(), appevents.Audience{Groups: []uuid.UUID{group}})
	must(err)

	remove := db.Begin()
	must(remove.Exec(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, group, member.ID()).Error)
	add := db.Begin()
	must(add.Exec(`UPDATE groups SET member_count = member_count + 1 WHERE id = ?`, group).Error)
	added := make(chan error, 1)
	go func() {
		if err := add.Exec(`INSERT INTO group_members (org_id, group_id, user_id, role, added_at) VALUES (?, ?, ?, 'owner', now())`, o.ID(), group, owner.ID()).Error; err != nil {
			add.Rollback()
			added <- err
			return
		}
		added <- add.Commit().Error
	}()
	err = remove.Exec(`UPDATE groups SET member_count = member_count - 1 WHERE id = ?`, group).Error
	if err == nil {
		err = remove.Commit().Error
	} else {
		remove.Rollback()
	}
	if err != nil {
		t.Errorf("removing a member: %v", err)
	}
	if err := <-added; err != nil {
		t.Errorf("adding a member: %v", err)
	}
	after, err := pgevents.NewStore(db).Recipients(context.Background(), o.ID(), appevents.Audience{Groups: []uuid.UUID{group}})
	must(err)
	if !slices.Equal(before, []uuid.UUID{member.ID()}) || !slices.Equal(after, []uuid.UUID{owner.ID()}) {
		t.Errorf("the group's audience went from %v to %v", before, after)
	}
}
