"""What `build_demo` reports: the figures of the village it built, as Chinese lines."""

from __future__ import annotations

from dataclasses import dataclass

from .facts import COUNTY, TOWNSHIP


@dataclass(frozen=True)
class DemoSummary:
    unit_name: str
    residents: int
    residents_registered: int  # 在册
    residents_away: int  # 外出务工
    residents_moved_out: int  # 迁出
    residents_deceased: int  # 死亡
    households: int
    tagged_households: int
    members: int  # 正式 + 预备
    members_full: int
    members_probationary: int
    pipeline: int  # 申请入党 / 入党积极分子 / 发展对象 (not counted as 党员)
    orgs: int
    grids: int  # top-level
    micro_grids: int
    grid_posts: int
    member_posts: int
    contacts: int
    extra: tuple[str, ...] = ()  # one Chinese line per area that added demo data (stars, points …)

    def lines(self) -> list[str]:
        return [
            f"演示村：{TOWNSHIP}{self.unit_name}（{COUNTY}）",
            f"居民 {self.residents} 人（在册 {self.residents_registered} 人，外出务工 {self.residents_away} 人，"
            f"迁出 {self.residents_moved_out} 人，死亡 {self.residents_deceased} 人）",
            f"户 {self.households} 户，其中有标签（低保、空巢等）的 {self.tagged_households} 户",
            f"党员 {self.members} 名（正式党员 {self.members_full} 名，预备党员 {self.members_probationary} 名），"
            f"入党申请人、积极分子和发展对象 {self.pipeline} 名",
            f"党组织 {self.orgs} 个，党员职务 {self.member_posts} 项",
            f"网格 {self.grids} 个，微网格 {self.micro_grids} 个，网格岗位 {self.grid_posts} 个",
            f"党员联系户 {self.contacts} 条",
            *self.extra,
        ]
