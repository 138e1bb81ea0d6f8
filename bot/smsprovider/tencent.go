package smsprovider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"

	"github.com/assocbot/assocbot/models/sms"
	"github.com/assocbot/assocbot/scheduler/dispatch"
)

// tencent is Tencent Cloud SMS, API 2021-01-11, through the SDK's common
// client (the SMS package of the SDK is a module of its own; the common
// client signs and sends any action).
type tencent struct {
	client   *common.Client
	appID    string
	sign     string
	maxParam int
}

// tencentMaxParam: Tencent's review standard (正文模板审核标准) limits a
// variable to 12 characters for an account certified as a person
// (个人认证: set ASSOCBOT_SMS_PARAM_MAX=12) and not at all for an
// organization's, within 500 characters for the whole SMS: 200 keeps a
// notice and its branch well inside that.
const tencentMaxParam = 200

func newTencent(c Config, host, scheme string) (*tencent, error) {
	region := c.Region
	if region == "" {
		region = "ap-guangzhou"
	}
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.ReqMethod = "POST"
	cpf.HttpProfile.ReqTimeout = 30
	cpf.HttpProfile.Endpoint = host // "" is sms.tencentcloudapi.com
	cpf.HttpProfile.Scheme = strings.ToUpper(scheme)
	client := common.NewCommonClient(common.NewCredential(c.KeyID, c.KeySecret), region, cpf)
	max := tencentMaxParam
	if c.MaxParam > 0 {
		max = c.MaxParam
	}
	return &tencent{client: client, appID: c.AppID, sign: c.Sign, maxParam: max}, nil
}

func (t *tencent) Name() string  { return Tencent }
func (t *tencent) MaxParam() int { return t.maxParam }

// tencentSendResponse is SendSms's answer.
type tencentSendResponse struct {
	Response struct {
		SendStatusSet []struct {
			SerialNo    string
			PhoneNumber string
			Code        string
			Message     string
		}
		RequestId string
	}
}

func (t *tencent) Send(ctx context.Context, phone string, tpl sms.Template, values []sms.Value, timeout time.Duration) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	params := make([]string, len(values))
	for i, v := range values {
		params[i] = v.Value
	}
	req := tchttp.NewCommonRequest("sms", "2021-01-11", "SendSms")
	req.SetContext(ctx)
	if err := req.SetActionParameters(map[string]any{
		"PhoneNumberSet":   []string{phone},
		"SmsSdkAppId":      t.appID,
		"SignName":         t.sign,
		"TemplateId":       tpl.ID,
		"TemplateParamSet": params,
	}); err != nil {
		return "", "InvalidParameter", err
	}
	resp := tchttp.NewCommonResponse()
	if err := t.client.Send(req, resp); err != nil {
		var sdkErr *tcerr.TencentCloudSDKError
		if errors.As(err, &sdkErr) && sdkErr.Code != "" && !strings.HasPrefix(sdkErr.Code, "ClientError.") {
			return "", sdkErr.Code, errors.New(sdkErr.Message)
		}
		return "", CodeNetwork, err
	}
	var out tencentSendResponse
	if err := json.Unmarshal(resp.GetBody(), &out); err != nil || len(out.Response.SendStatusSet) != 1 {
		return "", CodeNetwork, fmt.Errorf("tencent: an answer without one send status (%v)", err)
	}
	st := out.Response.SendStatusSet[0]
	if !strings.EqualFold(st.Code, "Ok") {
		return "", st.Code, errors.New(st.Message)
	}
	return st.SerialNo, "", nil
}

