package smsprovider

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
	"github.com/assocbot/assocbot/models/planner"
	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/models/store"
)

// Inbox is where the providers' callbacks land: delivery reports are
// recorded on their rows; a member's reply answers their latest question
// (a digit), stops SMS for good (TD, 退订), or goes to their branch's
// organizers. A callback the provider repeats changes nothing.
type Inbox struct {
	Store    *store.Store
	Location *time.Location
	Now      func() time.Time
	Log      *slog.Logger
	Wake     func() // the dispatcher, when a reply planned a message
}

// Report is one delivery report.
type Report struct {
	ProviderID string
	Delivered  bool
	At         time.Time
}

// Incoming is one member's SMS.
type Incoming struct {
	Key   string // unique per message, for duplicates
	Phone string // as the provider gives it
	Text  string
}

// Reports records delivery reports; it returns how many rows changed.
func (in *Inbox) Reports(ctx context.Context, rs []Report) (int, error) {
	n := 0
	for _, r := range rs {
		c, err := in.Store.RecordDelivery(ctx, r.ProviderID, r.Delivered, r.At)
		if err != nil {
			return n, err
		}
		n += c
	}
	return n, nil
}

// Reply handles a member's SMS once.
func (in *Inbox) Reply(ctx context.Context, msg Incoming) error {
	now := in.Now()
	first, err := in.Store.FirstCallback(ctx, msg.Key, now)
	if err != nil || !first {
		return err
	}
	m, err := in.Store.MemberByPhone(ctx, msg.Phone)
	if err != nil {
		// Never the number or the words in the log: both are the member's.
		in.Log.Info("an sms reply from a number not on the roster")
		return nil
	}
	r := sms.ParseReply(msg.Text)
	switch r.Kind {
	case sms.ReplyStop:
		in.Log.Info("a member stopped sms (TD)", "member_id", m.ID)
		return in.Store.StopSMS(ctx, m.ID, "td", now)
	case sms.ReplyDigit:
		done, err := in.answer(ctx, m, r.Digit, msg.Key, now)
		if err != nil || done {
			return err
		}
	case sms.ReplyText:
		// Words may answer a survey's question (满意, 是); to anything
		// else they are words for the organizers.
		done, err := in.answerWords(ctx, m, r.Text, msg.Key, now)
		if err != nil || done {
			return err
		}
	}
	return in.forward(ctx, m, msg, now)
}

// answer applies a digit to the member's latest SMS question; false when
// it answers none (it goes to the organizers as words).
func (in *Inbox) answer(ctx context.Context, m *models.Member, digit int, key string, now time.Time) (bool, error) {
	q, err := in.Store.LatestSMSQuestion(ctx, m)
	if err != nil || q == nil {
		return false, err
	}
	ack := ""
	switch {
	case q.SurveyID != nil:
		return in.answerSurvey(ctx, m, q, digit, key, now)
	case q.EventID != nil && q.Occurrence != nil:
		answers := map[int]models.Answer{1: models.AnswerYes, 2: models.AnswerNo, 3: models.AnswerMaybe}
		ans, ok := answers[digit]
		if !ok {
			return false, nil
		}
		_, err := in.Store.SetRSVP(ctx, *q.EventID, *q.Occurrence, m, ans, -1, in.Location, now)
		switch {
		case err == nil:
			ack = "sms.ack." + string(ans)
		case store.IsRuleError(err):
			ack = "sms.ack.closed" // past its deadline, cancelled, full …: nothing stored
		default:
			return false, err
		}
	case q.PlanID != nil:
		// Only a member who consented was asked (the neutral reminder
		// names no check and asks nothing); its confirmation names the
		// check, which a lock screen shows.
		if digit != 1 || !m.SMSHealth {
			return false, nil
		}
		p, err := in.Store.PlanByID(ctx, *q.PlanID)
		if err != nil {
			return false, err
		}
		if _, _, err := in.Store.SubmitCheck(ctx, p.ID, p.Cycle, m, "", in.Location, now); err != nil {
			if !store.IsRuleError(err) {
				return false, err
			}
			ack = "sms.ack.closed"
		} else {
			ack = "sms.ack.done"
		}
	default:
		return false, nil
	}
	about, _ := planner.DecodeArgs(q.Args)
	if _, err := in.Store.Enqueue(ctx, planner.SMSAck(m.ID, ack, about, shortKey(key), now)); err != nil {
		return true, err
	}
	in.wake()
	return true, nil
}

