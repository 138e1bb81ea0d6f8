package fakeapi

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Command is one entry of the bot's command menu.
type Command struct{ Command, Description string }

// CommandSet is the command menu set for one scope and language.
type CommandSet struct {
	// Scope is "default", "all_private_chats", "all_group_chats",
	// "all_chat_administrators", "chat:<chat_id>",
	// "chat_administrators:<chat_id>" or "chat_member:<chat_id>:<user_id>".
	Scope        string
	LanguageCode string // "" for all languages
	Commands     []Command
}

// Commands returns the menus setMyCommands set (and deleteMyCommands did not
// delete), in the order first set.
func (s *Server) Commands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CommandSet, len(s.commands))
	for i, cs := range s.commands {
		out[i] = CommandSet{Scope: cs.Scope, LanguageCode: cs.LanguageCode, Commands: slices.Clone(cs.Commands)}
	}
	return out
}

// commandScope reads the scope and language_code parameters.
func (s *Server) commandScope(p map[string]string) (scope, lang string, err *apiError) {
	lang = p["language_code"]
	if lang != "" && (len(lang) != 2 || !isLower(lang[0]) || !isLower(lang[1])) {
		return "", "", badRequest("invalid language code specified")
	}
	if p["scope"] == "" {
		return "default", lang, nil
	}
	var sc struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if json.Unmarshal([]byte(p["scope"]), &sc) != nil {
		return "", "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
		return sc.Type, lang, nil
	case "chat", "chat_administrators", "chat_member":
		var chatID string
		if json.Unmarshal(sc.ChatID, &chatID) != nil {
			chatID = string(sc.ChatID)
		}
		id, err := s.parseChatID(map[string]string{"chat_id": chatID}, "chat_id")
		if err != nil {
			return "", "", err
		}
		s.mu.Lock()
		_, known := s.chats[id]
		s.mu.Unlock()
		if !known {
			return "", "", badRequest("chat not found")
		}
		scope = sc.Type + ":" + strconv.FormatInt(id, 10)
		if sc.Type == "chat_member" {
			if sc.UserID == 0 {
				return "", "", badRequest("user not found")
			}
			scope += ":" + strconv.FormatInt(sc.UserID, 10)
		}
		return scope, lang, nil
	}
	return "", "", badRequest("unsupported bot command scope type specified")
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// validCommand: 1–32 characters, lowercase English letters, digits and
// underscores.
func validCommand(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !isLower(c[i]) && !('0' <= c[i] && c[i] <= '9') && c[i] != '_' {
			return false
		}
	}
	return true
}

func (s *Server) setMyCommands(c *call) (any, *apiError) {
	var cmds []struct {
		Command     *string `json:"command"`
		Description *string `json:"description"`
	}
	if json.Unmarshal([]byte(c.params["commands"]), &cmds) != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	var list []Command
	for _, cmd := range cmds {
		if cmd.Command == nil || cmd.Description == nil {
			return nil, badRequest(`can't parse BotCommand: Field "command" and "description" must be of type String`)
		}
		if !validCommand(*cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(*cmd.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		list = append(list, Command{Command: *cmd.Command, Description: *cmd.Description})
	}
	scope, lang, err := s.commandScope(c.params)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setCommandsLocked(scope, lang, list)
	return true, nil
}

// setCommandsLocked replaces a menu; an empty list deletes it, as with
// Telegram.
func (s *Server) setCommandsLocked(scope, lang string, list []Command) {
	defer s.notifyLocked()
	for i, cs := range s.commands {
		if cs.Scope == scope && cs.LanguageCode == lang {
			if len(list) == 0 {
				s.commands = slices.Delete(s.commands, i, i+1)
			} else {
				cs.Commands = list
			}
			return
		}
	}
	if len(list) > 0 {
		s.commands = append(s.commands, &CommandSet{Scope: scope, LanguageCode: lang, Commands: list})
	}
}

func (s *Server) deleteMyCommands(c *call) (any, *apiError) {
	scope, lang, err := s.commandScope(c.params)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setCommandsLocked(scope, lang, nil)
	return true, nil
}

type wireCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

func (s *Server) getMyCommands(c *call) (any, *apiError) {
	scope, lang, err := s.commandScope(c.params)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []wireCommand{}
	for _, cs := range s.commands {
		if cs.Scope == scope && cs.LanguageCode == lang {
			for _, cmd := range cs.Commands {
				out = append(out, wireCommand{cmd.Command, cmd.Description})
			}
		}
	}
	return out, nil
}
