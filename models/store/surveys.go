package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/planner"
)

// CreateSurvey makes a survey and asks its audience in one transaction:
// every member of the audience who has not left is a taker (asked, with
// their branch), and the first question is planned to them through the
// outbox, by Telegram or SMS. It returns how many were asked.
func (s *Store) CreateSurvey(ctx context.Context, sv *models.Survey, now time.Time) (int, error) {
	if err := sv.Validate(); err != nil {
		return 0, fmt.Errorf("store: create survey: %w", err)
	}
	aud, err := models.ParseAudience(sv.Audience)
	if err != nil {
		return 0, fmt.Errorf("store: create survey: %w", err)
	}
	for i := range sv.Questions {
		sv.Questions[i].Position = i + 1
	}
	if sv.OpensAt.IsZero() {
		sv.OpensAt = now
	}
	sv.OpensAt, sv.CreatedAt = sv.OpensAt.UTC(), now.UTC()
	if sv.ClosesAt != nil {
		c := sv.ClosesAt.UTC()
		sv.ClosesAt = &c
	}
	asked := 0
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(sv).Error; err != nil {
			return err
		}
		q, err := inAudience(tx, tx.Model(&models.Member{}).Where("members.status <> ?", models.StatusLeft), aud)
		if err != nil {
			return err
		}
		var ms []struct {
			ID       uint
			BranchID *uint
		}
		if err := q.Select("members.id, members.branch_id").Order("members.id").Scan(&ms).Error; err != nil {
			return err
		}
		if len(ms) == 0 {
			return ErrNobodyAsked
		}
		takers := make([]models.SurveyTaker, len(ms))
		ids := make([]uint, len(ms))
		for i, m := range ms {
			takers[i] = models.SurveyTaker{SurveyID: sv.ID, MemberID: m.ID, BranchID: m.BranchID}
			ids[i] = m.ID
		}
		if err := tx.CreateInBatches(takers, 500).Error; err != nil {
			return err
		}
		asked = len(takers)
		first := sv.Question(1)
		msg := planner.SurveyAsk(sv, first, models.MembersAudience(ids...), planner.Markup{Inline: planner.SurveyButtons(sv, first, "")}, now)
		_, err = enqueue(tx, s.sms, msg)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: create survey: %w", err)
	}
	return asked, nil
}

// SMSBallot, as AnswerSurvey's ballot, is an answer by SMS, which holds
// no ballot: in an anonymous survey each answer gets a ballot of its own,
// the questions are taken in order, and an answer cannot be changed.
const SMSBallot = "\x00sms"

// ErrNobodyAsked: the survey's audience has no member.
var ErrNobodyAsked = errors.New("the audience has no member to ask")

// SurveyByID reads a survey with its questions in order.
func (s *Store) SurveyByID(ctx context.Context, id uint) (*models.Survey, error) {
	var sv models.Survey
	err := s.db.WithContext(ctx).Preload("Questions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).Take(&sv, id).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &sv, nil
}

// Surveys lists the surveys, newest first.
func (s *Store) Surveys(ctx context.Context) ([]models.Survey, error) {
	var out []models.Survey
	err := s.db.WithContext(ctx).Preload("Questions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).Order("id DESC").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("store: surveys: %w", err)
	}
	return out, nil
}

// CloseSurvey closes a survey now: it takes no more answers, and its
// messages still waiting are withdrawn. false when it was closed already.
func (s *Store) CloseSurvey(ctx context.Context, id uint, now time.Time) (bool, error) {
	closed := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sv models.Survey
		if err := tx.Take(&sv, id).Error; err != nil {
			return notFound(err)
		}
		if !sv.Open(now) && !now.Before(sv.OpensAt) {
			return nil
		}
		res := tx.Model(&models.Survey{}).Where("id = ? AND closed_at IS NULL", id).Update("closed_at", now.UTC())
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		closed = true
		return withdraw(tx, "survey_id = ?", id)
	})
	if err != nil {
		return false, fmt.Errorf("store: close survey: %w", err)
	}
	return closed, nil
}

