// Package console serves the organizers' console, a Telegram Mini App
// (SPEC C16), on the bot's own HTTP listener: the page at /app/, from files
// embedded in the binary, and its data as JSON under /app/api/.
//
// Every API request carries Telegram's signed init data as
// "Authorization: tma <initData>", checked as the Bot API documents it
// (github.com/telegram-mini-apps/init-data-golang: HMAC-SHA256 with the
// key derived from the bot token, auth_date no older than MaxAge). A
// missing, forged or stale signature gets 401; a valid user who is not an
// organizer or admin on the roster gets 403; an organizer sees only their
// branches, by the store's scope — the rule the chat uses, not a copy.
// No cookies (so no CSRF), every answer no-store, and a rate per user.
package console

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	initdata "github.com/telegram-mini-apps/init-data-golang"
	"golang.org/x/time/rate"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/reports"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

//go:embed static
var static embed.FS

// DefaultMaxAge is how old init data may be (ASSOCBOT_APP_MAX_AGE).
const DefaultMaxAge = 24 * time.Hour

// Config is the console's settings.
type Config struct {
	Token    string        // the bot's token: the key of the init data's signature
	MaxAge   time.Duration // of auth_date (default DefaultMaxAge)
	Location *time.Location
	Now      func() time.Time
	// PerUser is each user's request rate (default 5 a second, bursts of
	// 20: a dashboard's few calls at once).
	PerUser rate.Limit
	Burst   int
	Logger  *slog.Logger
	// Catalog names the exports' columns in the caller's language.
	Catalog *locales.Catalog
}

// Server answers the console's requests.
type Server struct {
	st  *store.Store
	cfg Config

	mu       sync.Mutex
	limiters map[int64]*rate.Limiter
}

// New makes the console's server.
func New(st *store.Store, cfg Config) *Server {
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.PerUser == 0 {
		cfg.PerUser, cfg.Burst = 5, 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Catalog == nil {
		cfg.Catalog, _ = locales.New() // embedded: it does not fail
	}
	return &Server{st: st, cfg: cfg, limiters: map[int64]*rate.Limiter{}}
}

// Register adds the console's routes to mux: the page under /app/ and the
// API under /app/api/.
func (s *Server) Register(mux *http.ServeMux) {
	page, _ := fs.Sub(static, "static")
	files := http.StripPrefix("/app/", http.FileServer(http.FS(page)))
	mux.Handle("GET /app/", noStore(files))
	mux.Handle("GET /app/api/stats", s.authed(s.stats))
	mux.Handle("GET /app/api/members", s.authed(s.members))
	mux.Handle("GET /app/api/export", noStore(http.HandlerFunc(s.export)))
	mux.Handle("GET /app/api/surveys", s.authed(s.surveys))
	mux.Handle("GET /app/api/member", s.authed(s.card))
	mux.Handle("GET /app/api/events", s.authed(s.events))
	mux.Handle("GET /app/api/event", s.authed(s.roll))
}

// noStore marks every answer not to be kept by a cache.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// caller is who made an API request: an organizer or admin on the roster.
type caller struct {
	member *models.Member
	scope  models.Scope
	lang   locales.Lang // the member's choice in the bot, else their Telegram's
}

// auth checks the request's init data and the caller's role; false when
// it answered the refusal itself.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) (*caller, bool) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "tma ")
	if !ok || raw == "" {
		s.refuse(w, r, http.StatusUnauthorized, "missing")
		return nil, false
	}
	if err := initdata.Validate(raw, s.cfg.Token, s.cfg.MaxAge); err != nil {
		key := "forged"
		if errors.Is(err, initdata.ErrExpired) {
			key = "expired"
		}
		s.refuse(w, r, http.StatusUnauthorized, key)
		return nil, false
	}
	data, err := initdata.Parse(raw)
	if err != nil || data.User.ID == 0 {
		s.refuse(w, r, http.StatusUnauthorized, "forged")
		return nil, false
	}
	if !s.allow(data.User.ID) {
		s.refuse(w, r, http.StatusTooManyRequests, "rate")
		return nil, false
	}
	m, err := s.st.MemberByTelegramID(r.Context(), data.User.ID)
	if errors.Is(err, store.ErrNotFound) || err == nil && (!m.OnRoster() || !m.IsOrganizer()) {
		s.refuse(w, r, http.StatusForbidden, "forbidden")
		return nil, false
	}
	if err != nil {
		s.cfg.Logger.Error("console: find member", "err", err)
		s.refuse(w, r, http.StatusInternalServerError, "internal")
		return nil, false
	}
	scope, err := s.st.Scope(r.Context(), m)
	if err != nil {
		s.cfg.Logger.Error("console: scope", "err", err)
		s.refuse(w, r, http.StatusInternalServerError, "internal")
		return nil, false
	}
	return &caller{member: m, scope: scope, lang: locales.Resolve(m.Lang, data.User.LanguageCode, locales.ZhHans)}, true
}