// answerSurvey applies a digit to the survey question the member was last
// sent: the next question follows by SMS, or, after the last, a thank-you.
// A digit that is no answer of the question goes to the organizers.
func (in *Inbox) answerSurvey(ctx context.Context, m *models.Member, q *outbox.Row, digit int, key string, now time.Time) (bool, error) {
	args, _ := planner.DecodeArgs(q.Args)
	position := args.Ints["Position"]
	sv, err := in.Store.SurveyByID(ctx, *q.SurveyID)
	if err != nil || sv.Question(position) == nil || digit > sv.Question(position).Choices() {
		return false, nil
	}
	var next planner.Message
	res, err := in.Store.AnswerSurvey(ctx, sv.ID, m, position, digit, store.SMSBallot, now)
	switch {
	case err == nil && res.Next != 0:
		next = planner.SurveyAsk(sv, sv.Question(res.Next), models.MembersAudience(m.ID), planner.Markup{}, now)
	case err == nil:
		next = planner.SMSAck(m.ID, "sms.ack.survey", args, shortKey(key), now)
	case errors.Is(err, models.ErrSurveyClosed), errors.Is(err, models.ErrAnsweredBefore), errors.Is(err, models.ErrNotAsked):
		next = planner.SMSAck(m.ID, "sms.ack.closed", args, shortKey(key), now)
	default:
		return false, err
	}
	if _, err := in.Store.Enqueue(ctx, next); err != nil {
		return true, err
	}
	in.wake()
	return true, nil
}

// answerWords applies words that answer the member's latest SMS question
// when it is a survey's satisfaction or yes/no question; false otherwise.
func (in *Inbox) answerWords(ctx context.Context, m *models.Member, text, key string, now time.Time) (bool, error) {
	q, err := in.Store.LatestSMSQuestion(ctx, m)
	if err != nil || q == nil || q.SurveyID == nil {
		return false, err
	}
	args, _ := planner.DecodeArgs(q.Args)
	digit, ok := sms.SurveyWord(models.QuestionKind(args.Strings["QuestionKind"]), text)
	if !ok {
		return false, nil
	}
	return in.answerSurvey(ctx, m, q, digit, key, now)
}

// forward makes the member's words a question to their branch's
// organizers (SPEC C15), answered by ↩️ like one asked in the bot; the
// answer comes back by SMS.
func (in *Inbox) forward(ctx context.Context, m *models.Member, msg Incoming, now time.Time) error {
	n, err := in.Store.AskBySMS(ctx, m, sms.Short(msg.Text, 0), now)
	if errors.Is(err, store.ErrInquiryText) {
		return nil // nothing but symbols: nothing to ask
	}
	if err != nil {
		return err
	}
	if n == 0 {
		in.Log.Warn("an sms question with no organizer or admin to read it", "member_id", m.ID)
		return nil
	}
	in.wake()
	return nil
}

func (in *Inbox) wake() {
	if in.Wake != nil {
		in.Wake()
	}
}

// shortKey keeps a callback's key short enough for a dedupe key.
func shortKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:12])
}

// Callbacks serves the providers' callbacks for the configured provider:
// POST /sms/<provider>/status and /sms/<provider>/reply, each with
// ?key=<ASSOCBOT_SMS_CALLBACK_KEY> (neither provider signs its callbacks).
type Callbacks struct {
	Provider string
	Key      string
	Inbox    *Inbox
}

// Paths are the callback paths, for the mux.
func (c *Callbacks) Paths() []string {
	return []string{"/sms/" + c.Provider + "/status", "/sms/" + c.Provider + "/reply"}
}

// maxCallback bounds a callback's body: a provider pushes reports in
// batches of at most a few hundred.
const maxCallback = 1 << 20

func (c *Callbacks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("key")), []byte(c.Key)) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallback))
	if err != nil {
		http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		return
	}
	what := strings.TrimPrefix(r.URL.Path, "/sms/"+c.Provider+"/")
	err = c.handle(r.Context(), what, body)
	var bad badRequest
	switch {
	case errors.As(err, &bad):
		http.Error(w, bad.Error(), http.StatusBadRequest)
		return
	case err != nil:
		// The provider tries again later: a repeat changes nothing.
		c.Inbox.Log.Error("sms callback", "provider", c.Provider, "what", what, "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if c.Provider == Tencent {
		_, _ = io.WriteString(w, `{"result":0,"errmsg":"OK"}`)
	} else {
		_, _ = io.WriteString(w, `{"code":0,"msg":"成功"}`)
	}
}

type badRequest struct{ error }

