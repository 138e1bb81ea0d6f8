package outbox_test

import (
	"testing"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

func TestDecide(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	quiet, err := outbox.ParseQuietHours("21:00-08:00")
	if err != nil {
		t.Fatal(err)
	}
	rules := outbox.Rules{Quiet: quiet, Zone: shanghai}
	noon := time.Date(2026, 12, 3, 12, 0, 0, 0, shanghai)
	night := time.Date(2026, 12, 3, 23, 0, 0, 0, shanghai)
	morning := time.Date(2026, 12, 4, 8, 0, 0, 0, shanghai)
	id := uint(7)
	chat := int64(7007)
	member := func(s models.Status, tz string) *models.Member {
		return &models.Member{ID: id, Status: s, TZ: tz, ChatID: &chat}
	}
	earlier := noon.Add(-time.Minute)
	cases := []struct {
		name      string
		row       outbox.Row
		member    *models.Member
		withdrawn bool
		at        time.Time
		want      outbox.Decision
	}{
		{"due, active", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder)}, member(models.StatusActive, ""), false, noon,
			outbox.Decision{Action: outbox.Send}},
		{"past its expiry", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder), ExpiresAt: &earlier}, member(models.StatusActive, ""), false, noon,
			outbox.Decision{Action: outbox.Expire, Reason: outbox.ReasonStale}},
		{"member removed", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder)}, nil, false, noon,
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonNoMember}},
		{"member left", outbox.Row{MemberID: &id, Kind: string(outbox.KindJoinDecision)}, member(models.StatusLeft, ""), false, noon,
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonLeft}},
		{"blocked the bot", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventCancelled)}, member(models.StatusUnreachable, ""), false, noon,
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonUnreachable}},
		{"muted, a reminder", outbox.Row{MemberID: &id, Kind: string(outbox.KindCheckReminder)}, member(models.StatusMuted, ""), false, noon,
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonMuted}},
		{"muted, a cancellation", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventCancelled), Urgent: true}, member(models.StatusMuted, ""), false, noon,
			outbox.Decision{Action: outbox.Send}},
		{"withdrawn with its event", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder)}, member(models.StatusActive, ""), true, noon,
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonWithdrawn}},
		{"quiet hours", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder)}, member(models.StatusActive, ""), false, night,
			outbox.Decision{Action: outbox.Hold, Until: morning}},
		{"quiet hours, urgent", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventChanged), Urgent: true}, member(models.StatusActive, ""), false, night,
			outbox.Decision{Action: outbox.Send}},
		{"quiet here, noon where the member works", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder)}, member(models.StatusActive, "Europe/Madrid"), false, night,
			outbox.Decision{Action: outbox.Send}},
		{"no member: a chat", outbox.Row{Kind: string(outbox.KindBroadcastProgress)}, nil, false, noon,
			outbox.Decision{Action: outbox.Send}},
	}
	for _, c := range cases {
		got := rules.Decide(&c.row, c.member, c.withdrawn, c.at)
		if c.want.Action == outbox.Send && c.want.Channel == "" {
			c.want.Channel = outbox.ByTelegram
		}
		if got.Action != c.want.Action || got.Reason != c.want.Reason || !got.Until.Equal(c.want.Until) || got.Channel != c.want.Channel {
			t.Errorf("%s: got %v %q %v %q, want %v %q %v %q", c.name, got.Action, got.Reason, got.Until, got.Channel, c.want.Action, c.want.Reason, c.want.Until, c.want.Channel)
		}
	}
}

// TestReachesAgreesWithReachable: the Go rule and the statuses the store
// reads an audience with are one rule.
func TestReachesAgreesWithReachable(t *testing.T) {
	for _, k := range outbox.Kinds() {
		for _, s := range []models.Status{models.StatusActive, models.StatusMuted, models.StatusUnreachable, models.StatusLeft} {
			ok, reason := outbox.Reaches(k, &models.Member{Status: s})
			inSQL := false
			for _, r := range k.Reachable() {
				inSQL = inSQL || r == s
			}
			if ok != inSQL || ok != (reason == outbox.ReasonNone) {
				t.Errorf("%s to a %s member: Reaches %v (%q), Reachable has it %v", k, s, ok, reason, inSQL)
			}
		}
	}
}

