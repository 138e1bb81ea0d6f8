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
