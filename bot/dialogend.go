package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/assocbot/assocbot/models"
)

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

// typedDialogTTL is how long a dialog that waits for typed words after a
// tap (a survey comment, a visit's note) waits: later, what the member
// types is taken as what it says, not as the words asked for long ago.
const typedDialogTTL = 30 * time.Minute

// typedDialog is the requester's fresh dialog of kind (freshDialog) with
// its data read into T; false when there is none. A dialog whose data does
// not read is ended.
func typedDialog[T any](ctx context.Context, b *Bot, r *request, kind string) (T, bool) {
	var data T
	d := b.freshDialog(ctx, r, kind)
	if d == nil {
		return data, false
	}
	if json.Unmarshal([]byte(d.Data), &data) != nil {
		b.dropDialog(ctx, r)
		return data, false
	}
	return data, true
}

// freshDialog is the requester's dialog of kind when it waits for words
// and is not older than typedDialogTTL (an older one is ended); nil
// otherwise.
func (b *Bot) freshDialog(ctx context.Context, r *request, kind string) *models.Dialog {
	if r.member == nil {
		return nil
	}
	d, err := b.st.Dialog(ctx, r.from.ID)
	if err != nil || d.Kind != kind {
		return nil
	}
	if b.cfg.Now().Sub(d.UpdatedAt) > typedDialogTTL {
		b.dropDialog(ctx, r)
		return nil
	}
	return d
}