// TestDecideRoutesEachRowToOneChannel: with SMS, a member who is not on
// Telegram, or blocked the bot since the row was planned, gets it by SMS;
// one set to Telegram only, who stopped SMS, or who has no phone, does
// not; what cannot go by SMS (an edit, a kind organizers act on) does not.
func TestDecideRoutesEachRowToOneChannel(t *testing.T) {
	rules := outbox.Rules{Zone: time.UTC, SMS: true}
	noon := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	id := uint(9)
	chat, phone := int64(9009), "+8613800000009"
	stopped := noon.Add(-time.Hour)
	type m = models.Member
	reminder := outbox.Row{MemberID: &id, Kind: string(outbox.KindEventReminder)}
	cases := []struct {
		name   string
		row    outbox.Row
		member m
		want   outbox.Decision
	}{
		{"linked and reachable", reminder, m{Status: models.StatusActive, ChatID: &chat, Phone: &phone}, outbox.Decision{Action: outbox.Send, Channel: outbox.ByTelegram}},
		{"not on Telegram", reminder, m{Status: models.StatusActive, Phone: &phone}, outbox.Decision{Action: outbox.Send, Channel: outbox.BySMS}},
		{"blocked the bot", reminder, m{Status: models.StatusUnreachable, ChatID: &chat, Phone: &phone}, outbox.Decision{Action: outbox.Send, Channel: outbox.BySMS}},
		{"set to SMS", reminder, m{Status: models.StatusActive, ChatID: &chat, Phone: &phone, Channel: models.ChannelSMS}, outbox.Decision{Action: outbox.Send, Channel: outbox.BySMS}},
		{"set to Telegram, blocked", reminder, m{Status: models.StatusUnreachable, ChatID: &chat, Phone: &phone, Channel: models.ChannelTelegram},
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonUnreachable}},
		{"replied TD", reminder, m{Status: models.StatusActive, Phone: &phone, SMSStoppedAt: &stopped}, outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonSMSStopped}},
		{"no phone", reminder, m{Status: models.StatusActive}, outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonNoChannel}},
		{"muted reminder", reminder, m{Status: models.StatusMuted, Phone: &phone}, outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonMuted}},
		{"left", reminder, m{Status: models.StatusLeft, Phone: &phone}, outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonLeft}},
		{"a join decision is Telegram's", outbox.Row{MemberID: &id, Kind: string(outbox.KindJoinDecision)}, m{Status: models.StatusActive, Phone: &phone},
			outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonNoChannel}},
		{"an edit in place stays on Telegram", outbox.Row{MemberID: &id, Kind: string(outbox.KindEventEdit), EditMessageID: 5},
			m{Status: models.StatusUnreachable, ChatID: &chat, Phone: &phone}, outbox.Decision{Action: outbox.Skip, Reason: outbox.ReasonUnreachable}},
	}
	for _, c := range cases {
		mem := c.member
		mem.ID = id
		got := rules.Decide(&c.row, &mem, false, noon)
		if got.Action != c.want.Action || got.Reason != c.want.Reason || got.Channel != c.want.Channel {
			t.Errorf("%s: got %v %q %q, want %v %q %q", c.name, got.Action, got.Reason, got.Channel, c.want.Action, c.want.Reason, c.want.Channel)
		}
	}
	// Without SMS, a member not on Telegram is reached by nothing.
	noSMS := outbox.Rules{Zone: time.UTC}
	if got := noSMS.Decide(&reminder, &m{ID: id, Status: models.StatusActive, Phone: &phone}, false, noon); got.Action != outbox.Skip {
		t.Errorf("without SMS: %v %q", got.Action, got.Channel)
	}
}
