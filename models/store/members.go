package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/assocbot/assocbot/models"
)

// NewMember is what the roster needs to add a person.
type NewMember struct {
	Name   string
	Phone  string // any common notation; normalized to E.164
	Branch string // path, e.g. "Town/Village"; empty for none
	Role   models.Role
	Lang   string
	TZ     string
	Tags   []string
}

// AddMember puts a person on the roster. An organizer is given the scope of
// their branch. A name, branch or tag that models.ValidText refuses fails
// with models.ErrBadText, and nothing is written.
func (s *Store) AddMember(ctx context.Context, nm NewMember) (*models.Member, error) {
	name := strings.TrimSpace(nm.Name)
	if name == "" {
		return nil, errors.New("store: add member: empty name")
	}
	// The branch path is refused by models.CleanBranchPath, with the same rule.
	if !models.ValidText(nm.Name, false) || slices.ContainsFunc(nm.Tags, func(t string) bool { return !models.ValidText(t, false) }) {
		return nil, fmt.Errorf("store: add member: %w", models.ErrBadText)
	}
	phone, err := models.NormalizePhone(nm.Phone)
	if err != nil {
		return nil, fmt.Errorf("store: add member: %w", err)
	}
	role := nm.Role
	if role == "" {
		role = models.RoleMember
	}
	if !role.Valid() {
		return nil, fmt.Errorf("store: add member: unknown role %q", role)
	}
	m := &models.Member{Name: name, Phone: &phone, Role: role, Lang: nm.Lang, TZ: nm.TZ, Status: models.StatusActive}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Member{}).Where("phone = ?", phone).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrPhoneTaken
		}
		if nm.Branch != "" {
			b, err := ensureBranch(tx, nm.Branch)
			if err != nil {
				return err
			}
			m.BranchID = &b.ID
		}
		for _, t := range normalizeTags(nm.Tags) {
			m.Tags = append(m.Tags, models.MemberTag{Tag: t})
		}
		if err := tx.Create(m).Error; err != nil {
			return err
		}
		if role == models.RoleOrganizer && m.BranchID != nil {
			return tx.Create(&models.OrganizerScope{MemberID: m.ID, BranchID: *m.BranchID}).Error
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			err = ErrPhoneTaken
		}
		return nil, fmt.Errorf("store: add member: %w", err)
	}
	return s.MemberByID(ctx, m.ID)
}

// MemberChange is what EditMember changes: a nil field is left as it is.
type MemberChange struct {
	Name   *string
	Phone  *string // any common notation; normalized to E.164
	Branch *string // path; the branch, and any missing above it, is created
	Role   *models.Role
	Lang   *string
	TZ     *string
	Tags   *[]string // all of the member's tags
	// SMS (SPEC C12): the channel, consent to health reminders by SMS,
	// and SMSResume: an organizer's explicit re-enabling of SMS that the
	// member stopped (TD) or the provider refused.
	Channel   *models.Channel
	SMSHealth *bool
	SMSResume bool
}

