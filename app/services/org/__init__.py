"""党组织与党员: the 党组织 tree, the 党员 roster with the 发展党员 stages, posts (党内职务) and 党员联系户.

Public (what ui/, the CLI and other areas call):
    tree           党组织 tree: create, edit, move, close; 联建 partners
    members        党员 queries (list, count, detail) and changes (add, edit, 发展党员 stage moves)
    member_checks  the 党员 form (MemberInput) and its checks, also used by the roster import
    member_posts   党内职务 and 党员联系户: begin and end them; who looks after a household
    roster_changes 转入, leaving the roster (转出, 死亡, 出党, 停止党籍), 恢复, 删除（误录）
    org_changes    moving all members out of an org, 撤销 with them moved, 删除（误录） an org
    memberships    members of other branches in a 功能型党小组 / 联合党支部 (OrgMembership)
"""
