"""操作员: accounts with roles and hashed passwords, sign-in with a limit on failed attempts.

Passwords are hashed with Argon2 (argon2-cffi); the plain text is never stored or logged.
Single operator mode (the default, also for the demo village) means no sign-in screen: the window
runs as the unit's admin, created on first use. Switching it off needs an admin with a password.

Failed sign-ins are counted per user name in a Setting row (so restarting the program does not reset
them): after MAX_FAILURES in a row the name is locked for LOCK_SECONDS, doubling on each further
failure up to MAX_LOCK_SECONDS. Every failure is logged and written to the 操作日志.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from app.models import Grid, Operator, Setting, Unit
from app.models.auth import ROLES
from app.models.base import utcnow
from app.models.unit import TOWNSHIP_KINDS

from .. import audit
from ..access import GRID_KEY, ROLE_LABELS, assigned_grids, current_actor, require_role
from ..errors import NotFound, ServiceError
from ..settings import get_setting, set_setting
from ..validation import Problems

log = logging.getLogger(__name__)

MIN_PASSWORD = 6
MAX_FAILURES = 5
LOCK_SECONDS = 60
MAX_LOCK_SECONDS = 15 * 60
SINGLE_MODE_KEY = "single_operator_mode"
IDLE_KEY = "idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 15
FAIL_KEY = "login_failures:{}"

_hasher = PasswordHasher()


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    has_password: bool
    grid_ids: tuple[int, ...]
    grid_names: str
    can_write: bool = False  # a township operator (镇级) may change the villages' data

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class LoginResult:
    """ok: operator is set. Otherwise message says why (Chinese) and wait_seconds how long a lock lasts."""

    operator: OperatorInfo | None
    message: str = ""
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.operator is not None


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_password(p: Problems, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        p.add("password", "密码", f"密码至少 {MIN_PASSWORD} 位")


# ---------------------------------------------------------------- operators


def _info(s: Session, op: Operator) -> OperatorInfo:
    grids = assigned_grids(s, op.id) if op.role == "grid" else []
    names = s.scalars(select(Grid.name).where(Grid.id.in_(grids)).order_by(Grid.sort_order, Grid.id)) if grids else []
    return OperatorInfo(
        op.id, op.username, op.display_name, op.role, op.active, bool(op.password_hash), tuple(grids),
        "、".join(names), bool(op.can_write),
    )


def _get(s: Session, operator_id: int) -> Operator:
    op = s.get(Operator, operator_id)
    if op is None:
        raise NotFound("找不到该操作员")
    return op


def list_operators(s: Session, unit_id: int, include_inactive: bool = True) -> list[OperatorInfo]:
    stmt = select(Operator).where(Operator.unit_id == unit_id).order_by(Operator.id)
    if not include_inactive:
        stmt = stmt.where(Operator.active.is_(True))
    return [_info(s, op) for op in s.scalars(stmt)]


def get_operator(s: Session, operator_id: int) -> OperatorInfo:
    return _info(s, _get(s, operator_id))


def current_operator(s: Session) -> OperatorInfo | None:
    actor = current_actor(s)
    return get_operator(s, actor.id) if actor else None


def _check_grids(s: Session, unit_id: int, role: str, grid_ids: tuple[int, ...], p: Problems) -> list[int]:
    if role != "grid":
        return []
    ids = list(dict.fromkeys(int(g) for g in grid_ids))
    known = set(s.scalars(select(Grid.id).where(Grid.unit_id == unit_id, Grid.id.in_(ids)))) if ids else set()
    if not ids:
        p.add("grid_ids", "负责网格", "网格员至少要负责一个网格")
    elif known != set(ids):
        p.add("grid_ids", "负责网格", "所选的网格不存在")
    return ids


def _check_role_unit(s: Session, unit_id: int, role: str, p: Problems) -> None:
    """A 镇级 operator belongs to a 镇/乡/街道 unit, the village roles to a 村/社区."""
    kind = s.scalar(select(Unit.kind).where(Unit.id == unit_id))
    if not role or kind is None:
        return
    if role == "township" and kind not in TOWNSHIP_KINDS:
        p.add("role", "角色", f"镇级操作员只能设在乡镇(街道)单位，不能设在{kind}")
    elif role != "township" and kind in TOWNSHIP_KINDS:
        p.add("role", "角色", f"{ROLE_LABELS.get(role, role)}只能设在村(社区)，{kind}级单位请选“镇级”")


def _store_grids(s: Session, op: Operator, grid_ids: list[int]) -> None:
    set_setting(s, op.unit_id, GRID_KEY.format(op.id), grid_ids, f"{op.display_name} 负责网格")


def create_operator(
    s: Session, unit_id: int, username: str, display_name: str, role: str = "clerk",
    password: str | None = None, grid_ids: tuple[int, ...] = (), can_write: bool = False,
) -> int:
    """A new operator (admin only). A grid operator needs the grids they look after; a township (镇级)
    operator sits on a 镇/乡/街道 unit and may change the villages' data only with can_write."""
    require_role(s, "admin", action="管理操作员")
    p = Problems()
    username = p.text("username", "登录名", username, required=True, max_len=40)
    display_name = p.text("display_name", "姓名", display_name, required=True, max_len=40)
    role = p.choice("role", "角色", role, ROLES, required=True)
    # a refused name is not looked up: PostgreSQL rejects a NUL character in a query parameter
    if username and not p.has("username") and s.scalar(
        select(Operator.id).where(Operator.unit_id == unit_id, func.lower(Operator.username) == username.lower())
    ):
        p.add("username", "登录名", f"登录名“{username}”已被使用")
    if password is not None:
        _check_password(p, password)
    grids = _check_grids(s, unit_id, role, tuple(grid_ids), p)
    _check_role_unit(s, unit_id, role, p)
    p.raise_if_any()
    writes = bool(can_write) and role == "township"
    op = Operator(
        unit_id=unit_id, username=username, display_name=display_name, role=role,
        password_hash=hash_password(password) if password else None, active=True, can_write=writes,
    )
    s.add(op)
    s.flush()
    if grids:
        _store_grids(s, op, grids)
    detail = {"username": username, "role": role, "grid_ids": grids, **({"can_write": True} if writes else {})}
    audit.record(s, unit_id, "create", "operator", op.id, f"新增操作员：{display_name}（{ROLE_LABELS[role]}）",
                 audit.operator_detail(s, op.id, detail))
    return op.id


