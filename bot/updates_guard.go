package bot

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strconv"

	tgm "github.com/go-telegram/bot/models"

	"github.com/assocbot/assocbot/models/budget"
)

// updatesGuard stands between the Bot API library and the answers to
// getUpdates. The library decodes a batch as a whole: one update it cannot
// read (a field of a type its models do not expect) fails the batch, and it
// asks for the same batch again, forever, so one odd update would silence
// the bot for everyone. The guard replaces such an update with its bare
// update_id (handled as nothing, so polling moves past it) and logs the id
// and the decoder's complaint, never the content.
type updatesGuard struct {
	base budget.Doer
	// passOver logs and counts an update that could not be decoded and
	// returns its update_id (false: not even that could be read).
	passOver func(raw []byte, err error) (int64, bool)
}

func (g *updatesGuard) Do(req *http.Request) (*http.Response, error) {
	resp, err := g.base.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK || path.Base(req.URL.Path) != "getUpdates" {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = g.mend(body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// getUpdatesAnswer is the part of a getUpdates answer the guard reads.
type getUpdatesAnswer struct {
	OK     bool              `json:"ok"`
	Result []json.RawMessage `json:"result"`
}

// mend returns body with every update the library could not decode
// replaced by its bare update_id; a body it cannot read is left as it is
// (the library reports it).
func (g *updatesGuard) mend(body []byte) []byte {
	var a getUpdatesAnswer
	if json.Unmarshal(body, &a) != nil || !a.OK {
		return body
	}
	mended := false
	for i, raw := range a.Result {
		var upd tgm.Update
		err := json.Unmarshal(raw, &upd)
		if err == nil {
			continue
		}
		id, ok := g.passOver(raw, err)
		if !ok {
			continue
		}
		a.Result[i] = json.RawMessage(`{"update_id":` + strconv.FormatInt(id, 10) + `}`)
		mended = true
	}
	if !mended {
		return body
	}
	out, err := json.Marshal(a)
	if err != nil {
		return body
	}
	return out
}

// passOver logs and counts an update from Telegram that the library's
// models cannot decode (err), and returns its update_id; false when even
// that cannot be read (not an update). The decoder's message names the
// field and the types, not the value: no member's words reach the log.
func (b *Bot) passOver(raw []byte, err error) (int64, bool) {
	var id struct {
		ID *int64 `json:"update_id"` // 0 is an id like any other
	}
	if json.Unmarshal(raw, &id) != nil || id.ID == nil {
		return 0, false
	}
	b.log.Warn("update passed over: the Bot API library cannot read it", "update_id", *id.ID, "err", err.Error())
	b.metrics.Updates.WithLabelValues("unreadable").Inc()
	return *id.ID, true
}
