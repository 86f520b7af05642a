"""镇级汇总 (issue 23): the township that pools its villages, by server or by signed 上报 packages.

Public:
    keys           the township unit; each village's Ed25519 key pair (issued, installed, listed, revoked)
    packages       export a village's 上报数据包, import (verify and merge) one on the township's database
    figures        镇/片区 figures across villages
    township_ledgers  ledgers stacking the villages' with a 村 column, 小计 and 合计

Private: package_file (the .vdpkg file format, bounded reading), merge (which rows belong to a unit,
copied out and merged in with fresh ids).
"""
