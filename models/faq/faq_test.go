package faq_test

import (
	"slices"
	"testing"

	"github.com/assocbot/assocbot/models/faq"
)

var entries = []faq.Entry{
	{ID: 1, Question: "孕前优生健康检查在哪里做？", Keywords: []string{"孕前检查"}},
	{ID: 2, Question: "会员活动日是哪天？"},
	{ID: 3, Question: "Where is the pre-pregnancy check-up done?", Keywords: []string{"pre-pregnancy"}},
	{ID: 4, Question: "How do I join the association?", Keywords: []string{"membership"}},
	{ID: 5, Question: "孕前檢查在哪裡做？", Keywords: []string{"孕前檢查"}},
	{ID: 6, Question: "新生儿疫苗接种在哪里？", Keywords: []string{"疫苗"}},
	{ID: 7, Question: "儿童疫苗接种时间表？"},
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		text string
		max  int
		want []uint
	}{
		{"请问孕前检查在哪里做？", 3, []uint{1, 5}}, // 5, Traditional, shares 孕前 and 查在
		{"请问孕前检查在哪里做？", 1, []uint{1}},
		{"where can I get the pre-pregnancy check", 3, []uint{3}},
		{"WHERE CAN I GET THE ＰＲＥ－ＰＲＥＧＮＡＮＣＹ CHECK??", 3, []uint{3}},
		{"pre-pregnancy checks 🙏", 3, []uint{3}},
		{"請問孕前檢查在哪裡做？", 3, []uint{5, 1}},
		{"你好", 3, nil},
		{"你好！👋", 3, nil},
		{"hello", 3, nil},
		{"", 3, nil},
		{"？！。", 3, nil},
		{"会员活动日是哪天？", 3, []uint{2}},
		{"请问会员活动在哪里？", 3, []uint{2}}, // not 1 or 6: 在哪里 alone is no match
		// Ranking: 6 has the keyword and more bigrams, 7 shares 疫苗接种.
		{"宝宝疫苗接种在哪里打", 3, []uint{6, 7}},
		{"宝宝疫苗接种在哪里打", 1, []uint{6}},
		{"宝宝疫苗接种在哪里打", 0, nil},
		{"membership", 3, []uint{4}},
		{"memberships fee", 3, nil}, // a keyword only as a whole word
		{"疫苗", 3, []uint{6}},        // 7 shares one bigram only
	} {
		if got := faq.Match(c.text, entries, c.max); !slices.Equal(got, c.want) {
			t.Errorf("%q (max %d): %v, want %v", c.text, c.max, got, c.want)
		}
	}
	if got := faq.Match("孕前检查", nil, 3); got != nil {
		t.Errorf("no entries: %v", got)
	}
}

func TestMatchTies(t *testing.T) {
	same := []faq.Entry{
		{ID: 9, Question: "体检报告"},
		{ID: 4, Question: "体检报告"},
		{ID: 7, Question: "体检报告"},
		{ID: 4, Question: "别的"},
	}
	for range 5 {
		if got := faq.Match("我的体检报告", same, 3); !slices.Equal(got, []uint{4, 7, 9}) {
			t.Fatalf("ties: %v, want [4 7 9]", got)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("请问孕前检查在哪里做？", "孕前优生健康检查在哪里做？", "孕前检查", 3)
	f.Add("where can I get the pre-pregnancy check", "Where is the pre-pregnancy check-up done?", "pre-pregnancy", 1)
	f.Add("\xff\xfe孕", "孕", "", 0)
	f.Add("ａｒｔ party", "art", "art", 2)
	f.Fuzz(func(t *testing.T, text, question, keyword string, max int) {
		es := []faq.Entry{
			{ID: 1, Question: question, Keywords: []string{keyword}},
			{ID: 2, Question: text},
			{ID: 3, Question: keyword, Keywords: []string{question, text}},
			{ID: 1, Question: text + question},
		}
		got := faq.Match(text, es, max)
		if len(got) > 0 && len(got) > max {
			t.Fatalf("%d ids for max %d", len(got), max)
		}
		seen := map[uint]bool{}
		for _, id := range got {
			if id < 1 || id > 3 || seen[id] {
				t.Fatalf("ids %v", got)
			}
			seen[id] = true
		}
	})
}

// BenchmarkMatch measures one offer: a member's question against 50
// frequent questions of their language.
func BenchmarkMatch(b *testing.B) {
	var entries []faq.Entry
	topics := []string{"孕前优生健康检查", "会员活动日", "计生困难家庭扶助", "独生子女父母奖励", "流动人口婚育证明", "新生儿入户访视", "免费避孕药具", "母婴健康", "生育登记服务", "奖励扶助金发放"}
	for i := 0; i < 50; i++ {
		t := topics[i%len(topics)]
		entries = append(entries, faq.Entry{ID: uint(i + 1), Question: t + "在哪里办理？第" + string(rune('一'+i%5)) + "类", Keywords: []string{t[:6]}})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := faq.Match("请问孕前检查在哪里做？要带什么材料吗", entries, 3); len(got) == 0 {
			b.Fatal("no match")
		}
	}
}