// SurveyAnswered is what became of an answer: the ballot it went under,
// the next question (0 after the last) and the member's answers so far, by
// position.
type SurveyAnswered struct {
	Ballot    string
	Next      int
	Answers   map[int]int
	Commented int // the questions the member commented on (models.SurveyTaker.Commented)
}

// AnswerSurvey records member m's answer choice to the question at
// position, under ballot in an anonymous survey ("" for a member's first
// answer: a new ballot is drawn). It is refused (nothing stored) when the
// survey is closed (models.ErrSurveyClosed), was not sent to m
// (models.ErrNotAsked), the question or answer does not exist
// (models.ErrBadAnswer), or an anonymous member who has answered already
// comes without their ballot, or with one that is not a ballot of the
// survey (models.ErrAnsweredBefore).
func (s *Store) AnswerSurvey(ctx context.Context, id uint, m *models.Member, position, choice int, ballot string, now time.Time) (*SurveyAnswered, error) {
	out := &SurveyAnswered{}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sv, taker, err := surveyTaker(tx, id, m, now)
		if err != nil {
			return err
		}
		q := sv.Question(position)
		if q == nil || choice < 1 || choice > q.Choices() {
			return models.ErrBadAnswer
		}
		a := models.SurveyAnswer{SurveyID: id, QuestionID: q.ID, BranchID: taker.BranchID, Choice: choice, UpdatedAt: now.UTC()}
		if sv.Anonymous {
			switch {
			case ballot == SMSBallot && taker.Answered != position-1:
				return models.ErrAnsweredBefore
			case ballot == SMSBallot:
				ballot = newBallot()
			case ballot == "" && taker.Answered > 0:
				return models.ErrAnsweredBefore
			case ballot == "":
				ballot = newBallot()
			default:
				var n int64
				if err := tx.Model(&models.SurveyAnswer{}).Where("survey_id = ? AND ballot = ?", id, ballot).Count(&n).Error; err != nil {
					return err
				}
				if n == 0 {
					return models.ErrAnsweredBefore
				}
			}
			// An anonymous answer keeps the day, not the moment: its time
			// would match the taker's.
			a.UpdatedAt = now.UTC().Truncate(24 * time.Hour)
		} else {
			memberID := m.ID
			a.MemberID, ballot = &memberID, "m"+strconv.FormatUint(uint64(m.ID), 10)
		}
		a.Ballot = ballot
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "survey_id"}, {Name: "question_id"}, {Name: "ballot"}},
			DoUpdates: clause.AssignmentColumns([]string{"choice", "updated_at"}),
		}).Create(&a).Error; err != nil {
			return err
		}
		var answers []models.SurveyAnswer
		if err := tx.Where("survey_id = ? AND ballot = ?", id, ballot).Find(&answers).Error; err != nil {
			return err
		}
		out.Ballot, out.Answers, out.Commented = ballot, map[int]int{}, taker.Commented
		for _, x := range answers {
			for _, qq := range sv.Questions {
				if qq.ID == x.QuestionID {
					out.Answers[qq.Position] = x.Choice
				}
			}
		}
		// The questions go in order, also when a member changes their
		// answers; the last one done, they have finished.
		if sv.Question(position+1) != nil {
			out.Next = position + 1
		}
		answered := len(out.Answers)
		if a.MemberID == nil && taker.Answered >= position {
			answered = taker.Answered // an anonymous change
		} else if a.MemberID == nil {
			answered = position // by SMS each answer has a ballot of its own
		}
		updates := map[string]any{"answered": answered}
		if answered == len(sv.Questions) && taker.FinishedAt == nil {
			updates["finished_at"] = now.UTC()
		}
		return tx.Model(&models.SurveyTaker{}).Where("survey_id = ? AND member_id = ?", id, m.ID).Updates(updates).Error
	})
	if err != nil {
		if isSurveyRefusal(err) {
			return nil, err
		}
		return nil, fmt.Errorf("store: answer survey: %w", err)
	}
	return out, nil
}

