package bot

import "context"

// endDialog ends the requester's dialog. A failure is logged and answered
// with the system-fault text: the dialog would otherwise take the member's
// next words as its answer, with nothing said.
func (b *Bot) endDialog(ctx context.Context, r *request) bool {
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.fail(ctx, r.chatID, r.lang, "end dialog", err)
		return false
	}
	return true
}

// dropDialog ends the requester's dialog after what it was for is done
// and answered: a failure is logged (the member was told the outcome; the
// dialog's next step finds its work done and refuses as stale).
func (b *Bot) dropDialog(ctx context.Context, r *request) {
	if err := b.st.ClearDialog(ctx, r.from.ID); err != nil {
		b.log.Error("end dialog after its work", "chat_id", r.chatID, "err", err)
	}
}
