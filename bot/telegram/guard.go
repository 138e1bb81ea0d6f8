package telegram

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"strconv"

	tgm "github.com/go-telegram/bot/models"
)

// UpdatesGuard stands between the Bot API library and the answers to
// getUpdates. The library decodes a batch as a whole: one update it cannot
// read (a field of a type its models do not expect) fails the batch, and it
// asks for the same batch again, forever, so one odd update would silence
// the bot for everyone. The guard replaces such an update with its bare
// update_id (handled as nothing, so polling moves past it) and logs the id
// and the decoder's complaint, never the content.
type UpdatesGuard struct {
	Base Doer
	// PassOver logs and counts an update that could not be decoded and
	// returns its update_id (false: not even that could be read).
	PassOver func(raw []byte, err error) (int64, bool)
}

func (g *UpdatesGuard) Do(req *http.Request) (*http.Response, error) {
	resp, err := g.Base.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK || path.Base(req.URL.Path) != "getUpdates" {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	body = g.Mend(body)
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

// Mend returns body with every update the library could not decode
// replaced by its bare update_id; a body it cannot read is left as it is
// (the library reports it).
func (g *UpdatesGuard) Mend(body []byte) []byte {
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
		id, ok := g.PassOver(raw, err)
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
