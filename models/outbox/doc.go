// Package outbox is the outbox's own vocabulary and rules: a Row (one
// message to one reader, as stored), its Status and Reason, the Kind of
// message it is (what ignores quiet hours, what a mute stops), QuietHours,
// the one rule of whom a kind reaches (Kind.Reachable for the store's
// queries, Reaches for one member), the one decision of what becomes of a
// row when its time comes (Rules.Decide: send, hold, skip, stale), and the
// Outcome a channel reports for a send. It is pure: the store keeps the
// rows, the dispatcher acts on the decisions.
//
//	producer → planner → outbox → dispatch → channel (bot/telegram) → Bot API
package outbox