// EditMember changes the given fields of a member in one transaction, by
// AddMember's rules: an empty name, or a name, branch or tag that
// models.ValidText refuses (models.ErrBadText), a phone another member has
// (ErrPhoneTaken) or a bad phone, role or branch path fails and nothing is
// written. An organizer moved to a branch, or a member made organizer, is
// given the scope of their branch, as the import does.
func (s *Store) EditMember(ctx context.Context, id uint, c MemberChange) (*models.Member, error) {
	fields := map[string]any{}
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		if name == "" {
			return nil, errors.New("store: edit member: empty name")
		}
		if !models.ValidText(name, false) {
			return nil, fmt.Errorf("store: edit member: %w", models.ErrBadText)
		}
		fields["name"] = name
	}
	if c.Tags != nil && slices.ContainsFunc(*c.Tags, func(t string) bool { return !models.ValidText(t, false) }) {
		return nil, fmt.Errorf("store: edit member: %w", models.ErrBadText)
	}
	phone := ""
	if c.Phone != nil {
		var err error
		if phone, err = models.NormalizePhone(*c.Phone); err != nil {
			return nil, fmt.Errorf("store: edit member: %w", err)
		}
		fields["phone"] = phone
	}
	if c.Role != nil {
		if !c.Role.Valid() {
			return nil, fmt.Errorf("store: edit member: unknown role %q", *c.Role)
		}
		fields["role"] = *c.Role
	}
	if c.Lang != nil {
		fields["lang"] = *c.Lang
	}
	if c.TZ != nil {
		fields["tz"] = *c.TZ
	}
	if c.Channel != nil {
		if !c.Channel.Valid() {
			return nil, fmt.Errorf("store: edit member: unknown channel %q", *c.Channel)
		}
		fields["channel"] = *c.Channel
	}
	if c.SMSHealth != nil {
		fields["sms_health"] = *c.SMSHealth
	}
	if c.SMSResume {
		fields["sms_stopped_at"], fields["sms_stop_reason"] = nil, ""
	}
	branch := ""
	if c.Branch != nil {
		var err error
		if branch, err = models.CleanBranchPath(*c.Branch); err != nil {
			return nil, fmt.Errorf("store: edit member: %w", err)
		}
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m models.Member
		if err := tx.Take(&m, id).Error; err != nil {
			return notFound(err)
		}
		if phone != "" {
			var n int64
			if err := tx.Model(&models.Member{}).Where("phone = ? AND id <> ?", phone, id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return ErrPhoneTaken
			}
		}
		moved := false
		if branch != "" {
			b, err := ensureBranch(tx, branch)
			if err != nil {
				return err
			}
			moved = m.BranchID == nil || *m.BranchID != b.ID
			fields["branch_id"], m.BranchID = b.ID, &b.ID
		}
		promoted := c.Role != nil && *c.Role != m.Role
		if c.Role != nil {
			m.Role = *c.Role
		}
		if len(fields) > 0 {
			if err := tx.Model(&models.Member{}).Where("id = ?", id).Updates(fields).Error; err != nil {
				return err
			}
		}
		if c.Tags != nil {
			if err := tx.Where("member_id = ?", id).Delete(&models.MemberTag{}).Error; err != nil {
				return err
			}
			for _, t := range normalizeTags(*c.Tags) {
				if err := tx.Create(&models.MemberTag{MemberID: id, Tag: t}).Error; err != nil {
					return err
				}
			}
		}
		if m.Role == models.RoleOrganizer && m.BranchID != nil && (moved || promoted) {
			return tx.Clauses(onConflictNothing()).Create(&models.OrganizerScope{MemberID: id, BranchID: *m.BranchID}).Error
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			err = ErrPhoneTaken
		}
		return nil, fmt.Errorf("store: edit member: %w", err)
	}
	return s.MemberByID(ctx, id)
}

func normalizeTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		t = models.NormalizeTag(t)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func (s *Store) members(ctx context.Context) *gorm.DB {
	return s.db.WithContext(ctx).Preload("Branch").Preload("Tags")
}

// MemberByID finds a member with their branch and tags.
func (s *Store) MemberByID(ctx context.Context, id uint) (*models.Member, error) {
	var m models.Member
	if err := s.members(ctx).Take(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// MemberByTelegramID finds the member linked to a Telegram user.
func (s *Store) MemberByTelegramID(ctx context.Context, tgID int64) (*models.Member, error) {
	var m models.Member
	if err := s.members(ctx).Where("telegram_id = ?", tgID).Take(&m).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// MemberByPhone finds a member by a phone number in any common notation.
func (s *Store) MemberByPhone(ctx context.Context, phone string) (*models.Member, error) {
	e164, err := models.NormalizePhone(phone)
	if err != nil {
		return nil, err
	}
	var m models.Member
	if err := s.members(ctx).Where("phone = ?", e164).Take(&m).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// ListMembers returns the whole roster ordered by id.
func (s *Store) ListMembers(ctx context.Context) ([]models.Member, error) {
	var ms []models.Member
	if err := s.members(ctx).Order("id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	return ms, nil
}

// LinkByPhone links a Telegram account to the member with that phone.
func (s *Store) LinkByPhone(ctx context.Context, phone string, tgID, chatID int64) (*models.Member, error) {
	e164, err := models.NormalizePhone(phone)
	if err != nil {
		return nil, err
	}
	var id uint
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m models.Member
		if err := tx.Where("phone = ?", e164).Take(&m).Error; err != nil {
			return notFound(err)
		}
		id = m.ID
		return link(tx, &m, tgID, chatID)
	})
	if err != nil {
		return nil, err
	}
	return s.MemberByID(ctx, id)
}

// link attaches tgID to m unless either side is linked elsewhere.
func link(tx *gorm.DB, m *models.Member, tgID, chatID int64) error {
	if m.TelegramID != nil {
		if *m.TelegramID == tgID {
			return nil
		}
		return ErrMemberLinked
	}
	var n int64
	if err := tx.Model(&models.Member{}).Where("telegram_id = ?", tgID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ErrAccountLinked
	}
	updates := map[string]any{"telegram_id": tgID, "chat_id": chatID}
	if m.Lang == "" {
		// A language chosen before joining carries over.
		var v models.Visitor
		if err := tx.Where("telegram_id = ?", tgID).Take(&v).Error; err == nil && v.Lang != "" {
			updates["lang"] = v.Lang
		}
	}
	if m.Status == models.StatusUnreachable {
		updates["status"] = models.StatusActive
	}
	return tx.Model(m).Updates(updates).Error
}

// SetLanguage stores a Telegram user's language choice: on their member
// record when linked, else on their visitor record.
func (s *Store) SetLanguage(ctx context.Context, tgID int64, lang string) error {
	db := s.db.WithContext(ctx)
	res := db.Model(&models.Member{}).Where("telegram_id = ?", tgID).Update("lang", lang)
	if res.Error != nil {
		return fmt.Errorf("store: set language: %w", res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&models.Visitor{}).Where("telegram_id = ?", tgID).Update("lang", lang)
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		return tx.Create(&models.Visitor{TelegramID: tgID, Lang: lang}).Error
	})
	if err != nil {
		return fmt.Errorf("store: set language: %w", err)
	}
	return nil
}

// RememberVisitorPhone keeps the phone a stranger shared (not on the roster) so
// that their join request carries it to the organizers.
func (s *Store) RememberVisitorPhone(ctx context.Context, tgID int64, e164 string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var v models.Visitor
		err := tx.Where("telegram_id = ?", tgID).Take(&v).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return tx.Create(&models.Visitor{TelegramID: tgID, Phone: e164}).Error
		}
		if err != nil {
			return err
		}
		return tx.Model(&v).Update("phone", e164).Error
	})
	if err != nil {
		return fmt.Errorf("store: remember visitor phone: %w", err)
	}
	return nil
}