// surveyTaker reads an open survey and, locked, the row of m as its taker:
// the rule every answer and comment is under. Refused: the survey is closed
// (models.ErrSurveyClosed), or was not sent to m, or m left
// (models.ErrNotAsked).
func surveyTaker(tx *gorm.DB, id uint, m *models.Member, now time.Time) (*models.Survey, *models.SurveyTaker, error) {
	var sv models.Survey
	if err := tx.Preload("Questions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).Take(&sv, id).Error; err != nil {
		return nil, nil, notFound(err)
	}
	if !sv.Open(now) {
		return nil, nil, models.ErrSurveyClosed
	}
	if !m.OnRoster() {
		return nil, nil, models.ErrNotAsked
	}
	var taker models.SurveyTaker
	if err := tx.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).
		Where("survey_id = ? AND member_id = ?", id, m.ID).Take(&taker).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, models.ErrNotAsked
		}
		return nil, nil, err
	}
	return &sv, &taker, nil
}

// isSurveyRefusal reports whether err is a rule's refusal of an answer.
func isSurveyRefusal(err error) bool {
	for _, e := range []error{models.ErrSurveyClosed, models.ErrNotAsked, models.ErrBadAnswer, models.ErrAnsweredBefore, ErrNotFound} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// newBallot is a random token of 12 bytes, 16 characters in callback data.
func newBallot() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SurveyTally is what a survey's results are made of: who was asked and
// who finished, per branch, the answers' counts per question, choice and
// branch, and the comments. Of an anonymous survey it holds no member: its
// results are made from it alone.
type SurveyTally struct {
	Asked, Answered map[string]int           // by branch path ("" for none)
	Counts          map[int]map[string][]int // by question position, branch: counts of choices 1… (index 0 unused)
	Comments        []SurveyCommentRow       // by question (SurveyComments)
}

// SurveyTallyOf counts a survey's takers and answers.
func (s *Store) SurveyTallyOf(ctx context.Context, sv *models.Survey) (*SurveyTally, error) {
	db := s.db.WithContext(ctx)
	t := &SurveyTally{Asked: map[string]int{}, Answered: map[string]int{}, Counts: map[int]map[string][]int{}}
	var takers []struct {
		Path     *string
		Finished bool
		N        int
	}
	if err := db.Table("survey_takers").Select("branches.path AS path, survey_takers.answered > 0 AS finished, COUNT(*) AS n").
		Joins("LEFT JOIN branches ON branches.id = survey_takers.branch_id").
		Where("survey_takers.survey_id = ?", sv.ID).Group("branches.path, survey_takers.answered > 0").Scan(&takers).Error; err != nil {
		return nil, fmt.Errorf("store: survey tally: %w", err)
	}
	for _, r := range takers {
		p := deref(r.Path)
		t.Asked[p] += r.N
		if r.Finished {
			t.Answered[p] += r.N
		}
	}
	var answers []struct {
		QuestionID uint
		Path       *string
		Choice     int
		N          int
	}
	if err := db.Table("survey_answers").Select("survey_answers.question_id, branches.path AS path, survey_answers.choice, COUNT(*) AS n").
		Joins("LEFT JOIN branches ON branches.id = survey_answers.branch_id").
		Where("survey_answers.survey_id = ?", sv.ID).Group("survey_answers.question_id, branches.path, survey_answers.choice").Scan(&answers).Error; err != nil {
		return nil, fmt.Errorf("store: survey tally: %w", err)
	}
	for _, a := range answers {
		var q *models.SurveyQuestion
		for i := range sv.Questions {
			if sv.Questions[i].ID == a.QuestionID {
				q = &sv.Questions[i]
			}
		}
		if q == nil || a.Choice < 1 || a.Choice > q.Choices() {
			continue
		}
		p := deref(a.Path)
		if t.Counts[q.Position] == nil {
			t.Counts[q.Position] = map[string][]int{}
		}
		if t.Counts[q.Position][p] == nil {
			t.Counts[q.Position][p] = make([]int, q.Choices()+1)
		}
		t.Counts[q.Position][p][a.Choice] += a.N
	}
	var err error
	if t.Comments, err = s.SurveyComments(ctx, sv); err != nil {
		return nil, err
	}
	return t, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// NamedSurveyAnswers are a named survey's answers, member by member, for
// its export (nil for an anonymous survey, whose answers have no member).
type NamedSurveyAnswer struct {
	Name, Phone, Branch string
	Position, Choice    int
}

// NamedSurveyAnswers lists a named survey's answers by member.
func (s *Store) NamedSurveyAnswers(ctx context.Context, sv *models.Survey) ([]NamedSurveyAnswer, error) {
	if sv.Anonymous {
		return nil, nil
	}
	var rows []struct {
		Name     string
		Phone    *string
		Path     *string
		Position int
		Choice   int
	}
	err := s.db.WithContext(ctx).Table("survey_answers").
		Select("members.name, members.phone, branches.path AS path, survey_questions.position, survey_answers.choice").
		Joins("JOIN members ON members.id = survey_answers.member_id").
		Joins("JOIN survey_questions ON survey_questions.id = survey_answers.question_id").
		Joins("LEFT JOIN branches ON branches.id = survey_answers.branch_id").
		Where("survey_answers.survey_id = ? AND survey_answers.member_id IS NOT NULL", sv.ID).
		Order("branches.path, members.name, members.id, survey_questions.position").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: survey answers: %w", err)
	}
	out := make([]NamedSurveyAnswer, len(rows))
	for i, r := range rows {
		out[i] = NamedSurveyAnswer{Name: r.Name, Phone: deref(r.Phone), Branch: deref(r.Path), Position: r.Position, Choice: r.Choice}
	}
	return out, nil
}

// PlanSurveyReminders plans the one reminder of every open survey that
// closes within its remind hours to its takers who have not finished, and
// marks them reminded, in one transaction: never twice, never to one who
// finished. It returns how many were reminded.
func (s *Store) PlanSurveyReminders(ctx context.Context, now time.Time) (int, error) {
	var svs []models.Survey
	db := s.db.WithContext(ctx)
	if err := db.Preload("Questions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("closed_at IS NULL AND closes_at IS NOT NULL AND closes_at > ? AND remind_hours > 0", now.UTC()).Find(&svs).Error; err != nil {
		return 0, fmt.Errorf("store: survey reminders: %w", err)
	}
	total := 0
	for i := range svs {
		sv := &svs[i]
		if now.Before(sv.ClosesAt.Add(-time.Duration(sv.RemindHours) * time.Hour)) {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			var takers []models.SurveyTaker
			if err := tx.Where("survey_id = ? AND finished_at IS NULL AND reminded_at IS NULL", sv.ID).Find(&takers).Error; err != nil {
				return err
			}
			if len(takers) == 0 {
				return nil
			}
			// A member of a named survey gets the buttons of the question
			// they are at; in an anonymous one the buttons of a member who
			// has started carry their ballot, which only their survey
			// message holds: the reminder points there, without buttons.
			byNext := map[int][]uint{}
			var ids []uint
			for _, t := range takers {
				next := min(t.Answered+1, len(sv.Questions))
				if sv.Anonymous {
					next = 1
				}
				byNext[next] = append(byNext[next], t.MemberID)
				ids = append(ids, t.MemberID)
			}
			for next, members := range byNext {
				q := sv.Question(next)
				var markup planner.Markup
				if !sv.Anonymous {
					markup.Inline = planner.SurveyButtons(sv, q, "")
				}
				if _, err := enqueue(tx, s.sms, planner.SurveyRemind(sv, q, members, markup, now)); err != nil {
					return err
				}
			}
			res := tx.Model(&models.SurveyTaker{}).Where("survey_id = ? AND member_id IN ? AND reminded_at IS NULL", sv.ID, ids).
				Update("reminded_at", now.UTC())
			total += int(res.RowsAffected)
			return res.Error
		})
		if err != nil {
			return total, fmt.Errorf("store: survey reminders: %w", err)
		}
	}
	return total, nil
}

