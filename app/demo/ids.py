"""Made-up but valid 身份证号 for generated data (the county-scale demo, tests, benchmarks)."""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric


def make_id_number(area: str, birth: date, sequence: int) -> str:
    """Build a valid 18-digit 身份证号 (area code, birth date, 3-digit sequence; odd sequence = 男).

    The check digit is computed with stdnum (GB 11643).
    """
    body = f"{area[:6]:0>6}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")