// tencentCodes sorts Tencent's error codes (SendSms, API 2021-01-11, and
// the common errors). A code not listed is sorted by its prefix.
var tencentCodes = map[string]dispatch.SMSClass{
	// A number's own limits: later, and our one-a-day rule should keep
	// clear of them.
	"LimitExceeded.PhoneNumberThirtySecondLimit":     dispatch.SMSLater,
	"LimitExceeded.PhoneNumberOneHourLimit":          dispatch.SMSLater,
	"LimitExceeded.PhoneNumberDailyLimit":            dispatch.SMSLater,
	"LimitExceeded.PhoneNumberSameContentDailyLimit": dispatch.SMSLater,
	"LimitExceeded.DeliveryFrequencyLimit":           dispatch.SMSLater,
	"LimitExceeded.AppDailyLimit":                    dispatch.SMSLater,
	"LimitExceeded.DailyLimit":                       dispatch.SMSLater,
	"RequestLimitExceeded":                           dispatch.SMSRetry,
	// The number: stop SMS to the member.
	"InvalidParameterValue.IncorrectPhoneNumber": dispatch.SMSStopMember,
	"FailedOperation.PhoneNumberInBlacklist":     dispatch.SMSStopMember,
	"FailedOperation.PhoneNumberOnBlacklist":     dispatch.SMSStopMember,
	"UnsupportedOperation.UnsupportedRegion":     dispatch.SMSStopMember,
	"FailedOperation.PhoneNumberParseFail":       dispatch.SMSStopMember,
	// The template or its parameters.
	"FailedOperation.TemplateIncorrectOrUnapproved":                   dispatch.SMSBadTemplate,
	"FailedOperation.TemplateParamSetNotMatchApprovedTemplate":        dispatch.SMSBadTemplate,
	"FailedOperation.TemplateUnapprovedOrNotExist":                    dispatch.SMSBadTemplate,
	"InvalidParameterValue.TemplateParameterFormatError":              dispatch.SMSBadTemplate,
	"InvalidParameterValue.TemplateParameterLengthLimit":              dispatch.SMSBadTemplate,
	"InvalidParameterValue.MissingSignatureToModify":                  dispatch.SMSBadTemplate,
	"UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": dispatch.SMSFail,
	// The account: every SMS waits.
	"FailedOperation.InsufficientBalanceInSmsPackage":                dispatch.SMSPause,
	"FailedOperation.SignatureIncorrectOrUnapproved":                 dispatch.SMSPause,
	"UnauthorizedOperation.SmsSdkAppIdVerifyFail":                    dispatch.SMSPause,
	"UnauthorizedOperation.ServiceSuspendDueToArrears":               dispatch.SMSPause,
	"UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": dispatch.SMSPause,
	"UnauthorizedOperation.RequestPermissionDeny":                    dispatch.SMSPause,
	"AuthFailure.SecretIdNotFound":                                   dispatch.SMSPause,
	"AuthFailure.SignatureFailure":                                   dispatch.SMSPause,
	"AuthFailure.SignatureExpire":                                    dispatch.SMSRetry, // our clock: the next try signs anew
	"AuthFailure.UnauthorizedOperation":                              dispatch.SMSPause,
	// The words.
	"FailedOperation.ContainSensitiveWord":                      dispatch.SMSFail,
	"InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": dispatch.SMSFail,
	"InvalidParameterValue.ContentLengthLimit":                  dispatch.SMSFail,
}

// Classify implements Provider.
func (t *tencent) Classify(code string) dispatch.SMSClass { return ClassifyTencent(code) }

// ClassifyTencent sorts one of Tencent's codes.
func ClassifyTencent(code string) dispatch.SMSClass {
	if c, ok := tencentCodes[code]; ok {
		return c
	}
	switch {
	case code == CodeNetwork, strings.HasPrefix(code, "InternalError"), strings.HasPrefix(code, "ResourceUnavailable"):
		return dispatch.SMSRetry
	case strings.HasPrefix(code, "LimitExceeded"), strings.HasPrefix(code, "RequestLimitExceeded"):
		return dispatch.SMSLater
	case strings.HasPrefix(code, "AuthFailure"), strings.HasPrefix(code, "UnauthorizedOperation"):
		return dispatch.SMSPause
	}
	return dispatch.SMSFail
}

// Throttled implements Provider: the API's own request rate.
func (t *tencent) Throttled(code string) bool { return strings.HasPrefix(code, "RequestLimitExceeded") }
