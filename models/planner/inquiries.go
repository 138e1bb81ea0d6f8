package planner

import (
	"strconv"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// inquiryQuote is how much of a question a list or an answer quotes.
const inquiryQuote = 80

// InquiryItem is a question waiting for its answer, for a list.
type InquiryItem struct {
	ID      uint
	Name    string // who asked
	Text    string
	AskedAt time.Time
}

// replyButton is the ↩️ Reply of a question, for any organizer who may
// answer it (the first answer closes it for the others).
func replyButton(id uint, name string) models.ButtonSpec {
	return models.ButtonSpec{Key: "inquiry.button.reply", Args: map[string]any{"Name": name},
		Data: models.Callback{Action: models.ActInquiry, ID: id, Op: "r"}.Encode()}
}

// Inquiry is a member's question to those who answer it (the organizers
// of the member's branch; escalated, those of the branch above): the
// question in full, with ↩️ Reply.
func Inquiry(q *models.Inquiry, asker *models.Member, branch string, to []uint, escalated bool, now time.Time) Message {
	slot, template := "q"+strconv.FormatUint(uint64(q.ID), 10), "inquiry.ask"
	if escalated {
		slot, template = slot+".up", "inquiry.escalated"
	}
	m := Message{Kind: outbox.KindInquiry, Slot: slot, To: models.MembersAudience(to...), Template: template, NotBefore: now}
	name := asker.Name
	if q.BySMS && asker.Phone != nil {
		// Asked by SMS: the number, to call instead; the answer goes by SMS.
		name += " 📱" + models.DisplayPhone(*asker.Phone)
	}
	m.Args.Str("Name", Clip(name, 60)).Str("Branch", Clip(branch, 60)).Str("Text", q.Text).Time("AskedAt", *q.AskedAt)
	name = asker.Name
	m.Markup = Markup{Inline: [][]models.ButtonSpec{{replyButton(q.ID, Clip(name, 40))}}}
	return m
}

// InquiryAnswer is an organizer's answer, to the member who asked, with
// the question quoted.
func InquiryAnswer(q *models.Inquiry, organizer string, now time.Time) Message {
	m := Message{Kind: outbox.KindInquiryAnswer, Slot: "q" + strconv.FormatUint(uint64(q.ID), 10),
		To: models.MembersAudience(q.MemberID), Template: "inquiry.answer", NotBefore: now}
	m.Args.Str("Question", Clip(q.Text, inquiryQuote)).Str("Answer", q.Answer).Str("Name", Clip(organizer, 40))
	if q.BySMS {
		m.Args.Int("BySMS", 1) // answered by SMS in full (sms.Key)
	}
	return m
}

// InquiryList is an organizer's daily list of the questions waiting a day
// or more, oldest first, each with ↩️ Reply; one a day.
func InquiryList(organizer uint, day models.Day, items []InquiryItem, now time.Time) Message {
	m := Message{Kind: outbox.KindInquiryList, Slot: day.Format("20060102"),
		To: models.MembersAudience(organizer), Template: "inquiry.list", NotBefore: now}
	lines := digestLines(items, "inquiry.list_more", func(it InquiryItem) Line {
		var a Args
		a.Str("Name", Clip(it.Name, digestText)).Str("Text", Clip(it.Text, inquiryQuote)).Int("Days", int(now.Sub(it.AskedAt)/(24*time.Hour)))
		return Line{Key: "inquiry.list_line", Args: a}
	})
	buttons := digestButtons(items, func(it InquiryItem) models.ButtonSpec { return replyButton(it.ID, it.Name) })
	m.Args.Int("Count", len(items)).List("List", lines)
	m.Markup = Markup{Inline: buttons}
	return m
}
