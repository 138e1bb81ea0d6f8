package dispatch

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/models/store"
)

// SMSConfig is the dispatcher's SMS (SPEC C12); a nil Channel sends none.
type SMSConfig struct {
	Channel SMSChannel
	// Monthly caps the SMS of a calendar month in the association's zone
	// (0: no cap). Urgent kinds (a cancellation, a change) pass the cap.
	Monthly int
	// Pause: after the provider refuses every SMS (balance, credentials,
	// sign), how long SMS wait before one tries again (default 10 min).
	Pause time.Duration
	// TemplatesTTL: how stale the templates read may be (default 30 s), so
	// that `sms template set` reaches a running bot.
	TemplatesTTL time.Duration
}

// reminderKinds are the SMS of which a member gets at most one a day: the
// rest wait for the next day (a template cannot bundle them).
var reminderKinds = []outbox.Kind{outbox.KindEventReminder, outbox.KindEventDeadline, outbox.KindEventNudge, outbox.KindCheckReminder}

// capExempt are the kinds that pass the month's cap: a member must not
// travel to a meeting that was cancelled.
var capExempt = []outbox.Kind{outbox.KindEventCancelled, outbox.KindEventChanged}

// SMSMetrics counts SMS by kind and result (sent, no_template, cap,
// next_day, stopped, bad_template, paused, failed, retry).
func newSMSCounter(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "assocbot_sms_total",
		Help: "Outbox rows handled by SMS, by kind and result (sent, no_template, cap, next_day, stopped, bad_template, paused, failed, retry)."},
		[]string{"kind", "result"})
	if reg != nil {
		reg.MustRegister(c)
	}
	return c
}

// smsState is the dispatcher's SMS state.
type smsState struct {
	cfg       SMSConfig
	templates *store.CachedTemplates
	pausedAt  atomic.Int64 // unix ns: SMS wait until then
	// members serializes the one-reminder-a-day rule per member within
	// this dispatcher.
	mu      sync.Mutex
	members map[uint]*sync.Mutex
	// alerted are the alerts' slots this dispatcher has planned: at the
	// cap every refused SMS would plan the alert again, a read and a write
	// each, for the outbox's dedupe key to drop.
	alerted sync.Map
}

func (s *smsState) memberLock(id uint) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.members) > 10000 {
		s.members = map[uint]*sync.Mutex{}
	}
	l, ok := s.members[id]
	if !ok {
		l = &sync.Mutex{}
		s.members[id] = l
	}
	return l
}