# Who manages a unit's operators and settings: a village's 书记(管理员), or on a 镇/乡/街道 unit a 镇级
# operator allowed to write (the township's 管理员: operators, imports, keys), as require_role lets pass.
_MANAGER = or_(Operator.role == "admin", and_(Operator.role == "township", Operator.can_write.is_(True)))


def _is_manager(role: str, can_write: bool) -> bool:
    return role == "admin" or (role == "township" and bool(can_write))


def _active_admins(s: Session, unit_id: int) -> int:
    return s.scalar(
        select(func.count(Operator.id)).where(Operator.unit_id == unit_id, _MANAGER, Operator.active.is_(True))
    ) or 0


def update_operator(
    s: Session, operator_id: int, display_name: str, role: str, active: bool = True,
    grid_ids: tuple[int, ...] = (), can_write: bool | None = None,
) -> None:
    """Change name, role, active, grids and (镇级) can_write (admin only; can_write None: unchanged).
    The last active admin stays an active admin."""
    require_role(s, "admin", action="管理操作员")
    op = _get(s, operator_id)
    p = Problems()
    display_name = p.text("display_name", "姓名", display_name, required=True, max_len=40)
    role = p.choice("role", "角色", role, ROLES, required=True)
    grids = _check_grids(s, op.unit_id, role, tuple(grid_ids), p)
    _check_role_unit(s, op.unit_id, role, p)
    was_admin = _is_manager(op.role, op.can_write) and op.active
    writes = op.can_write if can_write is None else can_write
    if was_admin and not (_is_manager(role, writes) and active) and _active_admins(s, op.unit_id) <= 1:
        p.add("role", "角色", "这是唯一的书记(管理员)账号，不能改为其他角色或停用" if op.role == "admin"
              else "这是本镇唯一可以管理的镇级账号，不能取消“允许修改各村数据”或停用")
    p.raise_if_any()
    fields = ("display_name", "role", "active", "can_write")
    before = audit.snapshot(op, fields)
    before["grid_ids"] = assigned_grids(s, op.id)
    op.display_name, op.role, op.active = display_name, role, bool(active)
    op.can_write = role == "township" and bool(op.can_write if can_write is None else can_write)
    _store_grids(s, op, grids)
    s.flush()
    after = audit.snapshot(op, fields)
    after["grid_ids"] = grids
    audit.record_change(s, op.unit_id, "operator", op.id, f"修改操作员：{display_name}", before, after,
                        extra=audit.operator_detail(s, op.id))


