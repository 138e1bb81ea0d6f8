// Package telegram is the Telegram edge: every Bot API call the bot makes
// passes through here. Client is the HTTP client under the Bot API library:
// a message takes its turn from the one send budget (models/budget) and a
// 429 is waited out here and nowhere else. Classify sorts every answer
// into an outbox.Outcome. The markup types, keyboards and text limits are
// Telegram's, written out here. UpdatesGuard keeps one unreadable update
// from stalling polling. Channel is the dispatcher's channel for Telegram
// (scheduler/dispatch.Channel), wired in by main.
//
//	producer → planner → outbox → dispatch → channel (here) → Bot API
package telegram
