package reports

import (
	"bytes"
	"fmt"
	"time"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models"
	"github.com/assocbot/assocbot/models/roster"
	"github.com/assocbot/assocbot/models/store"
)

// ExportFile is the export what (store.ExportRowsFor's rows) as a file,
// for the chat's /export and the console's download alike: the table in
// the reader's words (Table), written in format, and its name — what,
// the event's number or the quarter, the day (in loc), the format's
// extension: "records-2026Q4-2026-12-04.xlsx".
func ExportFile(cat *locales.Catalog, l locales.Lang, loc *time.Location, what string, rows store.ExportRows,
	format roster.Format, q models.Quarter, eventID uint, now time.Time) (name string, data []byte, t roster.Table, err error) {
	t = Table(cat, l, loc, what, rows)
	var buf bytes.Buffer
	if err := roster.Write(&buf, format, t); err != nil {
		return "", nil, t, err
	}
	name = what
	switch what {
	case store.ExportEvent:
		name = fmt.Sprintf("event-%d", eventID)
	case store.ExportRecords, store.ExportVisits:
		name = what + "-" + q.String()
	}
	name += "-" + now.In(loc).Format("2006-01-02") + "." + string(format)
	return name, buf.Bytes(), t, nil
}
