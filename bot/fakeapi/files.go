package fakeapi

import (
	"net/http"
	"strings"
)

// serveFile serves GET /file/bot<token>/<file_path>, as Telegram does for
// files fetched after getFile.
func (s *Server) serveFile(w http.ResponseWriter, path string) {
	rest := strings.TrimPrefix(path, "file/bot")
	i := strings.Index(rest, "/")
	if i < 0 || rest[:i] != s.token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	id := rest[strings.LastIndex(rest, "/")+1:]
	s.mu.Lock()
	f := s.files[id]
	s.mu.Unlock()
	if f == nil {
		http.NotFound(w, nil)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(f.Data)
}
