// Package smsprovider is the SMS edge (SPEC C12): Tencent Cloud SMS and
// Alibaba Cloud SMS through their own Go SDKs, one classifier of each
// provider's answers, the dispatcher's SMS channel, and the providers'
// callbacks (delivery reports and members' replies) on the bot's listener.
//
//	dispatch → Channel → Provider (tencent | aliyun SDK) → the provider's API
//	the provider → Callbacks (/sms/<provider>/status, /reply) → store
package smsprovider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// Config is how assocbot reaches its SMS provider (ASSOCBOT_SMS_*).
type Config struct {
	Provider  string // "tencent" or "aliyun"
	Endpoint  string // host override (a local gateway, a test server); http:// only on loopback
	KeyID     string
	KeySecret string
	AppID     string // Tencent's SdkAppId
	Sign      string // the approved sign name (签名)
	Region    string // default ap-guangzhou (Tencent), cn-hangzhou (Alibaba)
	// CallbackKey authenticates the providers' callbacks: it is in the
	// callback URLs configured in the provider's console.
	CallbackKey string
	// MaxParam overrides the provider's per-parameter limit (0: its own).
	MaxParam int
}

// The providers.
const (
	Tencent = "tencent"
	Aliyun  = "aliyun"
)

// Providers lists the provider names.
func Providers() []string { return []string{Tencent, Aliyun} }

// Validate names the first variable that is wrong. Secrets are never in
// the message.
func (c Config) Validate() error {
	switch c.Provider {
	case Tencent, Aliyun:
	default:
		return fmt.Errorf("ASSOCBOT_SMS_PROVIDER: %q is not a provider (tencent or aliyun)", c.Provider)
	}
	if _, _, err := c.endpoint(); err != nil {
		return err
	}
	need := []struct{ name, v string }{{"ASSOCBOT_SMS_KEY_ID", c.KeyID}, {"ASSOCBOT_SMS_KEY_SECRET", c.KeySecret}, {"ASSOCBOT_SMS_SIGN", c.Sign}}
	if c.Provider == Tencent {
		need = append(need, struct{ name, v string }{"ASSOCBOT_SMS_APP_ID", c.AppID})
	}
	for _, n := range need {
		if strings.TrimSpace(n.v) == "" {
			return fmt.Errorf("%s is needed for SMS by %s", n.name, c.Provider)
		}
	}
	if c.Provider == Tencent && strings.Trim(c.AppID, "0123456789") != "" {
		return fmt.Errorf("ASSOCBOT_SMS_APP_ID: Tencent's SdkAppId is a number (like 1400000000)")
	}
	if len(c.CallbackKey) < 16 || strings.ContainsAny(c.CallbackKey, "/?#&= ") {
		return errors.New("ASSOCBOT_SMS_CALLBACK_KEY: at least 16 characters, letters and digits (it authenticates the providers' callbacks)")
	}
	if c.MaxParam < 0 {
		return errors.New("ASSOCBOT_SMS_PARAM_MAX: a number of characters")
	}
	return nil
}

// endpoint is the API host and scheme ("" host: the provider's own).
func (c Config) endpoint() (host, scheme string, err error) {
	e := strings.TrimSpace(c.Endpoint)
	if e == "" {
		return "", "https", nil
	}
	if !strings.Contains(e, "://") {
		e = "https://" + e
	}
	u, err := url.Parse(e)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("ASSOCBOT_SMS_ENDPOINT: %q is not a host (like sms.tencentcloudapi.com or http://127.0.0.1:9000)", c.Endpoint)
	}
	switch u.Scheme {
	case "https":
	case "http":
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return "", "", fmt.Errorf("ASSOCBOT_SMS_ENDPOINT: http:// only to this machine (127.0.0.1, localhost); use https:// for %s", u.Hostname())
		}
	default:
		return "", "", fmt.Errorf("ASSOCBOT_SMS_ENDPOINT: %q: http:// or https://", c.Endpoint)
	}
	return u.Host, u.Scheme, nil
}

// Provider sends one template to one phone.
type Provider interface {
	Name() string
	// MaxParam is the provider's limit on one parameter's characters.
	MaxParam() int
	// Send sends; code is the provider's answer ("" when accepted, else
	// its error code, or "network" when no answer came), id its message
	// id. It returns within timeout.
	Send(ctx context.Context, phone string, tpl sms.Template, values []sms.Value, timeout time.Duration) (id, code string, err error)
	// Classify sorts a code (never "").
	Classify(code string) dispatch.SMSClass
	// Throttled reports whether a code asks the caller to slow down (the
	// API's own rate, not a number's): the channel waits and sends again.
	Throttled(code string) bool
}

// New makes the configured provider's client.
func New(c Config) (Provider, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	host, scheme, _ := c.endpoint()
	switch c.Provider {
	case Tencent:
		return newTencent(c, host, scheme)
	default:
		return newAliyun(c, host, scheme)
	}
}

// CodeNetwork is the code of a send that got no answer.
const CodeNetwork = "network"
