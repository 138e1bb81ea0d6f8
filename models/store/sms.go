package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/sms"
)

// SMSTemplate is an approved SMS template (SPEC C12): a template key
// (sms.Keys) in a language ("" for any) maps to the provider's template id
// and the order of its parameters.
type SMSTemplate struct {
	Kind       string `gorm:"primaryKey;size:32"`
	Lang       string `gorm:"primaryKey;size:16;default:''"`
	TemplateID string `gorm:"size:64;not null"`
	Params     string `gorm:"size:300;not null;default:''"` // sms.JoinParams; "" the default order
	UpdatedAt  time.Time
}

// TableName names the table.
func (SMSTemplate) TableName() string { return "sms_templates" }

// ErrUnknownTemplateKey: not a kind that can go by SMS (sms.Keys).
var ErrUnknownTemplateKey = errors.New("store: not a kind of message that can go by SMS")

// SetSMSTemplate sets the template of key in lang ("" for any language),
// its parameters in order (sms.ParseParams; "" the default order).
func (s *Store) SetSMSTemplate(ctx context.Context, key string, lang string, id string, params string) error {
	if sms.Params(key) == nil {
		return fmt.Errorf("%w: %q", ErrUnknownTemplateKey, key)
	}
	ps, err := sms.ParseParams(key, params)
	if err != nil {
		return fmt.Errorf("store: sms template: %w", err)
	}
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 64 || !models.ValidText(id, false) {
		return errors.New("store: sms template: the template id is empty or not printable")
	}
	t := SMSTemplate{Kind: key, Lang: lang, TemplateID: id, Params: sms.JoinParams(ps), UpdatedAt: time.Now().UTC()}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "kind"}, {Name: "lang"}},
		DoUpdates: clause.AssignmentColumns([]string{"template_id", "params", "updated_at"}),
	}).Create(&t).Error
	if err != nil {
		return fmt.Errorf("store: sms template: %w", err)
	}
	return nil
}

// SMSTemplates lists the templates set, by key and language.
func (s *Store) SMSTemplates(ctx context.Context) ([]SMSTemplate, error) {
	var ts []SMSTemplate
	if err := s.db.WithContext(ctx).Order("kind, lang").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("store: sms templates: %w", err)
	}
	return ts, nil
}

// TemplateSet is the templates set, for sms.Render: a key's template in
// the reader's language, else the one for any language.
type TemplateSet map[[2]string]sms.Template

// Template implements sms.Templates.
func (ts TemplateSet) Template(key string, lang locales.Lang) (sms.Template, bool) {
	if t, ok := ts[[2]string{key, string(lang)}]; ok {
		return t, true
	}
	t, ok := ts[[2]string{key, ""}]
	return t, ok
}

// NewTemplateSet indexes templates.
func NewTemplateSet(list []SMSTemplate) TemplateSet {
	ts := TemplateSet{}
	for _, t := range list {
		ps, _ := sms.ParseParams(t.Kind, t.Params)
		ts[[2]string{t.Kind, t.Lang}] = sms.Template{ID: t.TemplateID, Params: ps}
	}
	return ts
}

// CachedTemplates reads the templates at most every ttl, so that a
// template set from the CLI is used by a running bot within ttl.
type CachedTemplates struct {
	st  *Store
	ttl time.Duration

	mu   sync.Mutex
	at   time.Time
	set  TemplateSet
	last error
}

// NewCachedTemplates makes the cache.
func (s *Store) NewCachedTemplates(ttl time.Duration) *CachedTemplates {
	return &CachedTemplates{st: s, ttl: ttl}
}

// Get is the templates as of at most ttl ago (on a failed read, the last
// ones read, and the error when none were).
func (c *CachedTemplates) Get(ctx context.Context) (TemplateSet, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set != nil && time.Since(c.at) < c.ttl {
		return c.set, nil
	}
	list, err := c.st.SMSTemplates(ctx)
	if err != nil {
		if c.set != nil {
			return c.set, nil
		}
		return nil, err
	}
	c.set, c.at = NewTemplateSet(list), time.Now()
	return c.set, nil
}

// smsMonth is the month's row of SMS used against the cap.
type smsMonth struct {
	Month string `gorm:"primaryKey;size:7"`
	Used  int64  `gorm:"not null;default:0"`
}

func (smsMonth) TableName() string { return "sms_months" }

