package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/store"
	"github.com/assocbot/assocbot/models/store/storetest"
)

var ctx = context.Background()

func mustAdd(t *testing.T, st *store.Store, nm store.NewMember) *models.Member {
	t.Helper()
	m, err := st.AddMember(ctx, nm)
	if err != nil {
		t.Fatalf("add member %+v: %v", nm, err)
	}
	return m
}

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		n, err := st.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v; want 0, nil", n, err)
		}
		db, bin, err := st.SchemaVersion(ctx)
		if err != nil || db != bin || db != store.LatestVersion() {
			t.Fatalf("version db=%d bin=%d err=%v", db, bin, err)
		}
	})
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	st, dsn := storetest.New(t)
	if err := st.ExecForTest(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", store.LatestVersion()+1, true); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err := store.Open(ctx, dsn)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("open on newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

func TestAddMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		m := mustAdd(t, st, store.NewMember{Name: " 王芳 ", Phone: "138 0013 8000", Branch: "东城镇 / 李家村", Tags: []string{"Volunteer", "away", "volunteer"}})
		if m.Name != "王芳" || *m.Phone != "+8613800138000" || m.Role != models.RoleMember || m.Status != models.StatusActive {
			t.Fatalf("member = %+v", m)
		}
		if m.Branch == nil || m.Branch.Path != "东城镇/李家村" || m.Branch.ParentID == nil {
			t.Fatalf("branch = %+v", m.Branch)
		}
		if got := m.TagNames(); len(got) != 2 {
			t.Fatalf("tags = %v", got)
		}
		if _, err := st.AddMember(ctx, store.NewMember{Name: "X", Phone: "+86 138-0013-8000"}); !errors.Is(err, store.ErrPhoneTaken) {
			t.Fatalf("duplicate phone: %v", err)
		}
		if _, err := st.AddMember(ctx, store.NewMember{Name: "X", Phone: "12"}); !errors.Is(err, models.ErrBadPhone) {
			t.Fatalf("bad phone: %v", err)
		}
		if _, err := st.AddMember(ctx, store.NewMember{Name: "X", Phone: "13900139000", Branch: "A//B"}); !errors.Is(err, models.ErrBadBranchPath) {
			t.Fatalf("bad branch: %v", err)
		}
		top, err := st.ChildBranches(ctx, nil)
		if err != nil || len(top) != 1 || top[0].Name != "东城镇" {
			t.Fatalf("top branches %v %v", top, err)
		}
		kids, err := st.ChildBranches(ctx, &top[0].ID)
		if err != nil || len(kids) != 1 || kids[0].Name != "李家村" {
			t.Fatalf("children %v %v", kids, err)
		}
	})
}

func TestInvites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		m := mustAdd(t, st, store.NewMember{Name: "A", Phone: "13800138000"})
		other := mustAdd(t, st, store.NewMember{Name: "B", Phone: "13900139000"})
		code, exp, err := st.CreateInvite(ctx, m.ID, store.DefaultInviteTTL, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) < 16 || len(code) > 64 || !exp.Equal(now.Add(30*24*time.Hour)) {
			t.Fatalf("code %q exp %v", code, exp)
		}
		if _, err := st.RedeemInvite(ctx, "nope", 1, 1, now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown code: %v", err)
		}
		got, err := st.RedeemInvite(ctx, code, 501, 501, now.Add(time.Hour))
		if err != nil || got.ID != m.ID || got.TelegramID == nil || *got.TelegramID != 501 {
			t.Fatalf("redeem: %+v %v", got, err)
		}
		if _, err := st.RedeemInvite(ctx, code, 501, 501, now); !errors.Is(err, store.ErrInviteUsed) {
			t.Fatalf("reuse: %v", err)
		}
		code2, _, _ := st.CreateInvite(ctx, other.ID, time.Hour, now)
		if _, err := st.RedeemInvite(ctx, code2, 777, 777, now.Add(2*time.Hour)); !errors.Is(err, store.ErrInviteExpired) {
			t.Fatalf("expired: %v", err)
		}
		// The account of A cannot take B's record too.
		code3, _, _ := st.CreateInvite(ctx, other.ID, time.Hour, now)
		if _, err := st.RedeemInvite(ctx, code3, 501, 501, now); !errors.Is(err, store.ErrAccountLinked) {
			t.Fatalf("second record for one account: %v", err)
		}
		if b, _ := st.MemberByID(ctx, other.ID); b.Linked() {
			t.Fatal("failed redemption changed the member")
		}
	})
}

func TestLinkByPhoneAndLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		mustAdd(t, st, store.NewMember{Name: "A", Phone: "13800138000"})
		if err := st.SetLanguage(ctx, 42, "zh-Hant"); err != nil {
			t.Fatal(err)
		}
		if l, _ := st.VisitorLanguage(ctx, 42); l != "zh-Hant" {
			t.Fatalf("visitor lang %q", l)
		}
		m, err := st.LinkByPhone(ctx, "8613800138000", 42, 42)
		if err != nil || m.Lang != "zh-Hant" {
			t.Fatalf("link: %+v %v (the visitor's language must carry over)", m, err)
		}
		if _, err := st.LinkByPhone(ctx, "13800138000", 43, 43); !errors.Is(err, store.ErrMemberLinked) {
			t.Fatalf("link taken record: %v", err)
		}
		if _, err := st.LinkByPhone(ctx, "13700137000", 44, 44); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown phone: %v", err)
		}
		if err := st.SetLanguage(ctx, 42, "en"); err != nil {
			t.Fatal(err)
		}
		if m, _ := st.MemberByTelegramID(ctx, 42); m.Lang != "en" {
			t.Fatalf("member lang %q", m.Lang)
		}
	})
}

func TestOrganizerScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		org := mustAdd(t, st, store.NewMember{Name: "Org", Phone: "13800138001", Branch: "Town", Role: models.RoleOrganizer})
		other := mustAdd(t, st, store.NewMember{Name: "Org2", Phone: "13800138002", Branch: "Other", Role: models.RoleOrganizer})
		mem := mustAdd(t, st, store.NewMember{Name: "M", Phone: "13800138003", Branch: "Town/Village"})
		elsewhere := mustAdd(t, st, store.NewMember{Name: "E", Phone: "13800138004", Branch: "Other"})
		village, town, otherB := models.BranchAudience("Town/Village"), models.BranchAudience("Town"), models.BranchAudience("Other")
		for _, c := range []struct {
			who  *models.Member
			a    models.Audience
			want bool
		}{
			{org, village, true}, {org, town, true}, {org, otherB, false}, {other, village, false}, {mem, village, false},
			{org, models.Everyone(), false}, {org, models.TagAudience("volunteer"), false},
			{org, models.MembersAudience(mem.ID), true}, {org, models.MembersAudience(mem.ID, elsewhere.ID), false},
			{org, models.OrganizersAudience("Town/Village"), true}, {org, models.OrganizersAudience("Other"), false},
		} {
			got, err := st.CanReach(ctx, c.who, c.a)
			if err != nil || got != c.want {
				t.Errorf("CanReach(%s, %s) = %v, %v; want %v", c.who.Name, c.a, got, err, c.want)
			}
		}
		deciders := func(path string) []uint {
			rs, err := st.Recipients(ctx, planner.Message{Kind: outbox.KindJoinRequest, To: models.OrganizersAudience(path)})
			if err != nil {
				t.Fatal(err)
			}
			var ids []uint
			for _, r := range rs {
				ids = append(ids, r.MemberID)
			}
			return ids
		}
		// Nobody linked yet: no organizer, no admin.
		if ids := deciders("Town/Village"); len(ids) != 0 {
			t.Fatalf("unlinked organizers returned: %v", ids)
		}
		if _, err := st.LinkByPhone(ctx, "13800138001", 9001, 9001); err != nil {
			t.Fatal(err)
		}
		if ids := deciders("Town/Village"); len(ids) != 1 || ids[0] != org.ID {
			t.Fatalf("organizers of village = %v", ids)
		}
		// A branch with no linked organizer falls back to the admins.
		admin, err := st.EnsureAdmin(ctx, 1, 1, "Root", "en")
		if err != nil || admin.Role != models.RoleAdmin {
			t.Fatalf("ensure admin: %+v %v", admin, err)
		}
		if ids := deciders("Other"); len(ids) != 1 || ids[0] != admin.ID {
			t.Fatalf("fallback to admins = %v", ids)
		}
		if ok, _ := st.CanReach(ctx, admin, otherB); !ok {
			t.Fatal("admin must reach everywhere")
		}
	})
}

func TestJoinRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		b, _ := st.EnsureBranch(ctx, "Town/Village")
		now := time.Now()
		jr, created, err := st.CreateJoinRequest(ctx, models.JoinRequest{TelegramID: 7, ChatID: 7, Name: "Stranger", Lang: "en", BranchID: b.ID}, "", now)
		if err != nil || !created {
			t.Fatalf("create: %v %v", created, err)
		}
		again, created, _ := st.CreateJoinRequest(ctx, models.JoinRequest{TelegramID: 7, ChatID: 7, Name: "Stranger", Lang: "en", BranchID: b.ID}, "", now)
		if created || again.ID != jr.ID {
			t.Fatal("second pending request created")
		}
		got, err := st.DecideJoinRequest(ctx, jr.ID, 1, true, now)
		if err != nil || got.Status != models.JoinApproved || got.MemberID == nil {
			t.Fatalf("approve: %+v %v", got, err)
		}
		m, err := st.MemberByTelegramID(ctx, 7)
		if err != nil || m.BranchID == nil || *m.BranchID != b.ID || m.Lang != "en" {
			t.Fatalf("new member %+v %v", m, err)
		}
		if _, err := st.DecideJoinRequest(ctx, jr.ID, 1, false, now); !errors.Is(err, store.ErrDecided) {
			t.Fatalf("decide twice: %v", err)
		}
	})
}
