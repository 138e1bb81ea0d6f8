package smsprovider

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	alierr "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/dysmsapi"

	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// aliyun is Alibaba Cloud SMS (dysmsapi 2017-05-25) through its SDK.
type aliyun struct {
	client   *dysmsapi.Client
	host     string
	scheme   string
	sign     string
	maxParam int
}

// aliyunMaxParam: Alibaba limits each template variable to 35 characters.
const aliyunMaxParam = 35

func newAliyun(c Config, host, scheme string) (*aliyun, error) {
	region := c.Region
	if region == "" {
		region = "cn-hangzhou"
	}
	// The SDK retries on its own unless told not to: the dispatcher's
	// retries are the bounded ones.
	cfg := sdk.NewConfig().WithAutoRetry(false).WithTimeout(30 * time.Second).WithScheme(strings.ToUpper(scheme))
	client, err := dysmsapi.NewClientWithOptions(region, cfg, credentials.NewAccessKeyCredential(c.KeyID, c.KeySecret))
	if err != nil {
		return nil, err
	}
	max := aliyunMaxParam
	if c.MaxParam > 0 {
		max = c.MaxParam
	}
	return &aliyun{client: client, host: host, scheme: scheme, sign: c.Sign, maxParam: max}, nil
}

func (a *aliyun) Name() string  { return Aliyun }
func (a *aliyun) MaxParam() int { return a.maxParam }

// aliyunPhone is a number as Alibaba takes it: mainland numbers without
// +86, others with their country code and no +.
func aliyunPhone(e164 string) string {
	if rest, ok := strings.CutPrefix(e164, "+86"); ok {
		return rest
	}
	return strings.TrimPrefix(e164, "+")
}

func (a *aliyun) Send(ctx context.Context, phone string, tpl sms.Template, values []sms.Value, timeout time.Duration) (string, string, error) {
	params := map[string]string{}
	for _, v := range values {
		params[string(v.Name)] = v.Value
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return "", "isv.INVALID_JSON_PARAM", err
	}
	req := dysmsapi.CreateSendSmsRequest()
	req.Scheme = a.scheme
	if a.host != "" {
		req.Domain = a.host
	}
	req.SetReadTimeout(timeout)
	req.SetConnectTimeout(min(timeout, 5*time.Second))
	req.PhoneNumbers = aliyunPhone(phone)
	req.SignName = a.sign
	req.TemplateCode = tpl.ID
	req.TemplateParam = string(raw)
	resp, err := a.client.SendSms(req)
	if err != nil {
		var se *alierr.ServerError
		if errors.As(err, &se) && se.ErrorCode() != "" {
			return "", se.ErrorCode(), errors.New(se.Message())
		}
		return "", CodeNetwork, err
	}
	if !strings.EqualFold(resp.Code, "OK") {
		return "", resp.Code, errors.New(resp.Message)
	}
	return resp.BizId, "", nil
}

// aliyunCodes sorts Alibaba's codes (SendSms's Code, and the API's errors).
var aliyunCodes = map[string]dispatch.SMSClass{
	// A number's own limits.
	"isv.BUSINESS_LIMIT_CONTROL": dispatch.SMSLater,
	"isv.DAY_LIMIT_CONTROL":      dispatch.SMSLater,
	"isv.MONTH_LIMIT_CONTROL":    dispatch.SMSLater,
	"Throttling.User":            dispatch.SMSRetry,
	"Throttling.Api":             dispatch.SMSRetry,
	"Throttling":                 dispatch.SMSRetry,
	// The number.
	"isv.MOBILE_NUMBER_ILLEGAL":         dispatch.SMSStopMember,
	"isv.BLACK_KEY_CONTROL_LIMIT":       dispatch.SMSStopMember,
	"isv.MOBILE_COUNT_OVER_LIMIT":       dispatch.SMSFail,
	"isv.PHONE_NUMBER_ILLEGAL":          dispatch.SMSStopMember,
	"isv.SMS_SIGN_MOBILE_ILLEGAL":       dispatch.SMSStopMember,
	"isv.NO_AVAILABLE_SHORT_URL":        dispatch.SMSFail,
	"isv.EXTEND_CODE_ERROR":             dispatch.SMSFail,
	"isv.DOMESTIC_NUMBER_NOT_SUPPORTED": dispatch.SMSStopMember,
	// The template or its parameters.
	"isv.SMS_TEMPLATE_ILLEGAL":        dispatch.SMSBadTemplate,
	"isv.TEMPLATE_MISSING_PARAMETERS": dispatch.SMSBadTemplate,
	"isv.INVALID_JSON_PARAM":          dispatch.SMSBadTemplate,
	"isv.PARAM_LENGTH_LIMIT":          dispatch.SMSBadTemplate,
	"isv.TEMPLATE_PARAMS_ILLEGAL":     dispatch.SMSBadTemplate,
	"isv.SMS_CONTENT_ILLEGAL":         dispatch.SMSFail,
	"isv.PARAM_NOT_SUPPORT_URL":       dispatch.SMSFail,
	"isv.INVALID_PARAMETERS":          dispatch.SMSBadTemplate,
	// The account: every SMS waits.
	"isv.AMOUNT_NOT_ENOUGH":           dispatch.SMSPause,
	"isv.OUT_OF_SERVICE":              dispatch.SMSPause,
	"isv.ACCOUNT_ABNORMAL":            dispatch.SMSPause,
	"isv.ACCOUNT_NOT_EXISTS":          dispatch.SMSPause,
	"isv.SMS_SIGNATURE_ILLEGAL":       dispatch.SMSPause,
	"isv.SMS_SIGN_ILLEGAL":            dispatch.SMSPause,
	"isv.SMS_SIGNATURE_SCENE_ILLEGAL": dispatch.SMSPause,
	"isp.RAM_PERMISSION_DENY":         dispatch.SMSPause,
	"InvalidAccessKeyId.NotFound":     dispatch.SMSPause,
	"InvalidAccessKeyId.Inactive":     dispatch.SMSPause,
	"SignatureDoesNotMatch":           dispatch.SMSPause,
	"Forbidden.RAM":                   dispatch.SMSPause,
	"SignatureNonceUsed":              dispatch.SMSRetry,
	"InvalidTimeStamp.Expired":        dispatch.SMSRetry,
	// Alibaba's own failures.
	"isp.SYSTEM_ERROR":   dispatch.SMSRetry,
	"isv.SYSTEM_ERROR":   dispatch.SMSRetry,
	"isp.GATEWAY_ERROR":  dispatch.SMSRetry,
	"ServiceUnavailable": dispatch.SMSRetry,
	"InternalError":      dispatch.SMSRetry,
}

// Classify implements Provider.
func (a *aliyun) Classify(code string) dispatch.SMSClass { return ClassifyAliyun(code) }

// ClassifyAliyun sorts one of Alibaba's codes.
func ClassifyAliyun(code string) dispatch.SMSClass {
	if c, ok := aliyunCodes[code]; ok {
		return c
	}
	switch {
	case code == CodeNetwork, strings.HasPrefix(code, "isp."), strings.HasPrefix(code, "ServiceUnavailable"), strings.HasPrefix(code, "InternalError"):
		return dispatch.SMSRetry
	case strings.HasPrefix(code, "Throttling"):
		return dispatch.SMSRetry
	case strings.HasPrefix(code, "InvalidAccessKeyId"), strings.HasPrefix(code, "Forbidden"):
		return dispatch.SMSPause
	}
	return dispatch.SMSFail
}

// Throttled implements Provider.
func (a *aliyun) Throttled(code string) bool { return strings.HasPrefix(code, "Throttling") }
