-- +goose Up
-- The cycles the association's work plans name (SPEC C5), with their
-- reminders in days from the due date. Admins add more with
-- `assocbot plan kind add`.
INSERT INTO plan_kinds (key, for_role, name_zh_hans, name_zh_hant, name_en, every, r_rule, offsets, certificate, auto_close, created_at) VALUES
('quarterly_check', 'member', '季度孕检（三查）', '季度孕檢（三查）', 'Quarterly check-up', '3m', '', '-7,0,3,7', false, '', CURRENT_TIMESTAMP),
('prepregnancy', 'member', '孕前优生健康检查', '孕前優生健康檢查', 'Pre-pregnancy health check', '12m', '', '-7,0,3,7', false, '', CURRENT_TIMESTAMP),
('annual_check', 'member', '年度健康检查', '年度健康檢查', 'Annual health check', '12m', '', '-7,0,3,7', false, '', CURRENT_TIMESTAMP),
('away_certificate', 'member', '外出人员季度查验证明', '外出人員季度查驗證明', 'Quarterly check certificate (working away)', '3m', '', '-7,0,3,7', true, '', CURRENT_TIMESTAMP),
('away_return', 'member', '外出人员半年返乡检查', '外出人員半年返鄉檢查', 'Half-yearly check back home (working away)', '6m', '', '-14,-7,0,3,7', false, '', CURRENT_TIMESTAMP),
('weekly_report', 'duty', '每周工作汇报', '每週工作匯報', 'Weekly report', '', 'FREQ=WEEKLY;BYDAY=FR', '-1,0', false, '', CURRENT_TIMESTAMP),
('monthly_report', 'duty', '月度报表', '月度報表', 'Monthly report', '', 'FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1', '-7,-1,0,3', false, '', CURRENT_TIMESTAMP),
('quarterly_activity', 'duty', '季度会员活动（活动记录）', '季度會員活動（活動記錄）', 'Quarterly branch activity (with its record)', '', 'FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1', '-30,-7,0', false, 'branch_activity', CURRENT_TIMESTAMP),
('movein_check', 'duty', '流入人口季度核查', '流入人口季度核查', 'Quarterly check of people who moved in', '', 'FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1', '-7,0,3,7', false, '', CURRENT_TIMESTAMP),
('moveout_check', 'duty', '流出人口半年核查', '流出人口半年核查', 'Half-yearly check of people who moved out', '', 'FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1', '-7,0,3,7', false, '', CURRENT_TIMESTAMP);
