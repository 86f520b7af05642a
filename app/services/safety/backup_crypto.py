"""Password-encrypted backup files, for backups that leave the office on a USB stick.

Format: MAGIC, a 16-byte salt, the scrypt cost (log2 n, r, p as three bytes), then a Fernet token
(AES-128-CBC + HMAC-SHA256, from the `cryptography` package) of the whole SQLite file. The key is
derived from the password with scrypt, so a guessed password costs real time. The file is held in
memory once while encrypting; village databases are tens of megabytes at most.

The HMAC also makes the file its own checksum: a changed byte anywhere fails the decryption. The
scrypt cost is read from the file, so it is bounded before use (log2 n 10..20, r 1..16, p 1..4 and at
most MAX_SCRYPT_MEMORY of memory): a crafted header cannot make a restore hang or eat the memory.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import ServiceError
from .backup_files import write_synced

MAGIC = b"VDBKENC1"
SALT_BYTES = 16
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1
MIN_PASSWORD = 6
# what a file may ask for: our own cost (2**15 * 8 * 128 = 32 MiB, ~0.1 s) with room for a slower future
LOG2_N_RANGE, R_RANGE, P_RANGE = range(10, 21), range(1, 17), range(1, 5)
MAX_SCRYPT_MEMORY = 256 * 2**20  # scrypt needs 128 * r * n bytes


class PasswordRequired(ServiceError):
    """The backup is encrypted and no password was given (the window then asks for one)."""


def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _key(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p)
    return base64.urlsafe_b64encode(kdf.derive(password.encode("utf-8")))


def check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise ServiceError(f"加密备份的密码至少 {MIN_PASSWORD} 位。")
    return password


def cost_allowed(log2_n: int, r: int, p: int) -> bool:
    """Is this scrypt cost (from a file header) one we are willing to pay?"""
    return (log2_n in LOG2_N_RANGE and r in R_RANGE and p in P_RANGE
            and 128 * r * 2**log2_n <= MAX_SCRYPT_MEMORY)


def encrypt_file(src: Path, dst: Path, password: str) -> None:
    salt = os.urandom(SALT_BYTES)
    token = Fernet(_key(check_password(password), salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)).encrypt(src.read_bytes())
    write_synced(dst, MAGIC + salt + bytes((SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)) + token)


def decrypt_file(src: Path, dst: Path, password: str | None) -> None:
    """Decrypt src into dst; a wrong password or a damaged file is a ServiceError, dst untouched."""
    if not password:
        raise PasswordRequired(f"备份文件 {src.name} 已加密，请输入备份时设置的密码。")
    data = src.read_bytes()
    head = len(MAGIC) + SALT_BYTES + 3
    if len(data) <= head or not data.startswith(MAGIC):
        raise ServiceError(f"{src.name} 不是有效的加密备份文件。")
    salt = data[len(MAGIC):len(MAGIC) + SALT_BYTES]
    log2_n, r, p = data[head - 3:head]
    if not cost_allowed(log2_n, r, p):
        raise ServiceError(f"{src.name} 不是有效的加密备份文件（密钥参数超出范围）。")
    try:
        plain = Fernet(_key(password, salt, log2_n, r, p)).decrypt(data[head:])
    except (InvalidToken, ValueError) as exc:
        raise ServiceError("密码不正确，或备份文件已损坏，无法解密。") from exc
    write_synced(dst, plain)
