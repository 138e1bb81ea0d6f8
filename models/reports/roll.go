package reports

import (
	"fmt"
	"strings"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/store"
)

// RollText is an occurrence's answers as its organizers read them, in the
// chat (/attendees, 👥 on the event's card) and in the console alike: how
// many are going (with guests, of the places), may come, cannot, wait,
// and their names.
func RollText(cat *locales.Catalog, lang locales.Lang, loc *time.Location, now time.Time, e *models.Event, occ time.Time, list []store.Attendee) string {
	names := map[string][]string{}
	guests := 0
	for _, a := range list {
		key := string(a.Answer)
		name := a.Name
		if a.Waitlisted {
			key = "waitlist"
		}
		if a.Guests > 0 && !a.Waitlisted {
			guests += a.Guests
			name = fmt.Sprintf("%s +%d", name, a.Guests)
		}
		names[key] = append(names[key], name)
	}
	join := func(k string) string {
		if len(names[k]) == 0 {
			return "—"
		}
		return strings.Join(names[k], cat.T(lang, "list.separator"))
	}
	return cat.T(lang, "attendees.report", "Title", e.Title, "When", cat.DateTime(lang, occ, loc, now),
		"Yes", len(names["yes"]), "Guests", guests, "Maybe", len(names["maybe"]), "No", len(names["no"]), "Waiting", len(names["waitlist"]),
		"YesNames", join("yes"), "MaybeNames", join("maybe"), "NoNames", join("no"), "WaitNames", join("waitlist"),
		"Capacity", e.Capacity)
}
