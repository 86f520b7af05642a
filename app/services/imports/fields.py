"""What each import kind reads: its fields, the column names (and synonyms) offices use for them,
and how the words people type into those columns map onto our choices (男性 → 男, 大专 → 大学专科).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.io.excel_import import header_key
from app.models.imports import IMPORT_KINDS
from app.models.org import MEMBER_TYPES, POINTS_CATEGORIES, POSTS, STAGES
from app.models.people import EDUCATIONS, RELATIONS, RESIDENT_STATUSES

from ..validation import FREE_TEXT_MAX

KIND_LABELS = {
    "residents": "居民", "households": "户籍（按户导入）", "members": "党员", "grid-posts": "网格员",
    "tickets": "工单",
}
assert set(KIND_LABELS) == set(IMPORT_KINDS)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # our Chinese name, shown in the mapping step
    synonyms: tuple[str, ...] = ()  # other column names offices use
    required: bool = False
    hint: str = ""  # shown beside the field in the mapping step
    # The longest cell looked at (cells.refuse_long_cells): far above the services' own limits, which say
    # the exact one; only a cell no one typed stops here, before any per-cell work.
    max_len: int = 0  # 0: CELL_MAX


CELL_MAX = 200  # a name, number, date, place or address
NAME = FieldSpec("name", "姓名", ("名字", "居民姓名", "党员姓名", "人员姓名"), required=True, max_len=40)  # as the services
ID_NUMBER = FieldSpec("id_number", "身份证号", ("公民身份号码", "身份证号码", "证件号码", "身份证", "证件号"))
GENDER = FieldSpec("gender", "性别")
BIRTH = FieldSpec("birth_date", "出生日期", ("出生年月", "出生年月日", "生日"))
ETHNICITY = FieldSpec("ethnicity", "民族")
PHONE = FieldSpec("phone", "联系电话", ("手机号", "手机号码", "电话", "手机", "联系方式", "电话号码"))
EDUCATION = FieldSpec("education", "学历", ("文化程度", "学历程度"))
NOTE = FieldSpec("note", "备注", ("说明",), max_len=FREE_TEXT_MAX)
HOUSEHOLD = FieldSpec("household_number", "户号", ("户编号", "户籍号", "户口号"))
RELATION = FieldSpec("relation", "与户主关系", ("户主关系", "关系", "家庭关系"))
ADDRESS = FieldSpec("address", "门牌/住址", ("门牌", "门牌号", "住址", "家庭住址", "地址", "现住址", "居住地址"))
GRID = FieldSpec("grid", "网格", ("所属网格", "网格名称", "所在网格", "网格编号"))
# the micro-grid under the 网格 column's grid: its short name (第二微网格) as the ledgers print it, or its full one
MICRO_GRID = FieldSpec("micro_grid", "微网格", ("所属微网格", "微网格名称", "负责区域"), hint="空白或“全网格”：直接属于网格")
STATUS = FieldSpec("status", "人员状态", ("状态", "居住状态", "人员状况"), hint="在册 / 外出务工")
TAGS = FieldSpec("tags", "户标签", ("标签", "户类别", "特殊人群"), hint="多个用顿号或逗号分隔", max_len=FREE_TEXT_MAX)

PERSON = (NAME, ID_NUMBER, GENDER, BIRTH, ETHNICITY, PHONE, EDUCATION)

KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "residents": (*PERSON, HOUSEHOLD, RELATION, STATUS, NOTE),
    "households": (*PERSON, HOUSEHOLD, RELATION, STATUS, ADDRESS, GRID, MICRO_GRID, TAGS, NOTE),
    "members": (
        NAME, replace(ID_NUMBER, required=True), *PERSON[2:],
        FieldSpec("org", "所在支部", ("所在党支部", "党支部", "支部", "所在党组织", "党组织"), required=True),
        FieldSpec("group", "党小组", ("所在党小组", "小组")),
        FieldSpec("stage", "人员类别", ("党员类别", "类别", "阶段", "党员身份"), hint="正式党员 / 预备党员"),
        FieldSpec("joined_on", "入党日期", ("入党时间", "入党年月")),
        FieldSpec("confirmed_on", "转正日期", ("转正时间", "转正年月")),
        FieldSpec("member_type", "党员类型", ("管理类型", "党员分类"), hint="农民 / 在职 / 离退休 / 流动"),
        FieldSpec("points_category", "积分类别", ("积分分类",)),
        FieldSpec("flow_out_place", "流出地", ("外出地点", "流入地", "外出务工地")),
        FieldSpec("dual_report_unit", "双报到单位", ("报到单位", "工作单位")),
        FieldSpec("posts", "党内职务", ("现任职务", "现任党内职务"),
                  hint="如 书记、组织委员（中共××村总支部委员会）；括号里是所任职的党组织，本支部、本党小组的可省略",
                  max_len=FREE_TEXT_MAX),
        NOTE,
    ),
    "grid-posts": (
        FieldSpec("grid", "网格", GRID.synonyms, required=True),
        replace(MICRO_GRID, label="负责区域", synonyms=("微网格", "所属微网格", "微网格名称")),
        FieldSpec("post", "岗位", ("职务", "网格岗位", "网格职务", "岗位名称"), required=True),
        NAME, ID_NUMBER, PHONE,
        FieldSpec("start_on", "任职日期", ("任职时间", "上岗时间", "开始日期", "聘任时间")),
        NOTE,
    ),
    "tickets": (
        FieldSpec("number", "工单编号", ("编号", "工单号", "工单编码")),
        FieldSpec("received_at", "受理日期", ("受理时间", "登记时间", "日期", "反映时间", "诉求时间"), required=True),
        FieldSpec("channel", "受理渠道", ("渠道", "来源", "诉求渠道")),
        FieldSpec("category", "诉求类别", ("类别", "问题类型", "诉求类型", "事项类别"), required=True),
        FieldSpec("requester_name", "诉求人", ("反映人", "群众姓名", "姓名", "来访人")),
        PHONE,
        FieldSpec("content", "诉求内容", ("反映问题", "内容", "事项", "诉求事项", "问题描述"), required=True,
                  max_len=FREE_TEXT_MAX),
        GRID,
        FieldSpec("state", "办理状态", ("状态", "办结情况")),
        FieldSpec("mode", "办理方式", ("处理方式",)),
        FieldSpec("reply", "答复内容", ("办理结果", "处理结果", "答复", "回复"), max_len=FREE_TEXT_MAX),
        FieldSpec("closed_at", "办结日期", ("办结时间",)),
        FieldSpec("satisfaction", "满意度", ("回访结果", "群众评价", "评价")),
    ),
}


def fields_of(kind: str) -> tuple[FieldSpec, ...]:
    return KIND_FIELDS[kind]


def synonym_index(kind: str) -> dict[str, str]:
    """header_key(name) → field key, for every name and synonym of the kind's fields."""
    out: dict[str, str] = {}
    for f in fields_of(kind):
        for name in (f.label, *f.synonyms):
            out.setdefault(header_key(name), f.key)
    return out


