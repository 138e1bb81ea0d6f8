package bot

import "context"

// onHelp tells each kind of user what they can do.
func (b *Bot) onHelp(ctx context.Context, r *request) {
	key := "help.stranger"
	switch {
	case r.member.IsOrganizer():
		key = "help.organizer"
	case r.member != nil:
		key = "help.member"
	}
	b.send(ctx, r.chatID, b.t(r, key), b.keyboardFor(r))
}