// TakeSMS takes one SMS from month's cap ("2026-12"): false when cap (> 0)
// is used up, unless urgent, which always passes and is counted. used is
// the count after. Replicas take from one row, atomically.
func (s *Store) TakeSMS(ctx context.Context, month string, cap int, urgent bool) (used int64, ok bool, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(onConflictNothing()).Create(&smsMonth{Month: month}).Error; err != nil {
			return err
		}
		q := tx.Model(&smsMonth{}).Where("month = ?", month)
		if cap > 0 && !urgent {
			q = q.Where("used < ?", cap)
		}
		res := q.Update("used", gorm.Expr("used + 1"))
		if res.Error != nil {
			return res.Error
		}
		ok = res.RowsAffected == 1
		return tx.Model(&smsMonth{}).Where("month = ?", month).Pluck("used", &used).Error
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: take sms: %w", err)
	}
	return used, ok, nil
}

// SMSUsed is how many SMS month has used.
func (s *Store) SMSUsed(ctx context.Context, month string) (int64, error) {
	var used []int64
	if err := s.db.WithContext(ctx).Model(&smsMonth{}).Where("month = ?", month).Pluck("used", &used).Error; err != nil {
		return 0, fmt.Errorf("store: sms used: %w", err)
	}
	if len(used) == 0 {
		return 0, nil
	}
	return used[0], nil
}

// SMSSentSince counts the member's SMS of the given kinds sent since
// (handed to the provider), for the one-reminder-a-day rule.
func (s *Store) SMSSentSince(ctx context.Context, memberID uint, kinds []outbox.Kind, since time.Time) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&outbox.Row{}).
		Where("member_id = ? AND channel = ? AND status = ? AND sent_at >= ? AND kind IN ?", memberID, outbox.BySMS, outbox.Sent, since.UTC(), kinds).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("store: sms sent: %w", err)
	}
	return n, nil
}

// StopSMS stops SMS to a member for good (they replied TD, the provider
// refuses the number), until an organizer resumes it (MemberChange.SMSResume).
// A member stopped already keeps the first reason.
func (s *Store) StopSMS(ctx context.Context, memberID uint, reason string, at time.Time) error {
	err := s.db.WithContext(ctx).Model(&models.Member{}).Where("id = ? AND sms_stopped_at IS NULL", memberID).
		Updates(map[string]any{"sms_stopped_at": at.UTC(), "sms_stop_reason": truncateText(reason, 32)}).Error
	if err != nil {
		return fmt.Errorf("store: stop sms: %w", err)
	}
	return nil
}

// RecordDelivery records the provider's delivery report of the SMS it
// knows as providerID: delivered or failed, once (a report repeated, or
// for a message already reported, changes nothing). It returns how many
// rows changed.
func (s *Store) RecordDelivery(ctx context.Context, providerID string, delivered bool, at time.Time) (int, error) {
	if providerID == "" {
		return 0, nil
	}
	d := outbox.DeliveryFailed
	if delivered {
		d = outbox.DeliveryDelivered
	}
	changed := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&outbox.Row{}).
			Where("provider_message_id = ? AND channel = ? AND delivery = ?", providerID, outbox.BySMS, outbox.DeliverySent).
			Updates(map[string]any{"delivery": d, "delivered_at": at.UTC()})
		if res.Error != nil || res.RowsAffected > 0 {
			changed = int(res.RowsAffected)
			return res.Error
		}
		var known int64
		if err := tx.Model(&outbox.Row{}).Where("provider_message_id = ?", providerID).Count(&known).Error; err != nil || known > 0 {
			return err // reported already
		}
		// The send is not recorded yet: the report waits for it.
		return tx.Clauses(onConflictNothing()).Create(&smsReport{ProviderMessageID: truncateText(providerID, 100), Delivered: delivered, ReportedAt: at.UTC()}).Error
	})
	if err != nil {
		return 0, fmt.Errorf("store: record delivery: %w", err)
	}
	return changed, nil
}

// smsReport is a delivery report that came before its send was recorded.
type smsReport struct {
	ProviderMessageID string `gorm:"primaryKey;size:100"`
	Delivered         bool
	ReportedAt        time.Time
}

func (smsReport) TableName() string { return "sms_reports" }

// applyEarlyReport applies to a row just recorded as sent by SMS the
// delivery report that came before it.
func applyEarlyReport(tx *gorm.DB, rowID uint64, providerID string) error {
	var rs []smsReport
	if err := tx.Where("provider_message_id = ?", providerID).Limit(1).Find(&rs).Error; err != nil || len(rs) == 0 {
		return err
	}
	d := outbox.DeliveryFailed
	if rs[0].Delivered {
		d = outbox.DeliveryDelivered
	}
	if err := tx.Model(&outbox.Row{}).Where("id = ?", rowID).Updates(map[string]any{"delivery": d, "delivered_at": rs[0].ReportedAt}).Error; err != nil {
		return err
	}
	return tx.Where("provider_message_id = ?", providerID).Delete(&smsReport{}).Error
}

// smsCallback is a callback handled already.
type smsCallback struct {
	Key        string    `gorm:"primaryKey;size:200"`
	ReceivedAt time.Time `gorm:"not null"`
}

