package fakeapi

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // photo formats Telegram accepts
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// File is a document or photo, sent by the bot or by a user. Data is shared,
// not copied: don't modify it.
type File struct {
	FileID, Name string
	Data         []byte
}

type storedFile struct {
	File
	uniqueID      string
	kind          string // "document" or "photo"
	path          string // file_path, for getFile and the download URL
	mimeType      string
	width, height int // photos
}

// fileStore keeps every file, by file_id and by file_path.
type fileStore struct {
	byID   map[string]*storedFile
	byPath map[string]*storedFile
	n      int
}

func (fs *fileStore) init() {
	fs.byID, fs.byPath = map[string]*storedFile{}, map[string]*storedFile{}
}

// add stores a file; s.mu must be held.
func (fs *fileStore) add(kind, name string, data []byte) *storedFile {
	fs.n++
	f := &storedFile{kind: kind, uniqueID: fmt.Sprintf("AgADfake%d", fs.n)}
	f.Name, f.Data = name, data
	if kind == "photo" {
		f.width, f.height = 1280, 720 // when the data is no image the fake can read
		ext := ".jpg"
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(data)); err == nil {
			f.width, f.height, ext = cfg.Width, cfg.Height, "."+format
		}
		f.FileID = fmt.Sprintf("AgACAgIAAxkBAAfake%d", fs.n)
		f.path = fmt.Sprintf("photos/file_%d%s", fs.n, strings.Replace(ext, "jpeg", "jpg", 1))
	} else {
		f.FileID = fmt.Sprintf("BQACAgIAAxkBAAfake%d", fs.n)
		f.path = fmt.Sprintf("documents/file_%d%s", fs.n, path.Ext(name))
		f.mimeType = mime.TypeByExtension(path.Ext(name))
		if i := strings.IndexByte(f.mimeType, ';'); i >= 0 {
			f.mimeType = f.mimeType[:i]
		}
	}
	fs.byID[f.FileID] = f
	fs.byPath[f.path] = f
	return f
}

type wireDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size"`
}

type wirePhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size"`
}

func (f *storedFile) wireDocument() *wireDocument {
	return &wireDocument{FileID: f.FileID, FileUniqueID: f.uniqueID, FileName: f.Name, MimeType: f.mimeType, FileSize: len(f.Data)}
}

// wirePhoto is the photo's sizes: here only the original.
func (f *storedFile) wirePhoto() []wirePhotoSize {
	return []wirePhotoSize{{FileID: f.FileID, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: len(f.Data)}}
}

func (s *Server) sendDocument(c *call) (any, *apiError) { return s.sendFile(c, "document") }
func (s *Server) sendPhoto(c *call) (any, *apiError)    { return s.sendFile(c, "photo") }

// sendFile sends a document or photo: an upload (a multipart file, or
// "attach://<part>") or the file_id of a file Telegram already has.
func (s *Server) sendFile(c *call, kind string) (any, *apiError) {
	caption, ents, err := parseText(c.params["caption"], c.params["parse_mode"], c.params["caption_entities"])
	if err != nil {
		return nil, err
	}
	if utf16Len(caption) > 1024 {
		return nil, badRequest("message caption is too long")
	}
	mk, err := s.parseMarkup(c)
	if err != nil {
		return nil, err
	}
	chatID, err := s.parseChatID(c.params, "chat_id")
	if err != nil {
		return nil, err
	}
	up, uploaded := c.files[kind]
	ref := c.params[kind]
	if name, ok := strings.CutPrefix(ref, "attach://"); ok {
		up, uploaded = c.files[name]
		if !uploaded {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
	}
	if uploaded {
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		if kind == "photo" {
			if _, _, err := image.DecodeConfig(bytes.NewReader(up.data)); err != nil {
				return nil, badRequest("IMAGE_PROCESS_FAILED")
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var f *storedFile
	switch {
	case uploaded:
		f = s.files.add(kind, up.name, up.data)
	case ref == "":
		return nil, badRequest("there is no %s in the request", kind)
	case strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://"):
		return nil, badRequest("failed to get HTTP URL content")
	default:
		var ok bool
		if f, ok = s.files.byID[ref]; !ok {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		if f.kind != kind {
			return nil, badRequest("type of file mismatch")
		}
	}
	m := &botMessage{text: caption, entities: ents}
	if kind == "photo" {
		m.photo = f
	} else {
		m.document = f
	}
	m.applyMarkup(mk)
	return s.deliverLocked(chatID, m)
}

// getFile answers a File whose file_path downloads at
// {URL}/file/bot{token}/{file_path}.
func (s *Server) getFile(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files.byID[c.params["file_id"]]
	if !ok {
		return nil, badRequest("invalid file_id")
	}
	return struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileSize     int    `json:"file_size"`
		FilePath     string `json:"file_path"`
	}{f.FileID, f.uniqueID, len(f.Data), f.path}, nil
}

// serveFile serves a download: GET {URL}/file/bot{token}/{file_path}. It is
// recorded as a Request with Method "file"; FailNext("file", …) applies.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	c := &call{ctx: r.Context(), method: "file", params: map[string]string{"file_path": filePath}}
	if !s.tokenOK(token) {
		c.params = nil
		idx := s.record(c)
		s.finish(idx, writeError(w, errUnauthorized))
		return
	}
	idx := s.record(c)
	if fail, ok := s.takeFailure("file"); ok {
		if !s.sleep(r.Context(), fail.Delay) {
			s.finish(idx, 0)
			return
		}
		if fail.fails() {
			s.finish(idx, s.writeFailure(w, fail))
			return
		}
	}
	s.mu.Lock()
	f, ok := s.files.byPath[filePath]
	s.mu.Unlock()
	if !ok {
		s.finish(idx, writeError(w, errNotFound))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(f.Data)
	}
	s.finish(idx, http.StatusOK)
}

// AddFile stores a document as if a user had sent it earlier and returns
// its file_id (for updates built by hand, as fuzz tests do).
func (s *Server) AddFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files.add("document", name, data).FileID
}
