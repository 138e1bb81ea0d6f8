package dispatch

import (
	"context"
	"time"

	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/outbox"
)

// progressLoop keeps each organizer's progress message up to date (edited
// no more often than ProgressEvery) and finishes broadcasts whose every
// message is done; finishing enqueues the report (store.FinishBroadcast).
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
	bs, err := d.st.SendingBroadcasts(ctx, d.cfg.Now())
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("broadcast progress", "err", err)
		}
		return
	}
	for i := range bs {
		if err := d.progressOf(ctx, &bs[i]); err != nil && ctx.Err() == nil {
			d.log.Error("broadcast progress", "broadcast_id", bs[i].ID, "err", err)
		}
	}
}

func (d *Dispatcher) progressOf(ctx context.Context, b *models.Broadcast) error {
	p, err := d.st.BroadcastProgressOf(ctx, b)
	if err != nil {
		return err
	}
	sent := p.Tally.Status(outbox.Sent)
	if p.MessageID != 0 && sent != b.LastProgress {
		if err := d.showProgress(ctx, b, p.ChatID, p.MessageID, sent); err != nil {
			d.log.Warn("broadcast progress message", "broadcast_id", b.ID, "err", errText(err))
		} else if err := d.st.SetBroadcastProgress(ctx, b.ID, sent); err != nil {
			return err
		}
	}
	if p.Tally.Final() < b.Total {
		return nil
	}
	finished, err := d.st.FinishBroadcast(ctx, b.ID, d.cfg.Now())
	if err != nil || !finished {
		return err
	}
	d.Wake() // the report is in the outbox
	d.log.Info("broadcast finished", "broadcast_id", b.ID, "total", b.Total, "delivered", sent, "blocked", p.Tally.Blocked())
	return nil
}

// showProgress edits the progress message to sent / total, in the
// organizer's language now.
func (d *Dispatcher) showProgress(ctx context.Context, b *models.Broadcast, chat, messageID int64, sent int) error {
	lang := d.cfg.DefaultLang
	if b.OrganizerID != nil {
		if m, err := d.st.MemberByID(ctx, *b.OrganizerID); err == nil {
			lang = d.langOf(m, "")
		}
	}
	text := d.cat.T(lang, "broadcast.progress", "Sent", sent, "Total", b.Total)
	res := d.channel.Send(ctx, Message{Row: &outbox.Row{ChatID: chat, EditMessageID: messageID}, Text: text, Lang: lang, Timeout: d.cfg.SendTimeout})
	if res.Verdict == outbox.Delivered || res.Verdict == outbox.Unchanged {
		return nil
	}
	return res.Err
}
