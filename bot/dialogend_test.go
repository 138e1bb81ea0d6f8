package bot_test

import (
	"strings"
	"testing"

	"github.com/assocbot/assocbot/locales"
	"github.com/assocbot/assocbot/models/store/storetest"
)

// TestADialogThatCannotEndSaysSo: when the database cannot end a dialog,
// the member is told of the fault, not that it ended — the dialog would
// take their next words as its answer. Here: ✖ Do not import under a
// checked member list.
func TestADialogThatCannotEndSaysSo(t *testing.T) {
	d := newDesk(t)
	h := d.h
	n := len(h.API.Messages(d.orgA.ID))
	h.API.SendDocument(d.orgA, "members.csv", []byte("name,phone,branch\n张三,13700000001,Town/North\n"), "")
	checked := h.Nth(d.orgA.ID, n+1)
	if err := storetest.Exec(ctx, h.DSN, `CREATE TRIGGER keep_dialogs BEFORE DELETE ON dialogs BEGIN SELECT RAISE(ABORT, 'injected'); END`); err != nil {
		t.Fatal(err)
	}
	h.Press(d.orgA, checked, h.T(locales.En, "import.button.cancel"))
	if got := h.Nth(d.orgA.ID, n+2).Text; got != h.T(locales.En, "error.internal") {
		t.Fatalf("cancel with a dialog that cannot end: %q", got)
	}
	if !strings.Contains(h.Logs.String(), "end dialog") {
		t.Fatalf("the fault was not logged:\n%s", h.Logs.String())
	}
	if left, _ := storetest.Count(ctx, h.DSN, "dialogs"); left != 1 {
		t.Fatalf("%d dialogs", left)
	}
}