// Visitor returns what is known of a Telegram user who is not a member (a
// zero Visitor when nothing is).
func (s *Store) Visitor(ctx context.Context, tgID int64) (models.Visitor, error) {
	var v models.Visitor
	err := s.db.WithContext(ctx).Where("telegram_id = ?", tgID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return models.Visitor{TelegramID: tgID}, nil
	}
	if err != nil {
		return v, fmt.Errorf("store: visitor: %w", err)
	}
	return v, nil
}

// SetTelegramLang records the language_code a member's client sends.
func (s *Store) SetTelegramLang(ctx context.Context, memberID uint, code string) error {
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Where("id = ?", memberID).Update("telegram_lang", code).Error; err != nil {
		return fmt.Errorf("store: set telegram lang: %w", err)
	}
	return nil
}

// VisitorLanguage returns the language a not-yet-member chose, or "".
func (s *Store) VisitorLanguage(ctx context.Context, tgID int64) (string, error) {
	var v models.Visitor
	err := s.db.WithContext(ctx).Where("telegram_id = ?", tgID).Take(&v).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: visitor language: %w", err)
	}
	return v.Lang, nil
}

// Organizers lists every linked organizer and admin who has not left
// (models.Member.IsOrganizer), for their command menus and digests.
func (s *Store) Organizers(ctx context.Context) ([]models.Member, error) {
	var ms []models.Member
	err := organizers(s.db.WithContext(ctx)).Where("members.telegram_id IS NOT NULL").Order("members.id").Find(&ms).Error
	if err != nil {
		return nil, fmt.Errorf("store: organizers: %w", err)
	}
	return ms, nil
}

// EnsureAdmin makes the Telegram user an admin (SPEC C1: the first admins come
// from configuration): their linked member record is promoted, or one is
// created for them, named as Telegram names them. A name that
// models.ValidText refuses fails with models.ErrBadText.
func (s *Store) EnsureAdmin(ctx context.Context, tgID, chatID int64, name, lang string) (*models.Member, error) {
	if !models.ValidText(name, false) {
		return nil, fmt.Errorf("store: ensure admin: %w", models.ErrBadText)
	}
	var id uint
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m models.Member
		err := tx.Where("telegram_id = ?", tgID).Take(&m).Error
		switch {
		case err == nil:
			id = m.ID
			if m.Role == models.RoleAdmin {
				return nil
			}
			return tx.Model(&m).Update("role", models.RoleAdmin).Error
		case errors.Is(err, gorm.ErrRecordNotFound):
			m = models.Member{Name: name, Role: models.RoleAdmin, Lang: lang, TelegramID: &tgID, ChatID: &chatID, Status: models.StatusActive}
			if err := tx.Create(&m).Error; err != nil {
				return err
			}
			id = m.ID
			return nil
		default:
			return err
		}
	})
	if err != nil {
		return nil, fmt.Errorf("store: ensure admin: %w", err)
	}
	return s.MemberByID(ctx, id)
}

