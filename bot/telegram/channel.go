package telegram

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/budget"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// ChannelConfig is how the dispatcher's Telegram channel reaches the Bot
// API.
type ChannelConfig struct {
	Token  string
	APIURL string         // the Bot API server (default Telegram's)
	Budget *budget.Budget // the bot's one send budget, shared with replies
	// Workers: the dispatcher's concurrent senders, for the connections
	// kept open (default 4).
	Workers int
	// TokenPause: after Telegram refuses the token (401), how long every
	// send waits (default 1 min).
	TokenPause time.Duration
	// ConsoleURL: the organizers' keyboard carries 📊 Console (SPEC C16).
	ConsoleURL string
}

// Channel is Telegram as the dispatcher's channel: it renders a message's
// buttons as Telegram's markup in the reader's language and sends it as a
// text, photo, document or edit through Client (the budget's turn, the one
// 429 path), sorting the answer with Classify.
type Channel struct {
	api        *tg.Bot
	cat        *locales.Catalog
	consoleURL string
}

// NewChannel makes the channel, a Bot API client of its own.
func NewChannel(cfg ChannelConfig, cat *locales.Catalog) (*Channel, error) {
	if cfg.Budget == nil {
		return nil, errors.New("telegram: a channel needs the send budget")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.TokenPause <= 0 {
		cfg.TokenPause = time.Minute
	}
	client := &Client{Base: httpClient(cfg.Workers, time.Minute), Budget: cfg.Budget, Class: budget.Bulk, TokenPause: cfg.TokenPause}
	opts := []tg.Option{tg.WithSkipGetMe(), tg.WithHTTPClient(time.Minute, client)}
	if cfg.APIURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(cfg.APIURL, "/")))
	}
	api, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, err
	}
	return &Channel{api: api, cat: cat, consoleURL: cfg.ConsoleURL}, nil
}

// httpClient keeps a connection per worker open (the default keeps two, so
// more workers would open and close connections all the time).
func httpClient(workers int, timeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers + 4
	t.MaxIdleConns = workers + 16
	return &http.Client{Transport: t, Timeout: timeout}
}

// Send sends one message: a new one, or the edit in place of
// Row.EditMessageID unless AsNew.
func (c *Channel) Send(ctx context.Context, m dispatch.Message) dispatch.Sent {
	o := m.Row
	limit := MaxText
	if o.PhotoFileID != "" || o.DocumentFileID != "" {
		limit = MaxCaption
	}
	text := Fit(m.Text, limit)
	markup := Markup(c.cat, m.Lang, m.Markup, m.Organizer, c.consoleURL)
	ctx = WithTurn(ctx, Turn{Ready: m.Ready, Timeout: m.Timeout})
	var msg *tgm.Message
	var err error
	switch {
	case o.EditMessageID != 0 && !m.AsNew:
		// Without reply_markup an edit takes the buttons away (a
		// cancelled event's copy).
		p := &tg.EditMessageTextParams{ChatID: o.ChatID, MessageID: int(o.EditMessageID), Text: text}
		if markup != nil {
			p.ReplyMarkup = markup
		}
		msg, err = c.api.EditMessageText(ctx, p)
	case o.PhotoFileID != "":
		p := &tg.SendPhotoParams{ChatID: o.ChatID, Photo: &tgm.InputFileString{Data: o.PhotoFileID}, Caption: text}
		if markup != nil {
			p.ReplyMarkup = markup
		}
		msg, err = c.api.SendPhoto(ctx, p)
	case o.DocumentFileID != "":
		p := &tg.SendDocumentParams{ChatID: o.ChatID, Document: &tgm.InputFileString{Data: o.DocumentFileID}, Caption: text}
		if markup != nil {
			p.ReplyMarkup = markup
		}
		msg, err = c.api.SendDocument(ctx, p)
	default:
		p := &tg.SendMessageParams{ChatID: o.ChatID, Text: text}
		if markup != nil {
			p.ReplyMarkup = markup
		}
		msg, err = c.api.SendMessage(ctx, p)
	}
	out := dispatch.Sent{Outcome: Classify(ctx, err), Err: err}
	if err == nil && msg != nil {
		// A server that answers ok with a null result: delivered, id
		// unknown (0).
		out.MessageID = int64(msg.ID)
	}
	return out
}
