package fakeapi

import (
	"encoding/json"
	"strconv"
	"strings"
)

// setChatMenuButton records a chat's menu button, as the Bot API checks
// it: a type of commands, default or web_app; a web_app one with a text
// and an https URL (Telegram opens Mini Apps over HTTPS only).
func (s *Server) setChatMenuButton(c *call) (any, *apiError) {
	var chat int64
	if raw := c.params["chat_id"]; raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, badRequest("chat not found")
		}
		chat = id
	}
	var mb struct {
		Type   string `json:"type"`
		Text   string `json:"text"`
		WebApp *struct {
			URL string `json:"url"`
		} `json:"web_app"`
	}
	if raw := c.params["menu_button"]; raw != "" {
		if json.Unmarshal([]byte(raw), &mb) != nil {
			return nil, badRequest("can't parse menu button JSON object")
		}
	} else {
		mb.Type = "default"
	}
	url := ""
	switch mb.Type {
	case "commands", "default":
	case "web_app":
		if strings.TrimSpace(mb.Text) == "" || mb.WebApp == nil || !strings.HasPrefix(mb.WebApp.URL, "https://") {
			return nil, badRequest("BUTTON_URL_INVALID")
		}
		url = mb.WebApp.URL
	default:
		return nil, badRequest("unsupported menu button type")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.menuButtons == nil {
		s.menuButtons = map[int64]string{}
	}
	s.menuButtons[chat] = url
	return true, nil
}

// MenuButton is the web_app URL of a chat's menu button ("" when it has
// none, or the default).
func (s *Server) MenuButton(chat int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.menuButtons[chat]
}