def field_label(kind: str, key: str) -> str:
    return next((f.label for f in fields_of(kind) if f.key == key), key)


# ---------------------------------------------------------------- the words people type

_GENDER = {"男": "男", "男性": "男", "m": "男", "女": "女", "女性": "女", "f": "女"}
_RELATION = {
    "本人": "户主", "户主本人": "户主", "妻": "配偶", "妻子": "配偶", "夫": "配偶", "丈夫": "配偶",
    "长子": "子", "次子": "子", "三子": "子", "儿子": "子", "之子": "子",
    "长女": "女", "次女": "女", "三女": "女", "女儿": "女", "之女": "女",
    "孙": "孙子", "孙女儿": "孙女", "父": "父亲", "母": "母亲", "兄": "兄弟", "弟": "兄弟", "姐": "姐妹", "妹": "姐妹",
}
_EDUCATION = {
    "硕士": "研究生", "博士": "研究生", "研究生及以上": "研究生", "硕士研究生": "研究生", "博士研究生": "研究生",
    "本科": "大学本科", "大学": "大学本科", "大本": "大学本科", "大专": "大学专科", "专科": "大学专科",
    "中技": "中专", "技校": "中专", "职高": "中专", "中职": "中专", "高中及以下": "高中",
    "初中及以下": "初中", "小学及以下": "小学", "文盲": "文盲或半文盲", "半文盲": "文盲或半文盲", "无": "文盲或半文盲",
}
_STAGE = {"正式": "正式党员", "预备": "预备党员", "党员": "正式党员", "中共党员": "正式党员",
          "中共预备党员": "预备党员", "积极分子": "入党积极分子", "申请人": "申请入党", "入党申请人": "申请入党"}
_MEMBER_TYPE = {"农村": "农民", "农民党员": "农民", "在职党员": "在职", "退休": "离退休", "离休": "离退休",
                "离退休党员": "离退休", "流动党员": "流动", "外出": "流动"}
_POINTS = {"青年党员": "青年", "在职党员": "在职", "退休党员": "退休", "离退休": "退休"}
_STATUS = {"正常": "在册", "在籍": "在册", "常住": "在册", "外出": "外出务工", "务工": "外出务工", "外出打工": "外出务工"}
_POSTS = {"支部书记": "书记", "党支部书记": "书记", "支部副书记": "副书记", "党支部副书记": "副书记",
          "小组长": "党小组长", "组长": "党小组长", "支部委员": "委员", "支委": "委员"}


def _pick(value: str, table: dict[str, str], choices: tuple[str, ...] = ()) -> str:
    text = value.strip()
    if text in choices:
        return text
    return table.get(text.lower(), text)


def norm_gender(value: str) -> str:
    return _pick(value, _GENDER)


def norm_relation(value: str) -> str:
    return _pick(value, _RELATION, RELATIONS)


def norm_education(value: str) -> str:
    return _pick(value, _EDUCATION, EDUCATIONS)


def norm_ethnicity(value: str) -> str:
    text = value.strip()
    return text + "族" if text and not text.endswith("族") and len(text) <= 3 else text


def norm_stage(value: str) -> str:
    return _pick(value, _STAGE, STAGES)


def norm_member_type(value: str) -> str:
    return _pick(value, _MEMBER_TYPE, MEMBER_TYPES)


def norm_points(value: str) -> str:
    return _pick(value, _POINTS, POINTS_CATEGORIES)


def norm_status(value: str) -> str:
    return _pick(value, _STATUS, RESIDENT_STATUSES)


def norm_post(value: str) -> str:
    return _pick(value, _POSTS, POSTS)