// sendSMS sends a claimed row by SMS and records what became of it.
func (d *Dispatcher) sendSMS(ctx context.Context, c store.Claimed, m *models.Member, now time.Time, finish func(store.Outcome, string)) {
	kind := outbox.Kind(c.Kind)
	count := func(result string) { d.metrics.SMS.WithLabelValues(c.Kind, result).Inc() }
	// Counted before the outcome is recorded: what reads the row then
	// finds the count too.
	done := func(o store.Outcome, result, smsResult string) {
		o.Channel = outbox.BySMS
		count(smsResult)
		finish(o, result)
	}
	wait := func(until time.Time, reason outbox.Reason, smsResult string) {
		count(smsResult)
		d.record(c.ID, store.Outcome{Status: outbox.Pending, Channel: outbox.BySMS, Reason: reason, NextAttemptAt: until})
	}
	if until := time.Unix(0, d.sms.pausedAt.Load()); now.Before(until) {
		wait(until, outbox.ReasonSMSRefused, "paused")
		return
	}
	if m.Phone == nil {
		done(store.Outcome{Status: outbox.Skipped, Reason: outbox.ReasonNoChannel}, "skipped", "no_phone")
		return
	}
	tpls, err := d.sms.templates.Get(ctx)
	if err != nil {
		d.record(c.ID, store.Outcome{Status: outbox.Pending, NextAttemptAt: now.Add(d.cfg.Poll + time.Second)})
		d.log.Warn("sms templates", "err", errText(err))
		return
	}
	lang := d.langOf(m, c.Lang)
	tpl, values, ok, err := sms.Render(tpls, d.cat, lang, m.Zone(d.cfg.Location), &c.Row, m, d.sms.cfg.Channel.MaxParam())
	switch {
	case err != nil:
		done(store.Outcome{Status: outbox.Failed, Reason: outbox.ReasonBadRequest, CountAttempt: true, Error: errText(err)}, "failed", "failed")
		return
	case !ok:
		done(store.Outcome{Status: outbox.Skipped, Reason: outbox.ReasonNoTemplate}, "skipped", "no_template")
		return
	}
	if slices.Contains(reminderKinds, kind) {
		// At most one reminder SMS a member a day: the others wait for the
		// next day (and its quiet hours) in turn.
		lock := d.sms.memberLock(m.ID)
		lock.Lock()
		defer lock.Unlock()
		local := now.In(m.Zone(d.cfg.Location))
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, local.Location())
		n, err := d.st.SMSSentSince(ctx, m.ID, reminderKinds, day)
		if err != nil {
			d.record(c.ID, store.Outcome{Status: outbox.Pending, NextAttemptAt: now.Add(d.cfg.Poll + time.Second)})
			d.log.Warn("sms sent today", "err", errText(err))
			return
		}
		if n > 0 {
			wait(day.AddDate(0, 0, 1), outbox.ReasonNone, "next_day")
			return
		}
	}
	month := now.In(d.cfg.Location).Format("2006-01")
	used, ok, err := d.st.TakeSMS(ctx, month, d.sms.cfg.Monthly, slices.Contains(capExempt, kind))
	if err != nil {
		d.record(c.ID, store.Outcome{Status: outbox.Pending, NextAttemptAt: now.Add(d.cfg.Poll + time.Second)})
		d.log.Warn("sms cap", "err", errText(err))
		return
	}
	if capSize := int64(d.sms.cfg.Monthly); capSize > 0 {
		var a planner.Args
		a.Str("Month", month).Int("Used", int(used)).Int("Cap", int(capSize))
		switch {
		case !ok || used == capSize:
			d.alertAdmins(ctx, planner.SMSAlertCap, month, a, now)
		case used == (capSize*8+9)/10:
			d.alertAdmins(ctx, planner.SMSAlertNearCap, month, a, now)
		}
	}
	if !ok {
		done(store.Outcome{Status: outbox.Skipped, Reason: outbox.ReasonSMSCap}, "skipped", "cap")
		return
	}
	res := d.sms.cfg.Channel.Send(ctx, SMS{Row: &c.Row, Phone: *m.Phone, Template: tpl, Values: values, Timeout: d.cfg.SendTimeout})
	fail := func(reason outbox.Reason, result, smsResult string) {
		done(store.Outcome{Status: outbox.Failed, Reason: reason, CountAttempt: true, Error: smsError(res)}, result, smsResult)
	}
	switch res.Class {
	case SMSDelivered:
		d.noteSent()
		done(store.Outcome{Status: outbox.Sent, ProviderMessageID: res.ProviderID}, "sent", "sent")
	case SMSInterrupted:
		d.release(c)
	case SMSLater:
		wait(now.Add(max(res.RetryAfter, time.Minute)), outbox.ReasonRateLimited, "later")
	case SMSStopMember:
		if err := d.st.StopSMS(context.WithoutCancel(ctx), m.ID, res.Code, now); err != nil {
			d.log.Error("stop sms", "member_id", m.ID, "err", err)
		}
		d.log.Info("sms stopped for a member: the provider refuses the number", "member_id", m.ID, "code", res.Code)
		fail(outbox.ReasonSMSStopped, "unreachable", "stopped")
	case SMSBadTemplate:
		var a planner.Args
		a.Str("Kind", sms.Key(&c.Row, m)).Str("Template", tpl.ID).Str("Code", res.Code)
		d.alertAdmins(ctx, planner.SMSAlertBadTemplate, tpl.ID+"."+res.Code+"."+now.In(d.cfg.Location).Format("20060102"), a, now)
		fail(outbox.ReasonSMSRefused, "failed", "bad_template")
		d.log.Warn("the sms provider refuses a template", "template", tpl.ID, "code", res.Code)
	case SMSPause:
		until := now.Add(d.sms.cfg.Pause)
		d.sms.pausedAt.Store(until.UnixNano())
		var a planner.Args
		a.Str("Code", res.Code).Time("Until", until)
		d.alertAdmins(ctx, planner.SMSAlertPaused, res.Code+"."+now.In(d.cfg.Location).Format("20060102"), a, now)
		wait(until, outbox.ReasonSMSRefused, "paused")
		d.log.Error("the sms provider refuses every sms: paused", "code", res.Code, "until", until.Format(time.RFC3339), "err", smsError(res))
	case SMSFail:
		fail(outbox.ReasonBadRequest, "failed", "failed")
		d.log.Warn("sms failed", "outbox_id", c.ID, "code", res.Code)
	default: // SMSRetry
		if c.Attempts+1 >= d.cfg.MaxAttempts {
			fail(outbox.ReasonServerError, "failed", "failed")
			return
		}
		done(store.Outcome{Status: outbox.Pending, Reason: outbox.ReasonServerError, CountAttempt: true, Error: smsError(res),
			NextAttemptAt: now.Add(d.backoff(c.Attempts + 1))}, "retry", "retry")
	}
}

// smsError is the provider's answer for the row's last_error: its code and
// words, never the phone (the SDKs' errors do not carry it).
func smsError(res SMSSent) string {
	if res.Err == nil {
		return res.Code
	}
	return errText(fmt.Errorf("%s: %w", res.Code, res.Err))
}

// alertAdmins tells the admins once per slot (the outbox's dedupe key).
func (d *Dispatcher) alertAdmins(ctx context.Context, what, slot string, args planner.Args, now time.Time) {
	key := what + "." + slot
	if _, done := d.sms.alerted.Load(key); done {
		return // planned already by this dispatcher; another's is dropped by the dedupe key
	}
	ctx = context.WithoutCancel(ctx)
	ids, err := d.st.Admins(ctx)
	if err != nil || len(ids) == 0 {
		d.log.Warn("sms alert for the admins", "what", what, "admins", len(ids), "err", err)
		return
	}
	if _, err := d.st.Enqueue(ctx, planner.SMSAlert(ids, what, slot, args, now)); err != nil {
		d.log.Error("sms alert for the admins", "what", what, "err", err)
		return
	}
	d.sms.alerted.Store(key, true)
	d.Wake()
}
