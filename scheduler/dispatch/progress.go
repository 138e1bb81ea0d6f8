package dispatch

import (
	"context"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"

	"github.com/assocbot/assocbot/models"
)

// progressLoop keeps each organizer's progress message up to date (edited
// no more often than ProgressEvery) and sends the final report once.
func (d *Dispatcher) progressLoop(ctx context.Context) {
	t := time.NewTicker(d.cfg.ProgressEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.reportProgress(ctx)
		}
	}
}

func (d *Dispatcher) reportProgress(ctx context.Context) {
	bs, err := d.st.SendingBroadcasts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("broadcast progress", "err", err)
		}
		return
	}
	now := d.cfg.Now()
	for _, b := range bs {
		if now.Before(b.SendAt) {
			continue
		}
		if err := d.progressOf(ctx, b); err != nil && ctx.Err() == nil {
			d.log.Error("broadcast progress", "broadcast_id", b.ID, "err", err)
		}
	}
}

func (d *Dispatcher) progressOf(ctx context.Context, b models.Broadcast) error {
	counts, err := d.st.OutboxCounts(ctx, b.ID)
	if err != nil {
		return err
	}
	sent := counts[models.OutboxSent]
	done := 0
	for st, n := range counts {
		if st.Final() {
			done += n
		}
	}
	lang := d.cfg.DefaultLang
	if b.OrganizerID != nil {
		if m, err := d.st.MemberByID(ctx, *b.OrganizerID); err == nil {
			lang = d.langOf(m)
		}
	}
	finished := done >= b.Total
	if b.ChatID != nil && (sent != b.LastProgress || b.ProgressMessageID == nil || finished) {
		text := d.cat.T(lang, "broadcast.progress", "Sent", sent, "Total", b.Total)
		if err := d.showProgress(ctx, &b, text); err != nil {
			d.log.Warn("broadcast progress message", "broadcast_id", b.ID, "err", errText(err))
		} else if err := d.st.UpdateBroadcast(ctx, b.ID, map[string]any{"last_progress": sent, "progress_message_id": b.ProgressMessageID}); err != nil {
			return err
		}
	}
	if !finished {
		return nil
	}
	won, err := d.st.FinishBroadcast(ctx, b.ID, d.cfg.Now())
	if err != nil || !won {
		return err
	}
	blocked, err := d.st.BroadcastUnreachable(ctx, b.ID)
	if err != nil {
		return err
	}
	failed := done - sent - blocked
	d.log.Info("broadcast finished", "broadcast_id", b.ID, "total", b.Total, "delivered", sent, "blocked", blocked, "failed", failed)
	if b.ChatID == nil {
		return nil
	}
	report := d.cat.T(lang, "broadcast.report", "Total", b.Total, "Delivered", sent, "Blocked", blocked, "Failed", failed)
	return d.sendDirect(ctx, *b.ChatID, report)
}

// showProgress sends the progress message the first time, then edits it.
func (d *Dispatcher) showProgress(ctx context.Context, b *models.Broadcast, text string) error {
	done, err := d.waitTurn(ctx, *b.ChatID)
	if err != nil {
		return err
	}
	defer done()
	if b.ProgressMessageID == nil {
		msg, err := d.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: *b.ChatID, Text: text})
		if err != nil {
			return err
		}
		if msg != nil {
			id := int64(msg.ID)
			b.ProgressMessageID = &id
		}
		return nil
	}
	_, err = d.api.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: *b.ChatID, MessageID: int(*b.ProgressMessageID), Text: text})
	if err != nil && isNotModified(err) {
		return nil
	}
	return err
}

func (d *Dispatcher) sendDirect(ctx context.Context, chat int64, text string) error {
	done, err := d.waitTurn(ctx, chat)
	if err != nil {
		return err
	}
	defer done()
	_, err = d.api.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: text})
	return err
}

func isNotModified(err error) bool {
	return err != nil && strings.Contains(err.Error(), "message is not modified")
}
