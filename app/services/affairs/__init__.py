"""村务: the village bodies and their 届期, 四议两公开 decisions, 环形互动 topics, and their 台账 and 公示.

Public:
    bodies            posts in the village bodies (村民委员会, 村务监督委员会, 村民代表 and their 联系户,
                      村民小组长, 后备干部 …): add, end, correct, list; 一肩挑 shown in the roster
    terms             届期 of the elected bodies, and the 换届 reminder of the 工作台
    ledgers_bodies    村「两委」班子成员名册, 村民代表名册 (registered with ledgers.export)
    rules             quorum and majority of each meeting kind (村民委员会组织法, 支部工作条例), pure
    meetings          村务 meetings that vote: roster to tick, attendance, votes, outcome by the rules
    decisions         四议两公开: the four meeting steps in order, 决议公开, 实施结果, 实施结果公开, 撤回
    attachments       scans and photos of a decision or meeting, kept under their SHA-256
    notice_decision   决议公开 / 实施结果公开 公示 drafts
    ledgers_decisions 四议两公开台账, 村民代表会议记录 (registered with ledgers.export)
    topics            环形互动: 正序/倒序 topics (a 工单 promoted once), opinions, 支部答复, 代表会表决, 落实, 评价
    notice_topic      the 公示 of a passed topic (发布公开 → 落实)
    open_affairs      村务公开: a 公示 whose table is any sheet the clerk picks, masked like every notice
    ledgers_topics    环形互动议题台账 (registered with ledgers.export)
"""