def set_password(s: Session, operator_id: int, password: str) -> None:
    """Set an operator's password: an admin for anyone, anyone for themselves."""
    op = _get(s, operator_id)
    actor = current_actor(s)
    if actor is not None and actor.id != op.id:
        require_role(s, "admin", action="修改其他操作员的密码")
    p = Problems()
    _check_password(p, password)
    p.raise_if_any()
    op.password_hash = hash_password(password)
    s.flush()
    # never the password, nor its hash, in the log
    audit.record(s, op.unit_id, "password", "operator", op.id, f"设置密码：{op.display_name}",
                 audit.operator_detail(s, op.id))  # a digest only: the hash itself stays out of the log


def ensure_admin(s: Session, unit_id: int) -> int:
    """The unit's first active admin, created (without a password) if there is none: the first start.
    A 镇/乡/街道 unit's is its 管理员, a 镇级 operator allowed to write (village roles do not sit there)."""
    op_id = s.scalar(
        select(Operator.id).where(Operator.unit_id == unit_id, _MANAGER, Operator.active.is_(True))
        .order_by(Operator.id).limit(1)
    )
    if op_id is not None:
        return op_id
    taken = set(s.scalars(select(Operator.username).where(Operator.unit_id == unit_id)))
    username = next(n for n in ("admin", *(f"admin{i}" for i in range(2, 100))) if n not in taken)
    township = s.scalar(select(Unit.kind).where(Unit.id == unit_id)) in TOWNSHIP_KINDS
    role, name = ("township", "管理员") if township else ("admin", "书记")
    op = Operator(unit_id=unit_id, username=username, display_name=name, role=role, active=True, can_write=township)
    s.add(op)
    s.flush()
    audit.record(s, unit_id, "create", "operator", op.id, f"新增操作员：{name}（{ROLE_LABELS[role]}）",
                 audit.operator_detail(s, op.id, {"can_write": True} if township else None))
    return op.id


def governing_unit(s: Session, unit_id: int) -> int:
    """Whose sign-in setting and operators a window on unit_id uses: for a village without accounts of its
    own on a database holding a 镇/乡/街道 (its rows come from its packages, which carry no operators), the
    township's (its parent, or the first) — its 镇级 operators see every village; elsewhere the unit itself."""
    if s.scalar(select(Operator.id).where(Operator.unit_id == unit_id).limit(1)) is not None:
        return unit_id  # a village with accounts of its own (online on a shared server) signs in its own
    return _township_of(s, unit_id)