// OpenEventSurvey opens sv, an occurrence's day-after survey
// (planner.EventSurvey), and asks those who came, in one transaction: once
// per occurrence (a second call, or another replica's, asks nobody), and
// not at all when nobody came. It returns how many were asked.
func (s *Store) OpenEventSurvey(ctx context.Context, sv *models.Survey, now time.Time) (int, error) {
	if !sv.OfEvent() {
		return 0, errors.New("store: open event survey: not an occurrence's survey")
	}
	sv.OpensAt, sv.CreatedAt = now.UTC(), now.UTC()
	if err := sv.Validate(); err != nil {
		return 0, fmt.Errorf("store: open event survey: %w", err)
	}
	asked := 0
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.Survey{}).Where("event_id = ? AND occurrence = ?", *sv.EventID, sv.Occurrence.UTC()).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		c, err := came(tx, *sv.EventID, *sv.Occurrence)
		if err != nil {
			return err
		}
		var ms []struct {
			ID       uint
			BranchID *uint
		}
		if err := tx.Model(&models.Member{}).Select("members.id, members.branch_id").
			Where("members.status <> ? AND members.id IN (?)", models.StatusLeft, c).Order("members.id").Scan(&ms).Error; err != nil {
			return err
		}
		if len(ms) == 0 {
			return nil
		}
		questions := sv.Questions
		sv.Questions = nil
		// Two replicas opening the same occurrence: one insert wins, the
		// other's does nothing and asks nobody.
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(sv)
		if res.Error != nil || res.RowsAffected == 0 {
			sv.Questions = questions
			return res.Error
		}
		for i := range questions {
			questions[i].SurveyID, questions[i].Position = sv.ID, i+1
		}
		if err := tx.Create(&questions).Error; err != nil {
			return err
		}
		sv.Questions = questions
		takers := make([]models.SurveyTaker, len(ms))
		ids := make([]uint, len(ms))
		for i, m := range ms {
			takers[i] = models.SurveyTaker{SurveyID: sv.ID, MemberID: m.ID, BranchID: m.BranchID}
			ids[i] = m.ID
		}
		if err := tx.CreateInBatches(takers, 500).Error; err != nil {
			return err
		}
		first := sv.Question(1)
		msg := planner.SurveyAsk(sv, first, models.MembersAudience(ids...), planner.Markup{Inline: planner.SurveyButtons(sv, first, "")}, now)
		msg.Subject.EventID, msg.Subject.Occurrence = *sv.EventID, *sv.Occurrence
		if _, err := enqueue(tx, s.sms, msg); err != nil {
			return err
		}
		asked = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: open event survey: %w", err)
	}
	return asked, nil
}