func (smsCallback) TableName() string { return "sms_callbacks" }

// FirstCallback records a provider's callback by its key and reports
// whether it is the first with that key: a provider repeats a callback it
// thinks was lost, and the repeat must change nothing.
func (s *Store) FirstCallback(ctx context.Context, key string, at time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Clauses(onConflictNothing()).Create(&smsCallback{Key: truncateText(key, 200), ReceivedAt: at.UTC()})
	if res.Error != nil {
		return false, fmt.Errorf("store: sms callback: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// questionKinds are the SMS a digit answers: an event's (1 yes, 2 no, 3
// maybe), a check's reminder (1 done) and a survey's question (its
// answers' numbers).
var questionKinds = []outbox.Kind{outbox.KindEventAnnounce, outbox.KindEventReminder, outbox.KindEventDeadline,
	outbox.KindEventNudge, outbox.KindEventChanged, outbox.KindPromoted, outbox.KindCheckReminder,
	outbox.KindSurveyAsk, outbox.KindSurveyRemind}

// LatestSMSQuestion is the last SMS sent to the member that a digit
// answers (nil: none). A check's reminder asks something only of a member
// who consented to health reminders by SMS; to others it is the neutral
// "you have a reminder" that asks nothing, and must not hide the question
// before it.
func (s *Store) LatestSMSQuestion(ctx context.Context, m *models.Member) (*outbox.Row, error) {
	kinds := questionKinds
	if !m.SMSHealth {
		kinds = slices.DeleteFunc(slices.Clone(kinds), func(k outbox.Kind) bool { return k == outbox.KindCheckReminder })
	}
	var rows []outbox.Row
	err := s.db.WithContext(ctx).Where("member_id = ? AND channel = ? AND status = ? AND kind IN ?", m.ID, outbox.BySMS, outbox.Sent, kinds).
		Order("sent_at DESC, id DESC").Limit(1).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: latest sms question: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// ChannelCounts is how an audience would be reached: by Telegram, by SMS,
// or not at all (SPEC C12: a broadcast preview says so).
type ChannelCounts struct {
	Telegram, SMS, Nobody int
	NoTemplate            int // of SMS, with no template in the member's language: not sent
}

// CountChannels counts how a message of kind to the audience would go;
// hasTemplate tells whether an SMS to a member has a template.
func (s *Store) CountChannels(ctx context.Context, kind outbox.Kind, a models.Audience, hasTemplate func(*models.Member) bool) (ChannelCounts, error) {
	var c ChannelCounts
	db := s.db.WithContext(ctx)
	q, err := inAudience(db, db.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft), a)
	if err != nil {
		return c, fmt.Errorf("store: count channels: %w", err)
	}
	var ms []models.Member
	if err := q.Select(routeColumns).Find(&ms).Error; err != nil {
		return c, fmt.Errorf("store: count channels: %w", err)
	}
	for i := range ms {
		switch ch, _ := outbox.Route(kind, &ms[i], s.sms); ch {
		case outbox.ByTelegram:
			c.Telegram++
		case outbox.BySMS:
			c.SMS++
			if !hasTemplate(&ms[i]) {
				c.NoTemplate++
			}
		default:
			c.Nobody++
		}
	}
	return c, nil
}

// SMSOn tells the store that the deployment sends SMS: audiences are then
// resolved to members reached by SMS too (outbox.Route).
func (s *Store) SMSOn(on bool) { s.sms = on }

// SMSEnabled reports whether the store resolves audiences to SMS.
func (s *Store) SMSEnabled() bool { return s.sms }

// routeColumns are what outbox.Route reads of a member.
var routeColumns = []string{"members.id", "members.chat_id", "members.phone", "members.status", "members.channel", "members.sms_stopped_at",
	"members.lang", "members.telegram_lang", "members.sms_health"}

// Admins are the linked admins who have not left, by id: who is told about
// SMS costs and refusals.
func (s *Store) Admins(ctx context.Context) ([]uint, error) {
	var ids []uint
	err := s.db.WithContext(ctx).Model(&models.Member{}).Where("telegram_id IS NOT NULL AND role = ? AND status <> ?", models.RoleAdmin, models.StatusLeft).
		Order("id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: admins: %w", err)
	}
	return ids, nil
}

// IsRuleError reports whether err is a refusal by the rules (an answer
// past its deadline, to a cancelled event, a plan that moved on …) rather
// than a failure of the store: what an SMS reply is told, not retried.
func IsRuleError(err error) bool {
	return isRuleErr(err) || errors.Is(err, ErrNotYourPlan) || errors.Is(err, ErrPlanStale) || errors.Is(err, ErrNobodyConfirms)
}