def _township_of(s: Session, unit_id: int) -> int:
    """A village's township unit (its parent, or the database's first 镇/乡/街道); a township or a unit of a
    database without one: itself."""
    unit = s.get(Unit, unit_id)
    if unit is None or unit.kind in TOWNSHIP_KINDS:
        return unit_id
    if unit.parent_id is not None:
        return unit.parent_id
    first = s.scalar(select(Unit.id).where(Unit.kind.in_(TOWNSHIP_KINDS)).order_by(Unit.id).limit(1))
    return unit_id if first is None else first


def login_unit(s: Session, unit_id: int, username: str) -> int:
    """Where an account lives: the unit itself, or, for a name it does not know, its governing unit (a
    镇级 operator signs in to work on one of the township's villages)."""
    name = (username or "").strip().lower()
    here = select(Operator.id).where(Operator.unit_id == unit_id, func.lower(Operator.username) == name)
    if "\x00" in name or s.scalar(here) is not None:  # PostgreSQL refuses NUL in a parameter
        return unit_id
    return _township_of(s, unit_id)


def single_operator(s: Session, unit_id: int) -> int | None:
    """The operator a window on unit_id works as without signing in (single operator mode of the governing
    unit: a township database's 管理员, a village's 书记), or None when sign-in is on."""
    unit = governing_unit(s, unit_id)
    return ensure_admin(s, unit) if single_operator_mode(s, unit) else None


# ---------------------------------------------------------------- modes


def single_operator_mode(s: Session, unit_id: int) -> bool:
    return bool(get_setting(s, unit_id, SINGLE_MODE_KEY, True))


def set_single_operator_mode(s: Session, unit_id: int, on: bool) -> None:
    """Switch sign-in off (on=True) or on (admin only; needs an active admin with a password)."""
    require_role(s, "admin", action="修改登录设置")
    if not on:
        with_password = s.scalar(
            select(func.count(Operator.id)).where(
                Operator.unit_id == unit_id, _MANAGER, Operator.active.is_(True),
                Operator.password_hash.is_not(None),
            )
        )
        if not with_password:
            raise ServiceError("请先为书记(管理员)设置密码，再开启登录；否则谁也无法登录。")
    set_setting(s, unit_id, SINGLE_MODE_KEY, bool(on), "单人使用（不需要登录）")


def idle_lock_minutes(s: Session, unit_id: int) -> int:
    value = get_setting(s, unit_id, IDLE_KEY, DEFAULT_IDLE_MINUTES)
    return int(value) if isinstance(value, int | float) else DEFAULT_IDLE_MINUTES


def set_idle_lock_minutes(s: Session, unit_id: int, minutes: int) -> None:
    """Lock the window after this many idle minutes (0: never). Admin only."""
    require_role(s, "admin", action="修改登录设置")
    if not isinstance(minutes, int) or not 0 <= minutes <= 240:
        p = Problems()
        p.add("idle_lock_minutes", "无操作自动锁定", "应为0到240之间的整数（0 表示不锁定）")
        p.raise_if_any()
    set_setting(s, unit_id, IDLE_KEY, minutes, "无操作自动锁定（分钟）")


# ---------------------------------------------------------------- sign-in


def _failures(s: Session, unit_id: int, key: str) -> tuple[int, datetime | None]:
    value = get_setting(s, unit_id, key, None)
    if not isinstance(value, dict):
        return 0, None
    until = value.get("until")
    return int(value.get("count", 0)), datetime.fromisoformat(until) if until else None


def _put(s: Session, unit_id: int, key: str, value: object) -> None:
    """The failure counter, stored without a 修改设置 line each time (the failure itself is logged)."""
    row = s.scalar(select(Setting).where(Setting.unit_id == unit_id, Setting.key == key))
    if row is None:
        s.add(Setting(unit_id=unit_id, key=key, value=value))
    else:
        row.value = value
    s.flush()


def _lock_for(count: int) -> int:
    return min(LOCK_SECONDS * 2 ** (count - MAX_FAILURES), MAX_LOCK_SECONDS) if count >= MAX_FAILURES else 0