// EventSurvey is the day-after survey of an occurrence (ErrNotFound: none
// was opened).
func (s *Store) EventSurvey(ctx context.Context, eventID uint, occ time.Time) (*models.Survey, error) {
	var sv models.Survey
	err := s.db.WithContext(ctx).Preload("Questions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("event_id = ? AND occurrence = ?", eventID, occ.UTC()).Take(&sv).Error
	if err != nil {
		return nil, notFound(err)
	}
	return &sv, nil
}

// EventSatisfaction is the satisfaction of occurrences' day-after surveys,
// by event and occurrence (the occurrence in UTC), of those in [from, to)
// of the events given (all with none given).
func (s *Store) EventSatisfaction(ctx context.Context, from, to time.Time, eventIDs ...uint) (map[uint]map[time.Time]models.Satisfaction, error) {
	q := s.db.WithContext(ctx).Table("survey_answers").
		Select("surveys.event_id, surveys.occurrence, survey_answers.choice, COUNT(*) AS n").
		Joins("JOIN surveys ON surveys.id = survey_answers.survey_id").
		Joins("JOIN survey_questions ON survey_questions.id = survey_answers.question_id").
		Where("surveys.event_id IS NOT NULL AND surveys.occurrence >= ? AND surveys.occurrence < ? AND survey_questions.kind = ?",
			from.UTC(), to.UTC(), models.QuestionSatisfaction).
		Group("surveys.event_id, surveys.occurrence, survey_answers.choice")
	if len(eventIDs) > 0 {
		q = q.Where("surveys.event_id IN ?", eventIDs)
	}
	var rows []struct {
		EventID    uint
		Occurrence time.Time
		Choice, N  int
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: event satisfaction: %w", err)
	}
	out := map[uint]map[time.Time]models.Satisfaction{}
	for _, r := range rows {
		if out[r.EventID] == nil {
			out[r.EventID] = map[time.Time]models.Satisfaction{}
		}
		occ := r.Occurrence.UTC()
		sat := out[r.EventID][occ]
		sat.Add(r.Choice, r.N)
		out[r.EventID][occ] = sat
	}
	return out, nil
}

// CommentSurvey records member m's comment on the question at position,
// once, after they answered it. It is refused (nothing stored) when the
// survey is closed, was not sent to m, the question takes no comment or
// is not answered yet (models.ErrNoComment), m commented on it before
// (models.ErrCommentedBefore), or the text is not 1–MaxCommentText
// printable characters (models.ErrBadText). In an anonymous survey the
// comment has no member and keeps only its day.
func (s *Store) CommentSurvey(ctx context.Context, id uint, m *models.Member, position int, text string, now time.Time) error {
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > models.MaxCommentText || !models.ValidText(text, true) {
		return models.ErrBadText
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		sv, taker, err := commentable(tx, id, m, position, now)
		if err != nil {
			return err
		}
		q := sv.Question(position)
		c := models.SurveyComment{SurveyID: id, QuestionID: q.ID, BranchID: taker.BranchID, Text: text, CreatedAt: now.UTC()}
		if sv.Anonymous {
			c.CreatedAt = now.UTC().Truncate(24 * time.Hour)
		} else {
			memberID := m.ID
			c.MemberID = &memberID
		}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return tx.Model(&models.SurveyTaker{}).Where("survey_id = ? AND member_id = ?", id, m.ID).
			Update("commented", taker.Commented|1<<position).Error
	})
	if err != nil {
		if isCommentRefusal(err) {
			return err
		}
		return fmt.Errorf("store: comment survey: %w", err)
	}
	return nil
}