func (c *Callbacks) handle(ctx context.Context, what string, body []byte) error {
	switch {
	case c.Provider == Tencent && what == "status":
		rs, err := tencentReports(body)
		if err != nil {
			return badRequest{err}
		}
		_, err = c.Inbox.Reports(ctx, rs)
		return err
	case c.Provider == Tencent && what == "reply":
		msgs, err := tencentReplies(body)
		if err != nil {
			return badRequest{err}
		}
		return c.replies(ctx, msgs)
	case c.Provider == Aliyun && what == "status":
		rs, err := aliyunReports(body)
		if err != nil {
			return badRequest{err}
		}
		_, err = c.Inbox.Reports(ctx, rs)
		return err
	case c.Provider == Aliyun && what == "reply":
		msgs, err := aliyunReplies(body)
		if err != nil {
			return badRequest{err}
		}
		return c.replies(ctx, msgs)
	}
	return badRequest{fmt.Errorf("no callback %q", what)}
}

func (c *Callbacks) replies(ctx context.Context, msgs []Incoming) error {
	for _, m := range msgs {
		if err := c.Inbox.Reply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// chinaTime reads the providers' "2006-01-02 15:04:05", Beijing time.
func chinaTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		return time.Now()
	}
	return t
}

// tencentReports reads Tencent's status callback: a JSON array of
// {"user_receive_time", "nationcode", "mobile", "report_status":
// "SUCCESS"|"FAIL", "errmsg", "description", "sid"}.
func tencentReports(body []byte) ([]Report, error) {
	var in []struct {
		ReceiveTime  string `json:"user_receive_time"`
		ReportStatus string `json:"report_status"`
		SID          string `json:"sid"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("not tencent's status callback: %w", err)
	}
	out := make([]Report, 0, len(in))
	for _, r := range in {
		if r.SID == "" {
			return nil, errors.New("a report without sid")
		}
		out = append(out, Report{ProviderID: r.SID, Delivered: strings.EqualFold(r.ReportStatus, "SUCCESS"), At: chinaTime(r.ReceiveTime)})
	}
	return out, nil
}

// tencentReplies reads Tencent's reply callback: one JSON object
// {"extend", "mobile", "nationcode", "sign", "text", "time"} (an array is
// taken too).
func tencentReplies(body []byte) ([]Incoming, error) {
	type reply struct {
		Mobile     string `json:"mobile"`
		NationCode string `json:"nationcode"`
		Text       string `json:"text"`
		Time       int64  `json:"time"`
	}
	var list []reply
	if err := json.Unmarshal(body, &list); err != nil {
		var one reply
		if err := json.Unmarshal(body, &one); err != nil {
			return nil, fmt.Errorf("not tencent's reply callback: %w", err)
		}
		list = []reply{one}
	}
	out := make([]Incoming, 0, len(list))
	for _, r := range list {
		if r.Mobile == "" {
			return nil, errors.New("a reply without mobile")
		}
		nc := r.NationCode
		if nc == "" {
			nc = "86"
		}
		phone := "+" + nc + r.Mobile
		sum := sha256.Sum256([]byte(r.Text))
		out = append(out, Incoming{Key: "tencent:" + phone + ":" + strconv.FormatInt(r.Time, 10) + ":" + hex.EncodeToString(sum[:8]),
			Phone: phone, Text: r.Text})
	}
	return out, nil
}

// aliyunReports reads Alibaba's SmsReport push: a JSON array of
// {"phone_number", "send_time", "report_time", "success", "err_code",
// "err_msg", "sms_size", "biz_id", "out_id"}.
func aliyunReports(body []byte) ([]Report, error) {
	var in []struct {
		Success    bool   `json:"success"`
		ReportTime string `json:"report_time"`
		BizID      string `json:"biz_id"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("not alibaba's SmsReport: %w", err)
	}
	out := make([]Report, 0, len(in))
	for _, r := range in {
		if r.BizID == "" {
			return nil, errors.New("a report without biz_id")
		}
		out = append(out, Report{ProviderID: r.BizID, Delivered: r.Success, At: chinaTime(r.ReportTime)})
	}
	return out, nil
}

// aliyunReplies reads Alibaba's SmsUp push: a JSON array of
// {"phone_number", "send_time", "content", "sign_name", "dest_code",
// "sequence_id"}.
func aliyunReplies(body []byte) ([]Incoming, error) {
	var in []struct {
		Phone      string      `json:"phone_number"`
		Content    string      `json:"content"`
		SequenceID json.Number `json:"sequence_id"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, fmt.Errorf("not alibaba's SmsUp: %w", err)
	}
	out := make([]Incoming, 0, len(in))
	for _, r := range in {
		if r.Phone == "" || r.SequenceID == "" {
			return nil, errors.New("a reply without phone_number or sequence_id")
		}
		phone := r.Phone
		if !strings.HasPrefix(phone, "+") && len(phone) == 11 {
			phone = "+86" + phone
		}
		out = append(out, Incoming{Key: "aliyun:" + r.SequenceID.String(), Phone: phone, Text: r.Content})
	}
	return out, nil
}