def login(s: Session, unit_id: int, username: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a user name and password. Returns a result (never raises for a wrong password) so the
    failure count is committed with the call."""
    now = now or utcnow()
    name = (username or "").strip()
    key = FAIL_KEY.format(name.lower())
    count, until = _failures(s, unit_id, key)
    if until is not None and now < until:
        wait = int((until - now).total_seconds()) + 1
        log.warning("sign-in refused while locked: %r (%s s left)", name, wait)
        return LoginResult(None, f"密码错误次数过多，请 {wait} 秒后再试。", wait)
    op = s.scalar(
        select(Operator).where(Operator.unit_id == unit_id, func.lower(Operator.username) == name.lower())
    )
    if op is not None and op.active and verify_password(op.password_hash, password):
        if count:
            _put(s, unit_id, key, None)
        token = audit.current_operator_id.set(op.id)  # the sign-in itself is recorded as theirs
        try:
            audit.record(s, unit_id, "login", "operator", op.id, f"登录：{op.display_name}")
        finally:
            audit.current_operator_id.reset(token)
        return LoginResult(_info(s, op))
    count += 1
    lock = _lock_for(count)
    new_until = now + timedelta(seconds=lock) if lock else None
    _put(s, unit_id, key, {"count": count, "until": new_until.isoformat() if new_until else None})
    log.warning("failed sign-in for %r (%d in a row)", name, count)
    audit.record(s, unit_id, "login_failed", "operator", op.id if op else None,
                 f"登录失败：{name}（连续第 {count} 次）")
    if op is not None and not op.active:
        return LoginResult(None, "该操作员已停用，请联系书记(管理员)。")
    if lock:
        return LoginResult(None, f"密码错误次数过多，请 {lock} 秒后再试。", lock)
    left = MAX_FAILURES - count
    return LoginResult(None, f"登录名或密码不正确（再错 {left} 次将暂时锁定）。")



def recover_admin_password(s: Session, unit_id: int, username: str, password: str) -> OperatorInfo:
    """The forgotten-password path (`villagedesk reset-password`, run by someone with the data file and
    the window closed): a new password for an active 书记(管理员) account, its lock-out cleared, and an
    操作日志 entry saying how it happened. Only admins: they can reset everyone else's in the window."""
    name = (username or "").strip()
    unit_id = login_unit(s, unit_id, name)  # a township's 管理员 from the village the command works on
    op = s.scalar(
        select(Operator).where(Operator.unit_id == unit_id, func.lower(Operator.username) == name.lower())
    )
    if op is None or not op.active or not _is_manager(op.role, op.can_write):
        admins = "、".join(o.username for o in list_operators(s, unit_id, include_inactive=False)
                          if _is_manager(o.role, o.can_write))
        raise ServiceError(f"“{name}”不是在用的书记(管理员)账号，无法用此方法重置密码（书记(管理员)账号：{admins}）。"
                           "其他操作员的密码请书记在“设置 → 操作员”中重设。")
    token = audit.current_operator_id.set(op.id)  # recorded as theirs, like a sign-in
    try:
        set_password(s, op.id, password)
        _put(s, unit_id, FAIL_KEY.format(name.lower()), None)
        audit.record(s, unit_id, "password_reset", "operator", op.id,
                     f"命令行重置密码（凭本机数据文件，窗口已关闭）：{op.display_name}")
    finally:
        audit.current_operator_id.reset(token)
    log.warning("admin password reset from the command line: operator %s", op.id)
    return _info(s, op)


def grid_choices(s: Session, unit_id: int) -> list[tuple[int, str]]:
    """Open grids (not micro-grids) a grid operator can be put in charge of: (id, name)."""
    rows = s.execute(
        select(Grid.id, Grid.name).where(Grid.unit_id == unit_id, Grid.parent_id.is_(None), Grid.closed_on.is_(None))
        .order_by(Grid.sort_order, Grid.id)
    )
    return [(gid, name) for gid, name in rows]