// commentable is the rule for a comment on the question at position: an
// answer's rule (surveyTaker), the question takes a comment and m answered
// it (models.ErrNoComment), once (models.ErrCommentedBefore).
func commentable(tx *gorm.DB, id uint, m *models.Member, position int, now time.Time) (*models.Survey, *models.SurveyTaker, error) {
	sv, taker, err := surveyTaker(tx, id, m, now)
	if err != nil {
		return nil, nil, err
	}
	q := sv.Question(position)
	if q == nil || !q.Comment || taker.Answered < position {
		return nil, nil, models.ErrNoComment
	}
	if taker.HasCommented(position) {
		return nil, nil, models.ErrCommentedBefore
	}
	return sv, taker, nil
}

// MayComment reports, without writing, whether m may comment on the
// question at position now (CommentSurvey's rule): the bot asks for the
// words only then.
func (s *Store) MayComment(ctx context.Context, id uint, m *models.Member, position int, now time.Time) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		_, _, err := commentable(tx, id, m, position, now)
		return err
	})
	if err != nil && !isCommentRefusal(err) {
		return fmt.Errorf("store: may comment: %w", err)
	}
	return err
}

func isCommentRefusal(err error) bool {
	return isSurveyRefusal(err) || errors.Is(err, models.ErrNoComment) || errors.Is(err, models.ErrCommentedBefore)
}

// SurveyCommentRow is one comment as the results show it: the member's
// name and branch only in a named survey.
type SurveyCommentRow struct {
	Position     int
	Text         string
	Name, Branch string
}

// SurveyComments lists a survey's comments by question; an anonymous
// survey's in the order of their words, which says nothing of who or when.
func (s *Store) SurveyComments(ctx context.Context, sv *models.Survey) ([]SurveyCommentRow, error) {
	q := s.db.WithContext(ctx).Table("survey_comments").
		Joins("JOIN survey_questions ON survey_questions.id = survey_comments.question_id").
		Where("survey_comments.survey_id = ?", sv.ID)
	var rows []SurveyCommentRow
	var err error
	if sv.Anonymous {
		err = q.Select("survey_questions.position, survey_comments.text").
			Order("survey_questions.position, survey_comments.text").Scan(&rows).Error
	} else {
		err = q.Select("survey_questions.position, survey_comments.text, COALESCE(members.name, '') AS name, COALESCE(branches.path, '') AS branch").
			Joins("LEFT JOIN members ON members.id = survey_comments.member_id").
			Joins("LEFT JOIN branches ON branches.id = survey_comments.branch_id").
			Order("survey_questions.position, survey_comments.id").Scan(&rows).Error
	}
	if err != nil {
		return nil, fmt.Errorf("store: survey comments: %w", err)
	}
	return rows, nil
}