// OrganizedBranches lists the branches an organizer was given (not those
// below them), by path.
func (s *Store) OrganizedBranches(ctx context.Context, memberID uint) ([]models.Branch, error) {
	var bs []models.Branch
	err := s.db.WithContext(ctx).Joins("JOIN organizer_scopes ON organizer_scopes.branch_id = branches.id").
		Where("organizer_scopes.member_id = ?", memberID).Order("branches.path").Find(&bs).Error
	if err != nil {
		return nil, fmt.Errorf("store: organized branches: %w", err)
	}
	return bs, nil
}

// Tags lists the tags in use, alphabetically.
func (s *Store) Tags(ctx context.Context) ([]string, error) {
	var tags []string
	if err := s.db.WithContext(ctx).Model(&models.MemberTag{}).Distinct("tag").Order("tag").Pluck("tag", &tags).Error; err != nil {
		return nil, fmt.Errorf("store: tags: %w", err)
	}
	return tags, nil
}

// InsertMembers adds many members at once (in batches, one transaction);
// their branches must exist. Roster-sized loads and benchmarks use it.
func (s *Store) InsertMembers(ctx context.Context, ms []models.Member) error {
	if slices.ContainsFunc(ms, func(m models.Member) bool { return !models.ValidText(m.Name, false) }) {
		return fmt.Errorf("store: insert members: %w", models.ErrBadText)
	}
	if err := s.db.WithContext(ctx).CreateInBatches(ms, 500).Error; err != nil {
		return fmt.Errorf("store: insert members: %w", err)
	}
	return nil
}

// FindMembers are the members within scope that scope manages
// (models.Scope.Manages: an admin's record only for an admin) and a search
// for q finds (models.Member.Matches), by branch then name, at most limit
// (0: all): /member in the chat and the console's roster search.
func (s *Store) FindMembers(ctx context.Context, scope models.Scope, q string, limit int) ([]models.Member, error) {
	ms, err := s.MembersIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	var out []models.Member
	for i := range ms {
		if !ms[i].Matches(q) || !scope.Manages(&ms[i]) {
			continue
		}
		out = append(out, ms[i])
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// MembersIn lists the members (not those who left) of the branches within
// scope, with branch and tags, by branch then name; admins get everyone.
func (s *Store) MembersIn(ctx context.Context, scope models.Scope) ([]models.Member, error) {
	q := s.members(ctx).Where("members.status <> ?", models.StatusLeft)
	if !scope.Admin {
		ids, err := s.branchIDsIn(ctx, scope)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, nil
		}
		q = q.Where("members.branch_id IN ?", ids)
	}
	var ms []models.Member
	if err := q.Joins("LEFT JOIN branches ON branches.id = members.branch_id").
		Order("branches.path, members.name, members.id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("store: members in: %w", err)
	}
	return ms, nil
}

// branchIDsIn lists the ids of the branches within scope (every branch for
// admins).
func (s *Store) branchIDsIn(ctx context.Context, scope models.Scope) ([]uint, error) {
	var ids []uint
	if err := s.branchesIn(ctx, scope).Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("store: branches: %w", err)
	}
	return ids, nil
}

// BranchesIn lists the branches within scope, by path.
func (s *Store) BranchesIn(ctx context.Context, scope models.Scope) ([]models.Branch, error) {
	var bs []models.Branch
	if err := s.branchesIn(ctx, scope).Order("path").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("store: branches: %w", err)
	}
	return bs, nil
}

// branchesIn is a query of the branches within scope (models.Scope.Covers).
func (s *Store) branchesIn(ctx context.Context, scope models.Scope) *gorm.DB {
	if scope.Admin {
		return s.db.WithContext(ctx).Model(&models.Branch{})
	}
	return branchesWithin(s.db.WithContext(ctx), scope.Paths...)
}

// MembersByIDs reads members with their branches, by id.
func (s *Store) MembersByIDs(ctx context.Context, ids []uint) (map[uint]*models.Member, error) {
	out := make(map[uint]*models.Member, len(ids))
	for start := 0; start < len(ids); start += 500 {
		var ms []models.Member
		if err := s.db.WithContext(ctx).Preload("Branch").Where("id IN ?", ids[start:min(start+500, len(ids))]).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		for i := range ms {
			out[ms[i].ID] = &ms[i]
		}
	}
	return out, nil
}

// MembersPerBranch counts each branch's members who have not left.
func (s *Store) MembersPerBranch(ctx context.Context) (map[uint]int, error) {
	var rows []struct {
		BranchID uint
		N        int
	}
	if err := s.db.WithContext(ctx).Model(&models.Member{}).Select("branch_id, COUNT(*) AS n").
		Where("branch_id IS NOT NULL AND status <> ?", models.StatusLeft).Group("branch_id").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: members per branch: %w", err)
	}
	out := map[uint]int{}
	for _, r := range rows {
		out[r.BranchID] = r.N
	}
	return out, nil
}