// authed answers h's JSON to an authenticated organizer.
func (s *Server) authed(h func(context.Context, *caller, *http.Request) (any, int)) http.Handler {
	return noStore(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.auth(w, r)
		if !ok {
			return
		}
		body, status := h(r.Context(), c, r)
		if status >= 500 {
			s.cfg.Logger.Error("console", "path", r.URL.Path, "status", status)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}))
}

// allow takes one request of the user's rate.
func (s *Server) allow(user int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.limiters[user]
	if !ok {
		if len(s.limiters) > 10000 { // forget them all rather than grow
			s.limiters = map[int64]*rate.Limiter{}
		}
		l = rate.NewLimiter(s.cfg.PerUser, s.cfg.Burst)
		s.limiters[user] = l
	}
	return l.Allow()
}

// refuse answers a refused request with its reason in the user's words:
// the language their init data names (read, not trusted: it only picks
// the words), else Simplified Chinese.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	lang := locales.ZhHans
	if raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "tma "); ok {
		if data, err := initdata.Parse(raw); err == nil {
			lang = locales.FromTelegram(data.User.LanguageCode, locales.ZhHans)
		}
	}
	writeError(w, status, s.cfg.Catalog.T(lang, "console.error."+key))
}

// failure is an API answer's refusal in the caller's words.
func (s *Server) failure(c *caller, key string) map[string]string {
	return map[string]string{"error": s.cfg.Catalog.T(c.lang, "console.error."+key)}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Branch is one branch's figures for the quarter, as /stats gives them
// (store.StatsFor: the one source).
type Branch struct {
	Path       string   `json:"path"`
	Members    int      `json:"members"`
	Linked     int      `json:"linked"`
	Plans      int      `json:"plans"`
	Overdue    int      `json:"overdue"`
	Announced  int      `json:"announced"`
	Answered   int      `json:"answered"`
	CheckedIn  int      `json:"checked_in"`
	Activities int      `json:"activities"`
	NoActivity []string `json:"no_activity"`
	// Satisfied of Valid day-after answers; Percent only when there are
	// enough anonymous answers to show (models.MinAnonymous).
	Satisfied    int  `json:"satisfied"`
	Valid        int  `json:"valid"`
	Percent      *int `json:"percent"`
	VisitsDone   int  `json:"visits_done"`
	VisitsMissed int  `json:"visits_missed"`
	// Children are the branches right below it, each with its own
	// figures, for a bar each (the villages that lag).
	Children []Child `json:"children"`
}

// Child is a sub-branch's figures for its bar.
type Child struct {
	Path       string `json:"path"`
	Members    int    `json:"members"`
	Linked     int    `json:"linked"`
	Plans      int    `json:"plans"`
	Overdue    int    `json:"overdue"`
	Activities int    `json:"activities"`
}

// Stats is /app/api/stats: the quarter and the caller's branches, and
// the last four quarters of their activities, check-ins and day-after
// answers as a chart (SVG, drawn here: BarChart).
type Stats struct {
	Quarter  string            `json:"quarter"`
	Lang     string            `json:"lang"`  // the caller's: chosen in the bot, else Telegram's
	Words    map[string]string `json:"words"` // the page's words in Lang (pageWords)
	Branches []Branch          `json:"branches"`
	History  []Quarter         `json:"history"`
	Chart    string            `json:"chart"`
}

// Quarter is one quarter's totals over the caller's branches.
type Quarter struct {
	Quarter    string `json:"quarter"`
	Activities int    `json:"activities"`
	CheckedIn  int    `json:"checked_in"`
	Satisfied  int    `json:"satisfied"`
}

func (s *Server) stats(ctx context.Context, c *caller, _ *http.Request) (any, int) {
	now := s.cfg.Now()
	q := models.QuarterOf(now.In(s.cfg.Location))
	from, to := q.Span(s.cfg.Location)
	figures, err := s.st.StatsFor(ctx, c.scope, from, to, now, s.cfg.Location)
	if err != nil {
		s.cfg.Logger.Error("console: stats", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	out := Stats{Quarter: q.String(), Lang: string(c.lang),
		Branches: []Branch{}, History: []Quarter{}}
	for _, f := range figures {
		b := Branch{Path: f.Path, Members: f.Members, Linked: f.Linked, Plans: f.Plans, Overdue: f.Overdue,
			Announced: f.Announced, Answered: f.Answered, CheckedIn: f.CheckedIn, Activities: f.Activities,
			NoActivity: append([]string{}, f.NoActivity...), Satisfied: f.Satisfaction.Satisfied, Valid: f.Satisfaction.Valid,
			VisitsDone: f.Visits.Done, VisitsMissed: f.Visits.Missed}
		if p, ok := f.Satisfaction.Percent(); ok && f.Satisfaction.Enough() {
			b.Percent = &p
		}
		children, err := s.children(ctx, f.Path, from, to, now)
		if err != nil {
			s.cfg.Logger.Error("console: sub-branches", "err", err)
			return s.failure(c, "internal"), http.StatusInternalServerError
		}
		b.Children = children
		out.Branches = append(out.Branches, b)
	}
	// The four quarters up to this one, oldest first.
	var labels []string
	var acts, ins, sat []int
	for back := 3; back >= 0; back-- {
		qq := q
		for range back {
			qq = qq.Previous()
		}
		total := Quarter{Quarter: qq.String()}
		if back == 0 {
			for _, b := range out.Branches {
				total.Activities, total.CheckedIn, total.Satisfied = total.Activities+b.Activities, total.CheckedIn+b.CheckedIn, total.Satisfied+b.Satisfied
			}
		} else {
			f, t := qq.Span(s.cfg.Location)
			past, err := s.st.StatsFor(ctx, c.scope, f, t, now, s.cfg.Location)
			if err != nil {
				s.cfg.Logger.Error("console: stats history", "err", err)
				return s.failure(c, "internal"), http.StatusInternalServerError
			}
			for _, p := range past {
				total.Activities, total.CheckedIn, total.Satisfied = total.Activities+p.Activities, total.CheckedIn+p.CheckedIn, total.Satisfied+p.Satisfaction.Satisfied
			}
		}
		out.History = append(out.History, total)
		labels = append(labels, total.Quarter)
		acts, ins, sat = append(acts, total.Activities), append(ins, total.CheckedIn), append(sat, total.Satisfied)
	}
	lang := locales.Lang(out.Lang)
	out.Words = s.words(lang)
	t := func(key string) string { return s.cfg.Catalog.T(lang, "console.chart."+key) }
	out.Chart = BarChart(t("title"), labels, []Series{{t("activities"), acts}, {t("checked_in"), ins}, {t("satisfied"), sat}})
	return out, http.StatusOK
}

// maxChildren bounds the bars of a branch (a town of twenty villages fits).
const maxChildren = 40

// children are the figures of the branches right below path.
func (s *Server) children(ctx context.Context, path string, from, to, now time.Time) ([]Child, error) {
	br, err := s.st.BranchByPath(ctx, path)
	if err != nil {
		return nil, err
	}
	kids, err := s.st.ChildBranches(ctx, &br.ID)
	if err != nil {
		return nil, err
	}
	out := []Child{}
	for i, k := range kids {
		if i == maxChildren {
			break
		}
		f, err := s.st.BranchFigures(ctx, k.Path, from, to, now, s.cfg.Location)
		if err != nil {
			return nil, err
		}
		out = append(out, Child{Path: k.Path, Members: f.Members, Linked: f.Linked, Plans: f.Plans, Overdue: f.Overdue, Activities: f.Activities})
	}
	return out, nil
}

// pageWords are the page's words, each a key of the locales
// ("console."+name), sent with the figures in the caller's language: the
// page holds none of its own.
var pageWords = []string{"title", "quarter", "members", "linked", "answered", "checked_in", "activities", "overdue",
	"satisfaction", "visits", "below", "none", "surveys", "answered_of", "search",
	"export.members", "export.overdue", "export.records", "export.visits", "events", "events_none", "close"}

// words renders pageWords in lang.
func (s *Server) words(lang locales.Lang) map[string]string {
	out := make(map[string]string, len(pageWords))
	for _, w := range pageWords {
		out[w] = s.cfg.Catalog.T(lang, "console."+w)
	}
	return out
}

// Member is a line of the roster search: no health facts (the card in the
// chat has them, for the branch's organizers).
type Member struct {
	ID     uint   `json:"id"`
	Name   string `json:"name"`
	Branch string `json:"branch"`
	Phone  string `json:"phone"`
	Linked bool   `json:"linked"`
	Status string `json:"status"`
}

// SignInitData is init data for Telegram user id, signed with token at
// authDate as Telegram signs a Mini App's: for the demo's link and tests.
func SignInitData(token string, id int64, firstName, lang string, authDate time.Time) string {
	user, _ := json.Marshal(map[string]any{"id": id, "first_name": firstName, "language_code": lang})
	payload := map[string]string{"query_id": "demo" + strconv.FormatInt(id, 10), "user": string(user)}
	q := url.Values{}
	for k, v := range payload {
		q.Set(k, v)
	}
	q.Set("auth_date", strconv.FormatInt(authDate.Unix(), 10))
	q.Set("hash", initdata.Sign(payload, token, authDate))
	return q.Encode()
}

// maxFound bounds a search's answer.
const maxFound = 50

func (s *Server) members(ctx context.Context, c *caller, r *http.Request) (any, int) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) > 50 {
		return s.failure(c, "long_query"), http.StatusBadRequest
	}
	ms, err := s.st.FindMembers(ctx, c.scope, q, maxFound)
	if err != nil {
		s.cfg.Logger.Error("console: members", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	out := []Member{}
	for _, m := range ms {
		phone := ""
		if m.Phone != nil {
			phone = models.DisplayPhone(*m.Phone)
		}
		out = append(out, Member{ID: m.ID, Name: m.Name, Branch: m.BranchPath(), Phone: phone, Linked: m.Linked(), Status: string(m.Status)})
	}
	return map[string]any{"members": out}, http.StatusOK
}

// export is /app/api/export?what=members|overdue|records|visits
// [&quarter=2026Q4][&format=xlsx|csv]: the table /export sends in the chat
// (store.ExportRowsFor, reports.Table: the same rows and columns), as a
// file to download, in the caller's language.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	c, ok := s.auth(w, r)
	if !ok {
		return
	}
	what := r.URL.Query().Get("what")
	switch what {
	case store.ExportMembers, store.ExportOverdue, store.ExportRecords, store.ExportVisits:
	default:
		s.refuse(w, r, http.StatusBadRequest, "bad_export")
		return
	}
	format := roster.XLSX
	if f := r.URL.Query().Get("format"); f != "" {
		var ok bool
		if format, ok = roster.ParseFormat(f); !ok {
			s.refuse(w, r, http.StatusBadRequest, "bad_export")
			return
		}
	}
	now := s.cfg.Now().In(s.cfg.Location)
	q, err := models.ParseQuarter(r.URL.Query().Get("quarter"), now)
	if err != nil {
		s.refuse(w, r, http.StatusBadRequest, "bad_export")
		return
	}
	from, to := q.Span(s.cfg.Location)
	rows, err := s.st.ExportRowsFor(r.Context(), what, c.member, c.scope, 0, from, to)
	if err != nil {
		s.cfg.Logger.Error("console: export", "err", err)
		s.refuse(w, r, http.StatusInternalServerError, "internal")
		return
	}
	name, data, _, err := reports.ExportFile(s.cfg.Catalog, c.lang, s.cfg.Location, what, rows, format, q, 0, now)
	if err != nil {
		s.cfg.Logger.Error("console: export", "err", err)
		s.refuse(w, r, http.StatusInternalServerError, "internal")
		return
	}
	ctype := "text/csv; charset=utf-8"
	if format == roster.XLSX {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, _ = w.Write(data)
}

// Survey is a survey the caller may read (they may reach its audience, as
// 📊 in the chat), with its results as the chat words them
// (reports.SurveyText: anonymity's folding and hiding included).
type Survey struct {
	ID       uint   `json:"id"`
	Title    string `json:"title"`
	Open     bool   `json:"open"`
	Asked    int    `json:"asked"`
	Answered int    `json:"answered"`
	Results  string `json:"results"`
}

// maxSurveys is how many surveys the console lists, newest first (as
// /surveys).
const maxSurveys = 30

func (s *Server) surveys(ctx context.Context, c *caller, _ *http.Request) (any, int) {
	svs, err := s.st.Surveys(ctx)
	if err != nil {
		s.cfg.Logger.Error("console: surveys", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	now := s.cfg.Now()
	out := []Survey{}
	for i := range svs {
		sv := &svs[i]
		if !sv.Listed(now) {
			continue
		}
		aud, err := models.ParseAudience(sv.Audience)
		if err != nil {
			continue
		}
		if ok, err := s.st.CanReach(ctx, c.member, aud); err != nil || !ok {
			continue
		}
		t, err := s.st.SurveyTallyOf(ctx, sv)
		if err != nil {
			s.cfg.Logger.Error("console: survey tally", "err", err)
			return s.failure(c, "internal"), http.StatusInternalServerError
		}
		f := reports.Figures(sv, t)
		out = append(out, Survey{ID: sv.ID, Title: sv.Title, Open: sv.Open(now), Asked: f.Asked, Answered: f.Answered,
			Results: reports.SurveyText(s.cfg.Catalog, c.lang, s.cfg.Location, sv, f)})
		if len(out) == maxSurveys {
			break
		}
	}
	return map[string]any{"surveys": out}, http.StatusOK
}

// idArg is the request's ?id=, 0 when it is not a number.
func idArg(r *http.Request) uint {
	id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 32)
	if err != nil {
		return 0
	}
	return uint(id)
}

// Card is /app/api/member?id=N: a member's card as the chat shows it to
// the organizers of their branch (reports.CardText from store.CardOf: the
// same data, the same words). A member outside the caller's branches and
// one who does not exist get the same 404, so that the console cannot
// probe other branches' rosters.
type Card struct {
	ID   uint   `json:"id"`
	Name string `json:"name"`
	Text string `json:"text"`
}

func (s *Server) card(ctx context.Context, c *caller, r *http.Request) (any, int) {
	id := idArg(r)
	if id == 0 {
		return s.failure(c, "not_found"), http.StatusNotFound
	}
	card, err := s.st.CardOf(ctx, id, c.scope.Manages)
	if errors.Is(err, store.ErrNotFound) {
		return s.failure(c, "not_found"), http.StatusNotFound
	}
	if err != nil {
		s.cfg.Logger.Error("console: card", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	text := reports.CardText(s.cfg.Catalog, c.lang, s.cfg.Location, c.member.Zone(s.cfg.Location), s.cfg.Now(), card)
	return Card{ID: card.Member.ID, Name: card.Member.Name, Text: text}, http.StatusOK
}

// The events the console lists: by the chat's event picker's rule
// (store.ManagedOccurrences: each event's occurrence in hand, to 60 days
// ahead), up to 30 of them.
const (
	eventsAhead = 60
	maxEvents   = 30
)

// Event is a line of /app/api/events.
type Event struct {
	ID    uint   `json:"id"`
	Title string `json:"title"`
	When  string `json:"when"`
}

func (s *Server) events(ctx context.Context, c *caller, _ *http.Request) (any, int) {
	now := s.cfg.Now()
	occs, err := s.st.ManagedOccurrences(ctx, c.member, now, now.AddDate(0, 0, eventsAhead), s.cfg.Location, maxEvents)
	if err != nil {
		s.cfg.Logger.Error("console: events", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	out := []Event{}
	for _, o := range occs {
		out = append(out, Event{ID: o.Event.ID, Title: o.Event.Title,
			When: s.cfg.Catalog.DateTime(c.lang, o.At, c.member.Zone(s.cfg.Location), now)})
	}
	return map[string]any{"events": out}, http.StatusOK
}

// Roll is /app/api/event?id=N: the answers to an event's occurrence in
// hand (models.OccurrenceInHand: the one /app/api/events lists and
// /attendees shows) as the chat words them (reports.RollText), and those
// of its audience who have not answered, each to open as a card (as the
// chat's buttons).
type Roll struct {
	ID         uint      `json:"id"`
	Title      string    `json:"title"`
	Text       string    `json:"text"`
	Unanswered string    `json:"unanswered"` // the heading, with the count; "" when all answered
	Unreached  string    `json:"unreached"`  // what 📵 means; "" when none is marked
	Names      []Unheard `json:"names"`
	More       string    `json:"more"` // "… and N more" past the names listed; "" when none
}

// Unheard is a member who has not answered.
type Unheard struct {
	ID        uint   `json:"id"`
	Name      string `json:"name"`
	Unreached bool   `json:"unreached"` // the bot cannot remind them
	Card      bool   `json:"card"`      // the caller may open their card (not an admin's, for an organizer)
}

// maxUnheard bounds the names a roll lists (the chat's list too).
const maxUnheard = 300

func (s *Server) roll(ctx context.Context, c *caller, r *http.Request) (any, int) {
	id := idArg(r)
	if id == 0 {
		return s.failure(c, "not_found"), http.StatusNotFound
	}
	e, err := s.st.EventByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return s.failure(c, "not_found"), http.StatusNotFound
	}
	if err != nil {
		s.cfg.Logger.Error("console: event", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	if manages, err := s.st.CanManage(ctx, c.member, e); err != nil || !manages {
		return s.failure(c, "not_found"), http.StatusNotFound
	}
	now := s.cfg.Now()
	occ, ok := e.OccurrenceInHand(s.cfg.Location, now)
	if !ok || e.Status != models.EventScheduled {
		// Their own event, cancelled or over: said so, as the chat does.
		return map[string]string{"error": s.cfg.Catalog.T(c.lang, "event.over", "Title", e.Title)}, http.StatusNotFound
	}
	list, err := s.st.Attendees(ctx, e.ID, occ)
	if err != nil {
		s.cfg.Logger.Error("console: attendees", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	ms, total, err := s.st.Unanswered(ctx, e, occ, maxUnheard)
	if err != nil {
		s.cfg.Logger.Error("console: unanswered", "err", err)
		return s.failure(c, "internal"), http.StatusInternalServerError
	}
	out := Roll{ID: e.ID, Title: e.Title, Names: []Unheard{},
		Text: reports.RollText(s.cfg.Catalog, c.lang, c.member.Zone(s.cfg.Location), now, e, occ, list)}
	if total > 0 {
		out.Unanswered = s.cfg.Catalog.T(c.lang, "console.unanswered", "Count", total)
	}
	if total > len(ms) {
		out.More = s.cfg.Catalog.T(c.lang, "answers.more", "Count", total-len(ms))
	}
	for i := range ms {
		m := &ms[i]
		out.Names = append(out.Names, Unheard{ID: m.ID, Name: m.Name, Unreached: !m.BotReaches(), Card: c.scope.Manages(m)})
		if !m.BotReaches() {
			out.Unreached = s.cfg.Catalog.T(c.lang, "answers.unreached")
		}
	}
	return out, http.StatusOK
}
